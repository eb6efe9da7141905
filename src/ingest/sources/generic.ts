// The generic signal webhook, for any tool without an adapter: a documented JSON body (one object, or
// an array of them). docs/sources.md shows it; the OpenAPI document carries GENERIC_SIGNAL_JSON_SCHEMA.
import { z } from 'zod';
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import { LINK_KINDS, SEVERITIES } from '../../domain/fields.ts';
import { SIGNAL_KINDS, SIGNAL_STATUSES, type ImportRecord } from '../../domain/records.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { optionalTime, severityOf, signalRecord, stringLabels, time, titleFrom } from '../payload.ts';

const when = z.union([z.string(), z.number()]);

export const GenericSignalBody = z.object({
  /** Your tool's id for the problem; the same id again updates the signal. */
  external_id: z.union([z.string().trim().min(1), z.number()]),
  /** Which tool sent it (`nagios`, `statuspage`…); scopes external_id. */
  origin: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case name such as "nagios"').optional(),
  kind: z.enum(SIGNAL_KINDS).default('alert'),
  title: z.string().trim().min(1),
  description: z.string().optional(),
  service: z.string().optional(),
  environment: z.string().optional(),
  /** critical, high, medium, low — or a vendor word (P1, sev2, warning, error…). */
  severity: z.string().optional(),
  status: z.enum(SIGNAL_STATUSES).optional(),
  occurred_at: when,
  detected_at: when.optional(),
  resolved_at: when.optional(),
  url: z.string().optional(),
  /** `kind:value` (jira:PAY-1, sha:9fceb02, version:2.4.1, pr:org/repo#42…) or URLs. */
  links: z.array(z.string()).default([]),
  labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type GenericSignal = z.input<typeof GenericSignalBody>;

export const GENERIC_SIGNAL_JSON_SCHEMA = z.toJSONSchema(GenericSignalBody, { io: 'input' }) as Record<string, unknown>;

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function linkOf(value: string): string[] {
  const colon = value.indexOf(':');
  const kind = colon > 0 ? value.slice(0, colon) : '';
  if (/^https?:\/\//i.test(value)) return linksOfUrl(value);
  if ((LINK_KINDS as readonly string[]).includes(kind) && colon < value.length - 1) return [value];
  return mentionsIn([value]);
}

function toRecord(value: unknown, field: string): ImportRecord {
  const parsed = GenericSignalBody.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = [field, ...issue.path.map(String)].filter(Boolean).join('.');
    const missing = valueAt(value, issue.path) === undefined;
    throw new PayloadError(path || '(body)', missing ? 'is required' : issue.message);
  }
  const body = parsed.data;
  const severity = body.severity === undefined ? undefined : severityOf(body.severity);
  if (body.severity !== undefined && severity === undefined) {
    throw new PayloadError(`${field ? `${field}.` : ''}severity`, `expected one of ${SEVERITIES.join(', ')} (or P1–P5, sev1–sev5…), got ${JSON.stringify(body.severity)}`);
  }
  const externalId = String(body.external_id);
  const resolvedAt = body.resolved_at === undefined ? undefined : time(body.resolved_at, `${field ? `${field}.` : ''}resolved_at`);
  return signalRecord({
    source: 'generic',
    external_id: body.origin ? `${body.origin}:${externalId}` : externalId,
    kind: body.kind,
    url: body.url,
    occurred_at: time(body.occurred_at, `${field ? `${field}.` : ''}occurred_at`),
    detected_at: body.detected_at === undefined ? undefined : optionalTime(body.detected_at),
    resolved_at: resolvedAt,
    status: body.status,
    title: titleFrom(body.title),
    body: body.description,
    severity,
    service: body.service,
    environment: body.environment,
    labels: stringLabels({ ...body.labels, origin: body.origin }),
    links: uniqueLinks(body.links.flatMap(linkOf), body.url ? linksOfUrl(body.url) : [], mentionsIn([body.title, body.description])),
    raw: value,
  });
}

export const generic: SourceAdapter = {
  name: 'generic',
  title: 'Generic signal webhook',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = input.payload;
    const records = Array.isArray(payload) ? payload.map((v, i) => toRecord(v, `[${i}]`)) : [toRecord(payload, '')];
    // Merge: a follow-up ("resolved") may send only the id, title, times; the rest is kept.
    return { status: 'records', records, merge: true };
  },
};
