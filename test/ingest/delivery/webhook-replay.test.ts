// End to end through POST /api/v1/webhooks/:source on both dialects: deployments created → in progress →
// success, a failing one, a rollback and a hotfix end up stored with the right times, status and kind;
// a JUnit report becomes a TestRun; malformed payloads answer 400 and store nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/server/app.ts';
import type { Store } from '../../../src/store/connection.ts';
import { countRecords, listRecords } from '../../../src/store/records.ts';
import { DEFAULT_CONFIG } from '../../../src/domain/config.ts';
import { storeFactories } from '../../helpers/stores.ts';
import { fixture, fixtureText } from './helpers.ts';

const factories = await storeFactories();

type Payload = Record<string, unknown> & { deployment: Record<string, unknown>; deployment_status?: Record<string, unknown> };

/** A GitHub deployment (or status) event of the fixture's repository for deployment `id`. */
function githubEvent(file: string, id: number, change: { ref?: string; state?: string; at?: string; created?: string }): Payload {
  const payload = fixture(file) as Payload;
  Object.assign(payload.deployment, { id, environment: 'production', ...(change.ref ? { ref: change.ref } : {}), ...(change.created ? { created_at: change.created, updated_at: change.created } : {}) });
  if (payload.deployment_status && change.state) Object.assign(payload.deployment_status, { state: change.state, created_at: change.at, updated_at: change.at });
  return payload;
}

for (const factory of factories) {
  describe.skipIf(factory.skip)(`delivery webhooks on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    let app: FastifyInstance;
    beforeEach(async () => {
      store = await factory.open();
      app = await buildApp({ store, config: DEFAULT_CONFIG }, { webDist: '/nonexistent' });
    });
    afterEach(async () => {
      await app.close();
      await store.close();
    });

    const post = (source: string, payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/webhooks/${source}`,
        headers: { 'content-type': typeof payload === 'string' ? 'application/xml' : 'application/json', ...headers },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    const deployments = async () => {
      const page = await listRecords(store.db, 'deployments', { limit: 100 });
      return new Map(page.data.map((d) => [`${String(d.source)}:${String(d.external_id)}`, d]));
    };

    it('replays a deployment lifecycle, a failure, a rollback and a hotfix', async () => {
      const gh = (name: string) => ({ 'x-github-event': name });
      // 1. created → in progress → success (GitHub): the times come from the status events.
      expect((await post('github', githubEvent('github/deployment.created.json', 1001, { created: '2025-11-03T09:59:00Z' }), gh('deployment'))).statusCode).toBe(200);
      expect((await post('github', githubEvent('github/deployment_status.created.in_progress.json', 1001, { state: 'in_progress', at: '2025-11-03T10:00:00Z' }), gh('deployment_status'))).statusCode).toBe(200);
      const success = await post('github', githubEvent('github/deployment_status.created.success.json', 1001, { state: 'success', at: '2025-11-03T10:04:30Z' }), gh('deployment_status'));
      expect(success.statusCode).toBe(200);
      expect(success.json()).toMatchObject({ source: 'github', records: 1, stored: { deployment: { inserted: 0, updated: 1, unchanged: 0 } } });
      // The same status again changes nothing.
      expect((await post('github', githubEvent('github/deployment_status.created.success.json', 1001, { state: 'success', at: '2025-11-03T10:04:30Z' }), gh('deployment_status'))).json()).toMatchObject({ stored: { deployment: { unchanged: 1 } } });

      // 2. A failing deployment (generic webhook): in progress, then failure.
      await post('deployment', { id: 'run-7', service: 'checkout', version: '2.4.1', sha: 'aaa1111', status: 'in_progress', started_at: '2025-11-04T08:00:00Z' });
      expect((await post('deployment', { id: 'run-7', service: 'checkout', version: '2.4.1', status: 'failed', finished_at: '2025-11-04T08:06:00Z' })).statusCode).toBe(200);

      // 3. A rollback to the version that ran before.
      await post('deployment', { id: 'run-8', service: 'checkout', version: '2.4.0', previous_versions: ['2.4.1', '2.4.0'], started_at: '2025-11-04T08:10:00Z', finished_at: '2025-11-04T08:12:00Z' });

      // 4. A hotfix from a hotfix branch (GitHub), created then successful.
      await post('github', githubEvent('github/deployment.created.json', 1002, { ref: 'hotfix/pay-123', created: '2025-11-04T09:00:00Z' }), gh('deployment'));
      await post('github', githubEvent('github/deployment_status.created.success.json', 1002, { ref: 'hotfix/pay-123', state: 'success', at: '2025-11-04T09:03:00Z' }), gh('deployment_status'));

      const stored = await deployments();
      expect(stored.size).toBe(4);
      expect(stored.get('github:deployment/1001')).toMatchObject({
        service: 'Hello-World', environment: 'production', commit_sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
        started_at: '2025-11-03T10:00:00.000Z', finished_at: '2025-11-03T10:04:30.000Z', status: 'success', kind: 'planned',
      });
      expect(stored.get('deployment:run-7')).toMatchObject({
        service: 'checkout', version: '2.4.1', commit_sha: 'aaa1111', started_at: '2025-11-04T08:00:00.000Z', finished_at: '2025-11-04T08:06:00.000Z', status: 'failure', kind: 'planned',
      });
      expect(stored.get('deployment:run-8')).toMatchObject({
        version: '2.4.0', started_at: '2025-11-04T08:10:00.000Z', finished_at: '2025-11-04T08:12:00.000Z', status: 'success', kind: 'rollback', rolls_back_to: '2.4.0',
        kind_reason: 'returns to 2.4.0, which ran before the latest deployment',
      });
      expect(stored.get('github:deployment/1002')).toMatchObject({ finished_at: '2025-11-04T09:03:00.000Z', status: 'success', kind: 'hotfix', kind_reason: 'named "hotfix/pay-123"' });
      expect(stored.get('github:deployment/1002')!.started_at).toBeNull();
    });

    it('stores a JUnit report sent as XML as a TestRun with its counts', async () => {
      const res = await post('junit', fixtureText('junit/mixed-results.xml'), { 'x-escapement-release': '2.4.1', 'x-escapement-service': 'checkout' });
      expect(res.statusCode).toBe(200);
      const runs = (await listRecords(store.db, 'test_runs', {})).data;
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ service: 'checkout', release: '2.4.1', passed: 3, failed: 2, skipped: 1, critical_total: 3, critical_passed: 2, failed_tests: ['cart › removes an item', 'payment › pays by card'] });
    });

    it('answers malformed XML and payloads with 400 and the reason, storing nothing', async () => {
      const xml = await post('junit', '<testsuites><testsuite name="x"></testsuites>', { 'x-escapement-release': '1.0.0' });
      expect(xml.statusCode).toBe(400);
      expect(xml.json()).toMatchObject({ error: 'bad_request', field: '(body)' });
      expect(xml.json().message).toMatch(/not well-formed XML/);
      const generic = await post('deployment', { id: 'x', service: 'checkout', status: 'exploded' });
      expect([generic.statusCode, generic.json().field]).toEqual([400, 'status']);
      const github = await post('github', { action: 'created', repository: { name: 'r' } }, { 'x-github-event': 'deployment' });
      expect([github.statusCode, github.json().field]).toEqual([400, 'deployment']);
      const notJson = await app.inject({ method: 'POST', url: '/api/v1/webhooks/deployment', headers: { 'content-type': 'application/json' }, payload: '{"service": ' });
      expect(notJson.statusCode).toBe(400);
      const counts = await countRecords(store.db);
      expect([counts.deployments, counts.test_runs, counts.changes]).toEqual([0, 0, 0]);
    });
  });
}
