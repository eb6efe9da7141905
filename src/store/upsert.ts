// Idempotent writes of imported and ingested records, keyed by (source, external_id) or by name.
// The same record twice is "unchanged"; a record whose content differs is "updated" in place.
import { hash } from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { ImportKind, ImportRecord } from '../domain/records.ts';
import type { Database } from './schema.ts';
import type { Dialect, SqliteConnection } from './connection.ts';
import { mergeDeploymentEvent, mergeSignalEvent, type StoredDeploymentState } from '../pipeline/event-merge.ts';

type SignalState = { status: string | null; resolved_at: string | null };
type DeploymentState = { status: string; kind: string; kind_reason: string | null; rolls_back_to: string | null };

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export const emptyCounts = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

export function addCounts(into: WriteCounts, more: WriteCounts): WriteCounts {
  into.inserted += more.inserted;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
  return into;
}

/** Maps a service name or alias as a source spells it to the canonical service name. */
export type ServiceResolver = (value: string, source: string) => string;

export const identityResolver: ServiceResolver = (value) => value;

type Row = Record<string, unknown>;
type RecordOf<K extends ImportKind> = Extract<ImportRecord, { kind: K }>['record'];

const json = (value: unknown) => JSON.stringify(value);
/** Labels with their keys sorted, so the same labels are the same text whatever order a source (or jsonb) gives them in. */
function labelsJson(value: Record<string, unknown>): string {
  // Most labels arrive sorted already; their text is then the same without rebuilding the object.
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (sorted) return JSON.stringify(value);
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
const jsonOrNull = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

interface TableSpec<K extends ImportKind> {
  table: keyof Database;
  key: readonly ['source', 'external_id'] | readonly ['name'];
  toRow(record: RecordOf<K>, resolveService: ServiceResolver): Row;
  /** What a merged event may not undo of the stored record (event-merge.ts). */
  mergeRule?(stored: Row, incoming: Row, merged: Row): Row;
  /** Fills what a row must have once nothing more will be merged onto it. */
  settle?(row: Row): Row;
}

const SPECS: { [K in ImportKind]: TableSpec<K> } = {
  team: { table: 'teams', key: ['name'], toRow: (r) => ({ name: r.name, description: orNull(r.description) }) },
  service: {
    table: 'services',
    key: ['name'],
    toRow: (r) => ({ name: r.name, team: orNull(r.team), aliases: json(r.aliases), repository: orNull(r.repository), tier: orNull(r.tier) }),
  },
  signal: {
    table: 'signals',
    key: ['source', 'external_id'],
    mergeRule: (_stored, incoming, merged) => mergeSignalEvent(incoming as SignalState, merged as SignalState),
    settle: (row) => (row.status === null ? { ...row, status: row.resolved_at ? 'resolved' : 'open' } : row),
    toRow: (r, resolveService) => ({
      source: r.source,
      external_id: r.external_id,
      kind: r.kind,
      url: orNull(r.url),
      occurred_at: r.occurred_at,
      detected_at: orNull(r.detected_at),
      resolved_at: orNull(r.resolved_at),
      title: r.title,
      body: orNull(r.body),
      severity: orNull(r.severity),
      // Left empty when the event does not say, so a merge keeps the stored status (see settle).
      status: r.status ?? (r.resolved_at ? 'resolved' : null),
      service: r.service === undefined ? null : resolveService(r.service, r.source),
      service_raw: orNull(r.service),
      environment: orNull(r.environment),
      labels: labelsJson(r.labels),
      links: json(r.links),
      raw: jsonOrNull(r.raw),
    }),
  },
  deployment: {
    table: 'deployments',
    key: ['source', 'external_id'],
    mergeRule: (stored, _incoming, merged) => mergeDeploymentEvent(stored as unknown as StoredDeploymentState, merged as DeploymentState),
    toRow: (r, resolveService) => ({
      source: r.source,
      external_id: r.external_id,
      service: resolveService(r.service, r.source),
      environment: r.environment,
      version: orNull(r.version),
      commit_sha: orNull(r.commit_sha),
      started_at: orNull(r.started_at),
      finished_at: orNull(r.finished_at),
      status: r.status,
      kind: r.kind,
      kind_reason: orNull(r.kind_reason),
      rolls_back_to: orNull(r.rolls_back_to),
      url: orNull(r.url),
      rollout_stage: orNull(r.rollout_stage),
      labels: labelsJson(r.labels),
      raw: jsonOrNull(r.raw),
    }),
  },
  change: {
    table: 'changes',
    key: ['source', 'external_id'],
    toRow: (r, resolveService) => ({
      source: r.source,
      external_id: r.external_id,
      service: r.service === undefined ? null : resolveService(r.service, r.source),
      repository: orNull(r.repository),
      sha: orNull(r.sha),
      pr_number: orNull(r.pr_number),
      title: orNull(r.title),
      first_commit_at: r.first_commit_at,
      merged_at: orNull(r.merged_at),
      deployment_ref: orNull(r.deployment_ref),
      raw: jsonOrNull(r.raw),
    }),
  },
  defect: {
    table: 'defects',
    key: ['source', 'external_id'],
    toRow: (r, resolveService) => ({
      source: r.source,
      external_id: r.external_id,
      title: r.title,
      service: r.service === undefined ? null : resolveService(r.service, r.source),
      severity: r.severity,
      category: r.category,
      found_at: r.found_at,
      found_in: r.found_in,
      release: orNull(r.release),
      blocker: r.blocker ? 1 : 0,
      status: r.status,
      resolved_at: orNull(r.resolved_at),
      url: orNull(r.url),
      labels: labelsJson(r.labels),
      raw: jsonOrNull(r.raw),
    }),
  },
  test_run: {
    table: 'test_runs',
    key: ['source', 'external_id'],
    toRow: (r, resolveService) => ({
      source: r.source,
      external_id: r.external_id,
      service: r.service === undefined ? null : resolveService(r.service, r.source),
      release: r.release,
      suite: r.suite,
      suite_kind: r.suite_kind,
      started_at: r.started_at,
      finished_at: orNull(r.finished_at),
      passed: r.passed,
      failed: r.failed,
      skipped: r.skipped,
      critical_total: r.critical_total,
      critical_passed: r.critical_passed,
      failed_tests: json(r.failed_tests),
      raw: jsonOrNull(r.raw),
    }),
  },
  cost_entry: {
    table: 'cost_entries',
    key: ['source', 'external_id'],
    toRow: (r) => ({
      source: r.source,
      external_id: r.external_id,
      problem_ref: r.problem_ref,
      role: r.role,
      hours: r.hours,
      person: orNull(r.person),
      note: orNull(r.note),
      entered_at: orNull(r.entered_at),
    }),
  },
};

export function tableOf(kind: ImportKind): keyof Database {
  return SPECS[kind].table;
}

/** Kinds kept in tables keyed by source + external id (and an integer id); teams and services are keyed by name. */
export function isSourceKeyed(kind: ImportKind): boolean {
  return SPECS[kind].key[0] === 'source';
}

// One record of each kind with every column present, to count the columns a row has.
const sampleRecords: { [K in ImportKind]: RecordOf<K> } = {
  team: { name: 't' },
  service: { name: 's', aliases: [] },
  signal: { source: 's', external_id: 'e', kind: 'alert', occurred_at: '', title: 't', labels: {}, links: [] },
  deployment: { source: 's', external_id: 'e', service: 's', environment: 'production', status: 'success', kind: 'planned', labels: {} },
  change: { source: 's', external_id: 'e', first_commit_at: '' },
  defect: { source: 's', external_id: 'e', title: 't', severity: 'low', category: 'functional', found_at: '', found_in: 'qa', blocker: false, status: 'open', labels: {} },
  test_run: { source: 's', external_id: 'e', release: 'r', suite: 's', suite_kind: 'regression', started_at: '', passed: 0, failed: 0, skipped: 0, critical_total: 0, critical_passed: 0, failed_tests: [] },
  cost_entry: { source: 's', external_id: 'e', problem_ref: 'a:b', role: 'dev', hours: 1 },
};

function keyOf(row: Row, key: readonly string[]): string {
  return key.length === 1 ? String(row[key[0]!]) : `${String(row.source)}\u0000${String(row.external_id)}`;
}

const BOOKKEEPING = new Set(['content_hash', 'created_at', 'updated_at']);
const MERGED_MAPS = new Set(['labels']);
const MERGED_LISTS = new Set(['links']);

/**
 * The fingerprint of a row's content. A kind's rows always list their columns in the order its
 * toRow gives them (merging keeps that order), so the column values in order identify the content
 * without sorting keys; values are strings, numbers and nulls (JSON columns are already text).
 */
function rowHash(row: Row): string {
  const values: unknown[] = [];
  for (const column in row) if (!BOOKKEEPING.has(column)) values.push(row[column] ?? null);
  return valuesHash(values);
}

/** The fingerprint of a row's column values in toRow's order (what rowHash hashes). */
const valuesHash = (values: unknown[]): string => hash('sha1', JSON.stringify(values), 'base64url');

const asJsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);

/**
 * Lays a partial row over what is stored: columns the new row leaves empty keep their stored value,
 * labels are merged (new keys win) and links are united.
 */
function mergeOnto(spec: TableSpec<ImportKind>, stored: Row, row: Row): Row {
  let merged: Row = { ...row };
  for (const [column, value] of Object.entries(row)) {
    if (BOOKKEEPING.has(column)) continue;
    const before = stored[column];
    if (before === null || before === undefined) continue;
    if (MERGED_MAPS.has(column)) {
      merged[column] = labelsJson({ ...JSON.parse(asJsonText(before) ?? '{}'), ...JSON.parse(String(value ?? '{}')) });
    } else if (MERGED_LISTS.has(column)) {
      merged[column] = JSON.stringify([...new Set([...JSON.parse(asJsonText(before) ?? '[]'), ...JSON.parse(String(value ?? '[]'))])]);
    } else if (value === null || value === undefined) {
      merged[column] = column === 'raw' || typeof before === 'object' ? asJsonText(before) : before;
    }
  }
  if (spec.mergeRule) merged = spec.mergeRule(stored, row, merged);
  return merged;
}

export interface UpsertOptions {
  resolveService?: ServiceResolver;
  now?: string;
  /**
   * Partial updates: a field the record leaves out keeps its stored value (a status event that only
   * knows the finish time). Without it, the stored record is replaced by the new one.
   */
  merge?: boolean;
  /**
   * The SQLite connection `db` runs on (`Store.sqlite`): rows are then looked up and written one at a
   * time through prepared statements kept per connection, which costs SQLite less than preparing a
   * thousand-row statement per batch. It must be the same connection, so the writes join db's transaction.
   */
  sqlite?: SqliteConnection;
}

/**
 * Writes records of one kind; returns what happened to each. Records with the same key in one
 * batch collapse to the last one (or merge, in merge mode). Run inside a transaction when several
 * batches belong together.
 */
export async function upsertRecords<K extends ImportKind>(
  db: Kysely<Database>,
  kind: K,
  records: readonly RecordOf<K>[],
  options: UpsertOptions = {},
): Promise<WriteCounts> {
  const counts = emptyCounts();
  if (records.length === 0) return counts;
  const spec = SPECS[kind] as unknown as TableSpec<ImportKind>;
  const resolveService = options.resolveService ?? identityResolver;
  const now = options.now ?? new Date().toISOString();
  const merge = options.merge ?? false;

  // Pending rows stay unsettled (a status the event did not give stays empty) until they meet what is stored.
  const settle = (row: Row): Row => {
    const settled = spec.settle ? spec.settle(row) : { ...row };
    settled.content_hash = rowHash(settled);
    return settled;
  };
  // The last use of a pending row: it may be settled where it lies instead of copied.
  const settleLast = (row: Row): Row => {
    const settled = spec.settle ? spec.settle(row) : row;
    settled.content_hash = rowHash(settled);
    return settled;
  };
  const pending = new Map<string, Row>();
  for (const record of records) {
    let row = spec.toRow(record as RecordOf<ImportKind>, resolveService);
    const key = keyOf(row, spec.key);
    const earlier = pending.get(key);
    if (earlier) {
      if (merge) row = mergeOnto(spec, earlier, row);
      if (settle(earlier).content_hash === settle(row).content_hash) counts.unchanged++;
      else counts.updated++;
    }
    pending.set(key, row);
  }

  const sqlite = options.sqlite;
  const dialect = sqlite ? 'sqlite' : dialectOf(db);
  const existing = sqlite ? storedRowsSqlite(sqlite, spec, pending, merge) : await existingRows(db, spec, [...pending.values()], merge, dialect);
  const toWrite: Row[] = [];
  for (const [key, pendingRow] of pending) {
    const stored = existing.get(key);
    const row = settleLast(merge && stored !== undefined ? mergeOnto(spec, stored, pendingRow) : pendingRow);
    if (stored === undefined) {
      counts.inserted++;
    } else if (stored.content_hash === row.content_hash) {
      counts.unchanged++;
      continue;
    } else {
      counts.updated++;
    }
    row.created_at = now;
    row.updated_at = now;
    toWrite.push(row);
  }
  if (toWrite.length > 0) {
    if (sqlite) writeRowsSqlite(sqlite, spec, toWrite);
    else await writeRows(db, spec, toWrite, dialect);
  }
  return counts;
}

/** Which SQL the connection speaks: PostgreSQL numbers its parameters, SQLite uses `?`. */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.selectFrom('teams').select('name').where('name', '=', '').compile().sql.includes('$1') ? 'postgres' : 'sqlite';
}

const quote = (name: string) => `"${name}"`;

/**
 * kysely is loaded with the first query rather than with this module: the import's worker thread
 * uses only the row functions here, and loading kysely's few hundred modules costs it a second of CPU.
 */
async function compiledQuery(text: string, parameters: unknown[]): Promise<CompiledQuery> {
  return (await import('kysely')).CompiledQuery.raw(text, parameters);
}

/**
 * Statements are written by hand rather than through the query builder: for a thousand rows of twenty
 * columns, building and compiling the query tree cost more than running it. The text depends only on
 * the table, the columns and (on SQLite) the row count, so it is kept.
 */
const statements = new Map<string, string>();

function statement(key: string, build: () => string): string {
  let text = statements.get(key);
  if (text === undefined) {
    if (statements.size > 500) statements.clear();
    text = build();
    statements.set(key, text);
  }
  return text;
}

function questionMarks(count: number): string {
  return new Array<string>(count).fill('?').join(', ');
}

/** PostgreSQL column types by table, for the array parameters of a batch (`text[]`, `jsonb[]`, …). */
const columnTypes = new Map<string, Map<string, string>>();

async function postgresColumnTypes(db: Kysely<Database>, table: string): Promise<Map<string, string>> {
  let types = columnTypes.get(table);
  if (types === undefined) {
    const result = await db.executeQuery<{ column_name: string; udt_name: string }>(
      await compiledQuery('select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]),
    );
    types = new Map(result.rows.map((r) => [r.column_name, r.udt_name]));
    if (types.size > 0) columnTypes.set(table, types);
  }
  return types;
}

/** The stored rows for the batch's keys: only their hashes, or whole rows when merging. */
async function existingRows(db: Kysely<Database>, spec: TableSpec<ImportKind>, rows: Row[], whole: boolean, dialect: Dialect): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  const columns = whole ? '*' : [...spec.key, 'content_hash'].map(quote).join(', ');
  const pg = dialect === 'postgres';
  if (spec.key.length === 1) {
    const names = rows.map((r) => String(r.name));
    const text = statement(`select|${spec.table}|${whole}|${pg ? 'pg' : names.length}`, () =>
      `select ${columns} from ${quote(spec.table)} where "name" ${pg ? '= any($1::text[])' : `in (${questionMarks(names.length)})`}`);
    const stored = await db.executeQuery<Row>(await compiledQuery(text, pg ? [names] : names));
    for (const s of stored.rows) found.set(String(s.name), s);
    return found;
  }
  if (pg) {
    // One round trip for the whole batch: the server pairs the two arrays back into keys.
    const text = statement(`select|${spec.table}|${whole}|pg`, () =>
      `select ${whole ? 't.*' : columns} from ${quote(spec.table)} t join unnest($1::text[], $2::text[]) as k(source, external_id) using (source, external_id)`);
    const stored = await db.executeQuery<Row>(await compiledQuery(text, [rows.map((r) => String(r.source)), rows.map((r) => String(r.external_id))]));
    for (const s of stored.rows) found.set(`${String(s.source)}\u0000${String(s.external_id)}`, s);
    return found;
  }
  const bySource = new Map<string, string[]>();
  for (const r of rows) {
    const list = bySource.get(String(r.source)) ?? [];
    list.push(String(r.external_id));
    bySource.set(String(r.source), list);
  }
  for (const [source, ids] of bySource) {
    const text = statement(`select|${spec.table}|${whole}|${ids.length}`, () =>
      `select ${columns} from ${quote(spec.table)} where "source" = ? and "external_id" in (${questionMarks(ids.length)})`);
    const stored = await db.executeQuery<Row>(await compiledQuery(text, [source, ...ids]));
    for (const s of stored.rows) found.set(`${source}\u0000${String(s.external_id)}`, s);
  }
  return found;
}

/** `insert into … <source> on conflict (key) do update set …`: every column but the key and created_at is replaced. */
function upsertText(spec: TableSpec<ImportKind>, columns: string[], source: string): string {
  const updated = columns.filter((c) => c !== 'created_at' && !(spec.key as readonly string[]).includes(c));
  const conflict = `on conflict (${spec.key.map(quote).join(', ')}) do update set ${updated.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  return `insert into ${quote(spec.table)} (${columns.map(quote).join(', ')}) ${source} ${conflict}`;
}

/**
 * One statement per batch. SQLite gets a multi-row VALUES list; PostgreSQL gets one array per
 * column through unnest, which keeps the statement short and its parameters few (parsing and
 * planning twenty thousand parameters costs PostgreSQL more than storing the rows).
 */
async function writeRows(db: Kysely<Database>, spec: TableSpec<ImportKind>, rows: Row[], dialect: Dialect): Promise<void> {
  const columns = Object.keys(rows[0]!);
  if (dialect === 'postgres') {
    const types = await postgresColumnTypes(db, spec.table);
    const text = statement(`insert|${spec.table}|${columns.join(',')}|pg`, () =>
      upsertText(spec, columns, `select * from unnest(${columns.map((c, i) => `$${i + 1}::${types.get(c) ?? 'text'}[]`).join(', ')})`));
    const parameters = columns.map((column) => rows.map((row) => row[column] ?? null));
    await db.executeQuery(await compiledQuery(text, parameters));
    return;
  }
  const text = statement(`insert|${spec.table}|${columns.join(',')}|${rows.length}`, () => {
    const values = `(${questionMarks(columns.length)})`;
    return upsertText(spec, columns, `values ${new Array<string>(rows.length).fill(values).join(', ')}`);
  });
  const parameters: unknown[] = new Array(rows.length * columns.length);
  let i = 0;
  for (const row of rows) for (const column of columns) parameters[i++] = row[column] ?? null;
  await db.executeQuery(await compiledQuery(text, parameters));
}

/** Prepared statements by connection and text; a connection keeps the few an import needs. */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();
type SqliteStatement = SqliteDatabase.Statement<unknown[], Row>;

/** A prepared statement kept on the connection; `pluck`: it returns the first column's value rather than a row object. */
export function preparedOn(sqlite: SqliteConnection, text: string, options: { pluck?: boolean } = {}): SqliteStatement {
  let byText = prepared.get(sqlite);
  if (byText === undefined) prepared.set(sqlite, (byText = new Map()));
  const key = options.pluck ? `pluck:${text}` : text;
  let stmt = byText.get(key);
  if (stmt === undefined) {
    if (byText.size > 100) byText.clear();
    stmt = sqlite.prepare<unknown[], Row>(text);
    if (options.pluck) stmt.pluck();
    byText.set(key, stmt);
  }
  return stmt;
}

/** The stored rows for the pending keys, one indexed lookup each: only their hashes, or whole rows when merging. */
function storedRowsSqlite(sqlite: SqliteConnection, spec: TableSpec<ImportKind>, pending: Map<string, Row>, whole: boolean): Map<string, Row> {
  const found = new Map<string, Row>();
  const byName = spec.key.length === 1;
  const where = byName ? '"name" = ?' : '"source" = ? and "external_id" = ?';
  const stmt = preparedOn(sqlite, `select ${whole ? '*' : '"content_hash"'} from ${quote(spec.table)} where ${where}`);
  for (const [key, row] of pending) {
    const stored = byName ? stmt.get(row.name) : stmt.get(row.source, row.external_id);
    if (stored !== undefined) found.set(key, stored);
  }
  return found;
}

/**
 * One run of a prepared upsert per row, inside the caller's transaction. Measured with the medium
 * history's signals, this costs no more than cached 50- or 500-row VALUES statements (which need
 * their parameters gathered into one array) and far less than preparing a batch statement anew.
 */
function writeRowsSqlite(sqlite: SqliteConnection, spec: TableSpec<ImportKind>, rows: Row[]): void {
  const columns = Object.keys(rows[0]!);
  const stmt = preparedOn(sqlite, upsertText(spec, columns, `values (${questionMarks(columns.length)})`));
  const values: unknown[] = new Array(columns.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]!] ?? null;
    stmt.run(values);
  }
}

// The file import's path: records become rows of plain values (a worker thread can make them), and
// the rows are written in order through the caller's transaction.

/** The columns of an import row of a kind, in order: toRow's columns, then content_hash. */
const importColumnLists = new Map<ImportKind, string[]>();

function importColumns(kind: ImportKind): string[] {
  let columns = importColumnLists.get(kind);
  if (columns === undefined) {
    columns = [...Object.keys(SPECS[kind].toRow(sampleRecords[kind] as never, identityResolver)), 'content_hash'];
    importColumnLists.set(kind, columns);
  }
  return columns;
}

/**
 * A record as the values of its stored row in importColumns order, its content hash last (the one
 * upsertRecords stores), settled: nothing will be merged onto it, the import replaces. The file
 * import's reading workers make these, so the hash is made on their side of the import.
 */
export function importRowValues<K extends ImportKind>(kind: K, record: RecordOf<K>, resolveService: ServiceResolver): unknown[] {
  const spec = SPECS[kind] as unknown as TableSpec<ImportKind>;
  let row = spec.toRow(record as RecordOf<ImportKind>, resolveService);
  if (spec.settle) row = spec.settle(row);
  const values: unknown[] = [];
  for (const column in row) values.push(row[column] ?? null);
  values.push(valuesHash(values));
  return values;
}

/**
 * Writes import rows of one kind (importRowValues) in order and counts what happened: a row whose
 * key is stored with the same content hash is unchanged, else it is inserted or replaces the stored
 * row. The same key twice counts as upsertRecords counts it.
 */
export async function writeImportRows(db: Kysely<Database>, kind: ImportKind, rows: unknown[][], options: { sqlite?: SqliteConnection; now?: string } = {}): Promise<WriteCounts> {
  const counts = emptyCounts();
  if (rows.length === 0) return counts;
  const spec = SPECS[kind] as unknown as TableSpec<ImportKind>;
  const columns = importColumns(kind);
  const now = options.now ?? new Date().toISOString();
  const hashAt = columns.length - 1;
  const byName = spec.key.length === 1;
  const keyAt = byName ? [columns.indexOf('name')] : [columns.indexOf('source'), columns.indexOf('external_id')];
  const sqlite = options.sqlite;
  if (sqlite) {
    const where = byName ? '"name" = ?' : '"source" = ? and "external_id" = ?';
    // The stored hash itself, not a row object around it.
    const lookup = preparedOn(sqlite, `select "content_hash" from ${quote(spec.table)} where ${where}`, { pluck: true }) as unknown as SqliteDatabase.Statement<unknown[], string>;
    const upsert = preparedOn(sqlite, upsertText(spec, [...columns, 'created_at', 'updated_at'], `values (${questionMarks(columns.length + 2)})`));
    const [first, second] = keyAt as [number, number | undefined];
    for (const values of rows) {
      const stored = second === undefined ? lookup.get(values[first]) : lookup.get(values[first], values[second]);
      if (stored === undefined) counts.inserted++;
      else if (stored === values[hashAt]) {
        counts.unchanged++;
        continue;
      } else counts.updated++;
      // better-sqlite3 binds the array's values, then the two times, in order.
      upsert.run(values, now, now);
    }
    return counts;
  }
  // PostgreSQL: the batch at once, as upsertRecords does (one lookup, one statement).
  const pending = new Map<string, Row>();
  for (const values of rows) {
    const row: Row = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
    const key = keyOf(row, spec.key);
    const earlier = pending.get(key);
    if (earlier) {
      if (earlier.content_hash === row.content_hash) counts.unchanged++;
      else counts.updated++;
    }
    pending.set(key, row);
  }
  const dialect = dialectOf(db);
  const existing = await existingRows(db, spec, [...pending.values()], false, dialect);
  const toWrite: Row[] = [];
  for (const [key, row] of pending) {
    const stored = existing.get(key);
    if (stored === undefined) counts.inserted++;
    else if (stored.content_hash === row.content_hash) {
      counts.unchanged++;
      continue;
    } else counts.updated++;
    row.created_at = now;
    row.updated_at = now;
    toWrite.push(row);
  }
  if (toWrite.length > 0) await writeRows(db, spec, toWrite, dialect);
  return counts;
}
