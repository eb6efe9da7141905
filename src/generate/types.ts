// What the generator produces: lines of the import format, one file per record kind, and the ground
// truth that correlation and attribution are measured against (docs/generate.md).
import type { z } from 'zod';
import type {
  ChangeSchema,
  CostEntrySchema,
  DefectSchema,
  DeploymentSchema,
  ServiceSchema,
  SignalSchema,
  TeamSchema,
  TestRunSchema,
} from '../domain/records.ts';

export type TeamLine = z.input<typeof TeamSchema>;
export type ServiceLine = z.input<typeof ServiceSchema>;
export type SignalLine = z.input<typeof SignalSchema>;
export type DeploymentLine = z.input<typeof DeploymentSchema>;
export type ChangeLine = z.input<typeof ChangeSchema>;
export type DefectLine = z.input<typeof DefectSchema>;
export type TestRunLine = z.input<typeof TestRunSchema>;
export type CostEntryLine = z.input<typeof CostEntrySchema>;

export const PROBLEM_TYPES = ['code', 'infra', 'integration', 'regression', 'mixed'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** Why a problem has no introducing deployment. */
export const UNATTRIBUTED_REASONS = [
  'vendor outage', 'vendor rate limit', 'partner contract change', 'expired credentials',
  'certificate expiry', 'capacity', 'node failure', 'dns provider', 'infrastructure change',
] as const;
export type UnattributedReason = (typeof UNATTRIBUTED_REASONS)[number];

export interface ProblemTruth {
  problem: string;
  type: ProblemType;
  service: string;
  /** Every signal of the problem, as `source:external_id`. */
  signals: string[];
  /** The production deployment that introduced it, as `source:external_id`, or null. */
  deployment: string | null;
  unattributed_reason: UnattributedReason | null;
  impact_start: string;
  /** As the pipeline derives it: the first signal a person or pager saw (src/pipeline/assemble.ts). */
  detected_at: string;
  /** Null when the problem is still open at the history's end. */
  resolved_at: string | null;
}

export interface DeploymentTruth {
  deployment: string;
  /** DORA change failure: an escaped problem was introduced by it (and needed a rollback, hotfix or fix). */
  failed: boolean;
  /** DORA rework: not planned, made to address a problem in production (hotfix, rollback, fix-forward). */
  rework: boolean;
}

/** The record files, in the order an import must read them (services before what names them). */
export const RECORD_FILES = ['teams', 'services', 'deployments', 'changes', 'defects', 'test_runs', 'signals', 'cost_entries'] as const;
export type RecordFile = (typeof RECORD_FILES)[number];

export const TRUTH_FILES = ['problems', 'deployments'] as const;
export type TruthFile = (typeof TRUTH_FILES)[number];

export interface RecordLines {
  teams: TeamLine[];
  services: ServiceLine[];
  deployments: DeploymentLine[];
  changes: ChangeLine[];
  defects: DefectLine[];
  test_runs: TestRunLine[];
  signals: SignalLine[];
  cost_entries: CostEntryLine[];
}

export interface TruthLines {
  problems: ProblemTruth[];
  deployments: DeploymentTruth[];
}

/**
 * One day of history. Records dated after the day (a fix deployed tomorrow) come with the day that
 * caused them, but never after the history's end.
 */
export interface HistoryChunk {
  day: string;
  dayIndex: number;
  totalDays: number;
  records: RecordLines;
  truth: TruthLines;
}

export function emptyRecordLines(): RecordLines {
  return { teams: [], services: [], deployments: [], changes: [], defects: [], test_runs: [], signals: [], cost_entries: [] };
}
