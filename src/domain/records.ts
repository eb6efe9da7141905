// The records Escapement keeps. Each schema validates input at the edge and yields the TypeScript type.
// Field names are snake_case throughout: in the import format, the API, the store and the code.
import { z } from 'zod';
import { labels, links, nonEmpty, recordRef, severity, sourceName, timestamp } from './fields.ts';

const identity = {
  /** Where the record came from: a vendor (`pagerduty`), `import`, `generic`, … */
  source: sourceName.default('import'),
  /** The record's id in its source; with `source` the key that makes ingest idempotent. */
  external_id: nonEmpty,
};

export const TeamSchema = z.strictObject({
  name: nonEmpty,
  description: z.string().optional(),
});
export type Team = z.infer<typeof TeamSchema>;

export const ServiceSchema = z.strictObject({
  name: nonEmpty,
  team: nonEmpty.optional(),
  /** Names the service goes by in the sources: plain (`checkout-api`) or scoped (`pagerduty:PXYZ123`). */
  aliases: z.array(nonEmpty).default([]),
  repository: z.string().optional(),
  tier: z.string().optional(),
});
export type Service = z.infer<typeof ServiceSchema>;

export const SIGNAL_KINDS = ['alert', 'incident', 'ticket', 'support', 'chat', 'log'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export const SIGNAL_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** One raw sign of a production problem: an alert, incident, ticket, support request, chat thread or log alert. */
export const SignalSchema = z.strictObject({
  ...identity,
  kind: z.enum(SIGNAL_KINDS),
  url: z.string().optional(),
  /** When the problem began, as far as this signal knows (alert start, ticket creation). */
  occurred_at: timestamp,
  /** When a person or pager first saw it, if later than occurred_at. */
  detected_at: timestamp.optional(),
  resolved_at: timestamp.optional(),
  title: nonEmpty,
  body: z.string().optional(),
  severity: severity.optional(),
  status: z.enum(SIGNAL_STATUSES).optional(),
  service: nonEmpty.optional(),
  environment: z.string().optional(),
  labels,
  links,
  /** The vendor payload as received; kept so records can be re-derived. */
  raw: z.unknown().optional(),
});
export type Signal = z.output<typeof SignalSchema>;

export const DEPLOYMENT_KINDS = ['planned', 'hotfix', 'rollback', 'fix_forward'] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];
export const DEPLOYMENT_STATUSES = ['queued', 'in_progress', 'success', 'failure', 'cancelled'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const DeploymentSchema = z.strictObject({
  ...identity,
  service: nonEmpty,
  environment: nonEmpty.default('production'),
  version: z.string().optional(),
  commit_sha: z.string().optional(),
  started_at: timestamp.optional(),
  finished_at: timestamp.optional(),
  status: z.enum(DEPLOYMENT_STATUSES).default('success'),
  kind: z.enum(DEPLOYMENT_KINDS).default('planned'),
  /** Why the kind is what it is (a branch name, a label, "rolls back to 2.4.0", "set by a person"). */
  kind_reason: z.string().optional(),
  /** For rollbacks: the version or sha it returns to. */
  rolls_back_to: z.string().optional(),
  url: z.string().optional(),
  rollout_stage: z.string().optional(),
  labels,
  raw: z.unknown().optional(),
});
export type Deployment = z.output<typeof DeploymentSchema>;

/** A commit or pull/merge request, with the times change lead time needs. */
export const ChangeSchema = z.strictObject({
  ...identity,
  service: nonEmpty.optional(),
  repository: z.string().optional(),
  sha: z.string().optional(),
  pr_number: z.number().int().positive().optional(),
  title: z.string().optional(),
  first_commit_at: timestamp,
  merged_at: timestamp.optional(),
  /** The deployment it shipped in, as `source:external_id`. */
  deployment_ref: recordRef.optional(),
  raw: z.unknown().optional(),
});
export type Change = z.output<typeof ChangeSchema>;

export const DEFECT_FOUND_IN = ['qa', 'test', 'staging', 'review', 'other'] as const;
export const DEFECT_CATEGORIES = ['functional', 'requirement', 'ux', 'performance', 'environment', 'other'] as const;

/** A bug found before release (QA, tests, staging). */
export const DefectSchema = z.strictObject({
  ...identity,
  title: nonEmpty,
  service: nonEmpty.optional(),
  severity: severity.default('medium'),
  category: z.enum(DEFECT_CATEGORIES).default('functional'),
  found_at: timestamp,
  found_in: z.enum(DEFECT_FOUND_IN).default('qa'),
  /** The release it was found in, when the tracker names one; else attributed by time (metrics.md §2). */
  release: z.string().optional(),
  /** Whether it blocks the release (open blockers feed the Release Confidence Score). */
  blocker: z.boolean().default(false),
  status: z.enum(['open', 'resolved']).default('open'),
  resolved_at: timestamp.optional(),
  url: z.string().optional(),
  labels,
  raw: z.unknown().optional(),
});
export type Defect = z.output<typeof DefectSchema>;

/** One test suite run against a release candidate. */
export const TestRunSchema = z.strictObject({
  ...identity,
  service: nonEmpty.optional(),
  release: nonEmpty,
  suite: nonEmpty,
  /** `regression`, `smoke`, `e2e`, … — the Release Confidence Score reads regression and critical paths. */
  suite_kind: z.string().default('regression'),
  started_at: timestamp,
  finished_at: timestamp.optional(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative().default(0),
  critical_total: z.number().int().nonnegative().default(0),
  critical_passed: z.number().int().nonnegative().default(0),
  failed_tests: z.array(z.string()).default([]),
  raw: z.unknown().optional(),
});
export type TestRun = z.output<typeof TestRunSchema>;

export const DEFAULT_ROLES = ['dev', 'qa', 'devops', 'pm'] as const;

/** Hours a person in a role spent on a problem. */
export const CostEntrySchema = z.strictObject({
  ...identity,
  /** The problem, through one of its signals (`source:external_id`) or as `problem:<id>`. */
  problem_ref: recordRef,
  role: z.string().trim().toLowerCase().min(1, 'must not be empty'),
  hours: z.number().positive().max(10_000),
  person: z.string().optional(),
  note: z.string().optional(),
  entered_at: timestamp.optional(),
});
export type CostEntry = z.output<typeof CostEntrySchema>;

/** The kinds of record the import format carries, with their schemas. */
export const IMPORT_SCHEMAS = {
  team: TeamSchema,
  service: ServiceSchema,
  signal: SignalSchema,
  deployment: DeploymentSchema,
  change: ChangeSchema,
  defect: DefectSchema,
  test_run: TestRunSchema,
  cost_entry: CostEntrySchema,
} as const;
export type ImportKind = keyof typeof IMPORT_SCHEMAS;
export const IMPORT_KINDS = Object.keys(IMPORT_SCHEMAS) as ImportKind[];
export type ImportRecord = { [K in ImportKind]: { kind: K; record: z.output<(typeof IMPORT_SCHEMAS)[K]> } }[ImportKind];

export function isImportKind(value: string): value is ImportKind {
  return Object.hasOwn(IMPORT_SCHEMAS, value);
}
