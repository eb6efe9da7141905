// The review operations over HTTP: each stored as a decision and applied at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { reclassifyUnconfirmed } from '../../src/pipeline/review.ts';

const config = ConfigSchema.parse({});
let store: Store;
let app: FastifyInstance;

const signal = (id: string, service: string, at: string, title: string) =>
  SignalSchema.parse({ source: 'datadog', external_id: id, kind: 'alert', occurred_at: at, service, title, environment: 'production' });

beforeAll(async () => {
  store = await openStore({ dbPath: ':memory:' });
  await upsertRecords(store.db, 'signal', [
    signal('a1', 'checkout', '2025-11-03T10:00:00Z', 'Checkout 5xx high'),
    signal('a2', 'checkout', '2025-11-03T10:05:00Z', 'Checkout latency high'),
    signal('b1', 'search', '2025-11-03T10:02:00Z', 'Search disk full'),
  ]);
  await runPipeline(store, config);
  app = await buildApp({ store, config });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

const problemIds = async () => Object.fromEntries((await store.db.selectFrom('problems').select(['id', 'key']).execute()).map((p) => [p.key, Number(p.id)]));

describe('review routes', () => {
  it('retraining keeps a problem whose release is in doubt to verify', async () => {
    const ids = await problemIds();
    const id = ids['datadog:b1']!;
    await store.db.updateTable('problems').set({ review_state: 'to_verify', attribution: JSON.stringify({ needs_review: true, decided_by: 'pipeline' }) }).where('id', '=', id).execute();
    // With no confidence threshold the classifier alone would call it classified: only the doubt keeps it to verify.
    await reclassifyUnconfirmed(store, ConfigSchema.parse({ thresholds: { classification_confidence: 0 } }));
    const row = await store.db.selectFrom('problems').select(['review_state']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.review_state).toBe('to_verify');
  });

  it('confirms a type, recording who decided', async () => {
    const ids = await problemIds();
    const res = await app.inject({ method: 'POST', url: `/api/v1/problems/${ids['datadog:b1']}/type`, payload: { type: 'integration', actor: 'ana' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ key: 'datadog:b1', type: 'integration', type_decider: 'person', review_state: 'confirmed', summary: 'Search disk full' });
    const decision = await store.db.selectFrom('decisions').selectAll().where('action', '=', 'confirm_type').executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ subject: 'datadog:b1', actor: 'ana' });
  });

  it('explains what is wrong with a request', async () => {
    const ids = await problemIds();
    const bad = await app.inject({ method: 'POST', url: `/api/v1/problems/${ids['datadog:b1']}/type`, payload: { type: 'weather', actor: 'ana' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^type: /);
    const missing = await app.inject({ method: 'POST', url: '/api/v1/problems/99999/type', payload: { type: 'code', actor: 'ana' } });
    expect(missing.statusCode).toBe(404);
    const one = await app.inject({ method: 'POST', url: '/api/v1/problems/merge', payload: { problem_ids: [ids['datadog:b1']], actor: 'ana' } });
    expect(one.statusCode).toBe(400);
  });

  it('merges, then splits, and documents the operations', async () => {
    const ids = await problemIds();
    const merged = await app.inject({ method: 'POST', url: '/api/v1/problems/merge', payload: { problem_ids: [ids['datadog:a1'], ids['datadog:b1']], actor: 'ben' } });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ key: 'datadog:a1', signal_count: 3, services: ['checkout', 'search'] });
    const b1 = await store.db.selectFrom('signals').select('id').where('external_id', '=', 'b1').executeTakeFirstOrThrow();
    const split = await app.inject({ method: 'POST', url: `/api/v1/problems/${merged.json().id}/split`, payload: { signal_ids: [b1.id], actor: 'ben' } });
    expect(split.statusCode).toBe(200);
    expect(split.json()).toMatchObject({ remaining: { key: 'datadog:a1', signal_count: 2 }, split: { key: 'datadog:b1', signal_count: 1, type: 'integration', type_decider: 'person' } });
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/problems/{id}/type', '/api/v1/problems/merge', '/api/v1/problems/{id}/split']));
  });
});
