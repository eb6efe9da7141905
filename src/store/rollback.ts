// Undoing a long load that is not one transaction (the demo: many files, then the pipeline): what each
// table held before it starts (the highest id, or for teams and services, keyed by name, their names),
// and, should it fail, every row added since.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Tables with an id a load adds rows to: what the pipeline derives (removed first), then the records. */
const ID_TABLES = ['problems', 'signals', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries'] as const;
const NAMED_TABLES = ['teams', 'services'] as const;
type IdTable = (typeof ID_TABLES)[number];
type NamedTable = (typeof NAMED_TABLES)[number];

export interface LoadMarks {
  ids: Record<IdTable, number>;
  names: Record<NamedTable, string[]>;
}

export async function loadMarks(db: Kysely<Database>): Promise<LoadMarks> {
  const marks: LoadMarks = { ids: {} as LoadMarks['ids'], names: {} as LoadMarks['names'] };
  for (const table of ID_TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    marks.ids[table] = Number(row?.id ?? 0);
  }
  for (const table of NAMED_TABLES) marks.names[table] = (await db.selectFrom(table).select('name').execute()).map((r) => r.name);
  return marks;
}

/**
 * Removes every row added since the marks, in one transaction: problems first (signals point at them),
 * and the derived change shipments of removed changes. Rows the load updated rather than added keep
 * their new values. Returns the rows removed per table.
 */
export async function removeSince(db: Kysely<Database>, marks: LoadMarks): Promise<Partial<Record<IdTable | NamedTable, number>>> {
  const removed: Partial<Record<IdTable | NamedTable, number>> = {};
  const note = (table: IdTable | NamedTable, n: bigint | number) => {
    if (Number(n) > 0) removed[table] = Number(n);
  };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('signals').set({ problem_id: null }).where('problem_id', '>', marks.ids.problems).execute();
    await trx.deleteFrom('change_shipments').where('change_id', '>', marks.ids.changes).execute();
    for (const table of ID_TABLES) {
      note(table, (await trx.deleteFrom(table).where('id', '>', marks.ids[table]).executeTakeFirst()).numDeletedRows);
    }
    for (const table of NAMED_TABLES) {
      const kept = marks.names[table];
      let q = trx.deleteFrom(table);
      if (kept.length > 0) q = q.where('name', 'not in', kept);
      note(table, (await q.executeTakeFirst()).numDeletedRows);
    }
  });
  return removed;
}
