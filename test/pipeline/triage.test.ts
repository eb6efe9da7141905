// Triage: which problems are not escaped problems. The noise rules on their own, then through
// `escapement pipeline` and the review routes on a real store (both dialects): what is set aside,
// that it leaves every count and every release, and that a person's word survives re-runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { DeploymentSchema, SignalSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { parsePeriod, previousPeriod } from '../../src/domain/periods.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { noiseReason, type TriageFacts } from '../../src/pipeline/triage.ts';
import { problemFeatures } from '../../src/pipeline/classify/features.ts';
import { rulesFromConfig } from '../../src/pipeline/classify/index.ts';
import { loadMetricFacts } from '../../src/store/metric-facts.ts';
import { escapesByType } from '../../src/metrics/escapes.ts';
import { buildApp } from '../../src/server/app.ts';
import { loadReportInputs } from '../../src/report/load.ts';
import { buildReport } from '../../src/report/build.ts';
import { loadTemplate } from '../../src/report/templates.ts';
import { renderMarkdown } from '../../src/report/render-markdown.ts';
import { checkCitations } from '../report/check.ts';
import { storeFactories } from '../helpers/stores.ts';

const config = ConfigSchema.parse({ classification: { min_training_examples: 100 } });
const rules = rulesFromConfig(config);

function facts(over: Partial<TriageFacts> & { title?: string } = {}): [TriageFacts, ReturnType<typeof problemFeatures>] {
  const p: TriageFacts = { kinds: ['alert'], signal_count: 1, severity: 'low', impact_start: '2025-11-03T10:00:00Z', resolved_at: '2025-11-03T10:08:00Z', links: [], ...over };
  const title = over.title ?? 'CPUThrottlingHigh checkout';
  const features = problemFeatures({ title, summary: null, sources: ['alertmanager'], kinds: p.kinds, labels: {}, service: 'checkout', environment: 'production', severity: p.severity }, { post_deploy: false });
  return [p, features];
}
const reason = (over: Parameters<typeof facts>[0], options = config.noise) => {
  const [p, f] = facts(over);
  return noiseReason(p, f, rules, options);
};

describe('noise rules', () => {
  it('sets aside a lone low alert that resolved itself within the flap limit, saying why', () => {
    expect(reason({})).toBe('a lone low-severity alert that resolved itself in 8 min (flap limit 15 min), with no page, ticket, support request or chat');
    expect(reason({ severity: 'medium', resolved_at: '2025-11-03T10:15:00Z' })).toMatch(/in 15 min/);
  });

  it('counts an alert that lasted, was severe, never resolved, had company or unknown severity', () => {
    expect(reason({ resolved_at: '2025-11-03T10:16:00Z' })).toBeNull();
    expect(reason({ severity: 'high' })).toBeNull();
    expect(reason({ resolved_at: null })).toBeNull();
    expect(reason({ kinds: ['alert', 'ticket'], signal_count: 2 })).toBeNull();
    expect(reason({ signal_count: 3 })).toBeNull();
    expect(reason({ severity: null })).toBeNull();
  });

  it('sets aside a low-priority support question, but not one that names a failure or is more urgent', () => {
    const question = { kinds: ['support'], resolved_at: '2025-11-05T10:00:00Z', title: 'How do I change my invoice address?' };
    expect(reason(question)).toMatch(/^a lone low-priority support request naming no failure/);
    expect(reason({ ...question, title: 'Checkout throws an error and my card was charged twice' })).toBeNull();
    expect(reason({ ...question, severity: 'medium' })).toBeNull();
    expect(reason({ ...question, links: ['jira:PAY-12'] })).toBeNull();
  });

  it('sets aside chatter, but not a chat message that names a failure or a link', () => {
    const chat = { kinds: ['chat'], severity: null, resolved_at: null, title: 'deploy train leaves at 15:00' };
    expect(reason(chat)).toMatch(/^a lone chat message naming no failure/);
    expect(reason({ ...chat, title: 'checkout is down, timeout connecting to the payment provider' })).toBeNull();
    expect(reason({ ...chat, links: ['pagerduty:P123'] })).toBeNull();
    expect(reason(chat, { ...config.noise, chatter: false })).toBeNull();
  });

  it('sets nothing aside when turned off, and follows the configured limits', () => {
    expect(reason({}, { ...config.noise, enabled: false })).toBeNull();
    expect(reason({}, { ...config.noise, flap_minutes: 5 })).toBeNull();
    expect(reason({ severity: 'medium' }, { ...config.noise, flap_max_severity: 'low' })).toBeNull();
  });
});

const factories = await storeFactories();

// 09:50 checkout 2.5.0 deployed · 09:55 a checkout alert flaps for 8 min · 14:00 payments outage
// (incident + support ticket) · a how-to question · chatter · a chat message naming a failure.
const deployments = [DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '2.5.0', finished_at: '2025-11-03T09:50:00Z' })];
const signals = [
  SignalSchema.parse({ source: 'alertmanager', external_id: 'flap', kind: 'alert', occurred_at: '2025-11-03T09:55:00Z', resolved_at: '2025-11-03T10:03:00Z', severity: 'low', service: 'checkout', environment: 'production', title: 'CPUThrottlingHigh checkout' }),
  SignalSchema.parse({ source: 'pagerduty', external_id: 'PD1', kind: 'incident', occurred_at: '2025-11-03T14:00:00Z', resolved_at: '2025-11-03T16:00:00Z', severity: 'high', service: 'payments', environment: 'production', title: 'Payments failing: card processor timeouts' }),
  SignalSchema.parse({ source: 'zendesk', external_id: '7001', kind: 'support', occurred_at: '2025-11-03T14:10:00Z', severity: 'medium', service: 'payments', title: 'My payment failed twice' }),
  SignalSchema.parse({ source: 'zendesk', external_id: '7002', kind: 'support', occurred_at: '2025-11-04T09:00:00Z', resolved_at: '2025-11-04T12:00:00Z', severity: 'low', title: 'How do I change my invoice address?' }),
  SignalSchema.parse({ source: 'slack', external_id: 'C1-1', kind: 'chat', occurred_at: '2025-11-05T11:00:00Z', title: 'FYI maintenance window tonight 22:00 UTC' }),
  SignalSchema.parse({ source: 'slack', external_id: 'C1-2', kind: 'chat', occurred_at: '2025-11-06T11:00:00Z', title: 'search results are wrong since this morning, showing other customers orders' }),
];

for (const factory of factories) {
  describe.skipIf(factory.skip)(`triage through the pipeline and the review routes on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    let app: FastifyInstance;
    beforeEach(async () => {
      store = await factory.open();
      await upsertRecords(store.db, 'deployment', deployments);
      await upsertRecords(store.db, 'signal', signals);
      await runPipeline(store, config);
      app = await buildApp({ store, config });
    });
    afterEach(async () => {
      await app.close();
      await store.close();
    });

    const byKey = async () => Object.fromEntries((await store.db.selectFrom('problems').selectAll().execute()).map((p) => [p.key, p]));
    const states = async () => Object.fromEntries(Object.entries(await byKey()).map(([k, p]) => [k, p.review_state === 'dismissed' ? 'set aside' : 'counted']));
    const escapes = async () => {
      const period = parsePeriod('2025-11');
      const f = await loadMetricFacts(store.db, { period });
      return escapesByType(f.problems, period, previousPeriod(period), f.set_aside);
    };

    it('sets noise aside with its reason, out of the counts and of every release', async () => {
      expect(await states()).toEqual({
        'alertmanager:flap': 'set aside',
        'pagerduty:PD1': 'counted',
        'zendesk:7002': 'set aside',
        'slack:C1-1': 'set aside',
        'slack:C1-2': 'counted',
      });
      const flap = (await byKey())['alertmanager:flap']!;
      expect(flap.type_rationale).toMatch(/^not counted \(set aside as noise\): a lone low-severity alert that resolved itself in 8 min/);
      // Right after a deployment, yet no release let it through: d1 did not fail.
      expect(flap.deployment_id).toBeNull();
      const d1 = await store.db.selectFrom('deployments').select(['failed']).where('external_id', '=', 'd1').executeTakeFirstOrThrow();
      expect(Boolean(d1.failed)).toBe(false);
      const e = await escapes();
      expect(e.total).toBe(2);
      expect(e.set_aside.count).toBe(3);
      expect(e.by_type.flatMap((t) => t.problem_ids).sort()).toEqual([(await byKey())['pagerduty:PD1']!.id, (await byKey())['slack:C1-2']!.id].sort());

      // The weekly report says what it did not count, and cites the problems.
      const inputs = await loadReportInputs(store, { audience: 'weekly', period: parsePeriod('2025-11'), service: null, config, definitions: '2024', dashboardUrl: '' });
      const doc = buildReport(inputs, loadTemplate('weekly'));
      const markdown = renderMarkdown(doc);
      expect(markdown).toMatch(/Not counted: 3\[\^(c\d+)\] set aside as noise \(flapping alerts, support questions, chatter\)/);
      const note = /Not counted: 3\[\^(c\d+)\]/.exec(markdown)![1]!;
      const ids = [flap.id, (await byKey())['zendesk:7002']!.id, (await byKey())['slack:C1-1']!.id].sort((a, b) => a - b);
      expect(markdown).toContain(`[^${note}]: problems set aside as noise`);
      expect(markdown).toMatch(new RegExp(`\\[\\^${note}\\]: .*Records: problems ${ids.join(', ')}\\.`));
      // …and the problems waiting for a person are cited as such, not every problem of the period.
      expect(e.to_verify_ids).toHaveLength(e.to_verify);
      expect(markdown).toMatch(new RegExp(`: problems whose type no person has confirmed, 2025-11: ${e.to_verify} .*Records: problems ${[...e.to_verify_ids].sort((a, b) => a - b).join(', ')}\\.`));
      expect(checkCitations(doc, inputs)).toBeGreaterThan(0);
    });

    it('a person counts a problem again, or sets one aside; both survive a re-run', async () => {
      const before = await byKey();
      const restored = await app.inject({ method: 'POST', url: `/api/v1/problems/${before['alertmanager:flap']!.id}/restore`, payload: { actor: 'ana' } });
      expect(restored.statusCode).toBe(200);
      expect(restored.json().review_state).not.toBe('dismissed');
      // Counted again, it is attributed again: the alert began 5 min after d1 went live.
      const d1 = await store.db.selectFrom('deployments').select(['id', 'failed']).where('external_id', '=', 'd1').executeTakeFirstOrThrow();
      expect(restored.json().deployment_id).toBe(d1.id);
      expect(Boolean(d1.failed)).toBe(true);
      // Set aside again, it leaves d1, whose outcome follows at once; counted again, it returns.
      const flapId = before['alertmanager:flap']!.id;
      expect((await app.inject({ method: 'POST', url: `/api/v1/problems/${flapId}/dismiss`, payload: { actor: 'ana', reason: 'flapping' } })).statusCode).toBe(200);
      const failedNow = async () => Boolean((await store.db.selectFrom('deployments').select('failed').where('id', '=', d1.id).executeTakeFirstOrThrow()).failed);
      expect(await failedNow()).toBe(false);
      expect((await app.inject({ method: 'POST', url: `/api/v1/problems/${flapId}/restore`, payload: { actor: 'ana' } })).statusCode).toBe(200);
      expect(await failedNow()).toBe(true);

      const dismissed = await app.inject({ method: 'POST', url: `/api/v1/problems/${before['slack:C1-2']!.id}/dismiss`, payload: { actor: 'ben', reason: 'a customer misread the report' } });
      expect(dismissed.statusCode).toBe(200);
      expect(dismissed.json()).toMatchObject({ review_state: 'dismissed', type_rationale: expect.stringMatching(/^not counted \(set aside by ben\): a customer misread the report\./) });
      // The parts as fields, for the dashboard: who, why, and the classification it would have if counted.
      expect(dismissed.json().correlation.set_aside).toEqual({ by: 'person', actor: 'ben', reason: 'a customer misread the report', if_counted: expect.stringMatching(/^(rules|no rule|model)/) });

      await runPipeline(store, config);
      expect(await states()).toMatchObject({ 'alertmanager:flap': 'counted', 'slack:C1-2': 'set aside' });
      expect((await escapes()).total).toBe(2);

      // Dismissed as it was: merged with a problem that counts, the whole counts (a person's "not a
      // problem" never hides the signals of another).
      const merged = await app.inject({ method: 'POST', url: '/api/v1/problems/merge', payload: { problem_ids: [before['pagerduty:PD1']!.id, before['slack:C1-2']!.id], actor: 'ana' } });
      expect(merged.json()).toMatchObject({ key: 'pagerduty:PD1', signal_count: 3 });
      expect(merged.json().review_state).not.toBe('dismissed');
      const split = await app.inject({ method: 'POST', url: `/api/v1/problems/${merged.json().id}/split`, payload: { signal_ids: [(await store.db.selectFrom('signals').select('id').where('external_id', '=', 'C1-2').executeTakeFirstOrThrow()).id], actor: 'ana' } });
      // Split off again, it is the problem ben set aside.
      expect(split.json().split).toMatchObject({ key: 'slack:C1-2', review_state: 'dismissed' });

      // Confirming a type says it counts.
      const confirmed = await app.inject({ method: 'POST', url: `/api/v1/problems/${split.json().split.id}/type`, payload: { type: 'code', actor: 'ana' } });
      expect(confirmed.json()).toMatchObject({ review_state: 'confirmed', type: 'code' });
      await runPipeline(store, config);
      expect(await states()).toMatchObject({ 'slack:C1-2': 'counted' });
    });

    it('explains bad requests, refuses a release for a problem set aside, and leaves set-aside problems out of the weekly review', async () => {
      const before = await byKey();
      expect((await app.inject({ method: 'POST', url: `/api/v1/problems/${before['slack:C1-2']!.id}/dismiss`, payload: {} })).json().message).toMatch(/^actor: /);
      expect((await app.inject({ method: 'POST', url: '/api/v1/problems/999999/restore', payload: { actor: 'ana' } })).statusCode).toBe(404);
      const release = await app.inject({ method: 'POST', url: `/api/v1/problems/${before['alertmanager:flap']!.id}/release`, payload: { deployment_id: 'github:d1', actor: 'ana' } });
      expect(release.statusCode).toBe(409);
      expect(release.json().message).toMatch(/is set aside/);

      const review = await app.inject({ method: 'POST', url: '/api/v1/reviews', payload: { period_start: '2025-11-03T00:00:00Z', period_end: '2025-11-10T00:00:00Z' } });
      expect(review.statusCode).toBe(201);
      const keys = review.json().items.map((i: { problem: { key: string } }) => i.problem.key);
      expect(keys.sort()).toEqual(['pagerduty:PD1', 'slack:C1-2']);
      expect(review.json().set_aside.count).toBe(3);
      expect(review.json().set_aside.problems).toContainEqual(expect.objectContaining({ set_aside: expect.objectContaining({ by: 'rule', reason: expect.stringMatching(/resolved itself/), if_counted: expect.any(String) }) }));

      const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/problems/{id}/dismiss', '/api/v1/problems/{id}/restore']));
    });
  });
}
