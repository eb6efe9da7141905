// The cost and release-decision API: GET/POST /api/v1/problems/:id/cost, POST /api/v1/problems/:id/release,
// POST /api/v1/deployments/:id/outcome, with errors that name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { DeploymentSchema, SignalSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runPipeline } from '../../src/pipeline/run.ts';

let store: Store;
let app: FastifyInstance;
let problemId: number;
const config = ConfigSchema.parse({ classification: { min_training_examples: 100 }, cost: { currency: 'USD', rates: { dev: 120 } } });

beforeAll(async () => {
  store = await openStore({ dbPath: ':memory:' });
  await upsertRecords(store.db, 'deployment', [
    DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '2.5.0', finished_at: '2025-11-03T09:50:00Z' }),
    DeploymentSchema.parse({ source: 'github', external_id: 'd0', service: 'checkout', version: '2.4.9', finished_at: '2025-11-02T09:50:00Z' }),
  ]);
  await upsertRecords(store.db, 'signal', [
    SignalSchema.parse({ source: 'pagerduty', external_id: 'PD1', kind: 'incident', occurred_at: '2025-11-03T10:00:00Z', resolved_at: '2025-11-03T11:00:00Z', service: 'checkout', title: 'Checkout failing' }),
  ]);
  await runPipeline(store, config);
  problemId = (await store.db.selectFrom('problems').select('id').executeTakeFirstOrThrow()).id;
  app = await buildApp({ store, config }, { webDist: '/nonexistent' });
});

afterAll(async () => {
  await app.close();
  await store.close();
});

describe('cost and release API', () => {
  it('answers a problem\'s cost, then records hours and answers them instead of the estimate', async () => {
    const estimate = await app.inject(`/api/v1/problems/${problemId}/cost`);
    expect(estimate.statusCode).toBe(200);
    expect(estimate.json()).toMatchObject({ problem_id: problemId, estimated: true, money: { currency: 'USD', total: null, roles_without_rate: expect.arrayContaining(['qa']) } });

    const added = await app.inject({ method: 'POST', url: `/api/v1/problems/${problemId}/cost`, payload: { role: 'dev', hours: 2.5, person: 'ana' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ entry: { role: 'dev', hours: 2.5, person: 'ana', problem_ref: 'pagerduty:PD1' }, cost: { estimated: false, total_hours: 2.5, money: { total: 300 } } });

    const byKey = await app.inject('/api/v1/problems/pagerduty:PD1/cost');
    expect(byKey.json()).toMatchObject({ total_hours: 2.5 });
  });

  it('rejects a bad cost entry naming the field, and an unknown problem with 404', async () => {
    const bad = await app.inject({ method: 'POST', url: `/api/v1/problems/${problemId}/cost`, payload: { role: 'dev', hours: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^hours: /);
    const missing = await app.inject('/api/v1/problems/424242/cost');
    expect(missing.statusCode).toBe(404);
  });

  it('takes a person\'s release decision and a deployment outcome decision', async () => {
    const release = await app.inject({ method: 'POST', url: `/api/v1/problems/${problemId}/release`, payload: { deployment_id: 'github:d0', reason: 'flag flipped in 2.4.9', actor: 'ana' } });
    expect(release.statusCode).toBe(200);
    expect(release.json()).toMatchObject({ problem_id: problemId, attribution: { method: 'person', deployment_ref: 'github:d0', actor: 'ana', pipeline: { deployment_ref: 'github:d1' } } });
    const row = await store.db.selectFrom('problems').select('deployment_id').where('id', '=', problemId).executeTakeFirstOrThrow();
    const d0 = await store.db.selectFrom('deployments').select(['id', 'failed']).where('external_id', '=', 'd0').executeTakeFirstOrThrow();
    expect(row.deployment_id).toBe(d0.id);
    expect(d0.failed).toBe(1);
    // The deployment it was taken from lost its only escaped problem: no longer failed.
    expect((await store.db.selectFrom('deployments').select('failed').where('external_id', '=', 'd1').executeTakeFirstOrThrow()).failed).toBe(0);

    const outcome = await app.inject({ method: 'POST', url: '/api/v1/deployments/github:d1/outcome', payload: { failed: true, reason: 'rolled back by hand', actor: 'ops' } });
    expect(outcome.statusCode).toBe(200);
    expect(outcome.json()).toMatchObject({ failed: true });

    const noActor = await app.inject({ method: 'POST', url: `/api/v1/problems/${problemId}/release`, payload: { deployment_id: null } });
    expect(noActor.statusCode).toBe(400);
    expect(noActor.json().message).toMatch(/actor/);
    const unknown = await app.inject({ method: 'POST', url: `/api/v1/problems/${problemId}/release`, payload: { deployment_id: 'github:nope', actor: 'ana' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('documents the operations in the OpenAPI document', async () => {
    const doc = (await app.inject('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/problems/{id}/cost'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/problems/{id}/release']).toHaveProperty('post');
    expect(doc.paths['/api/v1/deployments/{id}/outcome']).toHaveProperty('post');
  });
});
