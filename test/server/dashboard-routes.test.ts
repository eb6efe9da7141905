// The routes the dashboard added, on both dialects: readiness from the stored records, the effective
// configuration without secrets, records by id, weekly review sessions, and the demo job's guards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ConfigSchema } from '../../src/domain/config.ts';
import { IMPORT_SCHEMAS } from '../../src/domain/records.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { storeFactories } from '../helpers/stores.ts';

const config = ConfigSchema.parse({ secrets: { pagerduty: 'E2E_DASHBOARD_PD_SECRET' }, cost: { rates: { dev: 100 } } });
const signal = (over: Record<string, unknown>) => IMPORT_SCHEMAS.signal.parse({ source: 'jira', kind: 'ticket', occurred_at: '2025-10-06T10:00:00Z', title: 'Checkout fails', ...over });

for (const factory of await storeFactories()) {
  describe.skipIf(factory.skip)(`dashboard routes on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    let app: FastifyInstance;

    beforeAll(async () => {
      store = await factory.open();
      app = await buildApp({ store, config }, { webDist: '/nonexistent' });
      const empty = (await app.inject('/api/v1/readiness/summary')).json();
      expect(empty).toEqual({ empty: true, span: { first: null, last: null } });
      await upsertRecords(store.db, 'signal', [
        signal({ external_id: 'PAY-1', environment: 'production', service: 'checkout' }),
        signal({ external_id: 'PAY-2', environment: 'staging', service: 'checkout', occurred_at: '2025-10-07T10:00:00Z', title: 'Staging form broken' }),
        signal({ source: 'pagerduty', external_id: 'Q1', kind: 'incident', service: 'checkout', occurred_at: '2025-10-06T09:58:00Z', title: 'Checkout errors' }),
        signal({ source: 'zendesk', external_id: '1', kind: 'support', service: 'checkout', occurred_at: '2025-10-06T10:05:00Z', title: 'Cannot pay', links: ['jira:PAY-1'] }),
        signal({ source: 'zendesk', external_id: '2', kind: 'support', occurred_at: '2025-10-09T12:00:00Z', title: 'Where is my parcel' }),
      ]);
      await upsertRecords(store.db, 'deployment', [
        IMPORT_SCHEMAS.deployment.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '1.0.0', finished_at: '2025-10-06T09:40:00Z' }),
        IMPORT_SCHEMAS.deployment.parse({ source: 'github', external_id: 'd2', service: 'checkout', version: '1.1.0' }),
      ]);
      await upsertRecords(store.db, 'test_run', [IMPORT_SCHEMAS.test_run.parse({ source: 'junit', external_id: 's1', service: 'checkout', release: '1.0.0', suite: 'smoke', suite_kind: 'smoke', started_at: '2025-10-06T09:45:00Z', passed: 5, failed: 0 })]);
      await runPipeline(store, config);
    }, 60_000);

    afterAll(async () => {
      await app.close();
      await store.close();
    });

    it('judges the checklist from the records, with the evidence', async () => {
      const res = await app.inject('/api/v1/readiness');
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { key: string; status: string; share: number | null; evidence: string; todo: string | null }[]; counts: Record<string, number>; empty: boolean; span: { first: string; last: string } };
      const byKey = Object.fromEntries(body.items.map((i) => [i.key, i]));
      expect(byKey.production_tagging).toMatchObject({ status: 'partial', share: 0.5, evidence: '1 of 2 tickets carry the production environment (50%)' });
      expect(byKey.alerts_in_one_place).toMatchObject({ status: 'ready', share: null, todo: null });
      expect(byKey.alerts_in_one_place!.evidence).toMatch(/^1 alerts and incidents from pagerduty; last at 2025-10-06T09:58:00/);
      expect(byKey.support_linked).toMatchObject({ status: 'partial', share: 0.5 });
      expect(byKey.deployment_times).toMatchObject({ status: 'partial', share: 0.5 });
      // d2 has no version run: one of the two successful releases has a smoke run.
      expect(byKey.smoke_after_deploy).toMatchObject({ status: 'partial', share: 0.5 });
      expect(byKey.weekly_review).toMatchObject({ status: 'missing', evidence: 'no weekly review completed yet' });
      expect(byKey.weekly_review!.todo).toContain('weekly review');
      expect(body.counts.signals).toBe(5);
      expect(body.empty).toBe(false);
      expect(body.span.first).toMatch(/^2025-10-06T09:40:00/);
      expect(body.span.last).toMatch(/^2025-10-09T12:00:00/);
    });

    it('shows the configuration with defaults, and a secret only as set or not', async () => {
      process.env.E2E_DASHBOARD_PD_SECRET = 'hunter2-very-secret';
      try {
        const res = await app.inject('/api/v1/config');
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toContain('hunter2-very-secret');
        const body = res.json() as { secrets: unknown; cost: { rates: Record<string, number>; defaults: Record<string, Record<string, number>> }; windows: { regression_minutes: number } };
        expect(body.secrets).toEqual([{ name: 'pagerduty', env: 'E2E_DASHBOARD_PD_SECRET', set: true }]);
        expect(body.cost.rates).toEqual({ dev: 100 });
        expect(body.cost.defaults.code).toEqual({ dev: 2.5, qa: 1, devops: 1, pm: 0.5 });
        expect(body.windows.regression_minutes).toBe(30);
      } finally {
        delete process.env.E2E_DASHBOARD_PD_SECRET;
      }
    });

    it('returns records by id in the order asked, and names a bad id', async () => {
      const ids = ((await app.inject('/api/v1/deployments')).json() as { data: { id: number; external_id: string }[] }).data;
      const asked = [...ids].sort((a, b) => b.id - a.id).map((d) => d.id);
      const res = await app.inject(`/api/v1/evidence?deployments=${asked.join(',')},999999`);
      expect(res.statusCode).toBe(200);
      expect((res.json() as { deployments: { id: number }[] }).deployments.map((d) => d.id)).toEqual(asked);
      // A signal carries the problem it belongs to, as in the signals list (the pointer is kept apart from its row).
      const listed = ((await app.inject('/api/v1/signals')).json() as { data: { id: number; problem_id: number | null }[] }).data;
      expect(listed.every((s) => typeof s.problem_id === 'number')).toBe(true);
      const signals = await app.inject(`/api/v1/evidence?signals=${listed.map((s) => s.id).join(',')}`);
      expect((signals.json() as { signals: { id: number; problem_id: number | null }[] }).signals.map((s) => [s.id, s.problem_id])).toEqual(listed.map((s) => [s.id, s.problem_id]));
      const bad = await app.inject('/api/v1/evidence?problems=1,two');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'bad_request', message: 'problems: expected comma-separated integer ids, got "two"' });
    });

    it('opens a review over a week, lists what each problem needs, and completes it', async () => {
      const opened = await app.inject({ method: 'POST', url: '/api/v1/reviews', payload: { period_start: '2025-10-05T00:00:00Z', period_end: '2025-10-12T00:00:00Z', actor: 'qa-lead' } });
      expect(opened.statusCode).toBe(201);
      const review = opened.json() as { id: number; period_start: string; items: { problem: { key: string; impact_start: string }; needs: string[] }[]; progress: { total: number; resolved: number }; completed_at: string | null };
      const problems = ((await app.inject('/api/v1/problems')).json() as { data: { key: string; review_state: string; impact_start: string }[] }).data;
      expect(review.items.map((i) => i.problem.key).sort()).toEqual(problems.map((p) => p.key).sort());
      // Oldest first; nobody has entered hours yet, so every problem needs its cost.
      expect(review.items.map((i) => i.problem.impact_start)).toEqual([...review.items.map((i) => i.problem.impact_start)].sort());
      expect(review.items.every((i) => i.needs.includes('cost'))).toBe(true);
      expect(review.progress).toEqual({ total: review.items.length, resolved: 0 });
      expect(review.completed_at).toBeNull();

      const first = review.items[0]!.problem.key;
      const cost = await app.inject({ method: 'POST', url: `/api/v1/problems/${encodeURIComponent(first)}/cost`, payload: { role: 'dev', hours: 2 } });
      expect(cost.statusCode).toBe(201);
      const after = (await app.inject(`/api/v1/reviews/${review.id}`)).json() as typeof review;
      expect(after.items[0]!.needs).not.toContain('cost');

      const done = await app.inject({ method: 'PATCH', url: `/api/v1/reviews/${review.id}`, payload: { completed: true, summary: { handled: [first] } } });
      expect(done.statusCode).toBe(200);
      expect((done.json() as { completed_at: string | null; summary: unknown }).summary).toEqual({ handled: [first] });
      expect((done.json() as { completed_at: string | null }).completed_at).not.toBeNull();
      const readiness = (await app.inject('/api/v1/readiness')).json() as { items: { key: string; status: string }[] };
      expect(readiness.items.find((i) => i.key === 'weekly_review')!.status).toBe('ready');

      expect((await app.inject('/api/v1/reviews/424242')).statusCode).toBe(404);
      const bad = await app.inject({ method: 'PATCH', url: `/api/v1/reviews/${review.id}`, payload: { completed: 'yes' } });
      expect(bad.statusCode).toBe(400);
      expect((bad.json() as { message: string }).message).toMatch(/^completed: /);
      const listed = (await app.inject('/api/v1/reviews')).json() as { data: { id: number }[] };
      expect(listed.data.map((r) => r.id)).toContain(review.id);
    });

    it('refuses the demo over existing signals and an unknown scale', async () => {
      const busy = await app.inject({ method: 'POST', url: '/api/v1/demo', payload: {} });
      expect(busy.statusCode).toBe(409);
      expect((busy.json() as { message: string }).message).toMatch(/already holds 5 signals/);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/demo', payload: { scale: 'huge' } });
      expect(bad.statusCode).toBe(400);
      expect((bad.json() as { message: string }).message).toMatch(/^scale: /);
      expect((await app.inject('/api/v1/demo')).json()).toMatchObject({ state: 'idle' });
    });
  });
}
