// A shortcut past zod for import lines that are plainly valid. Each checker either accepts a field
// and gives exactly what the record's schema (src/domain/records.ts) would give, or declines; a
// record with any declined field goes through the schema itself, so errors read exactly as before.
// The checkers must never accept what the schema rejects: test/ingest/fast-record.test.ts compares
// the two on generated histories and on broken variants of them.
import { LINK_KINDS, SEVERITIES, toIsoTimestamp } from '../domain/fields.ts';
import {
  DEFECT_CATEGORIES,
  DEFECT_FOUND_IN,
  DEPLOYMENT_KINDS,
  DEPLOYMENT_STATUSES,
  type ImportKind,
  SIGNAL_KINDS,
  SIGNAL_STATUSES,
} from '../domain/records.ts';

/** Returned by a checker that leaves the field to the schema. */
const DECLINE: unique symbol = Symbol('decline');
type Checker = (value: unknown) => unknown;

interface FieldRule {
  check: Checker;
  /** What the schema fills in when the field is absent; a function so each record gets its own object. */
  fallback?: () => unknown;
  required?: boolean;
}

const SOURCE_NAME = /^[a-z][a-z0-9_-]*$/;
const RECORD_REF = /^[a-z][a-z0-9_-]*:.+$/;
const LINK_KIND_SET = new Set<string>(LINK_KINDS);

const text: Checker = (v) => (typeof v === 'string' ? v : DECLINE);
/** `nonEmpty`: trimmed, at least one character left. */
const nonEmpty: Checker = (v) => {
  if (typeof v !== 'string') return DECLINE;
  const trimmed = v.trim();
  return trimmed.length > 0 ? trimmed : DECLINE;
};
const sourceName: Checker = (v) => (typeof v === 'string' && SOURCE_NAME.test(v) ? v : DECLINE);
const recordRef: Checker = (v) => (typeof v === 'string' && RECORD_REF.test(v) ? v : DECLINE);
const timestamp: Checker = (v) => (typeof v === 'string' || typeof v === 'number' ? (toIsoTimestamp(v) ?? DECLINE) : DECLINE);
const oneOf = (values: readonly string[]): Checker => {
  const set = new Set(values);
  return (v) => (typeof v === 'string' && set.has(v) ? v : DECLINE);
};
const boolean: Checker = (v) => (typeof v === 'boolean' ? v : DECLINE);
const count: Checker = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : DECLINE);
const positiveInt: Checker = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : DECLINE);
const hours: Checker = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10_000 ? v : DECLINE);
const role: Checker = (v) => {
  if (typeof v !== 'string') return DECLINE;
  const r = v.trim().toLowerCase();
  return r.length > 0 ? r : DECLINE;
};
const anything: Checker = (v) => v;

/** `labels`: an object of strings. The schema drops a `__proto__` key; such labels are left to it. */
const labels: Checker = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return DECLINE;
  for (const key in v) if (key === '__proto__' || typeof (v as Record<string, unknown>)[key] !== 'string') return DECLINE;
  return Object.getPrototypeOf(v) === Object.prototype ? v : DECLINE;
};
const stringList: Checker = (v) => {
  if (!Array.isArray(v)) return DECLINE;
  for (const item of v) if (typeof item !== 'string') return DECLINE;
  return v;
};
const links: Checker = (v) => {
  if (!Array.isArray(v)) return DECLINE;
  for (const item of v) {
    if (typeof item !== 'string') return DECLINE;
    const colon = item.indexOf(':');
    if (colon <= 0 || colon >= item.length - 1 || !LINK_KIND_SET.has(item.slice(0, colon))) return DECLINE;
  }
  return v;
};

const required = (check: Checker): FieldRule => ({ check, required: true });
const optional = (check: Checker): FieldRule => ({ check });
const withDefault = (check: Checker, fallback: () => unknown): FieldRule => ({ check, fallback });

const identity = { source: withDefault(sourceName, () => 'import'), external_id: required(nonEmpty) };
const emptyLabels = withDefault(labels, () => ({}));

/** The rules of the kinds that come in bulk; teams and services are few and always take the schema. */
const RULES: Partial<Record<ImportKind, Record<string, FieldRule>>> = {
  signal: {
    ...identity,
    kind: required(oneOf(SIGNAL_KINDS)),
    url: optional(text),
    occurred_at: required(timestamp),
    detected_at: optional(timestamp),
    resolved_at: optional(timestamp),
    title: required(nonEmpty),
    body: optional(text),
    severity: optional(oneOf(SEVERITIES)),
    status: optional(oneOf(SIGNAL_STATUSES)),
    service: optional(nonEmpty),
    environment: optional(text),
    labels: emptyLabels,
    links: withDefault(links, () => []),
    raw: optional(anything),
  },
  deployment: {
    ...identity,
    service: required(nonEmpty),
    environment: withDefault(nonEmpty, () => 'production'),
    version: optional(text),
    commit_sha: optional(text),
    started_at: optional(timestamp),
    finished_at: optional(timestamp),
    status: withDefault(oneOf(DEPLOYMENT_STATUSES), () => 'success'),
    kind: withDefault(oneOf(DEPLOYMENT_KINDS), () => 'planned'),
    kind_reason: optional(text),
    rolls_back_to: optional(text),
    url: optional(text),
    rollout_stage: optional(text),
    labels: emptyLabels,
    raw: optional(anything),
  },
  change: {
    ...identity,
    service: optional(nonEmpty),
    repository: optional(text),
    sha: optional(text),
    pr_number: optional(positiveInt),
    title: optional(text),
    first_commit_at: required(timestamp),
    merged_at: optional(timestamp),
    deployment_ref: optional(recordRef),
    raw: optional(anything),
  },
  defect: {
    ...identity,
    title: required(nonEmpty),
    service: optional(nonEmpty),
    severity: withDefault(oneOf(SEVERITIES), () => 'medium'),
    category: withDefault(oneOf(DEFECT_CATEGORIES), () => 'functional'),
    found_at: required(timestamp),
    found_in: withDefault(oneOf(DEFECT_FOUND_IN), () => 'qa'),
    release: optional(text),
    blocker: withDefault(boolean, () => false),
    status: withDefault(oneOf(['open', 'resolved']), () => 'open'),
    resolved_at: optional(timestamp),
    url: optional(text),
    labels: emptyLabels,
    raw: optional(anything),
  },
  test_run: {
    ...identity,
    service: optional(nonEmpty),
    release: required(nonEmpty),
    suite: required(nonEmpty),
    suite_kind: withDefault(text, () => 'regression'),
    started_at: required(timestamp),
    finished_at: optional(timestamp),
    passed: required(count),
    failed: required(count),
    skipped: withDefault(count, () => 0),
    critical_total: withDefault(count, () => 0),
    critical_passed: withDefault(count, () => 0),
    failed_tests: withDefault(stringList, () => []),
    raw: optional(anything),
  },
  cost_entry: {
    ...identity,
    problem_ref: required(recordRef),
    role: required(role),
    hours: required(hours),
    person: optional(text),
    note: optional(text),
    entered_at: optional(timestamp),
  },
};

/** Lookup tables without a prototype, so a field named `__proto__` or `toString` finds no rule. */
const TABLES = new Map<ImportKind, { rules: Record<string, FieldRule>; filled: [string, FieldRule][] }>(
  Object.entries(RULES).map(([kind, rules]) => [
    kind as ImportKind,
    {
      rules: Object.assign(Object.create(null) as Record<string, FieldRule>, rules),
      filled: Object.entries(rules).filter(([, rule]) => rule.required || rule.fallback),
    },
  ]),
);

/** The kinds that have a shortcut, with their field names (the test holds them to the schemas' fields). */
export function fastKinds(): Map<ImportKind, string[]> {
  return new Map([...TABLES].map(([kind, { rules }]) => [kind, Object.keys(rules)]));
}

/**
 * The record as its schema would give it, or undefined when any field is not plainly valid (the
 * schema then decides, and names the error). `fields` is the line's object without its `record`
 * field, or with `skipKey` naming it to be skipped.
 */
export function fastRecord(kind: ImportKind, fields: Record<string, unknown>, skipKey?: string): Record<string, unknown> | undefined {
  const table = TABLES.get(kind);
  if (table === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    if (key === skipKey) continue;
    const rule = table.rules[key];
    if (rule === undefined) return undefined;
    const value = rule.check(fields[key]);
    if (value === DECLINE) return undefined;
    out[key] = value;
  }
  for (const [key, rule] of table.filled) {
    if (Object.hasOwn(out, key)) continue;
    if (rule.required) return undefined;
    out[key] = rule.fallback!();
  }
  return out;
}
