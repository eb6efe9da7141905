// Stores what an adapter produced, in one transaction: the webhook route and `escapement ingest`
// share it. Service names are mapped through the stored aliases; unknown names are kept as received.
import type { Kysely } from 'kysely';
import type { ImportKind, ImportRecord, Signal } from '../domain/records.ts';
import type { SqliteConnection } from '../store/connection.ts';
import type { Database } from '../store/schema.ts';
import { loadServiceResolver, serviceResolver, servicesOf } from '../store/services.ts';
import { addCounts, emptyCounts, preparedOn, type ServiceResolver, tableOf, upsertRecords, type UpsertOptions, type WriteCounts } from '../store/upsert.ts';

export type StoredCounts = Partial<Record<ImportKind, WriteCounts>>;

/** How a transaction of batches is written. */
export interface WriteOptions {
  now?: string;
  /** The SQLite connection `db` runs on: lookups and writes then go through statements prepared once. */
  sqlite?: SqliteConnection;
  /** More writes that belong with the records (a person's decision about them), in the same transaction. */
  alongside?: (trx: Kysely<Database>) => Promise<void>;
}

export interface StoreOptions extends Omit<WriteOptions, 'sqlite'> {
  /** Partial events: fields a record leaves out keep their stored values (AdapterOutput.merge). */
  merge?: boolean;
}

/** One adapter output to store: its records and whether they merge onto what is stored. */
export interface RecordBatch {
  records: readonly ImportRecord[];
  merge?: boolean;
}

/** Writes the records atomically; returns inserted/updated/unchanged per kind. */
export async function storeRecords(db: Kysely<Database>, records: readonly ImportRecord[], options: StoreOptions = {}): Promise<StoredCounts> {
  const { merge, now, alongside } = options;
  return storeBatches(db, [{ records, merge: merge ?? false }], { now, alongside });
}

/** Writes several outputs in order (a replayed history: firing, then resolved) in one transaction. */
export async function storeBatches(db: Kysely<Database>, batches: readonly RecordBatch[], options: WriteOptions = {}): Promise<StoredCounts> {
  const counts: StoredCounts = {};
  if (batches.every((b) => b.records.length === 0) && !options.alongside) return counts;
  for (const one of await writeInTransaction(db, batches, options)) {
    for (const [kind, c] of Object.entries(one) as [ImportKind, WriteCounts][]) counts[kind] = addCounts(counts[kind] ?? emptyCounts(), c);
  }
  return counts;
}

/**
 * One transaction for several batches; what happened to each batch, in order. With `sqlite` (the
 * connection `db` runs on), lookups and writes go through statements prepared once per connection,
 * one row at a time: no query is built or prepared per request.
 */
async function writeInTransaction(db: Kysely<Database>, batches: readonly RecordBatch[], { now, sqlite, alongside }: WriteOptions = {}): Promise<StoredCounts[]> {
  return db.transaction().execute(async (trx) => {
    const written = await writeBatches(trx, batches, now, sqlite);
    await alongside?.(trx);
    return written;
  });
}

async function writeBatches(trx: Kysely<Database>, batches: readonly RecordBatch[], now?: string, sqlite?: SqliteConnection): Promise<StoredCounts[]> {
  const resolveService = sqlite ? serviceResolverSqlite(sqlite) : await loadServiceResolver(trx);
  const mergedSignals = batches.flatMap((b) => (b.merge ? b.records.filter((r) => r.kind === 'signal').map((r) => r.record as Signal) : []));
  const identities = sqlite ? storedIdentitiesSqlite(sqlite, mergedSignals) : await storedIdentities(trx, mergedSignals);
  const prepared = batches.map((batch) =>
    [...byKind(batch.records)].map(([kind, list]) => ({
      kind,
      merge: batch.merge ?? false,
      records: batch.merge && kind === 'signal' ? keepThreadIdentity(identities, list as Signal[]) : list,
    })),
  );
  const options = { resolveService, ...(now ? { now } : {}) };
  // One multi-row statement per kind pays off when each statement is built and prepared anew; on
  // SQLite's prepared statements, one lookup and one write per record is already the least work.
  if (sqlite) return writeEach(trx, prepared, { ...options, sqlite });
  if (batches.length > 2 && distinctKeys(prepared)) return writeTogether(trx, prepared, options);
  return writeEach(trx, prepared, options);
}

type Part = { kind: ImportKind; merge: boolean; records: ImportRecord['record'][] };
type Keyed = { source: string; external_id: string };
const recordKey = (kind: ImportKind, r: Keyed) => `${kind}\u0000${r.source}\u0000${r.external_id}`;

/** Each batch written on its own, in order, counted by what its upserts report. */
async function writeEach(trx: Kysely<Database>, prepared: Part[][], options: UpsertOptions): Promise<StoredCounts[]> {
  const results: StoredCounts[] = [];
  for (const parts of prepared) {
    const counts: StoredCounts = {};
    for (const { kind, merge, records } of parts) {
      counts[kind] = addCounts(counts[kind] ?? emptyCounts(), await upsertRecords(trx, kind, records as never, { ...options, merge }));
    }
    results.push(counts);
  }
  return results;
}

function distinctKeys(prepared: Part[][]): boolean {
  const seen = new Set<string>();
  for (const parts of prepared) {
    for (const { kind, records } of parts) {
      for (const r of records) {
        if (!('external_id' in r)) return false;
        const key = recordKey(kind, r as Keyed);
        if (seen.has(key)) return false;
        seen.add(key);
      }
    }
  }
  return true;
}

/**
 * Many requests with distinct records: one upsert per kind and merge mode for all of them, and each
 * request's counts read from the stored content hashes before and after (absent → inserted,
 * changed → updated, same → unchanged), which is what a write of its own would have reported.
 */
async function writeTogether(trx: Kysely<Database>, prepared: Part[][], options: { resolveService: ServiceResolver; now?: string }): Promise<StoredCounts[]> {
  const all = prepared.flat();
  const before = await storedHashes(trx, all);
  const groups = new Map<string, Part>();
  for (const part of all) {
    const id = `${part.kind}:${part.merge}`;
    const group = groups.get(id);
    if (group) group.records.push(...part.records);
    else groups.set(id, { ...part, records: [...part.records] });
  }
  for (const { kind, merge, records } of groups.values()) await upsertRecords(trx, kind, records as never, { ...options, merge });
  const after = await storedHashes(trx, all);
  return prepared.map((parts) => {
    const counts: StoredCounts = {};
    for (const { kind, records } of parts) {
      const c = (counts[kind] ??= emptyCounts());
      for (const r of records) {
        const key = recordKey(kind, r as Keyed);
        const was = before.get(key);
        if (was === undefined) c.inserted++;
        else if (was !== after.get(key)) c.updated++;
        else c.unchanged++;
      }
    }
    return counts;
  });
}

async function storedHashes(db: Kysely<Database>, parts: Part[]): Promise<Map<string, string>> {
  const wanted = new Map<ImportKind, Keyed[]>();
  for (const { kind, records } of parts) {
    const keys = wanted.get(kind) ?? [];
    for (const r of records) keys.push(r as Keyed);
    wanted.set(kind, keys);
  }
  const found = new Map<string, string>();
  const anyDb = db as unknown as Kysely<Record<string, { source: string; external_id: string; content_hash: string }>>;
  // One query per kind, whatever the sources: (source, external_id) in ((…, …), …).
  for (const [kind, keys] of wanted) {
    const rows = await anyDb
      .selectFrom(tableOf(kind))
      .select(['source', 'external_id', 'content_hash'])
      .where((eb) => eb(eb.refTuple('source', 'external_id'), 'in', keys.map((k) => eb.tuple(k.source, k.external_id))))
      .execute();
    for (const row of rows) found.set(recordKey(kind, row), row.content_hash);
  }
  return found;
}

interface Pending {
  batch: RecordBatch;
  resolve: (counts: StoredCounts) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the webhook route: writes that arrive while a transaction runs are written
 * together in the next one (each still counted on its own, in arrival order). A failing group is
 * retried one write per transaction, so one bad write fails only its own request.
 */
export class GroupWriter {
  readonly #queue: Pending[] = [];
  #running = false;

  /** With `sqlite` (the connection `db` runs on, `Store.sqlite`), writes go through prepared statements. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sqlite?: SqliteConnection,
    private readonly maxGroup = 128,
  ) {}

  write(batch: RecordBatch): Promise<StoredCounts> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject });
      if (this.#running) return;
      this.#running = true;
      // SQLite runs a whole transaction in microtasks: waiting one turn of the event loop lets the
      // requests that arrived in the same turn join the group.
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, this.maxGroup);
        try {
          const results = await writeInTransaction(this.db, group.map((p) => p.batch), { sqlite: this.sqlite });
          group.forEach((p, i) => p.resolve(results[i]!));
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const p of group) {
            try {
              p.resolve((await writeInTransaction(this.db, [p.batch], { sqlite: this.sqlite }))[0]!);
            } catch (alone) {
              p.reject(alone);
            }
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

function byKind(records: readonly ImportRecord[]): Map<ImportKind, ImportRecord['record'][]> {
  const map = new Map<ImportKind, ImportRecord['record'][]>();
  for (const r of records) {
    const list = map.get(r.kind) ?? [];
    list.push(r.record);
    map.set(r.kind, list);
  }
  return map;
}

type Identities = Map<string, { title: string; occurred_at: string }>;
const identityKey = (s: { source: string; external_id: string }) => `${s.source}\u0000${s.external_id}`;

/** The stored title and start of the signals a group merges onto (one query per source). */
async function storedIdentities(db: Kysely<Database>, signals: readonly Signal[]): Promise<Identities> {
  const found: Identities = new Map();
  const bySource = new Map<string, Set<string>>();
  for (const s of signals) bySource.set(s.source, (bySource.get(s.source) ?? new Set()).add(s.external_id));
  for (const [source, ids] of bySource) {
    const rows = await db
      .selectFrom('signals')
      .select(['external_id', 'title', 'occurred_at'])
      .where('source', '=', source)
      .where('external_id', 'in', [...ids])
      .execute();
    for (const row of rows) found.set(identityKey({ source, external_id: row.external_id }), { title: row.title, occurred_at: row.occurred_at });
  }
  return found;
}

/** The same, one prepared lookup per signal on SQLite. */
function storedIdentitiesSqlite(sqlite: SqliteConnection, signals: readonly Signal[]): Identities {
  const found: Identities = new Map();
  const stmt = preparedOn(sqlite, 'select "title", "occurred_at" from "signals" where "source" = ? and "external_id" = ?');
  for (const s of signals) {
    const row = stmt.get(s.source, s.external_id) as { title: string; occurred_at: string } | undefined;
    if (row) found.set(identityKey(s), { title: row.title, occurred_at: row.occurred_at });
  }
  return found;
}

/** loadServiceResolver through a prepared statement. */
function serviceResolverSqlite(sqlite: SqliteConnection): ServiceResolver {
  const rows = preparedOn(sqlite, 'select "name", "aliases" from "services"').all() as { name: string; aliases: unknown }[];
  return serviceResolver(servicesOf(rows));
}

/**
 * A merged event updates a signal that already has a start and a name: a Slack reply, a recovery,
 * an acknowledgement. The signal keeps its earliest occurred_at and the title its first event gave it.
 */
function keepThreadIdentity(identities: Identities, signals: Signal[]): Signal[] {
  return signals.map((s) => {
    const key = identityKey(s);
    const first = identities.get(key);
    if (!first) {
      identities.set(key, { title: s.title, occurred_at: s.occurred_at });
      return s;
    }
    const occurredAt = first.occurred_at < s.occurred_at ? first.occurred_at : s.occurred_at;
    first.occurred_at = occurredAt;
    return { ...s, title: first.title, occurred_at: occurredAt };
  });
}

export function totalWrites(counts: StoredCounts): WriteCounts {
  const total = emptyCounts();
  for (const c of Object.values(counts)) addCounts(total, c);
  return total;
}
