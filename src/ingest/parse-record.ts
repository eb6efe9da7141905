// Turns one line of an import file (a JSON object or a CSV row) into a validated record,
// or into an error that names the field and what was expected.
import { z } from 'zod';
import { IMPORT_KINDS, IMPORT_SCHEMAS, type ImportKind, type ImportRecord, isImportKind } from '../domain/records.ts';
import { fastRecord } from './fast-record.ts';

export interface LineError {
  line: number;
  kind?: string;
  field?: string;
  message: string;
}

export type ParsedLine = { ok: true; value: ImportRecord } | { ok: false; error: Omit<LineError, 'line'> };

const PLURALS: Record<ImportKind, string> = {
  team: 'teams',
  service: 'services',
  signal: 'signals',
  deployment: 'deployments',
  change: 'changes',
  defect: 'defects',
  test_run: 'test_runs',
  cost_entry: 'cost_entries',
};

/** Reads the kind from a file name: `signals.jsonl`, `test-runs.csv`, `2025_deployments.csv`, `signal.csv`. */
export function kindFromFileName(fileName: string): ImportKind | undefined {
  const stem = fileName.toLowerCase().replace(/^.*[\\/]/, '').replace(/\.(jsonl|ndjson|json|csv)$/, '').replace(/-/g, '_');
  return IMPORT_KINDS.find((kind) =>
    [kind, PLURALS[kind]].some((name) => stem === name || stem.endsWith(`_${name}`) || stem.startsWith(`${name}_`) || stem.startsWith(`${name}.`)),
  );
}

export function describeKinds(): string {
  return IMPORT_KINDS.join(', ');
}

function valueAt(object: unknown, path: readonly PropertyKey[]): unknown {
  let value = object;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function firstIssue(error: z.ZodError, input: unknown): { field?: string; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  if (issue.code === 'unrecognized_keys') {
    return { field: issue.keys.join(', '), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) return { ...(field ? { field } : {}), message: 'is required' };
  return { ...(field ? { field } : {}), message: issue.message };
}

/** The field that names a line's record kind (`"record": "signal"`); records have a `kind` field of their own. */
export const RECORD_FIELD = 'record';

/** Validates a plain object as a record of the kind its `record` field names, else of `fallbackKind`. */
export function parseRecordObject(object: unknown, fallbackKind: ImportKind | undefined): ParsedLine {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return { ok: false, error: { message: 'expected a JSON object' } };
  }
  let fields = object as Record<string, unknown>;
  const named = Object.hasOwn(fields, RECORD_FIELD);
  const kind = (named ? fields[RECORD_FIELD] : undefined) ?? fallbackKind;
  if (kind === undefined) {
    return { ok: false, error: { field: RECORD_FIELD, message: `is required (one of ${describeKinds()}), or name the file after its kind, e.g. signals.jsonl` } };
  }
  if (typeof kind !== 'string' || !isImportKind(kind)) {
    return { ok: false, error: { field: RECORD_FIELD, message: `expected one of ${describeKinds()}, got ${JSON.stringify(kind)}` } };
  }
  // Plainly valid lines (nearly all) skip the schema; anything else meets it, and its error.
  const fast = fastRecord(kind, fields, named ? RECORD_FIELD : undefined);
  if (fast !== undefined) return { ok: true, value: { kind, record: fast } as ImportRecord };
  // Copied without the discriminator only when it is there: most lines of a named file do not carry it.
  if (named) {
    const { [RECORD_FIELD]: _discriminator, ...rest } = fields;
    fields = rest;
  }
  const result = IMPORT_SCHEMAS[kind].safeParse(fields);
  if (!result.success) return { ok: false, error: { kind, ...firstIssue(result.error, fields) } };
  return { ok: true, value: { kind, record: result.data } as ImportRecord };
}

export function parseJsonLine(text: string, fallbackKind: ImportKind | undefined): ParsedLine {
  let object: unknown;
  try {
    object = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: { message: `not valid JSON (${(error as Error).message})` } };
  }
  return parseRecordObject(object, fallbackKind);
}

type CellKind = 'string' | 'number' | 'boolean' | 'list' | 'map' | 'json';

function cellKindOf(type: z.ZodType): CellKind {
  const def = type._zod.def as { type: string; innerType?: z.ZodType };
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return cellKindOf(def.innerType!);
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'record':
      return 'map';
    case 'unknown':
      return 'json';
    default:
      return 'string';
  }
}

const cellKinds = new Map<ImportKind, Map<string, CellKind>>(
  IMPORT_KINDS.map((kind) => [
    kind,
    new Map(Object.entries(IMPORT_SCHEMAS[kind].shape as Record<string, z.ZodType>).map(([field, type]) => [field, cellKindOf(type)])),
  ]),
);

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/**
 * Converts CSV cells to the field types of the record: numbers, booleans, lists (`a;b;c` or a JSON
 * array), maps (`key=value;key=value` or a JSON object). Empty cells are absent fields. A cell that
 * does not convert is passed on as text so validation names it.
 */
function coerceCell(cell: string, kind: CellKind): unknown {
  const text = cell.trim();
  switch (kind) {
    case 'number': {
      const n = Number(text);
      return text !== '' && Number.isFinite(n) ? n : cell;
    }
    case 'boolean':
      return TRUE.has(text.toLowerCase()) ? true : FALSE.has(text.toLowerCase()) ? false : cell;
    case 'list':
      if (text.startsWith('[')) return tryJson(text);
      return text.split(';').map((s) => s.trim()).filter(Boolean);
    case 'map':
      if (text.startsWith('{')) return tryJson(text);
      return Object.fromEntries(
        text.split(';').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
          const eq = pair.indexOf('=');
          return eq < 0 ? [pair, ''] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
        }),
      );
    case 'json':
      return tryJson(text);
    default:
      return cell;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function parseCsvRow(row: Record<string, string>, fallbackKind: ImportKind | undefined): ParsedLine {
  const ownKind = row[RECORD_FIELD]?.trim();
  const kind = ownKind || fallbackKind;
  if (kind === undefined) return parseRecordObject({}, undefined);
  if (!isImportKind(kind)) return parseRecordObject({ [RECORD_FIELD]: kind }, undefined);
  const kinds = cellKinds.get(kind)!;
  const object: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (column === RECORD_FIELD || cell === undefined || cell.trim() === '') continue;
    object[column] = coerceCell(cell, kinds.get(column) ?? 'string');
  }
  return parseRecordObject(object, kind);
}
