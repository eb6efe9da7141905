// Attribution, outcomes and cost through `escapement pipeline` on a real store, both dialects:
// what is written, and that a person's decisions survive a re-run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { CostEntrySchema, DeploymentSchema, SignalSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { fromJson } from '../../src/store/schema.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { addCostEntry, decideAttribution, decideOutcome, problemCost } from '../../src/store/attribution.ts';
import type { Attribution } from '../../src/pipeline/attribute.ts';
import { confirmProblemType } from '../../src/pipeline/review.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const config = ConfigSchema.parse({ classification: { min_training_examples: 100 }, cost: { rates: { dev: 100, qa: 80, devops: 90, pm: 70 } } });

const deployment = (id: string, version: string, finished: string, extra: Record<string, unknown> = {}) =>
  DeploymentSchema.parse({ source: 'github', external_id: id, service: 'checkout', version, finished_at: finished, ...extra });

// -1d checkout 2.4.9 · 09:50 checkout 2.5.0 · 10:00 checkout errors · 10:20 rollback to 2.4.9
// 10:00 search provider outage (nothing deployed to search)
const deployments = [
  deployment('d0', '2.4.9', '2025-11-02T09:00:00Z'),
  deployment('d1', '2.5.0', '2025-11-03T09:50:00Z'),
  deployment('d2', '2.4.9', '2025-11-03T10:20:00Z', { kind: 'rollback', rolls_back_to: '2.4.9' }),
];
const signals = [
  SignalSchema.parse({ source: 'pagerduty', external_id: 'PD1', kind: 'incident', occurred_at: '2025-11-03T10:00:00Z', detected_at: '2025-11-03T10:05:00Z', resolved_at: '2025-11-03T10:30:00Z', service: 'checkout', environment: 'production', title: 'Checkout failing' }),
  SignalSchema.parse({ source: 'prometheus', external_id: 'S1', kind: 'alert', occurred_at: '2025-11-03T10:00:00Z', resolved_at: '2025-11-03T12:00:00Z', service: 'search', environment: 'production', title: 'Search provider outage: status page red' }),
];

for (const factory of factories) {
  describe.skipIf(factory.skip)(`attribution through the pipeline on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
      await upsertRecords(store.db, 'deployment', deployments);
      await upsertRecords(store.db, 'signal', signals);
    });
    afterEach(async () => {
      await store.close();
    });

    const problem = (service: string) => store.db.selectFrom('problems').selectAll().where('service', '=', service).executeTakeFirstOrThrow();
    const deploymentRow = (id: string) => store.db.selectFrom('deployments').selectAll().where('external_id', '=', id).executeTakeFirstOrThrow();

    it('attributes, explains, derives outcomes and costs; a re-run changes nothing', async () => {
      await runPipeline(store, config);
      const checkout = await problem('checkout');
      const d1 = await deploymentRow('d1');
      expect(checkout.deployment_id).toBe(d1.id);
      const attribution = fromJson<Attribution>(checkout.attribution, {} as Attribution);
      // Classified a regression (right after a deployment), so the 10-minute gap weighs most; the rollback agrees.
      expect(attribution).toMatchObject({ method: 'time_window', deployment_ref: 'github:d1', decided_by: 'pipeline', confidence: 0.9794 });
      expect(attribution.evidence.map((e) => e.detail)).toEqual([
        'the running checkout deployment, 10 min before the impact began',
        'rolled back by github:d2 (to 2.4.9) 20 min after the impact began',
        'an earlier checkout deployment, 25.0 h before the impact began',
      ]);

      const search = await problem('search');
      expect(search.deployment_id).toBeNull();
      expect(fromJson<Attribution>(search.attribution, {} as Attribution).unattributed).toEqual({
        reason: 'external_cause',
        explanation: 'a signal says "outage", and no signal names a change of search',
      });

      expect(d1).toMatchObject({ failed: 1, rework: 0 });
      expect(await deploymentRow('d2')).toMatchObject({ failed: 0, rework: 1 });
      expect(await deploymentRow('d0')).toMatchObject({ failed: 0, rework: 0 });
      expect(fromJson<{ failed_because: { kind: string }[] }>(d1.outcome, { failed_because: [] }).failed_because.map((r) => r.kind)).toEqual(['escaped_problem', 'rolled_back']);

      const cost = fromJson<{ estimated: boolean; total_hours: number; time_to_detect_minutes: number }>(checkout.cost, { estimated: false, total_hours: 0, time_to_detect_minutes: 0 });
      expect(cost.estimated).toBe(true);
      expect(cost.time_to_detect_minutes).toBe(5);

      // Nothing changed, so nothing is written: no problem, pointer or outcome (SQLite counts the rows written).
      const changes = () => (store.sqlite?.prepare('select total_changes() as n').get() as { n: number } | undefined)?.n;
      const before = changes();
      const again = await runPipeline(store, config);
      expect(again).toMatchObject({ problems: 2, inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
      expect(changes()).toBe(before);
      // An outcome whose flags are right but whose reasons are not is written again, and only that one.
      const stored = (await deploymentRow('d1')).outcome;
      await store.db.updateTable('deployments').set({ outcome: '{}' }).where('external_id', '=', 'd1').execute();
      const damaged = changes();
      await runPipeline(store, config);
      expect((await deploymentRow('d1')).outcome).toEqual(stored);
      if (store.sqlite) expect(changes()! - damaged!).toBe(1);
      expect((await problem('checkout')).deployment_id).toBe(d1.id);
    });

    it("keeps a person's release decision and outcome decision across re-runs", async () => {
      await runPipeline(store, config);
      const checkout = await problem('checkout');
      const d0 = await deploymentRow('d0');
      const decided = await decideAttribution(store.db, config, String(checkout.id), 'github:d0', 'the config in 2.4.9 was the cause', 'ana', '2025-11-04T09:00:00.000Z');
      expect(decided).toMatchObject({ problem_id: checkout.id, deployment_id: d0.id, attribution: { method: 'person', actor: 'ana', pipeline: { deployment_ref: 'github:d1', method: 'time_window' } } });
      expect(await deploymentRow('d0')).toMatchObject({ failed: 1 });

      await decideOutcome(store.db, 'github:d2', { rework: false }, 'a drill', 'ops', '2025-11-04T10:00:00.000Z');
      await runPipeline(store, config);
      const after = await problem('checkout');
      expect(after.deployment_id).toBe(d0.id);
      expect(fromJson<Attribution>(after.attribution, {} as Attribution)).toMatchObject({ method: 'person', decided_by: 'person', confidence: 1 });
      expect(await deploymentRow('d2')).toMatchObject({ rework: 0 });

      await decideAttribution(store.db, config, checkout.key, null, 'no deployment did it', 'ana', '2025-11-04T11:00:00.000Z');
      await runPipeline(store, config);
      expect((await problem('checkout')).deployment_id).toBeNull();
    });

    it("keeps a person's confirmed type confirmed when the release stays in doubt, across re-runs", async () => {
      // A signal naming a deployment nobody knows: attribution asks for review on every run.
      await upsertRecords(store.db, 'signal', [
        SignalSchema.parse({ source: 'sentry', external_id: 'E1', kind: 'alert', occurred_at: '2025-11-05T08:00:00Z', service: 'billing', environment: 'production', title: 'NullPointerException in invoice totals', links: ['deployment:github:unknown-7'] }),
      ]);
      await runPipeline(store, config);
      const billing = await problem('billing');
      expect(fromJson<Attribution>(billing.attribution, {} as Attribution)).toMatchObject({ needs_review: true, unresolved_references: ['deployment:github:unknown-7'] });
      expect(billing.review_state).toBe('to_verify');

      await confirmProblemType(store, config, billing.id, 'code', 'ana');
      expect((await problem('billing')).review_state).toBe('confirmed');
      await runPipeline(store, config);
      const after = await problem('billing');
      expect(after).toMatchObject({ review_state: 'confirmed', type: 'code', type_decider: 'person', type_confidence: 1 });
      expect(fromJson<Attribution>(after.attribution, {} as Attribution).needs_review).toBe(true);

      // A person's release decision on the same problem leaves the type confirmed too.
      await decideAttribution(store.db, config, after.key, null, 'no deployment did it', 'ana', '2025-11-06T09:00:00.000Z');
      expect((await problem('billing')).review_state).toBe('confirmed');
      await runPipeline(store, config);
      expect((await problem('billing')).review_state).toBe('confirmed');
    });

    it('writes outcomes with awkward text and null flags as they are (PostgreSQL: one statement per 5,000)', async () => {
      const awkward = 'st"ag\\ing {é, NULL} 🚀';
      await upsertRecords(store.db, 'deployment', [deployment('s1', '2.5.0', '2025-11-03T09:55:00Z', { environment: awkward })]);
      await runPipeline(store, config);
      const staging = await deploymentRow('s1');
      expect(staging).toMatchObject({ failed: null, rework: null });
      expect(fromJson<{ note?: string }>(staging.outcome, {}).note).toBe(`environment ${awkward} is not production`);
      const reason = 'said "no" \\ backslash, {braces}, ümlaut, 日本';
      await decideOutcome(store.db, 'github:d2', { failed: true }, reason, 'ops', '2025-11-04T10:00:00.000Z');
      // Wrong outcomes and flags are written again (PostgreSQL: through the one statement), null flags too.
      await store.db.updateTable('deployments').set({ outcome: '{}' }).where('external_id', '=', 'd2').execute();
      await store.db.updateTable('deployments').set({ failed: 1, rework: 0 }).where('external_id', '=', 's1').execute();
      await runPipeline(store, config);
      const d2 = await deploymentRow('d2');
      expect(d2).toMatchObject({ failed: 1, rework: 1 });
      expect(fromJson<{ failed_because: { detail: string }[] }>(d2.outcome, { failed_because: [] }).failed_because).toEqual([{ kind: 'person', detail: `ops: ${reason}` }]);
      const restored = await deploymentRow('s1');
      expect(restored).toMatchObject({ failed: null, rework: null });
      expect(fromJson<{ note?: string }>(restored.outcome, {}).note).toBe(`environment ${awkward} is not production`);
    });

    it('records cost entries against the problem and prefers them to the estimate', async () => {
      await runPipeline(store, config);
      const checkout = await problem('checkout');
      const estimate = await problemCost(store.db, config, String(checkout.id));
      // A regression: QA 2, Dev 2.5, DevOps 2 hours at 80, 100 and 90 an hour.
      expect(estimate).toMatchObject({ estimated: true, total_hours: 6.5, money: { currency: 'EUR', total: 590 } });
      const { cost } = await addCostEntry(store.db, config, String(checkout.id), { role: 'dev', hours: 3, person: 'ana', note: 'rollback and root cause' }, '2025-11-04T09:00:00.000Z');
      expect(cost).toMatchObject({ estimated: false, hours_by_role: { dev: 3 }, total_hours: 3, money: { total: 300 } });
      // Entries imported against a signal of the problem count too, and survive a re-run.
      await upsertRecords(store.db, 'cost_entry', [CostEntrySchema.parse({ source: 'timesheet', external_id: 't1', problem_ref: 'pagerduty:PD1', role: 'qa', hours: 1 })]);
      await runPipeline(store, config);
      const stored = fromJson<{ hours_by_role: Record<string, number> }>((await problem('checkout')).cost, { hours_by_role: {} });
      expect(stored.hours_by_role).toEqual({ dev: 3, qa: 1 });
    });
  });
}
