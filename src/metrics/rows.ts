// The plain rows every metric family reads. The store shell (src/store/metric-facts.ts) fills them;
// tests write them by hand. Timestamps are UTC ISO strings, which sort correctly as text.
import type { Severity } from '../domain/fields.ts';
import type { FirstDeployment } from '../pipeline/lead-time-scope.ts';

export const PROBLEM_TYPES = ['code', 'infra', 'integration', 'regression', 'mixed'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** An escaped problem as the pipeline stored it. */
export interface ProblemFact {
  id: number;
  key: string;
  /** null until classified. */
  type: ProblemType | null;
  service: string | null;
  severity: Severity | null;
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
  downtime_minutes: number | null;
  /** The release (production deployment) that introduced it; null when unattributed. */
  deployment_id: number | null;
  review_state: string;
  /** Error fingerprint or other recurrence key set by the pipeline. */
  pattern_key: string | null;
}

export interface DeploymentFact {
  id: number;
  service: string;
  environment: string;
  version: string | null;
  /** When it reached its environment; deployments without it never reached users. */
  finished_at: string | null;
  status: string;
  /** planned | hotfix | rollback | fix_forward */
  kind: string;
  /** The pipeline's verdict (src/pipeline/outcomes.ts, a person may override it); null/absent: derive it here. */
  failed?: boolean | null;
  rework?: boolean | null;
}

/** A pre-release defect (QA, tests, staging). */
export interface DefectFact {
  id: number;
  service: string | null;
  severity: Severity;
  category: string;
  found_at: string;
  /** The release the tracker names, if any (matched against deployment versions). */
  release: string | null;
  blocker: boolean;
  status: string;
  labels: Record<string, string>;
}

export interface TestRunFact {
  id: number;
  service: string | null;
  release: string;
  suite: string;
  suite_kind: string;
  started_at: string;
  passed: number;
  failed: number;
  critical_total: number;
  critical_passed: number;
}

/** A commit or PR and the production deployment it shipped in. */
export interface ChangeFact {
  id: number;
  service: string | null;
  first_commit_at: string;
  deployment_id: number | null;
  /** When the deployment that carried it finished (it was running in production from then). */
  deployed_at: string | null;
}

/** Hours a role spent on a problem; `estimated` when the pipeline filled it from type defaults. */
export interface CostFact {
  problem_id: number;
  role: string;
  hours: number;
  estimated: boolean;
}

/** Everything the metric families read for one period/service/team selection. */
export interface MetricFacts {
  /** The escaped problems: every problem except those set aside. */
  problems: ProblemFact[];
  /** Problems set aside as not escaped problems (noise, or a person's call), shown beside the counts, never counted. */
  set_aside?: ProblemFact[];
  /** Production deployments in the period, plus the last one before it per service (for attribution). */
  deployments: DeploymentFact[];
  defects: DefectFact[];
  testRuns: TestRunFact[];
  changes: ChangeFact[];
  costs: CostFact[];
  /**
   * Each service's first recorded successful production deployment over all stored history, for the
   * services the changes name (src/pipeline/lead-time-scope.ts). Absent or missing a service: unknown,
   * so nothing of that service is left out of lead time.
   */
  firstDeployments?: Record<string, FirstDeployment>;
}

export const emptyFacts = (): MetricFacts => ({ problems: [], deployments: [], defects: [], testRuns: [], changes: [], costs: [] });
