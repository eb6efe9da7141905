// The problem store on both dialects: decisions, time-ordered paging, alias re-mapping, writes by key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { loadServiceResolver } from '../../src/store/services.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import {
  deleteOrphanProblems,
  loadDecisions,
  recordDecision,
  remapSignalServices,
  signalsInTimeOrder,
  writeProblems,
  type DerivedColumns,
} from '../../src/store/problems.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();

const signal = (n: number, at: string, extra: Record<string, unknown> = {}) =>
  SignalSchema.parse({ source: 'datadog', external_id: `s${n}`, kind: 'alert', occurred_at: at, title: `signal ${n}`, service: 'Checkout', ...extra });

/** Every signal with the problem it points at (null when none), by external id or id. */
const pointers = (store: Store, order: 'external_id' | 'id' = 'external_id') =>
  store.db.selectFrom('signals').leftJoin('signal_problems as sp', 'sp.signal_id', 'signals.id').select(['signals.id', 'signals.external_id', 'sp.problem_id']).orderBy(`signals.${order}`).execute();

const columns = (key: string, extra: Partial<DerivedColumns> = {}): DerivedColumns => ({
  key,
  title: `problem ${key}`,
  summary: '[FIRING:1] not JSON',
  service: 'checkout',
  services: JSON.stringify(['checkout']),
  environment: 'production',
  impact_start: '2025-11-03T10:00:00.000Z',
  detected_at: null,
  resolved_at: null,
  severity: 'high',
  signal_count: 1,
  type: 'code',
  type_confidence: 0.75,
  type_decider: 'rule',
  type_rationale: 'rules: …',
  review_state: 'classified',
  correlation: JSON.stringify({ rules: { link: 1 }, reasons: [], facts: { post_deploy: false } }),
  ...extra,
});

for (const factory of factories) {
  describe.skipIf(factory.skip)(`problem store on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const ids = async () => Object.fromEntries((await store.db.selectFrom('signals').select(['id', 'external_id']).execute()).map((r) => [r.external_id, Number(r.id)]));

    it('keeps decisions with who and when, in order, with their payload', async () => {
      await recordDecision(store.db, { action: 'merge', subject: 'datadog:s1', payload: { signals: ['datadog:s1', 'datadog:s2'] }, actor: 'ana', decided_at: '2025-11-04T09:00:00.000Z' });
      await recordDecision(store.db, { action: 'confirm_type', subject: 'datadog:s1', payload: { type: 'infra' }, actor: 'ben' });
      const all = await loadDecisions(store.db);
      expect(all.map((d) => [d.action, d.subject, d.actor])).toEqual([
        ['merge', 'datadog:s1', 'ana'],
        ['confirm_type', 'datadog:s1', 'ben'],
      ]);
      expect(all[0]).toMatchObject({ payload: { signals: ['datadog:s1', 'datadog:s2'] }, decided_at: '2025-11-04T09:00:00.000Z' });
      expect((await loadDecisions(store.db, ['confirm_type'])).map((d) => d.payload)).toEqual([{ type: 'infra' }]);
    });

    it('pages signals in (occurred_at, id) order, ties included', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, '2025-11-03T10:05:00Z'), signal(2, '2025-11-03T10:00:00Z'), signal(3, '2025-11-03T10:05:00Z'), signal(4, '2025-11-03T10:05:00Z'), signal(5, '2025-11-03T09:00:00Z')]);
      const seen: string[] = [];
      for await (const page of signalsInTimeOrder(store.db, 'assembly', 2)) {
        expect(page.length).toBeLessThanOrEqual(2);
        for (const s of page) seen.push(`${s.external_id}@${s.occurred_at.slice(11, 16)}`);
      }
      expect(seen).toEqual(['s5@09:00', 's2@10:00', 's1@10:05', 's3@10:05', 's4@10:05']);
    });

    it.skipIf(factory.dialect !== 'sqlite')('pages the same signals through the raw SQLite statement as through Kysely', async () => {
      await upsertRecords(store.db, 'signal', [
        signal(1, '2025-11-03T10:05:00Z', { links: ['jira:PAY-1', 'url:https://x.example/a'], labels: { team: 'pay', region: 'eu' }, body: 'details', severity: 'high', url: 'https://dd/1' }),
        signal(2, '2025-11-03T10:00:00Z', { service: undefined, resolved_at: '2025-11-03T11:00:00Z', detected_at: '2025-11-03T10:02:00Z' }),
        signal(3, '2025-11-03T10:05:00Z', { kind: 'chat', labels: { channel: 'C1' } }),
        signal(4, '2025-11-03T09:00:00Z', { kind: 'ticket', environment: 'staging' }),
      ]);
      const s3 = await store.db.selectFrom('signals').select('id').where('external_id', '=', 's3').executeTakeFirstOrThrow();
      await store.db.insertInto('signal_problems').values({ signal_id: s3.id, problem_id: 7 }).execute();
      for (const columns of ['correlation', 'assembly'] as const) {
        const viaKysely: unknown[][] = [];
        const viaRaw: unknown[][] = [];
        for await (const page of signalsInTimeOrder(store.db, columns as 'assembly', 3)) viaKysely.push(page.map((s) => ({ ...s })));
        for await (const page of signalsInTimeOrder(store.db, columns as 'assembly', 3, store.sqlite)) viaRaw.push(page.map((s) => ({ ...s })));
        expect(viaRaw).toEqual(viaKysely);
        expect(viaRaw.map((p) => p.length)).toEqual([3, 1]);
        expect(viaRaw[0]![0]).toMatchObject({ external_id: 's4', kind: 'ticket', links: [] });
        expect(viaRaw[0]![2]).toMatchObject({ external_id: 's1', links: ['jira:PAY-1', 'url:https://x.example/a'] });
        if (columns === 'assembly') expect(viaRaw[0]![2]).toMatchObject({ labels: { region: 'eu', team: 'pay' }, body: 'details', severity: 'high', problem_id: null });
        if (columns === 'assembly') expect(viaRaw[1]![0]).toMatchObject({ external_id: 's3', problem_id: 7 });
        // Where a report was raised comes with the correlation pass; an alert's labels are no venue.
        if (columns === 'correlation') expect(viaRaw.flat().map((s) => (s as { venue: unknown }).venue)).toEqual([null, null, null, 'channel C1']);
      }
    });

    it('re-maps services from the name the source used through the current aliases', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, '2025-11-03T10:00:00Z'), signal(2, '2025-11-03T10:01:00Z', { service: 'search' })]);
      await upsertRecords(store.db, 'service', [{ name: 'checkout-api', aliases: ['checkout'] }]);
      // Through the raw connection's plain scan on SQLite (Kysely on PostgreSQL), then through Kysely.
      expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), store.sqlite)).toBe(1);
      expect(await remapSignalServices(store.db, await loadServiceResolver(store.db))).toBe(0);
      expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), store.sqlite)).toBe(0);
      const rows = await store.db.selectFrom('signals').select(['external_id', 'service', 'service_raw']).orderBy('external_id').execute();
      expect(rows).toEqual([
        { external_id: 's1', service: 'checkout-api', service_raw: 'Checkout' },
        { external_id: 's2', service: 'search', service_raw: 'search' },
      ]);
      await upsertRecords(store.db, 'service', [{ name: 'search-api', aliases: ['search'] }]);
      expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), store.sqlite)).toBe(1);
      expect((await store.db.selectFrom('signals').select('service').where('external_id', '=', 's2').executeTakeFirstOrThrow()).service).toBe('search-api');
    });

    it('re-maps many names at once, each by its own source, and leaves the rest as they were', async () => {
      // 600 names (more than one portable update's 500), on two sources, before any service is known.
      const names = Array.from({ length: 600 }, (_, n) => `svc${n}`);
      await upsertRecords(store.db, 'signal', [
        ...names.map((name, n) => signal(n, '2025-11-03T10:00:00Z', { service: name })),
        signal(1000, '2025-11-03T10:00:00Z', { source: 'sentry', service: 'svc1' }),
        signal(1001, '2025-11-03T10:00:00Z', { source: 'sentry', service: 'Pay' }),
        signal(1002, '2025-11-03T10:00:00Z', { service: 'Pay' }),
      ]);
      // svc0..svc599 become app-0..app-599; `pay` means payments-api only where Sentry says it.
      await upsertRecords(store.db, 'service', [
        ...names.map((name, n) => ({ name: `app-${n}`, aliases: [name] })),
        { name: 'payments-api', aliases: ['sentry:pay'] },
      ]);
      const services = async () => Object.fromEntries((await store.db.selectFrom('signals').select(['source', 'external_id', 'service']).execute()).map((r) => [`${r.source}:${r.external_id}`, r.service]));
      for (const sqlite of [store.sqlite, undefined]) {
        // From the names to the services; a second pass changes nothing.
        expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), sqlite)).toBe(602);
        expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), sqlite)).toBe(0);
        const after = await services();
        expect(after['datadog:s0']).toBe('app-0');
        expect(after['datadog:s599']).toBe('app-599');
        expect(after['sentry:s1000']).toBe('app-1');
        expect(after['sentry:s1001']).toBe('payments-api');
        expect(after['datadog:s1002']).toBe('Pay');
        // Half of a name already mapped: only the other half changes.
        await store.db.updateTable('signals').set({ service: 'svc1' }).where('external_id', '=', 's1000').execute();
        expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), sqlite)).toBe(1);
        expect((await services())['sentry:s1000']).toBe('app-1');
        // As ingested before the services were known: each signal's service is the name its source used.
        await store.db.updateTable('signals').set((eb) => ({ service: eb.ref('service_raw') })).execute();
      }
    });

    it('re-maps a name whose signals have several services (the alias moved) once, and only the signals that differ', async () => {
      await upsertRecords(store.db, 'signal', [1, 2, 3].map((n) => signal(n, '2025-11-03T10:00:00Z', { source: 'sentry', service: 'pay' })));
      await upsertRecords(store.db, 'service', [{ name: 'billing', aliases: ['sentry:pay'] }]);
      for (const sqlite of [store.sqlite, undefined]) {
        // Ingested before the catalog, then under one alias, then another: three services for one name.
        for (const [id, service] of [['s1', 'pay'], ['s2', 'payments'], ['s3', 'billing']]) await store.db.updateTable('signals').set({ service }).where('external_id', '=', id!).execute();
        expect(await remapSignalServices(store.db, await loadServiceResolver(store.db), sqlite)).toBe(2);
        expect((await store.db.selectFrom('signals').select('service').distinct().execute()).map((r) => r.service)).toEqual(['billing']);
      }
    });

    it('writes problems by key: inserts, then leaves unchanged, then updates only what changed; points signals at them', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, '2025-11-03T10:00:00Z'), signal(2, '2025-11-03T10:01:00Z'), signal(3, '2025-11-03T10:02:00Z')]);
      const id = await ids();
      const first = await writeProblems(store.db, [
        { columns: columns('datadog:s1', { signal_count: 2 }), signal_ids: [id.s1!, id.s2!], previous_problem_ids: [null, null] },
        { columns: columns('datadog:s3'), signal_ids: [id.s3!], previous_problem_ids: [null] },
      ], '2025-11-05T00:00:00.000Z');
      expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, signals: 3 });
      const stored = await store.db.selectFrom('problems').selectAll().orderBy('key').execute();
      const byKey = Object.fromEntries(stored.map((p) => [p.key, Number(p.id)]));
      const assigned = await pointers(store);
      expect(assigned.map((s) => [s.external_id, s.problem_id])).toEqual([['s1', byKey['datadog:s1']], ['s2', byKey['datadog:s1']], ['s3', byKey['datadog:s3']]]);

      const again = await writeProblems(store.db, [
        { columns: columns('datadog:s1', { signal_count: 2 }), signal_ids: [id.s1!, id.s2!], previous_problem_ids: [byKey['datadog:s1']!, byKey['datadog:s1']!] },
      ], '2025-11-06T00:00:00.000Z');
      expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 1, signals: 0 });

      const changed = await writeProblems(store.db, [
        { columns: columns('datadog:s1', { signal_count: 3, type: 'infra' }), signal_ids: [id.s1!, id.s2!, id.s3!], previous_problem_ids: [byKey['datadog:s1']!, byKey['datadog:s1']!, byKey['datadog:s3']!] },
      ], '2025-11-07T00:00:00.000Z');
      expect(changed).toEqual({ inserted: 0, updated: 1, unchanged: 0, signals: 1 });
      const row = await store.db.selectFrom('problems').selectAll().where('key', '=', 'datadog:s1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ signal_count: 3, type: 'infra', created_at: '2025-11-05T00:00:00.000Z', updated_at: '2025-11-07T00:00:00.000Z' });

      expect(await deleteOrphanProblems(store.db)).toBe(1);
      expect((await store.db.selectFrom('problems').select('key').execute()).map((p) => p.key)).toEqual(['datadog:s1']);
    });

    it('points a signal named by two problems of one batch at the last, on every dialect', async () => {
      await upsertRecords(store.db, 'signal', [signal(1, '2025-11-03T10:00:00Z'), signal(2, '2025-11-03T10:01:00Z')]);
      const id = await ids();
      await writeProblems(store.db, [
        { columns: columns('datadog:s1'), signal_ids: [id.s1!, id.s2!], previous_problem_ids: [null, null] },
        { columns: columns('datadog:s2'), signal_ids: [id.s2!], previous_problem_ids: [null] },
      ]);
      const byKey = Object.fromEntries((await store.db.selectFrom('problems').select(['id', 'key']).execute()).map((p) => [p.key, Number(p.id)]));
      expect((await pointers(store)).map((s) => [s.external_id, s.problem_id])).toEqual([['s1', byKey['datadog:s1']], ['s2', byKey['datadog:s2']]]);
    });

    it('points every signal of a large group at its problem, and only the ones that moved', async () => {
      const n = 80;
      await upsertRecords(store.db, 'signal', Array.from({ length: n }, (_, k) => signal(k + 1, `2025-11-03T1${Math.floor(k / 60)}:${String(k % 60).padStart(2, '0')}:00Z`)));
      const id = await ids();
      const all = Array.from({ length: n }, (_, k) => id[`s${k + 1}`]!);
      // 70 signals for the first problem (more than one statement's 64 pairs), 10 for the second.
      const write = (previous: (number | null)[], split: number, now: string) =>
        writeProblems(store.db, [
          { columns: columns('datadog:s1', { signal_count: split }), signal_ids: all.slice(0, split), previous_problem_ids: previous.slice(0, split) },
          { columns: columns(`datadog:s${split + 1}`, { signal_count: n - split }), signal_ids: all.slice(split), previous_problem_ids: previous.slice(split) },
        ], now, store.sqlite);
      expect(await write(all.map(() => null), 70, '2025-11-05T00:00:00.000Z')).toMatchObject({ inserted: 2, signals: n });
      const pointed = async () => (await pointers(store, 'id')).map((r) => Number(r.problem_id));
      const first = await pointed();
      const [a, b] = [first[0]!, first[79]!];
      expect(first).toEqual([...Array(70).fill(a), ...Array(10).fill(b)]);
      // Signal 71 joins the first problem: it moves, and the 9 after it to a new problem; the rest stay.
      expect(await write(first, 71, '2025-11-06T00:00:00.000Z')).toMatchObject({ inserted: 1, signals: 10 });
      const second = await pointed();
      expect(second.slice(0, 71)).toEqual(Array(71).fill(a));
      expect(new Set(second.slice(71)).size).toBe(1);
      expect(second[71]).not.toBe(b);
      expect(Number((await store.db.selectFrom('signal_problems').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(80);
    });

    it.skipIf(factory.dialect !== 'sqlite')('inserts and points signals through the raw SQLite statements as through Kysely', async () => {
      await upsertRecords(store.db, 'signal', [1, 2, 3, 4, 5, 6].map((n) => signal(n, `2025-11-03T10:0${n}:00Z`)));
      const id = await ids();
      // Steps leave columns out or undefined; the column sets differ from row to row.
      const batch = (prefix: string, [a, b, c]: number[]) => [
        { columns: columns(`${prefix}:a`, { title: 'a', signal_count: 2, deployment_id: 7, attribution: JSON.stringify({ method: 'explicit' }) }), signal_ids: [a!, b!], previous_problem_ids: [null, null] },
        { columns: { ...columns(`${prefix}:b`, { title: 'b', cost: JSON.stringify({ hours: 1.5 }) }), type: undefined } as unknown as DerivedColumns, signal_ids: [c!], previous_problem_ids: [null] },
      ];
      const viaKysely = await writeProblems(store.db, batch('k', [id.s1!, id.s2!, id.s3!]), '2025-11-05T00:00:00.000Z');
      const viaRaw = await writeProblems(store.db, batch('r', [id.s4!, id.s5!, id.s6!]), '2025-11-05T00:00:00.000Z', store.sqlite);
      expect(viaRaw).toEqual(viaKysely);
      expect(viaRaw).toEqual({ inserted: 2, updated: 0, unchanged: 0, signals: 3 });
      const rows = await store.db.selectFrom('problems').selectAll().orderBy('id').execute();
      const strip = ({ id: _id, key, ...rest }: (typeof rows)[number]) => ({ ...rest, key: key.slice(2) });
      expect(rows.map((r) => r.key)).toEqual(['k:a', 'k:b', 'r:a', 'r:b']);
      expect(rows.slice(2).map(strip)).toEqual(rows.slice(0, 2).map(strip));
      expect(rows[1]).toMatchObject({ type: null, deployment_id: null, cost: '{"hours":1.5}' });
      const pointed = await pointers(store);
      expect(pointed.map((s) => s.problem_id)).toEqual([rows[0]!.id, rows[0]!.id, rows[1]!.id, rows[2]!.id, rows[2]!.id, rows[3]!.id]);
      // Run again through the raw path: nothing new, nothing changed, no signal moved.
      expect(await writeProblems(store.db, batch('r', [id.s4!, id.s5!, id.s6!]).map((p, k) => ({ ...p, previous_problem_ids: p.previous_problem_ids.map(() => rows[2 + k]!.id) })), '2025-11-06T00:00:00.000Z', store.sqlite)).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 2,
        signals: 0,
      });
    });
  });
}
