// The shapes the dashboard reads from the API (as much of them as it uses).

export interface Evidence {
  problems?: number[];
  deployments?: number[];
  defects?: number[];
  test_runs?: number[];
  changes?: number[];
  signals?: number[];
}

export interface Metric {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  sample_size: number;
  method: string;
  evidence: Evidence;
  unit?: string;
  band?: string | null;
}

export interface Period {
  label: string;
  start: string;
  end: string;
}

export interface TypeEscapes {
  type: string;
  count: number;
  share: Metric;
  previous_count: number;
  trend: 'up' | 'down' | 'flat' | null;
  problem_ids: number[];
}

export interface Escapes {
  period: Period;
  total: number;
  previous_total: number;
  trend: 'up' | 'down' | 'flat' | null;
  to_verify: number;
  /** Problems set aside as not escaped problems (noise, a person's call): in no count. */
  set_aside?: { count: number; problem_ids: number[] };
  by_type: TypeEscapes[];
  method: string;
}

export type { CostGroup } from '../../src/metrics/cost.ts';
import type { CostGroup } from '../../src/metrics/cost.ts';

export interface Cost {
  total: CostGroup;
  by_type: CostGroup[];
  method: string;
  sentence?: string;
}

export interface ReleaseCount {
  count: number;
  counting: { rule: string; count_hotfixes: boolean; count_rollbacks: boolean };
  by_kind: Record<string, number>;
  deployment_ids: number[];
}

export interface Overview {
  selection: { period: Period };
  escapes: Escapes;
  cost: Cost;
  ddr: { ddr: Metric; ddr_weighted: Metric; escaped_rate: Metric; escapes_per_release: Metric; releases: number; unattributed: number };
  ipr: { ipr: Metric; trend: string | null; trend_change: number | null };
  epr: { epr: Metric; releases: ReleaseCount; spikes: number[]; flags: { postmortem: boolean; systemic: boolean; message: string | null }; canary: { service: string; epr: number; releases: number; recommendation: string }[] };
  rcs: Rcs | null;
}

export type { ReleaseEscapes } from '../../src/metrics/epr.ts';
import type { ReleaseEscapes } from '../../src/metrics/epr.ts';

export interface Epr {
  epr: Metric;
  releases: ReleaseCount;
  series: ReleaseEscapes[];
  fence: { q1: number; median: number; q3: number; iqr: number; threshold: number; method: string } | null;
  fence_note: string | null;
  spikes: number[];
  flags: { postmortem: boolean; systemic: boolean; message: string | null };
  canary: { service: string; epr: number; releases: number; recommendation: string }[];
}

export interface Ddr {
  ddr: Metric;
  ddr_weighted: Metric;
  escapes_per_release: Metric;
  releases: ReleaseCount;
  per_release: { deployment_id: number; service: string; version: string | null; finished_at: string | null; pre: number; post: number; ddr: Metric; ddr_weighted: Metric }[];
}

export interface Ipr {
  ipr: Metric;
  releases: ReleaseCount;
  series: { deployment_id: number; service: string; version: string | null; finished_at: string | null; issues: number; band: string; defect_ids: number[] }[];
  trend: string | null;
  trend_change: number | null;
}

export interface RcsModel {
  model: string;
  score: number | null;
  decision: 'GO' | 'CONDITIONAL' | 'HOLD' | null;
  detail: string;
}

export interface Rcs {
  release: string;
  inputs: { blockers: number; regression: number | null; critical_paths: number | null };
  regression: Metric;
  critical_paths: Metric;
  blockers: Metric;
  models: RcsModel[];
  score: RcsModel;
  note: string;
}

export interface Dora {
  service: string | null;
  deployment_frequency: Metric & { per_week: number | null; days: number };
  change_lead_time: { median: Metric; p90: Metric };
  change_fail_rate: Metric;
  deployment_rework_rate: Metric;
  recovery_time: { median: Metric; name: string };
}

export interface Budget {
  service: string;
  [key: string]: unknown;
}

export interface ProblemRecord {
  id: number;
  key: string;
  title: string;
  summary: string | null;
  service: string | null;
  environment: string | null;
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
  severity: string | null;
  signal_count: number;
  type: string | null;
  type_confidence: number | null;
  type_decider: string | null;
  type_rationale: string | null;
  review_state: string;
  deployment_id: number | null;
  attribution: unknown;
  cost?: unknown;
  /** How the signals were grouped; `set_aside` when the problem is not counted (src/pipeline/triage.ts). */
  correlation?: { set_aside?: SetAsideNote; [key: string]: unknown } | null;
}

/** Why a problem is not counted, who said so, and the classification it would have if counted. */
export interface SetAsideNote {
  by: 'rule' | 'person';
  actor?: string;
  reason: string;
  if_counted: string;
}

export interface SignalRecord {
  id: number;
  source: string;
  external_id: string;
  kind: string;
  url: string | null;
  occurred_at: string;
  title: string;
  body: string | null;
  severity: string | null;
  service: string | null;
  problem_id: number | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ReadinessItem {
  key: string;
  title: string;
  status: 'ready' | 'partial' | 'missing';
  share: number | null;
  evidence: string;
  todo: string | null;
}

export interface WorkspaceSummary {
  empty: boolean;
  span: { first: string | null; last: string | null };
}

export interface Readiness extends WorkspaceSummary {
  items: ReadinessItem[];
  counts: Record<string, number>;
}

export type ReviewNeed = 'type' | 'release' | 'cost';

export interface Review {
  id: number;
  period_start: string;
  period_end: string;
  started_at: string;
  completed_at: string | null;
  summary: Record<string, unknown> | null;
  items: { problem: ProblemRecord; needs: ReviewNeed[] }[];
  progress: { total: number; resolved: number };
  /** What the pipeline set aside in the period, for a person to check. */
  set_aside?: { count: number; problems: { id: number; title: string; impact_start: string; service: string | null; type_rationale: string | null; set_aside: SetAsideNote | null }[] };
}

export const PROBLEM_TYPES = ['code', 'infra', 'integration', 'regression', 'mixed'] as const;
