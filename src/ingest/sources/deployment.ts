// The generic deployment webhook, `POST /api/v1/webhooks/deployment`, for any pipeline (docs/sources.md,
// "Delivery sources"); also the one place where every delivery adapter turns what it read into
// Deployment and Change records, so kind detection, keys and validation are the same for all of them.
import { z } from 'zod';
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import { ChangeSchema, DEPLOYMENT_STATUSES, DeploymentSchema, type DeploymentStatus, type ImportRecord, TestRunSchema } from '../../domain/records.ts';
import { detectDeploymentKind, type DetectedKind, type KindEvidence } from '../../pipeline/deployment-kind.ts';
import { isObject, optionalText, optionalTime } from '../payload.ts';
import type { Config } from '../../domain/config.ts';

/** What an adapter read about one deployment, before it becomes a record. */
export interface DeploymentFacts {
  source: string;
  external_id: string;
  service: string;
  environment: string;
  version?: string | undefined;
  commit_sha?: string | undefined;
  status: DeploymentStatus;
  started_at?: string | undefined;
  finished_at?: string | undefined;
  kind: DetectedKind;
  url?: string | undefined;
  rollout_stage?: string | undefined;
  labels?: Record<string, string>;
  raw?: unknown;
}

/** One commit (or pull/merge request) a delivery event shows. */
export interface ChangeFacts {
  source: string;
  external_id: string;
  service?: string | undefined;
  repository?: string | undefined;
  sha?: string | undefined;
  pr_number?: number | undefined;
  title?: string | undefined;
  first_commit_at: string;
  merged_at?: string | undefined;
  /** `source:external_id` of the deployment that shipped it. */
  deployment_ref?: string | undefined;
  raw?: unknown;
}

export function deploymentRecord(facts: DeploymentFacts): ImportRecord {
  const { kind, ...rest } = facts;
  const fields = { ...rest, kind: kind.kind, kind_reason: kind.reason, rolls_back_to: kind.rolls_back_to };
  return { kind: 'deployment', record: validated(DeploymentSchema, fields) };
}

export function changeRecord(facts: ChangeFacts): ImportRecord {
  return { kind: 'change', record: validated(ChangeSchema, facts) };
}

export function testRunRecord(fields: z.input<typeof TestRunSchema>): ImportRecord {
  return { kind: 'test_run', record: validated(TestRunSchema, fields) };
}

export const deploymentRef = (source: string, externalId: string) => `${source}:${externalId}`;

function validated<S extends z.ZodType>(schema: S, fields: object): z.output<S> {
  const result = schema.safeParse(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(issue.path.map(String).join('.') || '(record)', issue.message);
}

const STATUS_WORDS: Record<string, DeploymentStatus> = {
  queued: 'queued', pending: 'queued', created: 'queued', waiting: 'queued', scheduled: 'queued', not_run: 'queued',
  in_progress: 'in_progress', running: 'in_progress', started: 'in_progress', progressing: 'in_progress', building: 'in_progress', on_hold: 'in_progress',
  success: 'success', succeeded: 'success', successful: 'success', ok: 'success', passed: 'success', deployed: 'success', healthy: 'success', synced: 'success', active: 'success',
  failure: 'failure', failed: 'failure', error: 'failure', errored: 'failure', unstable: 'failure', degraded: 'failure', timedout: 'failure',
  cancelled: 'cancelled', canceled: 'cancelled', aborted: 'cancelled', skipped: 'cancelled', inactive: 'cancelled',
};

/** A vendor's status word on our scale; undefined when it is not one we know. */
export function deploymentStatusOf(value: unknown): DeploymentStatus | undefined {
  const word = optionalText(value)?.toLowerCase().replace(/[\s-]+/g, '_');
  return word === undefined ? undefined : STATUS_WORDS[word];
}

export const isFinished = (status: DeploymentStatus) => status === 'success' || status === 'failure' || status === 'cancelled';

/** The service a repository deploys: the configured service whose `repository` names it, else the repository's name. */
export function serviceOfRepository(config: Config, fullName: string | undefined, fallback?: string): string | undefined {
  if (fullName) {
    const wanted = normaliseRepository(fullName);
    const configured = config.services.find((s) => s.repository !== undefined && normaliseRepository(s.repository) === wanted);
    if (configured) return configured.name;
  }
  return fallback ?? fullName?.split('/').pop();
}

function normaliseRepository(value: string): string {
  return value.trim().toLowerCase().replace(/\.git$/, '').replace(/^[a-z+]+:\/\/[^/]+\//, '').replace(/^git@[^:]+:/, '');
}

const PRODUCTION_NAMES = /^(production|prod|prd|live)$/i;

/**
 * The environment as metrics read it: a vendor's production flag or tier, or a usual production name
 * (`prod`, `live`), becomes `production`; other names are kept as the vendor wrote them.
 */
export function environmentOf(name: string | undefined, production?: { flag?: unknown; tier?: unknown }): string | undefined {
  if (production?.flag === true || optionalText(production?.tier)?.toLowerCase() === 'production') return 'production';
  return name !== undefined && PRODUCTION_NAMES.test(name.trim()) ? 'production' : name;
}

/** A request header Escapement reads beside a vendor payload (`X-Escapement-Service`, …). */
export function escapementHeader(input: AdapterInput, name: 'service' | 'environment' | 'release' | 'suite' | 'kind'): string | undefined {
  return optionalText(input.headers[`x-escapement-${name}`]);
}

// ---- The generic body ----

const text = z.string().trim().min(1, 'must not be empty');
const when = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const iso = optionalTime(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO-8601 time with a zone (e.g. 2025-11-03T14:05:00Z), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return iso;
});

const GenericCommit = z.strictObject({
  sha: text,
  message: z.string().optional(),
  /** When the change was first committed (authored); lead time starts here. */
  committed_at: when.optional(),
  merged_at: when.optional(),
  pr_number: z.number().int().positive().optional(),
  repository: z.string().optional(),
});

/** The documented body of `POST /api/v1/webhooks/deployment` and of `escapement deploy`. */
export const GenericDeploymentSchema = z.strictObject({
  /** Your id for this deployment (a pipeline run id): later bodies with the same id update it. */
  id: text.optional(),
  service: text,
  environment: text.default('production'),
  version: text.optional(),
  sha: text.optional(),
  status: z
    .string()
    .transform((value, ctx) => {
      const status = deploymentStatusOf(value);
      if (status === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected one of ${DEPLOYMENT_STATUSES.join(', ')}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return status;
    })
    .default('success'),
  started_at: when.optional(),
  finished_at: when.optional(),
  /** planned, hotfix, rollback or fix_forward; detected from the body when left out. */
  kind: z.enum(['planned', 'hotfix', 'rollback', 'fix_forward', 'fix-forward']).optional(),
  kind_reason: z.string().optional(),
  /** The version or sha this service ran before (newest first), for rollback detection. */
  previous_versions: z.array(text).default([]),
  ref: z.string().optional(),
  description: z.string().optional(),
  url: z.string().optional(),
  rollout_stage: z.string().optional(),
  repository: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  commits: z.array(GenericCommit).default([]),
});
export type GenericDeployment = z.output<typeof GenericDeploymentSchema>;

export interface GenericOptions {
  source: string;
  receivedAt: string;
  /** Who set an explicit kind, for its reason ("the sender", "a person"). */
  kindSetBy: string;
  raw?: unknown;
}

/**
 * Records of a generic deployment body. Without an `id` the key is service/environment/version-or-sha
 * and its time, so resending the same body is idempotent and a later redeploy of a version is new.
 * A finished status without a finish time finished when it was received.
 */
export function genericDeploymentRecords(body: GenericDeployment, options: GenericOptions): ImportRecord[] {
  const finished = isFinished(body.status);
  const finishedAt = body.finished_at ?? (finished ? options.receivedAt : undefined);
  const startedAt = body.started_at ?? (body.status === 'in_progress' ? options.receivedAt : undefined);
  const environment = environmentOf(body.environment) ?? body.environment;
  const revision = body.version ?? body.sha;
  if (body.id === undefined && revision === undefined) throw new PayloadError('version', 'is required when there is no id (or give sha)');
  const externalId = body.id ?? `${body.service}/${environment}/${revision}@${body.started_at ?? finishedAt ?? startedAt ?? options.receivedAt}`;
  const evidence: KindEvidence = {
    explicitKind: body.kind,
    explicitBy: options.kindSetBy,
    version: body.version,
    sha: body.sha,
    previous: body.previous_versions,
    refs: [body.ref],
    labels: Object.entries(body.labels).flatMap(([k, v]) => [k, v, `${k}:${v}`]),
    texts: [body.description],
    commitMessages: body.commits.map((c) => c.message ?? ''),
  };
  const detected = detectDeploymentKind(evidence);
  const kind = body.kind_reason && body.kind ? { ...detected, reason: body.kind_reason } : detected;
  const ref = deploymentRef(options.source, externalId);
  const records: ImportRecord[] = [
    deploymentRecord({
      source: options.source,
      external_id: externalId,
      service: body.service,
      environment,
      version: body.version,
      commit_sha: body.sha,
      status: body.status,
      started_at: startedAt,
      finished_at: finishedAt,
      kind,
      url: body.url,
      rollout_stage: body.rollout_stage,
      labels: { ...body.labels, ...(body.ref ? { ref: body.ref } : {}), ...(environment !== body.environment ? { environment_name: body.environment } : {}) },
      raw: options.raw,
    }),
  ];
  for (const commit of body.commits) {
    const repository = commit.repository ?? body.repository;
    records.push(
      changeRecord({
        source: options.source,
        external_id: `${repository ?? body.service}@${commit.sha}`,
        service: body.service,
        repository,
        sha: commit.sha,
        pr_number: commit.pr_number,
        title: commit.message?.split('\n', 1)[0],
        // A commit whose time the sender does not know counts from its deployment: its lead time is then
        // not invented, only understated, and the docs say so.
        first_commit_at: commit.committed_at ?? startedAt ?? finishedAt ?? options.receivedAt,
        merged_at: commit.merged_at,
        deployment_ref: ref,
      }),
    );
  }
  return records;
}

/** Parses a generic body, naming the first field that is wrong. */
export function parseGenericDeployment(payload: unknown): GenericDeployment {
  if (!isObject(payload)) throw new PayloadError('(body)', 'expected a JSON object with service, environment, version, status, …');
  const result = GenericDeploymentSchema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(issue.path.map(String).join('.') || '(body)', issue.message);
}

export const deployment: SourceAdapter = {
  name: 'deployment',
  title: 'Generic deployment webhook',
  emits: ['deployment', 'change'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    // One deployment, or an array of them (a backfill): all stored or none.
    const bodies = Array.isArray(input.payload) ? input.payload : [input.payload];
    if (bodies.length === 0) throw new PayloadError('(body)', 'expected a deployment object or a non-empty array of them');
    const records = bodies.flatMap((payload, index) => {
      try {
        return genericDeploymentRecords(parseGenericDeployment(payload), { source: 'deployment', receivedAt: input.receivedAt, kindSetBy: 'the sender', raw: payload });
      } catch (error) {
        if (error instanceof PayloadError && Array.isArray(input.payload)) throw new PayloadError(`[${index}].${error.field}`, error.expected);
        throw error;
      }
    });
    return { status: 'records', records, merge: true };
  },
};

/** The generic body as JSON Schema, for the OpenAPI document of `POST /api/v1/webhooks/deployment`. */
export const GENERIC_DEPLOYMENT_JSON_SCHEMA = z.toJSONSchema(GenericDeploymentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

