// The store behaves the same on SQLite and PostgreSQL: idempotent upserts, alias mapping, listings.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { loadServiceResolver } from '../../src/store/services.ts';
import { countRecords, listRecords, QueryError } from '../../src/store/records.ts';
import { SignalSchema, DeploymentSchema, type Signal } from '../../src/domain/records.ts';
import { storeFactories } from '../helpers/stores.ts';
import { NO_KIND_SIGN } from '../../src/pipeline/deployment-kind.ts';

const factories = await storeFactories();

const signal = (n: number, extra: Partial<Record<string, unknown>> = {}): Signal =>
  SignalSchema.parse({
    source: 'pagerduty',
    external_id: `P${n}`,
    kind: 'alert',
    occurred_at: `2025-11-0${1 + (n % 9)}T10:00:00Z`,
    title: `Error rate high #${n}`,
    service: 'checkout',
    labels: { team: 'payments' },
    links: ['jira:PAY-1'],
    ...extra,
  });

for (const factory of factories) {
  describe.skipIf(factory.skip)(`store on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a record once and reports a repeat as unchanged', async () => {
      const first = await upsertRecords(store.db, 'signal', [signal(1), signal(2)]);
      expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
      const again = await upsertRecords(store.db, 'signal', [signal(1), signal(2)]);
      expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
      expect((await countRecords(store.db)).signals).toBe(2);
    });

    it('updates a record in place when its content changes, keeping its id', async () => {
      await upsertRecords(store.db, 'signal', [signal(1)]);
      const before = await store.db.selectFrom('signals').select(['id', 'created_at']).executeTakeFirstOrThrow();
      const resolved = signal(1, { resolved_at: '2025-11-02T11:00:00Z' });
      expect(await upsertRecords(store.db, 'signal', [resolved])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      const after = await store.db.selectFrom('signals').selectAll().executeTakeFirstOrThrow();
      expect(after.id).toBe(before.id);
      expect(after.created_at).toBe(before.created_at);
      expect(after.resolved_at).toBe('2025-11-02T11:00:00.000Z');
      expect(after.status).toBe('resolved');
    });

    it('collapses repeats of one key inside a batch to the last one', async () => {
      const counts = await upsertRecords(store.db, 'signal', [signal(1), signal(1, { title: 'renamed' }), signal(1, { title: 'renamed' })]);
      expect(counts).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
      const rows = await store.db.selectFrom('signals').select('title').execute();
      expect(rows).toEqual([{ title: 'renamed' }]);
    });

    it('returns timestamps as UTC ISO strings and JSON columns as values', async () => {
      await upsertRecords(store.db, 'signal', [signal(3, { occurred_at: '2025-11-03T12:00:00+02:00' })]);
      const page = await listRecords(store.db, 'signals');
      expect(page.data[0]).toMatchObject({
        occurred_at: '2025-11-03T10:00:00.000Z',
        labels: { team: 'payments' },
        links: ['jira:PAY-1'],
        service: 'checkout',
      });
      expect(page.data[0]).not.toHaveProperty('content_hash');
    });

    it('maps service aliases, scoped by source, and keeps unknown names as received', async () => {
      await upsertRecords(store.db, 'service', [{ name: 'checkout-api', aliases: ['checkout', 'pagerduty:PXYZ'] }]);
      const resolveService = await loadServiceResolver(store.db);
      await upsertRecords(
        store.db,
        'signal',
        [signal(1, { service: 'Checkout' }), signal(2, { service: 'PXYZ' }), signal(3, { service: 'billing' })],
        { resolveService },
      );
      await upsertRecords(store.db, 'deployment', [DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'PXYZ' })], { resolveService });
      const rows = await store.db.selectFrom('signals').select(['external_id', 'service', 'service_raw']).orderBy('external_id').execute();
      expect(rows).toEqual([
        { external_id: 'P1', service: 'checkout-api', service_raw: 'Checkout' },
        { external_id: 'P2', service: 'checkout-api', service_raw: 'PXYZ' },
        { external_id: 'P3', service: 'billing', service_raw: 'billing' },
      ]);
      // A scoped alias applies to its own source only.
      const deployment = await store.db.selectFrom('deployments').select('service').executeTakeFirstOrThrow();
      expect(deployment.service).toBe('PXYZ');
    });

    it('pages through a listing with a cursor, newest first, and filters by field and time', async () => {
      await upsertRecords(store.db, 'signal', Array.from({ length: 25 }, (_, i) => signal(i + 1, { service: i % 2 ? 'a' : 'b' })));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listRecords(store.db, 'signals', { limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...page.data.map((r) => String(r.external_id)));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      expect(seen[0]).toBe('P25');

      const a = await listRecords(store.db, 'signals', { filters: { service: 'a' }, limit: 100 });
      expect(a.data.every((r) => r.service === 'a')).toBe(true);
      expect(a.data).toHaveLength(12);

      const early = await listRecords(store.db, 'signals', { from: '2025-11-01T00:00:00Z', to: '2025-11-02T00:00:00Z', limit: 100 });
      expect(early.data.map((r) => r.occurred_at).every((t) => String(t).startsWith('2025-11-01'))).toBe(true);
      expect(early.data.length).toBeGreaterThan(0);
    });

    it('rejects an unknown filter and a forged cursor with a message naming them', async () => {
      await expect(listRecords(store.db, 'signals', { filters: { colour: 'red' } })).rejects.toThrow(/colour: not a filter of signals/);
      await expect(listRecords(store.db, 'signals', { cursor: 'nonsense!' })).rejects.toThrow(QueryError);
    });

    it('merges a partial event onto the stored record, keeping what it leaves out', async () => {
      const created = DeploymentSchema.parse({
        source: 'github', external_id: 'd7', service: 'checkout', version: '2.4.1', started_at: '2025-11-03T10:00:00Z', labels: { ref: 'main' },
      });
      await upsertRecords(store.db, 'deployment', [created], { merge: true });
      const finished = DeploymentSchema.parse({
        source: 'github', external_id: 'd7', service: 'checkout', finished_at: '2025-11-03T10:07:00Z', status: 'failure', labels: { state: 'failure' },
      });
      expect(await upsertRecords(store.db, 'deployment', [finished], { merge: true })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
      expect(await upsertRecords(store.db, 'deployment', [finished], { merge: true })).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
      const row = (await listRecords(store.db, 'deployments')).data[0];
      expect(row).toMatchObject({
        version: '2.4.1',
        started_at: '2025-11-03T10:00:00.000Z',
        finished_at: '2025-11-03T10:07:00.000Z',
        status: 'failure',
        labels: { ref: 'main', state: 'failure' },
      });
    });

    it('unites links and keeps the first body when a merge brings none', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, { body: 'first message', links: ['jira:PAY-1'] })], { merge: true });
      await upsertRecords(store.db, 'signal', [signal(1, { links: ['sha:abc1234', 'jira:PAY-1'] }), signal(1, { links: ['pagerduty:PX1'] })], { merge: true });
      const row = (await listRecords(store.db, 'signals')).data[0];
      expect(row?.links).toEqual(['jira:PAY-1', 'sha:abc1234', 'pagerduty:PX1']);
      expect(row?.body).toBe('first message');
    });

    it('replaces the stored record without merge: a field left out is cleared', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, { body: 'first message' })]);
      await upsertRecords(store.db, 'signal', [signal(1)]);
      expect((await listRecords(store.db, 'signals')).data[0]?.body).toBeNull();
    });

    it('counts the same merged payload twice as unchanged, whatever order the store keeps label keys in', async () => {
      const event = signal(1, { labels: { zone: 'eu', alertname: 'Disk', severity: 'page' } });
      await upsertRecords(store.db, 'signal', [event], { merge: true });
      expect(await upsertRecords(store.db, 'signal', [event], { merge: true })).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    });

    it('reopens a resolved signal when an event says it is open again, and keeps it resolved when an event says nothing of status', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, { resolved_at: '2025-11-02T11:00:00Z' })], { merge: true });
      await upsertRecords(store.db, 'signal', [signal(1, { links: ['sha:abc1234'] })], { merge: true });
      expect((await listRecords(store.db, 'signals')).data[0]).toMatchObject({ status: 'resolved', resolved_at: '2025-11-02T11:00:00.000Z' });
      await upsertRecords(store.db, 'signal', [signal(1, { status: 'open' })], { merge: true });
      expect((await listRecords(store.db, 'signals')).data[0]).toMatchObject({ status: 'open', resolved_at: null });
    });

    it('keeps a deployment\'s kind and finished status against a later event without evidence', async () => {
      const base = { source: 'ci', external_id: 'd9', service: 'checkout' };
      await upsertRecords(store.db, 'deployment', [DeploymentSchema.parse({ ...base, kind: 'hotfix', kind_reason: 'branch hotfix/pay', status: 'success' })], { merge: true });
      const late = DeploymentSchema.parse({ ...base, status: 'in_progress', kind: 'planned', kind_reason: NO_KIND_SIGN, started_at: '2025-11-03T10:00:00Z' });
      await upsertRecords(store.db, 'deployment', [late], { merge: true });
      expect((await listRecords(store.db, 'deployments')).data[0]).toMatchObject({ kind: 'hotfix', kind_reason: 'branch hotfix/pay', status: 'success', started_at: '2025-11-03T10:00:00.000Z' });
    });

    it('lists a problem summary as the text it is, even when it looks like JSON', async () => {
      const now = '2025-11-03T10:00:00.000Z';
      await store.db
        .insertInto('problems')
        .values({ key: 'pagerduty:P1', title: 'Checkout down', summary: '{braces} in a summary', services: '[]', impact_start: now, signal_count: 1, review_state: 'to_verify', created_at: now, updated_at: now })
        .execute();
      expect((await listRecords(store.db, 'problems')).data[0]).toMatchObject({ summary: '{braces} in a summary', services: [] });
    });

    it('rolls back every batch of a failed transaction', async () => {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await upsertRecords(trx, 'signal', [signal(1), signal(2)]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await countRecords(store.db)).signals).toBe(0);
    });
  });
}
