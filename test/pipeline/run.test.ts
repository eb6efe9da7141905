// The pipeline over a real store, on both dialects: scenarios of grouping, re-runs and people's decisions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { SignalSchema, DeploymentSchema, type Signal } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { confirmProblemType, mergeProblems, splitProblem } from '../../src/pipeline/review.ts';
import { storeFactories } from '../helpers/stores.ts';
import { signalsOfProblem } from '../../src/store/problems.ts';

const factories = await storeFactories();
const config = ConfigSchema.parse({ classification: { min_training_examples: 100 } });

const signal = (over: Record<string, unknown>): Signal => SignalSchema.parse({ source: 'prometheus', kind: 'alert', environment: 'production', ...over });

/** One checkout outage: an alert storm, a PagerDuty incident, support tickets and a Slack thread. */
function checkoutOutage(): Signal[] {
  const storm = Array.from({ length: 8 }, (_, k) =>
    signal({ external_id: `am-${k}`, occurred_at: `2025-11-03T10:${String(k * 4).padStart(2, '0')}:00Z`, resolved_at: '2025-11-03T11:00:00Z', service: 'checkout', title: `HTTP 5xx ratio above 5% on checkout pod ${k}` }),
  );
  return [
    ...storm,
    signal({ source: 'pagerduty', external_id: 'PD1', kind: 'incident', occurred_at: '2025-11-03T10:03:00Z', resolved_at: '2025-11-03T11:05:00Z', service: 'checkout', title: 'Checkout failing' }),
    signal({ source: 'zendesk', external_id: 'Z1', kind: 'support', occurred_at: '2025-11-03T10:20:00Z', service: 'checkout', title: 'I was charged but the order failed', resolved_at: '2025-11-04T09:00:00Z' }),
    signal({ source: 'zendesk', external_id: 'Z2', kind: 'support', occurred_at: '2025-11-03T10:50:00Z', title: 'Payment error at checkout', links: ['pagerduty:PD1'], resolved_at: '2025-11-04T09:00:00Z' }),
    signal({ source: 'slack', external_id: 'C1-1', kind: 'chat', occurred_at: '2025-11-03T10:10:00Z', title: 'anyone else seeing checkout errors? deploy 10 minutes ago' }),
  ];
}

/** A search outage in the same hour, unrelated. */
function searchOutage(): Signal[] {
  return [
    signal({ external_id: 'se-1', occurred_at: '2025-11-03T10:15:00Z', resolved_at: '2025-11-03T10:40:00Z', service: 'search', title: 'Search latency p99 above 2s: node disk full' }),
    signal({ external_id: 'se-2', occurred_at: '2025-11-03T10:25:00Z', resolved_at: '2025-11-03T10:40:00Z', service: 'search', title: 'Search node out of disk space' }),
  ];
}

for (const factory of factories) {
  describe.skipIf(factory.skip)(`pipeline on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
      await upsertRecords(store.db, 'signal', [...checkoutOutage(), ...searchOutage()]);
      await upsertRecords(store.db, 'deployment', [DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '2.4.0', finished_at: '2025-11-03T09:50:00Z' })]);
    });
    afterEach(async () => {
      await store.close();
    });

    const problems = () => store.db.selectFrom('problems').selectAll().orderBy('key').execute();

    it('makes one problem of one outage and keeps an unrelated outage in the same hour apart', async () => {
      const summary = await runPipeline(store, config, { now: '2025-11-05T00:00:00.000Z' });
      expect(summary).toMatchObject({ signals: 14, problems: 2, inserted: 2, updated: 0, deleted: 0, signals_moved: 14 });
      const [checkout, search] = await problems();
      expect(checkout).toMatchObject({
        key: 'prometheus:am-0',
        title: 'Checkout failing',
        service: 'checkout',
        signal_count: 12,
        impact_start: '2025-11-03T10:00:00.000Z',
        detected_at: '2025-11-03T10:00:00.000Z',
        resolved_at: '2025-11-04T09:00:00.000Z',
        type: 'regression',
        type_decider: 'rule',
      });
      expect(search).toMatchObject({ key: 'prometheus:se-1', service: 'search', signal_count: 2, type: 'infra', resolved_at: '2025-11-03T10:40:00.000Z' });
      const assigned = await signalsOfProblem(store.db, search!.id);
      expect(assigned.map((s) => s.external_id).sort()).toEqual(['se-1', 'se-2']);
    });

    it('changes nothing when run again', async () => {
      await runPipeline(store, config, { now: '2025-11-05T00:00:00.000Z' });
      const before = await problems();
      const again = await runPipeline(store, config, { now: '2025-11-06T00:00:00.000Z' });
      expect(again).toMatchObject({ problems: 2, inserted: 0, updated: 0, unchanged: 2, deleted: 0, signals_moved: 0 });
      expect(await problems()).toEqual(before);
    });

    it("keeps a person's merge across re-runs", async () => {
      await runPipeline(store, config);
      const [checkout, search] = await problems();
      const merged = await mergeProblems(store, config, [search!.id, checkout!.id], 'ana');
      expect(merged).toMatchObject({ key: 'prometheus:am-0', signal_count: 14 });
      expect(await problems()).toHaveLength(1);
      const rerun = await runPipeline(store, config);
      expect(rerun.problems).toBe(1);
      const [only] = await problems();
      expect(only).toMatchObject({ key: 'prometheus:am-0', signal_count: 14 });
      const decision = await store.db.selectFrom('decisions').selectAll().executeTakeFirstOrThrow();
      expect(decision).toMatchObject({ action: 'merge', actor: 'ana', subject: 'prometheus:am-0' });
    });

    it('splits signals off into their own problem, and the split survives a re-run', async () => {
      await runPipeline(store, config);
      const [checkout] = await problems();
      const slack = await store.db.selectFrom('signals').select('id').where('source', '=', 'slack').executeTakeFirstOrThrow();
      const { remaining, split } = await splitProblem(store, config, checkout!.id, [slack.id], 'ben');
      expect(split).toMatchObject({ key: 'slack:C1-1', signal_count: 1 });
      expect(remaining).toMatchObject({ key: 'prometheus:am-0', signal_count: 11 });
      await runPipeline(store, config);
      expect((await problems()).map((p) => [p.key, p.signal_count])).toEqual([
        ['prometheus:am-0', 11],
        ['prometheus:se-1', 2],
        ['slack:C1-1', 1],
      ]);
    });

    it('keeps a confirmed type over rules and re-runs', async () => {
      await runPipeline(store, config);
      const [checkout] = await problems();
      const confirmed = await confirmProblemType(store, config, checkout!.id, 'code', 'cleo');
      expect(confirmed).toMatchObject({ type: 'code', type_decider: 'person', type_confidence: 1, review_state: 'confirmed' });
      await runPipeline(store, config);
      const [again] = await problems();
      expect(again).toMatchObject({ type: 'code', type_decider: 'person', review_state: 'confirmed', type_rationale: 'confirmed by cleo' });
    });

    it('joins a thread by the channel it was posted in and a ticket naming the product by an alias', async () => {
      await upsertRecords(store.db, 'service', [{ name: 'checkout', aliases: ['Checkout Web'] }]);
      const earlier = [
        signal({ source: 'pagerduty', external_id: 'PD0', kind: 'incident', occurred_at: '2025-11-02T08:00:00Z', resolved_at: '2025-11-02T08:30:00Z', service: 'checkout', title: 'Checkout slow' }),
        ...[1, 2].map((k) => signal({ source: 'slack', external_id: `C9-${k}`, kind: 'chat', occurred_at: `2025-11-02T08:0${k}:00Z`, title: 'looking', links: ['pagerduty:PD0'], labels: { channel: 'C9' } })),
      ];
      const thread = signal({ source: 'slack', external_id: 'C9-3', kind: 'chat', occurred_at: '2025-11-03T10:30:00Z', title: 'HTTP 5xx ratio above 5%, everything failing', labels: { channel: 'C9' } });
      const ticket = signal({ source: 'zendesk', external_id: 'Z3', kind: 'support', occurred_at: '2025-11-03T10:35:00Z', title: 'Checkout Web: my order did not go through', labels: { channel: 'email' } });
      await upsertRecords(store.db, 'signal', [...earlier, thread, ticket]);
      await runPipeline(store, config);
      const checkout = await store.db.selectFrom('problems').selectAll().where('key', '=', 'prometheus:am-0').executeTakeFirstOrThrow();
      const members = await signalsOfProblem(store.db, checkout.id);
      expect(members.map((m) => m.external_id)).toEqual(expect.arrayContaining(['C9-3', 'Z3']));
      const reasons = (typeof checkout.correlation === 'string' ? JSON.parse(checkout.correlation) : checkout.correlation).reasons as { signal: string; rule: string; detail: string }[];
      expect(reasons).toEqual(expect.arrayContaining([
        expect.objectContaining({ signal: 'slack:C9-3', rule: 'chat_channel', detail: expect.stringMatching(/^channel C9 talks about checkout \(2 messages placed there before\)/) }),
        expect.objectContaining({ signal: 'zendesk:Z3', rule: 'service_mention', detail: 'checkout, named as "checkout web"' }),
      ]));
    });

    it('joins a service-less ticket by the help-desk group it was routed to (its group label), not by how it arrived', async () => {
      const ticket = (externalId: string, occurredAt: string, title: string, labels: Record<string, string>, links: string[] = []) =>
        signal({ source: 'zendesk', external_id: externalId, kind: 'support', occurred_at: occurredAt, title, labels, links });
      const earlier = [
        signal({ source: 'pagerduty', external_id: 'PD0', kind: 'incident', occurred_at: '2025-11-02T08:00:00Z', resolved_at: '2025-11-02T08:30:00Z', service: 'checkout', title: 'Checkout slow' }),
        ...[1, 2].map((k) => ticket(`Z0-${k}`, `2025-11-02T08:0${k}:00Z`, 'cannot pay', { group: '360001', channel: 'email' }, ['pagerduty:PD0'])),
      ];
      const routed = ticket('Z4', '2025-11-03T10:30:00Z', 'HTTP 5xx ratio errors, payment failing', { group: '360001', channel: 'email' });
      const unrouted = ticket('Z5', '2025-11-03T10:31:00Z', 'HTTP 5xx ratio errors, payment failing', { channel: 'email' });
      await upsertRecords(store.db, 'signal', [...earlier, routed, unrouted]);
      await runPipeline(store, config);
      const checkout = await store.db.selectFrom('problems').selectAll().where('key', '=', 'prometheus:am-0').executeTakeFirstOrThrow();
      const members = await signalsOfProblem(store.db, checkout.id);
      expect(members.map((m) => m.external_id)).toContain('Z4');
      expect(members.map((m) => m.external_id)).not.toContain('Z5');
      const reasons = (typeof checkout.correlation === 'string' ? JSON.parse(checkout.correlation) : checkout.correlation).reasons as { signal: string; rule: string; detail: string }[];
      expect(reasons).toEqual(expect.arrayContaining([
        expect.objectContaining({ signal: 'zendesk:Z4', rule: 'support_group', detail: expect.stringMatching(/^zendesk group 360001 talks about checkout \(2 tickets placed there before\)/) }),
      ]));
    });

    it('re-maps services through the current aliases before correlating', async () => {
      await runPipeline(store, config);
      await upsertRecords(store.db, 'service', [{ name: 'search-api', aliases: ['search'] }]);
      const summary = await runPipeline(store, config);
      expect(summary).toMatchObject({ services_remapped: 2, problems: 2, updated: 1 });
      expect((await problems()).map((p) => [p.key, p.service, p.services])).toEqual([
        ['prometheus:am-0', 'checkout', factory.dialect === 'postgres' ? ['checkout'] : '["checkout"]'],
        ['prometheus:se-1', 'search-api', factory.dialect === 'postgres' ? ['search-api'] : '["search-api"]'],
      ]);
    });
  });
}
