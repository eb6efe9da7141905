// Undoing a load that failed part-way: what it added goes, including the problem pointers of its
// signals, and what was there keeps its pointers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { writeProblems, type DerivedColumns } from '../../src/store/problems.ts';
import { loadMarks, removeLoaded } from '../../src/store/rollback.ts';
import { storeFactories } from '../helpers/stores.ts';

const dir = mkdtempSync(join(tmpdir(), 'escapement-rollback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signal = (id: string, at: string) => SignalSchema.parse({ source: 'datadog', external_id: id, kind: 'alert', occurred_at: at, title: `signal ${id}`, service: 'checkout' });
const columns = (key: string, signal_count: number): DerivedColumns => ({
  key,
  title: `problem ${key}`,
  service: 'checkout',
  services: JSON.stringify(['checkout']),
  environment: 'production',
  impact_start: '2025-11-03T10:00:00.000Z',
  signal_count,
  review_state: 'classified',
  correlation: JSON.stringify({ rules: {}, reasons: [], facts: {} }),
});

for (const factory of await storeFactories()) {
  describe.skipIf(factory.skip)(`removeLoaded on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const idOf = async (externalId: string) => Number((await store.db.selectFrom('signals').select('id').where('external_id', '=', externalId).executeTakeFirstOrThrow()).id);
    const pointers = async () =>
      (await store.db.selectFrom('signal_problems as sp').innerJoin('signals as s', 's.id', 'sp.signal_id').innerJoin('problems as p', 'p.id', 'sp.problem_id').select(['s.external_id', 'p.key']).orderBy('s.external_id').execute()).map((r) => [r.external_id, r.key]);

    it("removes the pointers of the signals it removes, also into problems that were there, and keeps the others'", async () => {
      await upsertRecords(store.db, 'signal', [signal('old', '2025-11-03T10:00:00Z')]);
      const old = await idOf('old');
      await writeProblems(store.db, [{ columns: columns('datadog:old', 1), signal_ids: [old], previous_problem_ids: [null] }], undefined, store.sqlite);
      const kept = Number((await store.db.selectFrom('problems').select('id').executeTakeFirstOrThrow()).id);

      const marks = await loadMarks(store.db);
      const file = join(dir, `signals-${factory.dialect}.jsonl`);
      writeFileSync(file, ['joins', 'apart'].map((id) => JSON.stringify({ source: 'datadog', external_id: id })).join('\n'));
      await upsertRecords(store.db, 'signal', [signal('joins', '2025-11-03T10:01:00Z'), signal('apart', '2025-11-04T10:00:00Z')]);
      const [joins, apart] = [await idOf('joins'), await idOf('apart')];
      // The load's pipeline run placed one new signal in the problem that was there, one in a new problem.
      await writeProblems(
        store.db,
        [
          { columns: columns('datadog:old', 2), signal_ids: [old, joins], previous_problem_ids: [kept, null] },
          { columns: columns('datadog:apart', 1), signal_ids: [apart], previous_problem_ids: [null] },
        ],
        undefined,
        store.sqlite,
      );
      expect(await pointers()).toEqual([['apart', 'datadog:apart'], ['joins', 'datadog:old'], ['old', 'datadog:old']]);

      expect(await removeLoaded(store.db, marks, [{ file, kind: 'signal' }])).toEqual({ problems: 1, signals: 2 });
      expect(await pointers()).toEqual([['old', 'datadog:old']]);
      expect((await store.db.selectFrom('signal_problems').select(['signal_id', 'problem_id']).execute()).map((r) => [Number(r.signal_id), Number(r.problem_id)])).toEqual([[old, kept]]);
    });
  });
}
