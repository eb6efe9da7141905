// Pushed and merged changes arrive without a deployment; the pipeline gives them the production
// deployment that shipped them (change_shipments), so change lead time counts them and a problem naming
// their pull request is attributed to that deployment. On SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { ChangeSchema, DeploymentSchema, SignalSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { deriveShipments } from '../../src/store/shipments.ts';
import { loadMetricFacts } from '../../src/store/metric-facts.ts';
import { dora } from '../../src/metrics/dora.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const config = ConfigSchema.parse({});
const NOV = { label: '2025-11', start: '2025-11-01T00:00:00.000Z', end: '2025-12-01T00:00:00.000Z' };

const dep = (id: string, finished_at: string, extra: Record<string, unknown> = {}) =>
  DeploymentSchema.parse({ source: 'github', external_id: id, service: 'checkout', version: id, started_at: finished_at, finished_at, ...extra });
const change = (id: string, extra: Record<string, unknown>) => ChangeSchema.parse({ source: 'github', external_id: id, service: 'checkout', repository: 'acme/checkout', ...extra });

async function seed(store: Store) {
  await upsertRecords(store.db, 'deployment', [
    dep('first', '2025-10-01T10:00:00Z'),
    dep('d1', '2025-11-10T10:00:00Z', { commit_sha: 'abcdef1234567890' }),
    dep('d2', '2025-11-20T10:00:00Z'),
    dep('failed', '2025-11-15T10:00:00Z', { status: 'failure' }),
    dep('staging', '2025-11-16T10:00:00Z', { environment: 'staging' }),
  ]);
  await upsertRecords(store.db, 'change', [
    // A push of the commit d1 deployed.
    change('acme/checkout@abcdef1234567890', { sha: 'abcdef1234567890', first_commit_at: '2025-11-09T10:00:00Z' }),
    // A pull request merged after d1: the failed and staging deployments did not ship it, d2 did.
    change('acme/checkout#7', { pr_number: 7, first_commit_at: '2025-11-12T10:00:00Z', merged_at: '2025-11-14T10:00:00Z' }),
    // Merged after the last deployment: not shipped yet.
    change('acme/checkout#8', { pr_number: 8, first_commit_at: '2025-11-21T10:00:00Z', merged_at: '2025-11-22T10:00:00Z' }),
    // Its source named its deployment: nothing to derive.
    change('acme/checkout#6', { pr_number: 6, first_commit_at: '2025-11-08T10:00:00Z', merged_at: '2025-11-09T10:00:00Z', deployment_ref: 'github:d1' }),
  ]);
}

const shipments = (store: Store) =>
  store.db.selectFrom('change_shipments as s').innerJoin('changes as c', 'c.id', 's.change_id').select(['c.external_id', 's.deployment_ref', 's.reason']).orderBy('c.external_id').execute();

for (const factory of factories) {
  describe.skipIf(factory.skip)(`change shipments on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
      await seed(store);
    });
    afterEach(async () => {
      await store.close();
    });

    it('the pipeline gives each pushed or merged change the deployment that shipped it, and writes nothing the second time', async () => {
      const summary = await runPipeline(store, config, { now: '2025-11-25T00:00:00.000Z' });
      expect(summary.changes_shipped).toEqual({ unshipped: 3, shipped: 2 });
      expect(await shipments(store)).toEqual([
        { external_id: 'acme/checkout#7', deployment_ref: 'github:d2', reason: 'first production deployment of checkout after it merged' },
        { external_id: 'acme/checkout@abcdef1234567890', deployment_ref: 'github:d1', reason: 'deployed its commit abcdef1234567890' },
      ]);
      expect(await deriveShipments(store.db)).toEqual({ unshipped: 3, shipped: 2, inserted: 0, updated: 0, deleted: 0 });
    });

    it('change lead time counts the changes shipped that way, each once', async () => {
      const lead = async () => {
        const facts = await loadMetricFacts(store.db, { period: NOV });
        const hours = facts.changes.map((c) => (Date.parse(c.deployed_at!) - Date.parse(c.first_commit_at)) / 3_600_000).sort((a, b) => a - b);
        return { hours, median: dora(facts, NOV, { definitions: '2024', now: new Date('2025-11-25T00:00:00Z') }).change_lead_time.median.value };
      };
      // #6 alone: 2025-11-08 → d1 on 2025-11-10.
      expect(await lead()).toEqual({ hours: [48], median: 48 });
      await deriveShipments(store.db);
      // The push 24 h (→ d1), #6 48 h, #7 192 h (2025-11-12 → d2 on 2025-11-20).
      expect(await lead()).toEqual({ hours: [24, 48, 192], median: 48 });
      // A derived row left beside the deployment its source now names is not read: #7 counts once, by its source.
      const seven = await store.db.selectFrom('changes').select('id').where('external_id', '=', 'acme/checkout#7').executeTakeFirstOrThrow();
      await store.db.updateTable('changes').set({ deployment_ref: 'github:d2' }).where('id', '=', seven.id).execute();
      expect((await lead()).hours).toEqual([24, 48, 192]);
    });

    it('a change whose source later names its deployment, or whose deployment turned out failed, loses the derived one', async () => {
      await deriveShipments(store.db);
      await upsertRecords(store.db, 'change', [change('acme/checkout#7', { pr_number: 7, first_commit_at: '2025-11-12T10:00:00Z', merged_at: '2025-11-14T10:00:00Z', deployment_ref: 'github:d1' })]);
      await upsertRecords(store.db, 'deployment', [dep('d1', '2025-11-10T10:00:00Z', { commit_sha: 'abcdef1234567890', status: 'failure' })]);
      // #7 now has its source's deployment; the push's commit never reached users (and it has no merge time).
      expect(await deriveShipments(store.db)).toEqual({ unshipped: 2, shipped: 0, inserted: 0, updated: 0, deleted: 2 });
      expect(await shipments(store)).toEqual([]);
    });

    it('a problem naming a pull request is attributed to the deployment that shipped it', async () => {
      await upsertRecords(store.db, 'signal', [
        SignalSchema.parse({ source: 'sentry', external_id: 'S1', kind: 'alert', environment: 'production', service: 'checkout', occurred_at: '2025-11-20T12:00:00Z', title: 'TypeError in cart total', links: ['pr:acme/checkout#7'] }),
      ]);
      await runPipeline(store, config, { now: '2025-11-25T00:00:00.000Z' });
      const problem = await store.db.selectFrom('problems').select(['deployment_id', 'attribution']).executeTakeFirstOrThrow();
      const d2 = await store.db.selectFrom('deployments').select('id').where('external_id', '=', 'd2').executeTakeFirstOrThrow();
      expect(problem.deployment_id).toBe(d2.id);
      expect(JSON.stringify(problem.attribution)).toContain('PR acme/checkout#7');
    });
  });
}
