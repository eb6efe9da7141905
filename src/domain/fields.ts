// Field schemas shared by every record: timestamps, severities, labels and links.
import { z } from 'zod';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity weights of metrics.md §2 (DDR_w). */
export const SEVERITY_WEIGHTS: Record<Severity, number> = { critical: 4, high: 2, medium: 1, low: 0.5 };

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at `at`, or -1. */
function digitAt(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

function numberAt(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = digitAt(text, i);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ` naming a real UTC instant, in normal form;
 * else undefined and the general parse decides. Imports are mostly such timestamps, and checking
 * the characters costs a fraction of a regular expression and a Date.
 */
function utcFastPath(text: string): string | undefined {
  const length = text.length;
  if (length !== 20 && length !== 24) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(length - 1) !== 90) return undefined;
  if (length === 24 && (text.charCodeAt(19) !== 46 || numberAt(text, 20, 3) < 0)) return undefined;
  const year = numberAt(text, 0, 4);
  const month = numberAt(text, 5, 2);
  const day = numberAt(text, 8, 2);
  const hour = numberAt(text, 11, 2);
  const minute = numberAt(text, 14, 2);
  const second = numberAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  return length === 24 ? text : `${text.slice(0, 19)}.000Z`;
}

/** Normalises an ISO-8601 timestamp with a zone (or epoch milliseconds) to `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function toIsoTimestamp(value: string | number | Date): string | undefined {
  if (typeof value === 'string') {
    const normal = utcFastPath(value);
    if (normal !== undefined) return normal;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number') {
    const d = new Date(value);
    return Number.isFinite(value) && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
  }
  const text = value.trim();
  if (!ISO_WITH_ZONE.test(text)) return undefined;
  const d = new Date(text.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A point in time; stored and compared as a UTC ISO string, which sorts correctly as text. */
export const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const iso = toIsoTimestamp(value);
  if (iso === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an ISO-8601 timestamp with a time zone (e.g. 2025-11-03T14:05:00Z), got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return iso;
});

export const severity = z.enum(SEVERITIES, {
  error: (issue) => `expected one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(issue.input)}`,
});

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A source slug: lower-case letters, digits, dashes and underscores (`pagerduty`, `jira`, `import`). */
export const sourceName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case source name such as "pagerduty" or "import"');

/** Free-form key/value labels as the source gave them. */
export const labels = z.record(z.string(), z.string()).default({});

/**
 * What a record mentions, as `kind:value` strings, so later stages can follow them:
 * `jira:PAY-123`, `pagerduty:PT4KHLK`, `sha:9fceb02`, `pr:owner/repo#42`, `version:2.4.1`,
 * `url:https://…`, `signal:<source>:<external id>`.
 */
export const LINK_KINDS = ['jira', 'pagerduty', 'opsgenie', 'sentry', 'github', 'gitlab', 'zendesk', 'freshdesk', 'slack', 'sha', 'pr', 'version', 'url', 'signal', 'deployment'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export const link = z.string().refine((value) => {
  const colon = value.indexOf(':');
  return colon > 0 && colon < value.length - 1 && (LINK_KINDS as readonly string[]).includes(value.slice(0, colon));
}, { message: `expected "kind:value" with kind one of ${LINK_KINDS.join(', ')}` });

export const links = z.array(link).default([]);

export function parseLink(value: string): { kind: LinkKind; value: string } {
  const colon = value.indexOf(':');
  return { kind: value.slice(0, colon) as LinkKind, value: value.slice(colon + 1) };
}

export function makeLink(kind: LinkKind, value: string): string {
  return `${kind}:${value}`;
}

/**
 * A reference to another record by its identity, `source:external_id`
 * (the source never contains a colon; the external id may).
 */
export const recordRef = z.string().regex(/^[a-z][a-z0-9_-]*:.+$/, 'expected "source:external_id", e.g. "github:1234"');

export function splitRecordRef(ref: string): { source: string; external_id: string } {
  const colon = ref.indexOf(':');
  return { source: ref.slice(0, colon), external_id: ref.slice(colon + 1) };
}
