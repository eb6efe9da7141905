// Problems and people's decisions in the store: reading signals in time order for the pipeline,
// writing derived problems (by key, only what changed), and keeping decisions with who and when.
import { type Kysely, sql } from 'kysely';
import type { AssemblySignal } from '../pipeline/assemble.ts';
import type { CorrelationSignal } from '../pipeline/correlate.ts';
import type { Database, NewProblem, ProblemRow } from './schema.ts';
import { fromJson } from './schema.ts';
import type { ServiceResolver } from './upsert.ts';
import SqliteDatabase from 'better-sqlite3';
import type { SqliteConnection } from './connection.ts';
import { VENUE_REPORTS, venueOf } from '../domain/venue.ts';

export const DECISION_ACTIONS = ['merge', 'split', 'confirm_type', 'dismiss', 'restore'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

export interface StoredDecision {
  id: number;
  action: string;
  subject: string;
  payload: Record<string, unknown>;
  actor: string;
  decided_at: string;
}

export async function recordDecision(
  db: Kysely<Database>,
  decision: { action: DecisionAction; subject: string; payload: Record<string, unknown>; actor: string; decided_at?: string },
): Promise<StoredDecision> {
  const decided_at = decision.decided_at ?? new Date().toISOString();
  const row = await db
    .insertInto('decisions')
    .values({ action: decision.action, subject: decision.subject, payload: JSON.stringify(decision.payload), actor: decision.actor, decided_at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), action: decision.action, subject: decision.subject, payload: decision.payload, actor: decision.actor, decided_at };
}

/** Decisions in the order they were made. */
export async function loadDecisions(db: Kysely<Database>, actions: readonly DecisionAction[] = DECISION_ACTIONS): Promise<StoredDecision[]> {
  const rows = await db.selectFrom('decisions').selectAll().where('action', 'in', [...actions]).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), action: r.action, subject: r.subject, payload: fromJson<Record<string, unknown>>(r.payload, {}), actor: r.actor, decided_at: r.decided_at }));
}

/**
 * Re-maps every signal's service from the name its source used, through the current aliases, and
 * returns how many signals changed. Given the raw SQLite connection, the distinct names come from a
 * plain scan of the table: SQLite's planner otherwise walks the (source, external_id) index and looks
 * every row up by id, 5 times the CPU and 10 times the wall time at 2 million signals (7.6 → 1.3 s
 * CPU, 26.6 → 2.4 s wall in the sqlite3 shell). The names that now map elsewhere are applied
 * together (`applyRemap`): on SQLite by one more scan, whatever their number.
 */
export async function remapSignalServices(db: Kysely<Database>, resolve: ServiceResolver, sqlite?: SqliteConnection): Promise<number> {
  const pairs = sqlite
    ? (sqlite.prepare('select distinct source, service_raw, service from signals not indexed where service_raw is not null').all() as { source: string; service_raw: string | null; service: string | null }[])
    : await db.selectFrom('signals').select(['source', 'service_raw', 'service']).distinct().where('service_raw', 'is not', null).execute();
  // A name whose signals have several services is listed once per service; one entry per (source, name), as the update joins on it.
  const remap = new Map<string, ServiceRemap>();
  for (const p of pairs) {
    const service = resolve(p.service_raw!, p.source);
    if (service !== p.service) remap.set(`${p.source}\u0000${p.service_raw}`, { source: p.source, service_raw: p.service_raw!, service });
  }
  return remap.size === 0 ? 0 : applyRemap(db, [...remap.values()], sqlite);
}

/** A name a source used for a service, and the service it now stands for. */
interface ServiceRemap {
  source: string;
  service_raw: string;
  service: string;
}

/** Names per update on the portable path: SQLite allows 500 terms in a compound select. */
const REMAP_CHUNK = 500;

/**
 * Gives the signals named as `remap` says their new service, in one pass over the table (elsewhere than
 * on the raw SQLite connection, one per 500 names): an update per name walked all of its source's
 * signals (SQLite by the (source, external_id) index with a row lookup each, PostgreSQL by a scan).
 * The whole step on the large history (bench/remap.ts): one name 9.6 → 1.8-2.0 s, twenty 160 → 5.3-6.1 s,
 * all 1,600 15-22 s (at the old rate, hours). On SQLite the names go into a temporary table the scan looks
 * each row up in: given the names as a subquery instead (the portable path), SQLite's planner walks the
 * source index per name again (bench/remap.ts without the raw connection: 18 s for one name, 194 s for
 * twenty), so the pipeline always passes the raw connection on SQLite.
 */
async function applyRemap(db: Kysely<Database>, remap: readonly ServiceRemap[], sqlite?: SqliteConnection): Promise<number> {
  if (sqlite) {
    return sqlite.transaction(() => {
      sqlite.exec('drop table if exists temp.service_remap');
      sqlite.exec('create temp table service_remap (source text not null, service_raw text not null, service text not null, primary key (source, service_raw)) without rowid');
      const insert = sqlite.prepare('insert into temp.service_remap (source, service_raw, service) values (?, ?, ?)');
      for (const r of remap) insert.run(r.source, r.service_raw, r.service);
      const { changes } = sqlite
        .prepare(
          `update signals not indexed set service = m.service from temp.service_remap m
           where signals.source = m.source and signals.service_raw = m.service_raw and signals.service is distinct from m.service`,
        )
        .run();
      sqlite.exec('drop table temp.service_remap');
      return changes;
    })();
  }
  return db.transaction().execute(async (trx) => {
    let changed = 0;
    for (let i = 0; i < remap.length; i += REMAP_CHUNK) {
      const names = sql.join(remap.slice(i, i + REMAP_CHUNK).map((r) => sql`select cast(${r.source} as text) as source, cast(${r.service_raw} as text) as service_raw, cast(${r.service} as text) as service`), sql` union all `);
      const result = await sql`update signals set service = m.service from (${names}) as m
        where signals.source = m.source and signals.service_raw = m.service_raw and signals.service is distinct from m.service`.execute(trx);
      changed += Number(result.numAffectedRows ?? 0);
    }
    return changed;
  });
}

export async function countSignals(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('signals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every link token mentioned by any signal (paged by id, links only). */
export async function* signalLinks(db: Kysely<Database>, sqlite?: SqliteConnection, pageSize = 20_000): AsyncGenerator<string[]> {
  if (sqlite) {
    for (const { links } of rawSignalLinks(sqlite, pageSize)) yield links;
    return;
  }
  let after = 0;
  for (;;) {
    // Most signals mention nothing; the database skips them without handing them over.
    const rows = await db.selectFrom('signals').select(['id', 'links']).where('id', '>', after).where('links', '!=', '[]').orderBy('id').limit(pageSize).execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.id);
    for (const r of rows) {
      const links = fromJson<string[]>(r.links, []);
      if (links.length > 0) yield links;
    }
  }
}

/** signalLinks on the raw SQLite connection (the signal reader's thread has no Kysely), as `{ links }`. */
export function* rawSignalLinks(sqlite: SqliteConnection, pageSize = 20_000): Generator<{ links: string[] }> {
  const page = sqlite.prepare(`select id, links from signals where id > ? and links != '[]' order by id limit ?`).raw(true);
  let after = 0;
  for (;;) {
    const rows = page.all(after, pageSize) as [number, string][];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]![0];
    for (const [, text] of rows) {
      const links = fromJson<string[]>(text, []);
      if (links.length > 0) yield { links };
    }
  }
}

type Columns = 'correlation' | 'assembly';

const CORRELATION_COLUMNS = ['id', 'source', 'external_id', 'kind', 'url', 'occurred_at', 'resolved_at', 'title', 'service', 'links'] as const;
/** The signal's own columns assembly reads; the problem it belonged to comes from `signal_problems`. */
const ASSEMBLY_COLUMNS = [...CORRELATION_COLUMNS, 'detected_at', 'body', 'severity', 'status', 'environment', 'labels'] as const;
const ASSEMBLY_SELECTION = [...ASSEMBLY_COLUMNS.map((c) => `signals.${c}` as const), 'signal_problems.problem_id'] as const;

/**
 * A report's labels, read in the correlation pass only for the kinds that have a venue (`venueOf`: a
 * chat channel, a help-desk group), so the pass says where each report was raised without a scan of
 * its own or a map of every report.
 */
const venueLabels = (table: string) => `case when ${table}.kind in (${Object.keys(VENUE_REPORTS).map((k) => `'${k}'`).join(', ')}) then nullif(${table}.labels, '{}') end`;

/** Signals with the problem each belongs to (null before the pipeline placed it). */
const signalsWithProblem = (db: Kysely<Database>) => db.selectFrom('signals').leftJoin('signal_problems', 'signal_problems.signal_id', 'signals.id');

/**
 * Signals in the order correlation needs (occurred_at, id), a page at a time, by keyset. Given the raw
 * SQLite connection, pages come through one cached statement as arrays: at millions of signals, the
 * driver building a keyed object per row is most of the cost of reading them.
 */
export function signalsInTimeOrder(db: Kysely<Database>, columns: 'correlation', pageSize?: number, sqlite?: SqliteConnection): AsyncGenerator<CorrelationSignal[]>;
export function signalsInTimeOrder(db: Kysely<Database>, columns: 'assembly', pageSize?: number, sqlite?: SqliteConnection): AsyncGenerator<AssemblySignal[]>;
export async function* signalsInTimeOrder(db: Kysely<Database>, columns: Columns, pageSize?: number, sqlite?: SqliteConnection): AsyncGenerator<CorrelationSignal[] | AssemblySignal[]> {
  if (sqlite) {
    yield* rawSignalsInTimeOrder(sqlite, columns, pageSize);
    return;
  }
  pageSize ??= 10_000;
  let last: { at: string; id: number } | null = null;
  for (;;) {
    let q =
      columns === 'correlation'
        ? db.selectFrom('signals').select([...CORRELATION_COLUMNS.map((c) => `signals.${c}` as const), sql.raw<unknown>(venueLabels('signals')).as('venue_labels')]).$castTo<Record<string, unknown>>()
        : signalsWithProblem(db).select([...ASSEMBLY_SELECTION]).$castTo<Record<string, unknown>>();
    if (last) {
      const { at, id } = last;
      // A row-value comparison lets both dialects walk the (occurred_at, id) index.
      q = q.where((eb) => eb(eb.refTuple('signals.occurred_at', 'signals.id'), '>', eb.tuple(at, id)));
    }
    const rows = await q.orderBy('signals.occurred_at').orderBy('signals.id').limit(pageSize).execute();
    if (rows.length === 0) return;
    const tail = rows[rows.length - 1]!;
    last = { at: String(tail.occurred_at), id: Number(tail.id) };
    // Rows are reshaped in place: at millions of signals, a copy per row is most of the garbage.
    for (const r of rows) {
      r.id = Number(r.id);
      r.links = fromJson<string[]>(r.links, []);
      if (columns === 'assembly') r.labels = fromJson<Record<string, string>>(r.labels, {});
      else {
        r.venue = venueOf({ kind: r.kind as string, source: r.source as string, labels: fromJson<Record<string, unknown>>(r.venue_labels, {}) });
        delete r.venue_labels;
      }
    }
    yield rows as unknown as CorrelationSignal[] | AssemblySignal[];
    if (rows.length < pageSize) return;
  }
}

type Cell = string | number | null;
const str = (v: Cell) => v as string;
const nullable = (v: Cell) => v as string | null;

/**
 * A read-only connection for a worker thread that streams through the signals of a SQLite file (the
 * pipeline's signal reader and assembly worker): such a read reuses few pages, so a 16 MB cache. Here,
 * not in connection.ts, so that those workers load neither Kysely's dialects nor the migrations.
 */
export function openStreamingReader(file: string): SqliteConnection {
  const sqlite = new SqliteDatabase(file, { fileMustExist: true, readonly: true });
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -16384');
  return sqlite;
}

/**
 * The raw SQLite reading of signalsInTimeOrder (also used by the worker threads, which have no Kysely).
 * Small pages: a page's rows stay alive while it is consumed, and every young-generation collection
 * copies the live ones. Reading the large history's two passes alone: 10,000 rows a page, 35 s CPU of
 * which 28 s in 398 scavenges; 1,000 rows, 18 s and 2 s.
 */
export function rawSignalsInTimeOrder(sqlite: SqliteConnection, columns: 'assembly', pageSize?: number): Generator<AssemblySignal[]>;
export function rawSignalsInTimeOrder(sqlite: SqliteConnection, columns: 'correlation', pageSize?: number): Generator<CorrelationSignal[]>;
export function rawSignalsInTimeOrder(sqlite: SqliteConnection, columns: Columns, pageSize?: number): Generator<CorrelationSignal[] | AssemblySignal[]>;
export function* rawSignalsInTimeOrder(sqlite: SqliteConnection, columns: Columns, pageSize = 1000): Generator<CorrelationSignal[] | AssemblySignal[]> {
  // Empty links and labels (most signals) come back as null, so no string is made for them.
  const empty: Partial<Record<string, string>> = { links: "'[]'", labels: "'{}'" };
  const own = (columns === 'correlation' ? CORRELATION_COLUMNS : ASSEMBLY_COLUMNS).map((c) => (empty[c] ? `nullif(s."${c}", ${empty[c]})` : `s."${c}"`));
  const list = columns === 'correlation' ? [...own, venueLabels('s')].join(', ') : [...own, 'sp.problem_id'].join(', ');
  const from = columns === 'correlation' ? 'signals s' : 'signals s left join signal_problems sp on sp.signal_id = s.id';
  const first = sqlite.prepare(`select ${list} from ${from} order by s.occurred_at, s.id limit ?`).raw(true);
  const next = sqlite.prepare(`select ${list} from ${from} where (s.occurred_at, s.id) > (?, ?) order by s.occurred_at, s.id limit ?`).raw(true);
  let last: [string, number] | null = null;
  for (;;) {
    const rows = (last ? next.all(last[0], last[1], pageSize) : first.all(pageSize)) as Cell[][];
    if (rows.length === 0) return;
    // Columns in CORRELATION_COLUMNS / ASSEMBLY_COLUMNS order; every object gets the same shape.
    const page = rows.map((r): CorrelationSignal | AssemblySignal => {
      const id = Number(r[0]);
      const links = fromJson<string[]>(r[9], []);
      if (columns === 'correlation') {
        const [source, kind] = [str(r[1]!), str(r[3]!)];
        const venue = r[10] === null ? null : venueOf({ kind, source, labels: fromJson<Record<string, unknown>>(r[10], {}) });
        return { id, source, external_id: str(r[2]!), kind, url: nullable(r[4]!), occurred_at: str(r[5]!), resolved_at: nullable(r[6]!), title: str(r[7]!), service: nullable(r[8]!), links, venue };
      }
      return {
        id,
        source: str(r[1]!),
        external_id: str(r[2]!),
        kind: str(r[3]!),
        url: nullable(r[4]!),
        occurred_at: str(r[5]!),
        resolved_at: nullable(r[6]!),
        title: str(r[7]!),
        service: nullable(r[8]!),
        links,
        detected_at: nullable(r[10]!),
        body: nullable(r[11]!),
        severity: nullable(r[12]!),
        status: str(r[13]!),
        environment: nullable(r[14]!),
        labels: fromJson<Record<string, string>>(r[15], {}),
        problem_id: r[16] as number | null,
      };
    });
    const tail = page[page.length - 1]!;
    last = [tail.occurred_at, tail.id];
    yield page as CorrelationSignal[] | AssemblySignal[];
    if (rows.length < pageSize) return;
  }
}

/** The columns of a problem the pipeline derives; other stages add theirs (deployment_id, attribution, …). */
export type DerivedColumns = Omit<NewProblem, 'id' | 'created_at' | 'updated_at'>;

export interface ProblemWrite {
  columns: DerivedColumns;
  signal_ids: readonly number[];
  previous_problem_ids: readonly (number | null)[];
}

/** Deep equality that ignores key order (PostgreSQL's jsonb reorders keys) and float noise. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return a == b;
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-9;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Writes one batch of problems by key in a transaction: inserts new ones, updates changed ones
 * (only the derived columns), and points their signals at them. Returns how many were inserted,
 * updated and left as they were.
 */
export async function writeProblems(db: Kysely<Database>, batch: readonly ProblemWrite[], now = new Date().toISOString(), sqlite?: SqliteConnection): Promise<{ inserted: number; updated: number; unchanged: number; signals: number }> {
  const counts = { inserted: 0, updated: 0, unchanged: 0, signals: 0 };
  if (batch.length === 0) return counts;
  await writeTransaction(db, sqlite, async (trx) => {
    const ids = new Map<string, number>();
    const keys = batch.map((p) => p.columns.key);
    const existing = new Map<string, ProblemRow>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await trx.selectFrom('problems').selectAll().where('key', 'in', keys.slice(i, i + 500)).execute();
      for (const r of rows) existing.set(r.key, r);
    }
    const inserts: NewProblem[] = [];
    for (const p of batch) {
      const stored = existing.get(p.columns.key);
      if (!stored) {
        inserts.push({ ...p.columns, created_at: now, updated_at: now });
        continue;
      }
      ids.set(stored.key, Number(stored.id));
      const changed = Object.entries(p.columns).filter(([column, value]) => {
        const before = (stored as unknown as Record<string, unknown>)[column];
        if (column === 'services' || column === 'correlation' || column === 'attribution' || column === 'cost') {
          // SQLite hands back the text written last time: equal text needs no parsing (jsonb reorders keys).
          if (typeof before === 'string' && before === value) return false;
          return !sameJson(fromJson(before, null), value === null || value === undefined ? null : JSON.parse(String(value)));
        }
        return !sameJson(before, value);
      });
      if (changed.length === 0) {
        counts.unchanged++;
        continue;
      }
      counts.updated++;
      await trx
        .updateTable('problems')
        .set({ ...Object.fromEntries(changed), updated_at: now })
        .where('id', '=', stored.id)
        .execute();
    }
    if (sqlite) {
      for (const row of inserts) ids.set(row.key, insertProblemRow(sqlite, row));
      counts.inserted += inserts.length;
    } else {
      for (let i = 0; i < inserts.length; i += 200) {
        const rows = await trx.insertInto('problems').values(inserts.slice(i, i + 200)).returning(['id', 'key']).execute();
        for (const r of rows) ids.set(r.key, Number(r.id));
        counts.inserted += rows.length;
      }
    }
    // Signal k moves to problem k: two flat lists, not a pair per signal (millions on a first run).
    const moves = { signals: [] as number[], problems: [] as number[] };
    for (const p of batch) {
      const id = ids.get(p.columns.key)!;
      for (let k = 0; k < p.signal_ids.length; k++) {
        if (p.previous_problem_ids[k] === id) continue;
        moves.signals.push(p.signal_ids[k]!);
        moves.problems.push(id);
      }
    }
    await pointSignals(trx, moves, sqlite);
    counts.signals += moves.signals.length;
  });
  return counts;
}

/**
 * A transaction that reads, then writes. On SQLite it takes the write lock when it begins (`begin
 * immediate`): a deferred one that read before another connection committed (the pipeline's writer
 * thread, the server, another process) could not write at all ("database is locked" at once, which
 * the busy timeout does not wait out); an immediate one waits for the lock.
 */
async function writeTransaction(db: Kysely<Database>, sqlite: SqliteConnection | undefined, body: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
  if (!sqlite) return db.transaction().execute(body);
  // One connection, reserved for the transaction as Kysely's own transactions reserve it.
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      await body(connection);
      await sql`commit`.execute(connection);
    } catch (error) {
      if (sqlite.inTransaction) await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

/** Insert statements on SQLite by the columns they name (steps may leave some out), prepared once per connection. */
const problemInserts = new WeakMap<SqliteConnection, Map<string, SqliteDatabase.Statement>>();

/**
 * Inserts one problem through a cached statement on the raw connection (the one the transaction runs
 * on) and returns its id: Kysely compiling a 200-row insert of two dozen columns cost more than SQLite
 * storing the rows. Columns left undefined are left out, as Kysely does.
 */
function insertProblemRow(sqlite: SqliteConnection, row: NewProblem): number {
  let statements = problemInserts.get(sqlite);
  if (!statements) problemInserts.set(sqlite, (statements = new Map()));
  const values = row as unknown as Record<string, unknown>;
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  const signature = columns.join(',');
  let insert = statements.get(signature);
  if (!insert) {
    insert = sqlite.prepare(`insert into problems (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    statements.set(signature, insert);
  }
  return Number(insert.run(columns.map((c) => values[c])).lastInsertRowid);
}

const POINT_ROWS = 64;
const pointCache = new WeakMap<SqliteConnection, SqliteDatabase.Statement[]>();

/** An upsert of n (signal, problem) pairs into signal_problems, prepared once per connection. */
function pointStatements(sqlite: SqliteConnection): (n: number) => SqliteDatabase.Statement {
  let statements = pointCache.get(sqlite);
  if (!statements) pointCache.set(sqlite, (statements = []));
  const cached = statements;
  return (n) =>
    (cached[n] ??= sqlite.prepare(`insert into signal_problems (signal_id, problem_id) values ${new Array(n).fill('(?, ?)').join(', ')} on conflict (signal_id) do update set problem_id = excluded.problem_id`));
}

/**
 * Points many signals at their problems in `signal_problems`, an upsert per 1,000 pairs; given the raw
 * SQLite connection (the one the transaction runs on), through cached statements of up to 64 pairs:
 * compiling and preparing a statement per thousand pairs cost more than storing them.
 */
async function pointSignals(db: Kysely<Database>, moves: { signals: readonly number[]; problems: readonly number[] }, sqlite?: SqliteConnection): Promise<void> {
  const { signals, problems } = moves;
  if (sqlite) {
    const point = pointStatements(sqlite);
    const pairs: number[] = [];
    for (let k = 0; k < signals.length; k += POINT_ROWS) {
      const end = Math.min(k + POINT_ROWS, signals.length);
      pairs.length = 0;
      for (let i = k; i < end; i++) pairs.push(signals[i]!, problems[i]!);
      point(end - k).run(pairs);
    }
    return;
  }
  // PostgreSQL refuses an upsert that names a row twice; the last move of a signal wins, as on SQLite.
  const last = new Map<number, number>();
  signals.forEach((signal, k) => last.set(signal, problems[k]!));
  const pairs = [...last].map(([signal_id, problem_id]) => ({ signal_id, problem_id }));
  for (let i = 0; i < pairs.length; i += 1000) {
    const rows = pairs.slice(i, i + 1000);
    await db
      .insertInto('signal_problems')
      .values(rows)
      .onConflict((oc) => oc.column('signal_id').doUpdateSet((eb) => ({ problem_id: eb.ref('excluded.problem_id') })))
      .execute();
  }
}

/** Deletes problems no signal points at any more (their key disappeared in a re-run). */
export async function deleteOrphanProblems(db: Kysely<Database>): Promise<number> {
  // The ids come from a subquery: SQLite then walks a narrow index of problems rather than every row
  // (1.2 → 0.2 s at 168k problems, whose rows hold kilobytes of JSON).
  const result = await db
    .deleteFrom('problems')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('problems as p')
        .select('p.id')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('signal_problems as sp').select(sql.lit(1).as('one')).whereRef('sp.problem_id', '=', 'p.id')))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function getProblem(db: Kysely<Database>, id: number): Promise<ProblemRow | undefined> {
  return db.selectFrom('problems').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function signalsOfProblem(db: Kysely<Database>, problemId: number): Promise<AssemblySignal[]> {
  const rows = await signalsWithProblem(db).select([...ASSEMBLY_SELECTION]).where('signal_problems.problem_id', '=', problemId).orderBy('signals.occurred_at').orderBy('signals.id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), links: fromJson<string[]>(r.links, []), labels: fromJson<Record<string, string>>(r.labels, {}) }));
}

export async function signalsById(db: Kysely<Database>, ids: readonly number[]): Promise<AssemblySignal[]> {
  if (ids.length === 0) return [];
  const rows = await signalsWithProblem(db).select([...ASSEMBLY_SELECTION]).where('signals.id', 'in', [...ids]).orderBy('signals.occurred_at').orderBy('signals.id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), links: fromJson<string[]>(r.links, []), labels: fromJson<Record<string, string>>(r.labels, {}) }));
}

/** Deployments as the post-deploy fact needs them. */
export async function deploymentWindows(db: Kysely<Database>) {
  return db.selectFrom('deployments').select(['service', 'environment', 'status', 'started_at', 'finished_at']).execute();
}
