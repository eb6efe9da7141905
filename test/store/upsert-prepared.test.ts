// On SQLite, upsertRecords with the raw connection (prepared statements, the import path) must count
// and store exactly what the query-builder path does, in replace and in merge mode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords, type UpsertOptions, type WriteCounts } from '../../src/store/upsert.ts';
import { DeploymentSchema, SignalSchema, TeamSchema, type Deployment, type Signal } from '../../src/domain/records.ts';

const NOW = '2026-01-01T00:00:00.000Z';

const signal = (n: number, extra: Record<string, unknown> = {}): Signal =>
  SignalSchema.parse({
    source: 'pagerduty',
    external_id: `P${n}`,
    kind: 'alert',
    occurred_at: '2025-11-03T10:00:00Z',
    title: `Error rate high #${n}`,
    labels: { team: 'payments' },
    links: ['jira:PAY-1'],
    ...extra,
  });

const deployment = (extra: Record<string, unknown> = {}): Deployment =>
  DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '1.2.0', ...extra });

type Step = { kind: 'signal'; records: Signal[]; merge?: boolean } | { kind: 'deployment'; records: Deployment[]; merge?: boolean };

const STEPS: { step: Step; counts: WriteCounts }[] = [
  { step: { kind: 'signal', records: [signal(1), signal(2), signal(2, { title: 'renamed' })] }, counts: { inserted: 2, updated: 1, unchanged: 0 } },
  { step: { kind: 'signal', records: [signal(1), signal(2, { title: 'renamed' })] }, counts: { inserted: 0, updated: 0, unchanged: 2 } },
  { step: { kind: 'signal', records: [signal(1, { body: 'first' })] }, counts: { inserted: 0, updated: 1, unchanged: 0 } },
  // Merge: a resolution event keeps the body and unites links; the same event again changes nothing.
  { step: { kind: 'signal', merge: true, records: [signal(1, { resolved_at: '2025-11-03T11:00:00Z', links: ['sha:abc1234'] })] }, counts: { inserted: 0, updated: 1, unchanged: 0 } },
  { step: { kind: 'signal', merge: true, records: [signal(1, { resolved_at: '2025-11-03T11:00:00Z', links: ['sha:abc1234'] })] }, counts: { inserted: 0, updated: 0, unchanged: 1 } },
  { step: { kind: 'signal', merge: true, records: [signal(3, { labels: { b: '2', a: '1' } }), signal(3, { labels: { c: '3' } })] }, counts: { inserted: 1, updated: 1, unchanged: 0 } },
  { step: { kind: 'deployment', merge: true, records: [deployment({ kind: 'hotfix', kind_reason: 'branch hotfix/x', status: 'in_progress' })] }, counts: { inserted: 1, updated: 0, unchanged: 0 } },
  { step: { kind: 'deployment', merge: true, records: [deployment({ status: 'success', finished_at: '2025-11-03T12:00:00Z' })] }, counts: { inserted: 0, updated: 1, unchanged: 0 } },
  { step: { kind: 'deployment', records: [deployment({ status: 'success', finished_at: '2025-11-03T12:00:00Z' })] }, counts: { inserted: 0, updated: 1, unchanged: 0 } },
];

async function rows(store: Store, table: 'signals' | 'deployments' | 'teams') {
  return store.db.selectFrom(table).selectAll().orderBy(table === 'teams' ? 'name' : 'external_id').execute();
}

describe('upsertRecords through prepared statements on SQLite', () => {
  let builder: Store;
  let prepared: Store;
  beforeEach(async () => {
    builder = await openStore({ dbPath: ':memory:' });
    prepared = await openStore({ dbPath: ':memory:' });
  });
  afterEach(async () => {
    await builder.close();
    await prepared.close();
  });

  it('exposes the raw connection of a SQLite store', () => {
    expect(prepared.sqlite?.open).toBe(true);
    expect(prepared.sqlite?.prepare('select 1 as one').get()).toEqual({ one: 1 });
  });

  it('counts and stores what the query-builder path does, step by step', async () => {
    for (const { step, counts } of STEPS) {
      const options: UpsertOptions = { now: NOW, merge: step.merge ?? false };
      const viaBuilder = await upsertRecords(builder.db, step.kind, step.records as never, options);
      const viaPrepared = await upsertRecords(prepared.db, step.kind, step.records as never, { ...options, sqlite: prepared.sqlite! });
      expect(viaBuilder).toEqual(counts);
      expect(viaPrepared).toEqual(counts);
    }
    expect(await rows(prepared, 'signals')).toEqual(await rows(builder, 'signals'));
    expect(await rows(prepared, 'deployments')).toEqual(await rows(builder, 'deployments'));
    const [first, , third] = await rows(prepared, 'signals');
    expect(first).toMatchObject({ body: 'first', resolved_at: '2025-11-03T11:00:00.000Z', status: 'resolved', links: '["jira:PAY-1","sha:abc1234"]' });
    expect(third).toMatchObject({ labels: '{"a":"1","b":"2","c":"3"}', status: 'open' });
    const [stored] = await rows(prepared, 'deployments');
    // The last step replaces without merge: the kind falls back to the schema's default.
    expect(stored).toMatchObject({ kind: 'planned', status: 'success', finished_at: '2025-11-03T12:00:00.000Z', kind_reason: null });
  });

  it('keys records by name, and writes join the transaction they run in', async () => {
    const team = TeamSchema.parse({ name: 'payments', description: 'pays' });
    await expect(
      prepared.db.transaction().execute(async (trx) => {
        expect(await upsertRecords(trx, 'team', [team], { sqlite: prepared.sqlite! })).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rows(prepared, 'teams')).toEqual([]);
    expect(await upsertRecords(prepared.db, 'team', [team], { sqlite: prepared.sqlite! })).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await upsertRecords(prepared.db, 'team', [{ ...team, description: 'pays out' }], { sqlite: prepared.sqlite! })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(await rows(prepared, 'teams')).toMatchObject([{ name: 'payments', description: 'pays out' }]);
  });
});
