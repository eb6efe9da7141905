// Reading untyped vendor payloads: typed accessors that throw PayloadError naming the field, times in
// the shapes vendors send them, severities from their scales, and stable hashes for missing ids.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { DefectSchema, type ImportKind, type ImportRecord, SignalSchema } from '../domain/records.ts';
import { toIsoTimestamp, type Severity } from '../domain/fields.ts';
import { PayloadError } from './adapter.ts';
import { fastRecord } from './fast-record.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The payload (or a nested value) as an object, else a PayloadError for `field`. */
export function object(value: unknown, field: string): Json {
  if (!isObject(value)) throw new PayloadError(field, `expected a JSON object, got ${describe(value)}`);
  return value;
}

export function optionalObject(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

export function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new PayloadError(field, `expected an array, got ${describe(value)}`);
  return value;
}

export function optionalArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string or number (ids are often numbers) as text; else a PayloadError. */
export function text(value: unknown, field: string): string {
  const result = optionalText(value);
  if (result === undefined) throw new PayloadError(field, `is required (a non-empty string), got ${describe(value)}`);
  return result;
}

export function optionalText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The first value that reads as non-empty text. */
export function firstText(...values: unknown[]): string | undefined {
  for (const v of values) {
    const t = optionalText(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** Strings out of a list of strings or of objects with a name-like key. */
export function names(value: unknown, key = 'name'): string[] {
  return optionalArray(value)
    .map((item) => (isObject(item) ? optionalText(item[key]) : optionalText(item)))
    .filter((n): n is string => n !== undefined);
}

// Zero times vendors send for "not yet" (Go's zero time in Alertmanager/Grafana `endsAt`).
const ZERO_TIME = /^0001-01-01/;

/**
 * A vendor time as ISO UTC: ISO-8601 with a zone, `2013-12-03 17:15:43 UTC`, epoch seconds or
 * milliseconds (number or digit string), epoch nanoseconds (Opsgenie). Undefined for empty/zero times.
 */
export function optionalTime(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'bigint') return optionalTime(Number(value / 1_000_000n));
  if (typeof value === 'number') return epochToIso(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (ZERO_TIME.test(trimmed)) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    if (/^\d{17,}$/.test(trimmed)) return epochToIso(Number(BigInt(trimmed) / 1_000_000n));
    return epochToIso(Number(trimmed));
  }
  const utcSuffix = trimmed.replace(/ UTC$/, 'Z').replace(/ ([+-]\d{2}:?\d{2})$/, '$1');
  // Vendors send nine fraction digits (Alertmanager); JavaScript dates keep three.
  const shortened = utcSuffix.replace(/(\.\d{3})\d+/, '$1');
  return toIsoTimestamp(shortened);
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. */
function epochToIso(value: number): string | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  let ms = value;
  if (value < 1e11) ms = value * 1000;
  else if (value > 1e17) ms = value / 1e6;
  else if (value > 1e14) ms = value / 1e3;
  return toIsoTimestamp(Math.round(ms));
}

export function time(value: unknown, field: string): string {
  const result = optionalTime(value);
  if (result === undefined) throw new PayloadError(field, `expected a time (ISO-8601 with a zone, or epoch), got ${describe(value)}`);
  return result;
}

/** The earliest of the given times that are set. */
export function earliest(...values: (string | undefined)[]): string | undefined {
  const set = values.filter((v): v is string => v !== undefined).sort();
  return set[0];
}

const SEVERITY_WORDS: [RegExp, Severity][] = [
  [/^(critical|crit|fatal|emergency|emerg|alert|disaster|blocker|urgent|highest|sev-?0|sev-?1|p0|p1|1|page)$/i, 'critical'],
  [/^(high|major|error|err|sev-?2|p2|2|s2)$/i, 'high'],
  [/^(medium|moderate|normal|average|warning|warn|sev-?3|p3|3|s3)$/i, 'medium'],
  [/^(low|minor|trivial|lowest|info|information|informational|notice|debug|ok|sev-?4|sev-?5|p4|p5|4|5|s4)$/i, 'low'],
];

/** A vendor's severity or priority word on our four-step scale; undefined when it is not one we know. */
export function severityOf(value: unknown): Severity | undefined {
  const word = optionalText(value);
  if (word === undefined) return undefined;
  const cleaned = word.replace(/^priority[\s:-]*/i, '').trim();
  return SEVERITY_WORDS.find(([pattern]) => pattern.test(cleaned))?.[1];
}

/** A short, stable id from values (alert labels without a fingerprint): key order does not matter. */
export function stableId(value: unknown): string {
  return createHash('sha256').update(stableText(value)).digest('hex').slice(0, 16);
}

function stableText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableText(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The first line of a text, cut to a title's length. */
export function titleFrom(value: string, max = 200): string {
  // Zero-width characters pasted into summaries are invisible and break matching.
  const line = value.replace(/[\u200b-\u200d\ufeff]/g, '').split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? value.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Labels as strings only (vendors mix numbers and booleans in); empty values left out. */
export function stringLabels(entries: Record<string, unknown> | [string, unknown][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Array.isArray(entries) ? entries : Object.entries(entries)) {
    if (value === null || value === undefined || value === '') continue;
    out[key] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
}

/** Validates an adapter's signal: a vendor value that breaks a record rule is the payload's fault (400). */
export function signalRecord(fields: z.input<typeof SignalSchema>): ImportRecord {
  return { kind: 'signal', record: validated(SignalSchema, fields, 'signal') };
}

export function defectRecord(fields: z.input<typeof DefectSchema>): ImportRecord {
  return { kind: 'defect', record: validated(DefectSchema, fields, 'defect') };
}

/** A plainly valid record takes the import's shortcut past zod (fast-record.ts gives what the schema would). */
function validated<S extends z.ZodType>(schema: S, fields: unknown, kind: ImportKind): z.output<S> {
  const defined = dropUndefined(fields);
  const fast = isObject(defined) ? fastRecord(kind, defined) : undefined;
  if (fast !== undefined) return fast as z.output<S>;
  const result = schema.safeParse(defined);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(issue.path.map(String).join('.') || '(record)', issue.message);
}

function dropUndefined(fields: unknown): unknown {
  if (!isObject(fields)) return fields;
  const out: Json = {};
  for (const key of Object.keys(fields)) if (fields[key] !== undefined) out[key] = fields[key];
  return out;
}
