// The metric facts queries return the same plain rows on SQLite and PostgreSQL, with the period,
// service and team pushed into SQL and the attribution neighbours (previous release, later problems) included.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Store } from '../../src/store/connection.ts';
import type { Database } from '../../src/store/schema.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { loadMetricFacts } from '../../src/store/metric-facts.ts';
import { ChangeSchema, CostEntrySchema, DefectSchema, DeploymentSchema, SignalSchema, TestRunSchema } from '../../src/domain/records.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const NOV = { label: '2025-11', start: '2025-11-01T00:00:00.000Z', end: '2025-12-01T00:00:00.000Z' };
const NOW = '2025-12-05T00:00:00.000Z';

async function addProblem(db: Kysely<Database>, fields: { key: string; service: string; impact_start: string; deployment_id: number | null; type?: string; severity?: string }) {
  const row = await db
    .insertInto('problems')
    .values({
      key: fields.key,
      title: `problem ${fields.key}`,
      service: fields.service,
      services: JSON.stringify([fields.service]),
      impact_start: fields.impact_start,
      detected_at: fields.impact_start,
      resolved_at: null,
      severity: fields.severity ?? 'high',
      signal_count: 1,
      type: fields.type ?? 'code',
      review_state: 'to_verify',
      deployment_id: fields.deployment_id,
      created_at: NOW,
      updated_at: NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function seed(store: Store) {
  const db = store.db;
  await upsertRecords(db, 'service', [
    { name: 'checkout', team: 'payments', aliases: [] },
    { name: 'search', team: 'discovery', aliases: [] },
  ]);
  const dep = (id: string, service: string, finished_at: string, extra: Record<string, unknown> = {}) =>
    DeploymentSchema.parse({ source: 'github', external_id: id, service, version: id, finished_at, ...extra });
  await upsertRecords(db, 'deployment', [
    dep('c-old', 'checkout', '2025-09-20T10:00:00Z'),
    dep('c-prev', 'checkout', '2025-10-20T10:00:00Z'),
    dep('c-1', 'checkout', '2025-11-10T10:00:00Z'),
    dep('c-2', 'checkout', '2025-11-20T10:00:00Z', { kind: 'hotfix' }),
    dep('c-stage', 'checkout', '2025-11-11T10:00:00Z', { environment: 'staging' }),
    dep('s-1', 'search', '2025-11-12T10:00:00Z'),
  ]);
  const ids = Object.fromEntries((await db.selectFrom('deployments').select(['id', 'external_id']).execute()).map((r) => [r.external_id, r.id]));
  await upsertRecords(db, 'change', [
    ChangeSchema.parse({ source: 'github', external_id: 'pr-1', service: 'checkout', first_commit_at: '2025-11-09T10:00:00Z', deployment_ref: 'github:c-1' }),
    ChangeSchema.parse({ source: 'github', external_id: 'pr-2', service: 'search', first_commit_at: '2025-11-11T10:00:00Z', deployment_ref: 'github:s-1' }),
  ]);
  await upsertRecords(db, 'defect', [
    DefectSchema.parse({ source: 'jira', external_id: 'QA-1', title: 'bug', service: 'checkout', found_at: '2025-11-05T10:00:00Z', severity: 'critical', labels: { ipr: 'count' } }),
    DefectSchema.parse({ source: 'jira', external_id: 'QA-2', title: 'old bug', service: 'checkout', found_at: '2025-10-15T10:00:00Z' }),
    DefectSchema.parse({ source: 'jira', external_id: 'QA-3', title: 'blocker', service: 'checkout', found_at: '2025-01-15T10:00:00Z', blocker: true, release: '5.0' }),
    DefectSchema.parse({ source: 'jira', external_id: 'QA-4', title: 'search bug', service: 'search', found_at: '2025-11-05T10:00:00Z' }),
  ]);
  await upsertRecords(db, 'test_run', [
    TestRunSchema.parse({ source: 'junit', external_id: 'run-1', service: 'checkout', release: '5.0', suite: 'regression', started_at: '2025-11-25T10:00:00Z', passed: 96, failed: 4, critical_total: 5, critical_passed: 5 }),
  ]);
  await upsertRecords(db, 'signal', [SignalSchema.parse({ source: 'pagerduty', external_id: 'P1', kind: 'alert', occurred_at: '2025-11-10T11:00:00Z', title: 'errors', service: 'checkout' })]);
  const p1 = await addProblem(db, { key: 'pagerduty:P1', service: 'checkout', impact_start: '2025-11-10T11:00:00.000Z', deployment_id: ids['c-1']! });
  const late = await addProblem(db, { key: 'pagerduty:P2', service: 'checkout', impact_start: '2025-12-02T11:00:00.000Z', deployment_id: ids['c-2']!, type: 'infra' });
  const outside = await addProblem(db, { key: 'pagerduty:P3', service: 'checkout', impact_start: '2025-08-02T11:00:00.000Z', deployment_id: ids['c-old']! });
  const search = await addProblem(db, { key: 'pagerduty:P4', service: 'search', impact_start: '2025-11-12T11:00:00.000Z', deployment_id: ids['s-1']! });
  const signal = await db.selectFrom('signals').select('id').where('external_id', '=', 'P1').executeTakeFirstOrThrow();
  await db.insertInto('signal_problems').values({ signal_id: signal.id, problem_id: p1 }).execute();
  await upsertRecords(db, 'cost_entry', [
    CostEntrySchema.parse({ source: 'import', external_id: 'h1', problem_ref: 'pagerduty:P1', role: 'dev', hours: 3 }),
    CostEntrySchema.parse({ source: 'import', external_id: 'h2', problem_ref: `problem:${late}`, role: 'devops', hours: 4 }),
  ]);
  return { ids, p1, late, outside, search };
}

for (const factory of factories) {
  describe.skipIf(factory.skip)(`metric facts on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('loads the period and the one before it, the last earlier release, later problems of its releases, and costs', async () => {
      const { ids, p1, late, search } = await seed(store);
      const facts = await loadMetricFacts(store.db, { period: NOV });
      // October is the previous period: c-prev is in the span; c-old is the last release before it.
      expect(facts.deployments.map((d) => d.id).sort((a, b) => a - b)).toEqual([ids['c-old'], ids['c-prev'], ids['c-1'], ids['c-2'], ids['s-1']].sort((a, b) => a! - b!));
      const c1 = facts.deployments.find((d) => d.id === ids['c-1'])!;
      expect(c1).toMatchObject({ service: 'checkout', environment: 'production', version: 'c-1', finished_at: '2025-11-10T10:00:00.000Z', status: 'success', kind: 'planned' });
      expect(facts.problems.map((p) => p.id).sort((a, b) => a - b)).toEqual([p1, late, search].sort((a, b) => a - b));
      const problem = facts.problems.find((p) => p.id === p1)!;
      expect(problem).toMatchObject({ key: 'pagerduty:P1', type: 'code', severity: 'high', impact_start: '2025-11-10T11:00:00.000Z', deployment_id: ids['c-1'], review_state: 'to_verify' });
      expect(facts.costs).toEqual(expect.arrayContaining([
        { problem_id: p1, role: 'dev', hours: 3, estimated: false },
        { problem_id: late, role: 'devops', hours: 4, estimated: false },
      ]));
      expect(facts.costs).toHaveLength(2);
      expect(facts.defects.map((d) => d.found_at).sort()).toEqual(['2025-01-15T10:00:00.000Z', '2025-10-15T10:00:00.000Z', '2025-11-05T10:00:00.000Z', '2025-11-05T10:00:00.000Z']);
      const critical = facts.defects.find((d) => d.severity === 'critical')!;
      expect(critical).toMatchObject({ blocker: false, labels: { ipr: 'count' }, category: 'functional', status: 'open' });
      expect(facts.defects.find((d) => d.release === '5.0')!.blocker).toBe(true);
      expect(facts.testRuns).toEqual([expect.objectContaining({ release: '5.0', suite: 'regression', passed: 96, failed: 4, critical_total: 5, critical_passed: 5 })]);
      expect(facts.changes.map((c) => [c.deployment_id, c.deployed_at, c.first_commit_at]).sort()).toEqual([
        [ids['c-1'], '2025-11-10T10:00:00.000Z', '2025-11-09T10:00:00.000Z'],
        [ids['s-1'], '2025-11-12T10:00:00.000Z', '2025-11-11T10:00:00.000Z'],
      ].sort());
    });

    it('narrows to a service, or to the services of a team, in SQL', async () => {
      const { ids, search } = await seed(store);
      const bySearch = await loadMetricFacts(store.db, { period: NOV, service: 'search' });
      expect(bySearch.deployments.map((d) => d.id)).toEqual([ids['s-1']]);
      expect(bySearch.problems.map((p) => p.id)).toEqual([search]);
      expect(bySearch.defects.map((d) => d.service)).toEqual(['search']);
      const byTeam = await loadMetricFacts(store.db, { period: NOV, team: 'discovery' });
      expect(byTeam.changes.map((c) => c.service)).toEqual(['search']);
      const nobody = await loadMetricFacts(store.db, { period: NOV, team: 'nobody' });
      expect(nobody.deployments).toEqual([]);
    });

    it('names each changed service\'s first successful production deployment over all history (lead-time scope)', async () => {
      const { ids } = await seed(store);
      const facts = await loadMetricFacts(store.db, { period: NOV });
      expect(facts.firstDeployments).toEqual({
        checkout: { id: ids['c-old'], finished_at: '2025-09-20T10:00:00.000Z' },
        search: { id: ids['s-1'], finished_at: '2025-11-12T10:00:00.000Z' },
      });
      const { dora } = await import('../../src/metrics/dora.ts');
      const lead = dora(facts, NOV, { definitions: '2024', now: new Date(NOW) }).change_lead_time;
      // pr-2 rode search's first recorded deployment: left out; pr-1 (24 h) counts.
      expect(lead.median.value).toBe(24);
      expect(lead.excluded).toEqual({ count: 1, by_reason: { 'shipped by the first recorded deployment': 1 }, changes: [expect.any(Number)] });
    });

    it('answers an empty store and the open-ended period "all"', async () => {
      const facts = await loadMetricFacts(store.db, { period: { label: 'all time', start: '0000-01-01T00:00:00.000Z', end: '9999-12-31T00:00:00.000Z' } });
      expect(facts).toEqual({ problems: [], set_aside: [], deployments: [], defects: [], testRuns: [], changes: [], costs: [] });
    });
  });
}

describe.each(factories.filter((f) => !f.skip))('computeMetrics cache on $dialect', (factory) => {
  it('answers from memory until a write changes the data', async () => {
    const { computeMetrics } = await import('../../src/store/metric-facts.ts');
    const { DEFAULT_CONFIG } = await import('../../src/domain/config.ts');
    const store = await factory.open();
    try {
      await seed(store);
      const request = { family: 'epr' as const, period: NOV, config: DEFAULT_CONFIG, definitions: '2024' as const, now: new Date(NOW) };
      const first = (await computeMetrics(store, request)) as { epr: { numerator: number; denominator: number } };
      expect(first.epr).toMatchObject({ numerator: 3, denominator: 3 });
      // On PostgreSQL the token is the cluster's WAL position: any other write anywhere may miss the cache.
      if (factory.dialect === 'sqlite') expect(await computeMetrics(store, request)).toBe(first);
      else expect(await computeMetrics(store, request)).toEqual(first);
      await upsertRecords(store.db, 'deployment', [DeploymentSchema.parse({ source: 'github', external_id: 'c-3', service: 'checkout', version: 'c-3', finished_at: '2025-11-25T10:00:00Z' })]);
      const after = (await computeMetrics(store, request)) as { epr: { numerator: number; denominator: number } };
      expect(after).not.toBe(first);
      expect(after.epr).toMatchObject({ numerator: 3, denominator: 4 });
    } finally {
      await store.close();
    }
  });
});

describe.each(factories.filter((f) => !f.skip))('dataVersion on $dialect', (factory) => {
  it('hits until any write path commits a change to a table the facts read, then misses', async () => {
    const { computeMetrics, dataVersion } = await import('../../src/store/metric-facts.ts');
    const { DEFAULT_CONFIG } = await import('../../src/domain/config.ts');
    const { sql } = await import('kysely');
    const store = await factory.open();
    try {
      await seed(store);
      const request = { family: 'epr' as const, period: NOV, config: DEFAULT_CONFIG, definitions: '2024' as const, now: new Date(NOW) };
      const first = await computeMetrics(store, request);
      expect(await computeMetrics(store, request)).toBe(first);
      const before = await dataVersion(store);
      expect(before).not.toBeNull();
      // A raw statement, not the store's upsert: every write path counts.
      await sql`update problems set type = 'infra'`.execute(store.db);
      const afterRaw = await dataVersion(store);
      expect(afterRaw).not.toBe(before);
      const second = (await computeMetrics(store, request)) as { epr: unknown };
      expect(second).not.toBe(first);
      expect(await computeMetrics(store, request)).toBe(second);
    } finally {
      await store.close();
    }
  });
});

describe.each(factories.filter((f) => f.dialect === 'postgres' && !f.skip))('dataVersion across PostgreSQL connections', (factory) => {
  it('moves when another connection commits, not before, and not for other schemas', async () => {
    const { dataVersion } = await import('../../src/store/metric-facts.ts');
    const { sql } = await import('kysely');
    const { openPostgresStore } = await import('../helpers/stores.ts');
    const store = await factory.open();
    const other = await factory.open();
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]!.s;
    const writer = await openPostgresStore(schema);
    try {
      await seed(store);
      const start = await dataVersion(store);
      await upsertRecords(other.db, 'deployment', [DeploymentSchema.parse({ source: 'github', external_id: 'x-1', service: 'checkout', finished_at: '2025-11-25T10:00:00Z' })]);
      expect(await dataVersion(store)).toBe(start);
      let inside: string | null = null;
      await writer.db.transaction().execute(async (trx) => {
        await sql`update deployments set kind = 'hotfix' where external_id = 'c-1'`.execute(trx);
        inside = await dataVersion(store);
      });
      expect(inside).toBe(start);
      const committed = await dataVersion(store);
      expect(committed).not.toBe(start);
      expect(committed).toContain('deployments=');
    } finally {
      await writer.close();
      await other.close();
      await store.close();
    }
  });
});
