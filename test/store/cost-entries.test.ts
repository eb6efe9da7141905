// The cost entries naming problems, as the weekly review and the metrics read them: by `problem:<id>`,
// `problem:<key>`, the bare key or one of the problem's signals, each entry once per problem.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { costEntriesNaming } from '../../src/store/cost-entries.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { CostEntrySchema, SignalSchema } from '../../src/domain/records.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const NOW = '2025-12-05T00:00:00.000Z';

async function problem(store: Store, key: string, signals: string[]): Promise<number> {
  const { id } = await store.db
    .insertInto('problems')
    .values({ key, title: key, service: 'checkout', services: '["checkout"]', impact_start: NOW, detected_at: NOW, resolved_at: null, severity: 'high', signal_count: signals.length, type: 'code', review_state: 'to_verify', deployment_id: null, created_at: NOW, updated_at: NOW })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const external_id of signals) {
    await upsertRecords(store.db, 'signal', [SignalSchema.parse({ source: 'pagerduty', external_id, kind: 'alert', occurred_at: NOW, title: 'errors', service: 'checkout' })]);
    const signal = await store.db.selectFrom('signals').select('id').where('external_id', '=', external_id).executeTakeFirstOrThrow();
    await store.db.insertInto('signal_problems').values({ signal_id: signal.id, problem_id: id }).execute();
  }
  return id;
}

const entry = (external_id: string, problem_ref: string, hours: number) => CostEntrySchema.parse({ source: 'import', external_id, problem_ref, role: 'dev', hours });
const byProblem = (rows: { problem_id: number; hours: number }[]) => rows.map((r) => [r.problem_id, r.hours]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);

for (const factory of factories) {
  describe.skipIf(factory.skip)(`cost entries naming problems on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('finds entries by every ref a problem answers to, counts one found two ways once, and leaves other problems out', async () => {
      const a = await problem(store, 'pagerduty:A1', ['A1', 'A2']);
      const b = await problem(store, 'pagerduty:B1', ['B1']);
      const other = await problem(store, 'pagerduty:C1', ['C1']);
      await upsertRecords(store.db, 'cost_entry', [
        entry('by-key', 'pagerduty:A1', 1), // the bare key, which is also A1's signal ref: once
        entry('by-signal', 'pagerduty:A2', 2),
        entry('by-id', `problem:${a}`, 4),
        entry('by-problem-key', 'problem:pagerduty:B1', 8),
        entry('by-signal-b', 'pagerduty:B1', 16),
        entry('elsewhere', 'pagerduty:C1', 32),
        entry('nobody', 'pagerduty:Z9', 64),
      ]);
      const found = await costEntriesNaming(store.db, [{ id: a, key: 'pagerduty:A1' }, { id: b, key: 'pagerduty:B1' }]);
      expect(found.every((r) => r.role === 'dev')).toBe(true);
      expect(byProblem(found)).toEqual([[a, 1], [a, 2], [a, 4], [b, 8], [b, 16]].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
      expect(found.some((r) => r.problem_id === other)).toBe(false);
    });

    it('gives an entry to every problem it names: one by its bare key, another by its signal', async () => {
      // A split can leave a key naming a signal that another problem now has; a key may have no signal left.
      const y = await problem(store, 'pagerduty:Y1', ['Y1', 'K']);
      const x = await problem(store, 'pagerduty:K', ['X1']);
      const alone = await problem(store, 'pagerduty:GONE', []);
      await upsertRecords(store.db, 'cost_entry', [entry('k', 'pagerduty:K', 1), entry('gone', 'pagerduty:GONE', 2)]);
      const found = await costEntriesNaming(store.db, [{ id: x, key: 'pagerduty:K' }, { id: y, key: 'pagerduty:Y1' }, { id: alone, key: 'pagerduty:GONE' }]);
      expect(byProblem(found)).toEqual([[x, 1], [y, 1], [alone, 2]].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    });

    it('reads past one query of problems', async () => {
      const ids: { id: number; key: string }[] = [];
      for (let i = 0; i < 620; i++) ids.push({ id: await problem(store, `pagerduty:N${i}`, []), key: `pagerduty:N${i}` });
      await upsertRecords(store.db, 'cost_entry', ids.map((p, i) => entry(`n-${i}`, `problem:${p.id}`, 1)));
      const found = await costEntriesNaming(store.db, ids);
      expect(found).toHaveLength(620);
      expect(new Set(found.map((r) => r.problem_id)).size).toBe(620);
    });

    it('asks nothing for no problems', async () => {
      expect(await costEntriesNaming(store.db, [])).toEqual([]);
    });
  });
}
