// Stores what an adapter produced, in one transaction: the webhook route and `escapement ingest`
// share it. Service names are mapped through the stored aliases; unknown names are kept as received.
import type { Kysely } from 'kysely';
import type { ImportKind, ImportRecord, Signal } from '../domain/records.ts';
import type { Database } from '../store/schema.ts';
import { loadServiceResolver } from '../store/services.ts';
import { addCounts, emptyCounts, upsertRecords, type WriteCounts } from '../store/upsert.ts';

export type StoredCounts = Partial<Record<ImportKind, WriteCounts>>;

export interface StoreOptions {
  /** Partial events: fields a record leaves out keep their stored values (AdapterOutput.merge). */
  merge?: boolean;
  now?: string;
}

/** One adapter output to store: its records and whether they merge onto what is stored. */
export interface RecordBatch {
  records: readonly ImportRecord[];
  merge?: boolean;
}

/** Writes the records atomically; returns inserted/updated/unchanged per kind. */
export async function storeRecords(db: Kysely<Database>, records: readonly ImportRecord[], options: StoreOptions = {}): Promise<StoredCounts> {
  return storeBatches(db, [{ records, merge: options.merge ?? false }], options.now);
}

/** Writes several outputs in order (a replayed history: firing, then resolved) in one transaction. */
export async function storeBatches(db: Kysely<Database>, batches: readonly RecordBatch[], now?: string): Promise<StoredCounts> {
  const counts: StoredCounts = {};
  if (batches.every((b) => b.records.length === 0)) return counts;
  for (const one of await writeInTransaction(db, batches, now)) {
    for (const [kind, c] of Object.entries(one) as [ImportKind, WriteCounts][]) counts[kind] = addCounts(counts[kind] ?? emptyCounts(), c);
  }
  return counts;
}

/** One transaction for several batches; what happened to each batch, in order. */
async function writeInTransaction(db: Kysely<Database>, batches: readonly RecordBatch[], now?: string): Promise<StoredCounts[]> {
  return db.transaction().execute(async (trx) => {
    const resolveService = await loadServiceResolver(trx);
    const mergedSignals = batches.flatMap((b) => (b.merge ? b.records.filter((r) => r.kind === 'signal').map((r) => r.record as Signal) : []));
    const identities = await storedIdentities(trx, mergedSignals);
    const results: StoredCounts[] = [];
    for (const batch of batches) {
      const counts: StoredCounts = {};
      for (const [kind, list] of byKind(batch.records)) {
        const merge = batch.merge ?? false;
        const records = merge && kind === 'signal' ? keepThreadIdentity(identities, list as Signal[]) : list;
        const written = await upsertRecords(trx, kind, records as never, { resolveService, merge, ...(now ? { now } : {}) });
        counts[kind] = addCounts(counts[kind] ?? emptyCounts(), written);
      }
      results.push(counts);
    }
    return results;
  });
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

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxGroup = 128,
  ) {}

  write(batch: RecordBatch): Promise<StoredCounts> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ batch, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, this.maxGroup);
        try {
          const results = await writeInTransaction(this.db, group.map((p) => p.batch));
          group.forEach((p, i) => p.resolve(results[i]!));
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          for (const p of group) {
            try {
              p.resolve((await writeInTransaction(this.db, [p.batch]))[0]!);
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
