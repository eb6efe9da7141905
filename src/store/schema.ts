// The tables as Kysely sees them. Timestamps are UTC ISO strings on both dialects (see connection.ts);
// JSON columns are written as JSON text and read back through `fromJson`.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A JSON column: written as a JSON string, read as text (SQLite) or a parsed value (PostgreSQL). */
export type JsonColumn = ColumnType<unknown, string, string>;
export type NullableJsonColumn = ColumnType<unknown, string | null | undefined, string | null>;

interface Keyed {
  id: Generated<number>;
  source: string;
  external_id: string;
  content_hash: string;
  created_at: string;
  updated_at: string;
}

export interface TeamTable {
  name: string;
  description: string | null;
  content_hash: string;
  created_at: string;
  updated_at: string;
}

export interface ServiceTable {
  name: string;
  team: string | null;
  aliases: JsonColumn;
  repository: string | null;
  tier: string | null;
  content_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SignalTable extends Keyed {
  kind: string;
  url: string | null;
  occurred_at: string;
  detected_at: string | null;
  resolved_at: string | null;
  title: string;
  body: string | null;
  severity: string | null;
  status: string;
  /** The canonical service when the value maps to one, else the value as received. */
  service: string | null;
  /** The value the source used, before alias mapping. */
  service_raw: string | null;
  environment: string | null;
  labels: JsonColumn;
  links: JsonColumn;
  raw: NullableJsonColumn;
}

export interface DeploymentTable extends Keyed {
  service: string;
  environment: string;
  version: string | null;
  commit_sha: string | null;
  started_at: string | null;
  finished_at: string | null;
  status: string;
  kind: string;
  kind_reason: string | null;
  rolls_back_to: string | null;
  url: string | null;
  rollout_stage: string | null;
  labels: JsonColumn;
  raw: NullableJsonColumn;
  /** 1 when it needed intervention (metrics.md §7 change fail rate), 0 when not, null when not a production deployment. */
  failed: number | null;
  /** 1 when unplanned and made to address a production problem (hotfix, rollback, fix-forward). */
  rework: number | null;
  /** Why `failed` and `rework` are what they are (src/pipeline/outcomes.ts), and any person's override. */
  outcome: NullableJsonColumn;
}

export interface ChangeTable extends Keyed {
  service: string | null;
  repository: string | null;
  sha: string | null;
  pr_number: number | null;
  title: string | null;
  first_commit_at: string;
  merged_at: string | null;
  deployment_ref: string | null;
  raw: NullableJsonColumn;
}

export interface DefectTable extends Keyed {
  title: string;
  service: string | null;
  severity: string;
  category: string;
  found_at: string;
  found_in: string;
  release: string | null;
  blocker: number;
  status: string;
  resolved_at: string | null;
  url: string | null;
  labels: JsonColumn;
  raw: NullableJsonColumn;
}

export interface TestRunTable extends Keyed {
  service: string | null;
  release: string;
  suite: string;
  suite_kind: string;
  started_at: string;
  finished_at: string | null;
  passed: number;
  failed: number;
  skipped: number;
  critical_total: number;
  critical_passed: number;
  failed_tests: JsonColumn;
  raw: NullableJsonColumn;
}

export interface CostEntryTable extends Keyed {
  problem_ref: string;
  role: string;
  hours: number;
  person: string | null;
  note: string | null;
  entered_at: string | null;
}

/** An escaped problem, derived from its signals by the pipeline; people's decisions live in `decisions`. */
export interface ProblemTable {
  id: Generated<number>;
  /** Stable identity across pipeline re-runs: the `source:external_id` of its anchor (earliest) signal. */
  key: string;
  title: string;
  summary: string | null;
  service: string | null;
  services: JsonColumn;
  environment: string | null;
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
  severity: string | null;
  downtime_minutes: number | null;
  affected_users: number | null;
  signal_count: number;
  /** `code` | `infra` | `integration` | `regression` | `mixed`, or null before classification. */
  type: string | null;
  type_confidence: number | null;
  /** `rule` | `model` | `person` */
  type_decider: string | null;
  type_rationale: string | null;
  /** `to_verify` until a person confirms type and release, then `confirmed`. */
  review_state: string;
  /** The deployment that introduced it, or null (unattributed; the reason is in `attribution`). */
  deployment_id: number | null;
  attribution: NullableJsonColumn;
  resolution_kind: string | null;
  postmortem_url: string | null;
  pattern_key: string | null;
  correlation: NullableJsonColumn;
  /** Hours per role (actual, else the type's estimate), money, time to detect and fix (src/pipeline/cost.ts). */
  cost: NullableJsonColumn;
  created_at: string;
  updated_at: string;
}

/** What a person decided (merge, split, confirm type, override release, …), replayed on every pipeline run. */
export interface DecisionTable {
  id: Generated<number>;
  action: string;
  /** What the decision is about: a problem key or a signal ref. */
  subject: string;
  payload: JsonColumn;
  actor: string;
  decided_at: string;
}

export interface ReviewTable {
  id: Generated<number>;
  period_start: string;
  period_end: string;
  started_at: string;
  completed_at: string | null;
  actor: string | null;
  problem_keys: JsonColumn;
  summary: NullableJsonColumn;
}

/** The deployment that shipped a change its source gave none (derived by the pipeline). */
export interface ChangeShipmentTable {
  change_id: number;
  deployment_ref: string;
  reason: string;
}

/** The problem a signal belongs to (written by the pipeline; one row per signal it has placed). */
export interface SignalProblemTable {
  signal_id: number;
  problem_id: number;
}

export interface Database {
  teams: TeamTable;
  services: ServiceTable;
  signals: SignalTable;
  deployments: DeploymentTable;
  changes: ChangeTable;
  defects: DefectTable;
  test_runs: TestRunTable;
  cost_entries: CostEntryTable;
  problems: ProblemTable;
  decisions: DecisionTable;
  reviews: ReviewTable;
  change_shipments: ChangeShipmentTable;
  signal_problems: SignalProblemTable;
}

export type SignalRow = Selectable<SignalTable>;
export type DeploymentRow = Selectable<DeploymentTable>;
export type ChangeRow = Selectable<ChangeTable>;
export type DefectRow = Selectable<DefectTable>;
export type TestRunRow = Selectable<TestRunTable>;
export type CostEntryRow = Selectable<CostEntryTable>;
export type ProblemRow = Selectable<ProblemTable>;
export type NewProblem = Insertable<ProblemTable>;
export type DecisionRow = Selectable<DecisionTable>;

/** Reads a JSON column on either dialect. */
export function fromJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}
