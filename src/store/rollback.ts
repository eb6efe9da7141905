// Undoing a long load that is not one transaction (the demo: a file per transaction, then the
// pipeline's). Before it starts: each table's highest id, and the teams and services rows as they are.
// Should it fail: the rows the load's own files added — keys from those files and ids above the marks,
// so what other writers stored meanwhile stays — and the teams and services as they were.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Kysely, Selectable } from 'kysely';
import type { ImportKind } from '../domain/records.ts';
import type { Database, ServiceTable, TeamTable } from './schema.ts';
import { tableOf } from './upsert.ts';

const ID_TABLES = ['problems', 'signals', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries'] as const;
type IdTable = (typeof ID_TABLES)[number];
type NamedTable = 'teams' | 'services';

export interface LoadMarks {
  ids: Record<IdTable, number>;
  teams: Selectable<TeamTable>[];
  services: Selectable<ServiceTable>[];
}

/** A file the load imports, and the kind of its records. */
export interface LoadedFile {
  file: string;
  kind: ImportKind;
}

export type Removed = Partial<Record<IdTable | NamedTable, number>>;

export async function loadMarks(db: Kysely<Database>): Promise<LoadMarks> {
  const ids = {} as LoadMarks['ids'];
  for (const table of ID_TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    ids[table] = Number(row?.id ?? 0);
  }
  return { ids, teams: await db.selectFrom('teams').selectAll().execute(), services: await db.selectFrom('services').selectAll().execute() };
}

/** Whether any table held a row when the marks were taken. */
export const heldData = (marks: LoadMarks) => marks.teams.length > 0 || marks.services.length > 0 || Object.values(marks.ids).some((id) => id > 0);

/** Keys per statement: under SQLite's bound-parameter limit. */
const KEYS = 250;

/** The keys (source, external_id — or name, for teams and services) of a JSONL file, a batch at a time. */
async function* keysOf(file: string, named: boolean): AsyncGenerator<string[][]> {
  let batch: string[][] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { source?: string; external_id?: string; name?: string };
    const key = named ? [String(record.name)] : [String(record.source ?? 'import'), String(record.external_id)];
    batch.push(key);
    if (batch.length >= KEYS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Removes, in one transaction, what the load's files added (their keys, above the marks), the
 * problems derived since (the next pipeline run derives any that were someone else's), and restores
 * the teams and services rows as they were. Returns the rows removed per table.
 */
export async function removeLoaded(db: Kysely<Database>, marks: LoadMarks, files: readonly LoadedFile[]): Promise<Removed> {
  const removed: Removed = {};
  const note = (table: IdTable | NamedTable, n: bigint | number) => {
    if (Number(n) > 0) removed[table] = (removed[table] ?? 0) + Number(n);
  };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('signal_problems').where('problem_id', '>', marks.ids.problems).execute();
    note('problems', (await trx.deleteFrom('problems').where('id', '>', marks.ids.problems).executeTakeFirst()).numDeletedRows);
    for (const { file, kind } of files) {
      const table = tableOf(kind) as IdTable | NamedTable;
      if (table === 'teams' || table === 'services') {
        const before = new Map<string, Selectable<TeamTable> | Selectable<ServiceTable>>((table === 'teams' ? marks.teams : marks.services).map((r) => [r.name, r]));
        for await (const keys of keysOf(file, true)) {
          const names = keys.map(([name]) => name!);
          const added = names.filter((n) => !before.has(n));
          if (added.length > 0) note(table, (await trx.deleteFrom(table).where('name', 'in', added).executeTakeFirst()).numDeletedRows);
          for (const name of names) {
            const row = before.get(name);
            if (row) await trx.updateTable(table).set(row as never).where('name', '=', name).execute();
          }
        }
        continue;
      }
      for await (const keys of keysOf(file, false)) {
        const result = await trx
          .deleteFrom(table)
          .where('id', '>', marks.ids[table])
          .where((eb) => eb(eb.refTuple('source', 'external_id'), 'in', keys.map(([source, id]) => eb.tuple(source!, id!))))
          .executeTakeFirst();
        note(table, result.numDeletedRows);
      }
    }
    // Only signals above the mark were removed: their pointers, not a walk of every signal's.
    await trx
      .deleteFrom('signal_problems')
      .where('signal_id', '>', marks.ids.signals)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('signals').select('signals.id').whereRef('signals.id', '=', 'signal_problems.signal_id'))))
      .execute();
    await trx.deleteFrom('change_shipments').where((eb) => eb.not(eb.exists(eb.selectFrom('changes').select('changes.id').whereRef('changes.id', '=', 'change_shipments.change_id')))).execute();
  });
  return removed;
}
