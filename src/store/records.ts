// Reading stored records for the API and CLI: filters, cursor pagination and plain-object rows.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { fromJson } from './schema.ts';

/** The record collections exposed as `GET /api/v1/<collection>`. */
export const COLLECTIONS = {
  teams: { table: 'teams', time: null, order: 'name', filters: [] },
  services: { table: 'services', time: null, order: 'name', filters: ['team'] },
  signals: { table: 'signals', time: 'occurred_at', order: 'id', filters: ['service', 'source', 'kind', 'environment', 'status', 'problem_id'] },
  problems: { table: 'problems', time: 'impact_start', order: 'id', filters: ['service', 'type', 'review_state', 'deployment_id', 'severity'] },
  deployments: { table: 'deployments', time: 'finished_at', order: 'id', filters: ['service', 'source', 'environment', 'status', 'kind', 'version'] },
  changes: { table: 'changes', time: 'first_commit_at', order: 'id', filters: ['service', 'source', 'repository', 'deployment_ref'] },
  defects: { table: 'defects', time: 'found_at', order: 'id', filters: ['service', 'source', 'severity', 'release', 'status'] },
  test_runs: { table: 'test_runs', time: 'started_at', order: 'id', filters: ['service', 'source', 'release', 'suite', 'suite_kind'] },
  cost_entries: { table: 'cost_entries', time: 'entered_at', order: 'id', filters: ['source', 'role', 'problem_ref'] },
} as const satisfies Record<string, { table: keyof Database; time: string | null; order: 'id' | 'name'; filters: readonly string[] }>;

export type Collection = keyof typeof COLLECTIONS;
export const COLLECTION_NAMES = Object.keys(COLLECTIONS) as Collection[];

export function isCollection(value: string): value is Collection {
  return Object.hasOwn(COLLECTIONS, value);
}

const JSON_COLUMNS = new Set(['aliases', 'labels', 'links', 'raw', 'services', 'attribution', 'correlation', 'failed_tests', 'payload', 'problem_keys', 'outcome', 'cost']);
const BOOLEAN_COLUMNS = new Set(['blocker']);
const INTEGER_FILTERS = new Set(['problem_id', 'deployment_id']);

export interface ListQuery {
  filters?: Partial<Record<string, string>>;
  /** [start, end) over the collection's time column. */
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
  includeRaw?: boolean;
}

export interface ListPage {
  data: Record<string, unknown>[];
  next_cursor: string | null;
}

export class QueryError extends Error {}

export const MAX_PAGE = 1000;

function encodeCursor(value: string | number): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): string | number {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'string' || typeof value === 'number') return value;
  } catch {
    // fall through
  }
  throw new QueryError('cursor: not a cursor returned by this API (pass next_cursor back unchanged)');
}

/** Turns a stored row into the plain object the API returns: JSON parsed, booleans as booleans, no bookkeeping hash. */
export function presentRow(row: Record<string, unknown>, includeRaw = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'content_hash') continue;
    if (column === 'raw' && !includeRaw) continue;
    // `summary` is plain text on problems and JSON on reviews: presentReview parses the latter.
    if (JSON_COLUMNS.has(column)) out[column] = fromJson(value, null);
    else if (BOOLEAN_COLUMNS.has(column)) out[column] = value === 1 || value === true;
    else out[column] = value;
  }
  return out;
}

/** A review as the API returns it: its summary is JSON, unlike a problem's. */
export function presentReview(row: Record<string, unknown>): Record<string, unknown> {
  return { ...presentRow(row), summary: fromJson(row.summary, null) };
}

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/**
 * A collection's rows as the API returns them (lists and evidence alike); a signal's row carries the
 * problem it belongs to, which is kept in `signal_problems`.
 */
export function rowsOf(store: Kysely<Database>, collection: Collection): SelectQueryBuilder<Record<string, Record<string, unknown>>, string, Record<string, unknown>> {
  const db = store as unknown as AnyDb;
  const { table } = COLLECTIONS[collection];
  if (collection === 'signals') return db.selectFrom('signals').leftJoin('signal_problems', 'signal_problems.signal_id', 'signals.id').selectAll('signals').select('signal_problems.problem_id');
  return db.selectFrom(table).selectAll(table);
}

/** Where a collection's field is stored, qualified by its table. */
export const columnOf = (collection: Collection, field: string) => (collection === 'signals' && field === 'problem_id' ? 'signal_problems.problem_id' : `${COLLECTIONS[collection].table}.${field}`);

/** Newest first by id (or by name for teams and services), `limit` rows after the cursor. */
export async function listRecords(db: Kysely<Database>, collection: Collection, query: ListQuery = {}): Promise<ListPage> {
  const spec = COLLECTIONS[collection];
  const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_PAGE);
  let q = rowsOf(db, collection);
  const column = (field: string) => columnOf(collection, field);
  for (const [field, value] of Object.entries(query.filters ?? {})) {
    if (value === undefined) continue;
    if (!(spec.filters as readonly string[]).includes(field)) {
      throw new QueryError(`${field}: not a filter of ${collection} (filters: ${spec.filters.join(', ') || 'none'})`);
    }
    if (INTEGER_FILTERS.has(field)) {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new QueryError(`${field}: expected an integer id, got ${JSON.stringify(value)}`);
      q = q.where(column(field), '=', n);
    } else {
      q = q.where(column(field), '=', value);
    }
  }
  if ((query.from || query.to) && spec.time === null) throw new QueryError(`period: ${collection} have no time to filter by`);
  if (query.from && spec.time) q = q.where(column(spec.time), '>=', query.from);
  if (query.to && spec.time) q = q.where(column(spec.time), '<', query.to);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    q = q.where(column(spec.order), spec.order === 'id' ? '<' : '>', after);
  }
  q = q.orderBy(column(spec.order), spec.order === 'id' ? 'desc' : 'asc').limit(limit + 1);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => presentRow(r, query.includeRaw)),
    next_cursor: rows.length > limit && last ? encodeCursor(last[spec.order] as string | number) : null,
  };
}

export async function countRecords(db: Kysely<Database>): Promise<Record<Collection, number>> {
  const anyDb = db as unknown as AnyDb;
  const entries = await Promise.all(
    COLLECTION_NAMES.map(async (c) => {
      const row = await anyDb.selectFrom(COLLECTIONS[c].table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return [c, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Collection, number>;
}
