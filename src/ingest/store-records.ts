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
  await db.transaction().execute(async (trx) => {
    const resolveService = await loadServiceResolver(trx);
    for (const batch of batches) {
      for (const [kind, list] of byKind(batch.records)) {
        const merge = batch.merge ?? false;
        const records = merge && kind === 'signal' ? await keepThreadIdentity(trx, list as Signal[]) : list;
        const written = await upsertRecords(trx, kind, records as never, { resolveService, merge, ...(now ? { now } : {}) });
        counts[kind] = addCounts(counts[kind] ?? emptyCounts(), written);
      }
    }
  });
  return counts;
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

/**
 * A merged event updates a signal that already has a start and a name: a Slack reply, a recovery,
 * an acknowledgement. The signal keeps its earliest occurred_at and the title its first event gave it.
 */
async function keepThreadIdentity(db: Kysely<Database>, signals: Signal[]): Promise<Signal[]> {
  const bySource = new Map<string, string[]>();
  for (const s of signals) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s.external_id]);
  const stored = new Map<string, { title: string; occurred_at: string }>();
  for (const [source, ids] of bySource) {
    const rows = await db
      .selectFrom('signals')
      .select(['external_id', 'title', 'occurred_at'])
      .where('source', '=', source)
      .where('external_id', 'in', ids)
      .execute();
    for (const row of rows) stored.set(`${source}\u0000${row.external_id}`, { title: row.title, occurred_at: row.occurred_at });
  }
  // Within one batch the first record of a key sets the identity for the rest.
  for (const s of signals) {
    const key = `${s.source}\u0000${s.external_id}`;
    if (!stored.has(key)) stored.set(key, { title: s.title, occurred_at: s.occurred_at });
  }
  return signals.map((s) => {
    const first = stored.get(`${s.source}\u0000${s.external_id}`)!;
    return { ...s, title: first.title, occurred_at: first.occurred_at < s.occurred_at ? first.occurred_at : s.occurred_at };
  });
}

export function totalWrites(counts: StoredCounts): WriteCounts {
  const total = emptyCounts();
  for (const c of Object.values(counts)) addCounts(total, c);
  return total;
}
