// POST /api/v1/webhooks/:source through the real app (app.inject): verification, errors, idempotency,
// on SQLite and PostgreSQL.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Store } from '../../src/store/connection.ts';
import { fromJson } from '../../src/store/schema.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const fixture = (vendor: string, file: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${vendor}/${file}`, import.meta.url)), 'utf8');

const SECRETS = { ESC_TEST_PAGERDUTY_SECRET: 'pd-secret', ESC_TEST_SLACK_SECRET: 'slack-signing-secret', ESC_TEST_DATADOG_SECRET: 'dd-token' };
const config = ConfigSchema.parse({
  secrets: { pagerduty: 'ESC_TEST_PAGERDUTY_SECRET', slack: 'ESC_TEST_SLACK_SECRET', datadog: 'ESC_TEST_DATADOG_SECRET' },
  services: [{ name: 'dns', aliases: ['pagerduty:PH3DA7T'] }],
  // The SNS fixtures are not signed by a certificate anyone can fetch; test/server/webhook-signatures.test.ts checks signatures.
  signatures: { sns: { verify: false } },
});
const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
const json = { 'content-type': 'application/json' };

function slackHeaders(body: string, ts = Math.floor(Date.now() / 1000)) {
  return { ...json, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${hmacHex(SECRETS.ESC_TEST_SLACK_SECRET, `v0:${ts}:${body}`)}` };
}
const pdHeaders = (body: string) => ({ ...json, 'x-pagerduty-signature': `v1=${hmacHex(SECRETS.ESC_TEST_PAGERDUTY_SECRET, body)}` });

beforeAll(() => Object.assign(process.env, SECRETS));
afterAll(() => {
  for (const name of Object.keys(SECRETS)) delete process.env[name];
});

for (const factory of factories) {
  describe.skipIf(factory.skip)(`webhooks on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    let app: FastifyInstance;
    const post = (source: string, payload: string, headers: Record<string, string> = json) =>
      app.inject({ method: 'POST', url: `/api/v1/webhooks/${source}`, headers, payload });
    const signals = () => store.db.selectFrom('signals').selectAll().orderBy('id').execute();

    beforeEach(async () => {
      store = await factory.open();
      await upsertRecords(store.db, 'service', config.services);
      app = await buildApp({ store, config }, { bodyLimit: 64 * 1024 });
    });
    afterEach(async () => {
      await app.close();
      await store.close();
    });

    it('stores the same payload once, keeps it raw, and maps the service through its alias', async () => {
      const body = fixture('pagerduty', 'v3.incident.triggered.json');
      const first = await post('pagerduty', body, pdHeaders(body));
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ source: 'pagerduty', records: 1, stored: { signal: { inserted: 1, updated: 0, unchanged: 0 } }, totals: { inserted: 1, updated: 0, unchanged: 0 } });
      const again = await post('pagerduty', body, pdHeaders(body));
      expect(again.json().stored).toEqual({ signal: { inserted: 0, updated: 0, unchanged: 1 } });
      const rows = await signals();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ source: 'pagerduty', external_id: 'Q0AHT8EU4OF9X0', service: 'dns', service_raw: 'PH3DA7T', status: 'open' });
      const listed = await app.inject({ method: 'GET', url: '/api/v1/signals?include=raw' });
      expect(listed.json().data[0].raw).toEqual(JSON.parse(body));
    });

    it('closes an Alertmanager alert when the resolved notification arrives', async () => {
      expect((await post('alertmanager', fixture('alertmanager', 'webhook.v4.firing.json'))).statusCode).toBe(200);
      expect(await signals()).toMatchObject([{ status: 'open', resolved_at: null }]);
      const resolved = await post('alertmanager', fixture('alertmanager', 'webhook.v4.resolved.json'));
      expect(resolved.json().stored).toEqual({ signal: { inserted: 0, updated: 1, unchanged: 0 } });
      const rows = await signals();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'resolved', resolved_at: '2018-11-04T21:48:13.283Z', occurred_at: '2018-11-04T21:43:58.283Z' });
    });

    it('makes a Slack thread one signal: the reply keeps the title and start, and adds its links', async () => {
      const parent = fixture('slack', 'events_api.event_callback.message_channels.json');
      const reply = fixture('slack', 'events_api.event_callback.thread_reply.json');
      expect((await post('slack', parent, slackHeaders(parent))).statusCode).toBe(200);
      const second = await post('slack', reply, slackHeaders(reply));
      expect(second.json().stored).toEqual({ signal: { inserted: 0, updated: 1, unchanged: 0 } });
      const rows = await signals();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ title: 'Live long and prospect.', body: 'Live long and prospect.', occurred_at: '2012-12-14T20:38:43.000Z' });
      const listed = (await app.inject({ method: 'GET', url: '/api/v1/signals' })).json().data[0];
      expect(listed.links).toEqual(['slack:C123ABC456/1355517523.000005', 'url:https://github.com/acme/checkout/pull/812', 'pr:acme/checkout#812', 'jira:PAY-123']);
      expect(listed.labels).toMatchObject({ user: 'U123ABC456', last_reply_user: 'U222BBB222' });
    });
  });
}

describe('webhook edge cases (SQLite)', () => {
  let store: Store;
  let app: FastifyInstance;
  const post = (source: string, payload: string | Buffer, headers: Record<string, string> = json) =>
    app.inject({ method: 'POST', url: `/api/v1/webhooks/${source}`, headers, payload });
  const count = async () => (await store.db.selectFrom('signals').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  beforeEach(async () => {
    store = await factories[0]!.open();
    app = await buildApp({ store, config }, { bodyLimit: 64 * 1024 });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  it('answers an unknown source with 404 and the list of sources', async () => {
    const res = await post('nagios', '{}');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('unknown_source');
    expect(res.json().message).toMatch(/^no webhook source "nagios"; known sources: .*alertmanager/);
    expect(res.json().sources).toEqual(expect.arrayContaining(['alertmanager', 'generic', 'jira', 'pagerduty', 'slack']));
  });

  it('refuses a wrong or missing signature with 401 and the reason; stores nothing', async () => {
    const body = fixture('pagerduty', 'v3.incident.triggered.json');
    const wrong = await post('pagerduty', body, { ...json, 'x-pagerduty-signature': `v1=${hmacHex('not-the-secret', body)}` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'unauthorized', message: 'X-PagerDuty-Signature does not match the body' });
    const missing = await post('pagerduty', body);
    expect(missing.json()).toEqual({ error: 'unauthorized', message: 'missing X-PagerDuty-Signature header' });
    const token = await post('datadog', fixture('datadog', 'webhook.monitor.triggered.json'), { ...json, 'x-escapement-token': 'guess' });
    expect(token.statusCode).toBe(401);
    expect(token.json().message).toBe('X-Escapement-Token is not the configured secret');
    // A signature over other bytes than those sent (re-serialised JSON) does not pass.
    const reformatted = JSON.stringify(JSON.parse(body));
    expect((await post('pagerduty', body, pdHeaders(reformatted))).statusCode).toBe(401);
    expect(await count()).toBe(0);
  });

  it('refuses a replayed Slack request (timestamp older than 5 minutes) even when correctly signed', async () => {
    const body = fixture('slack', 'events_api.event_callback.message_channels.json');
    const res = await post('slack', body, slackHeaders(body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', message: 'X-Slack-Request-Timestamp is more than 5 minutes from now (replayed request?)' });
    expect(await count()).toBe(0);
  });

  it('answers Slack url_verification with the challenge', async () => {
    const body = fixture('slack', 'events_api.url_verification.json');
    const res = await post('slack', body, slackHeaders(body));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('refuses truncated JSON with 400 naming the body', async () => {
    const body = fixture('alertmanager', 'webhook.v4.firing.json');
    const res = await post('alertmanager', body.slice(0, body.length / 2));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad_request');
    expect(res.json().field).toBe('(body)');
    expect(res.json().message).toMatch(/^\(body\): not valid JSON/);
    expect((await post('alertmanager', '')).json().message).toBe('(body): is empty; expected a JSON document');
    expect(await count()).toBe(0);
  });

  it('refuses missing required fields with 400 naming the field, storing nothing of the payload', async () => {
    const noAlerts = await post('alertmanager', JSON.stringify({ version: '4', status: 'firing' }));
    expect(noAlerts.statusCode).toBe(400);
    expect(noAlerts.json()).toEqual({ error: 'bad_request', field: 'alerts', message: 'alerts: expected an array, got nothing' });
    const batch = [JSON.parse(fixture('generic', 'signal.firing.json')), { external_id: 'second', occurred_at: '2025-11-03T14:05:00Z' }];
    const generic = await post('generic', JSON.stringify(batch));
    expect(generic.statusCode).toBe(400);
    expect(generic.json()).toEqual({ error: 'bad_request', field: '[1].title', message: '[1].title: is required' });
    expect(await count()).toBe(0);
  });

  it('refuses a content type the source does not send with 415', async () => {
    const res = await post('alertmanager', fixture('alertmanager', 'webhook.v4.firing.json'), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'unsupported_media_type', message: 'content-type application/x-www-form-urlencoded: Prometheus Alertmanager sends application/json' });
    const csvAsJson = await post('jira-csv', fixture('jira-csv', 'export.csv'));
    expect(csvAsJson.statusCode).toBe(415);
    expect(await count()).toBe(0);
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = JSON.stringify({ external_id: 'x', title: 'x', occurred_at: '2025-11-03T14:05:00Z', description: 'x'.repeat(70 * 1024) });
    const res = await post('generic', huge);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large', message: 'the body is larger than the webhook limit of 65536 bytes' });
    expect(await count()).toBe(0);
  });

  it('answers 202 to an event kind it does not use and counts it', async () => {
    const res = await post('jira', fixture('jira', 'webhook.jira_issue_created.json'));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      ignored: 'TES-41 is neither a production problem nor a bug (type Story, labels test-label); see trackers: in the configuration',
      ignored_total: 1,
    });
    await post('alertmanager', '{');
    const stats = await app.inject({ method: 'GET', url: '/api/v1/webhooks/stats' });
    expect(stats.json().since_start).toEqual({
      alertmanager: { received: 1, stored: 0, ignored: 0, rejected: 1, replied: 0 },
      jira: { received: 1, stored: 0, ignored: 1, rejected: 0, replied: 0, last_ignored_reason: res.json().ignored },
    });
  });

  it('takes SNS bodies as text/plain and answers the subscription handshake without storing', async () => {
    const confirm = await post('cloudwatch', fixture('cloudwatch', 'sns.subscription_confirmation.json'), { 'content-type': 'text/plain; charset=UTF-8' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json().subscribe_url).toMatch(/^https:\/\/sns\.us-west-2\.amazonaws\.com\/\?Action=ConfirmSubscription/);
    expect(await count()).toBe(0);
    await post('cloudwatch', fixture('cloudwatch', 'sns.http.alarm.json'), { 'content-type': 'text/plain; charset=UTF-8' });
    await post('cloudwatch', fixture('cloudwatch', 'sns.http.ok.json'), { 'content-type': 'text/plain; charset=UTF-8' });
    const rows = await store.db.selectFrom('signals').selectAll().execute();
    expect(rows).toHaveLength(1);
    // The OK notification carries no start: the alarm's start is kept.
    expect(rows[0]).toMatchObject({ status: 'resolved', occurred_at: '2025-11-03T14:06:00.000Z', resolved_at: '2025-11-03T14:51:00.000Z' });
  });

  it('answers Teams with a message activity and reads Jira CSV as text/csv', async () => {
    const teams = await post('teams', fixture('teams', 'outgoing.message.json'));
    expect(teams.json()).toEqual({ type: 'message', text: 'Recorded in Escapement.' });
    const csv = await post('jira-csv', fixture('jira-csv', 'export.csv'), { 'content-type': 'text/csv' });
    expect(csv.json().stored).toEqual({ signal: { inserted: 1, updated: 0, unchanged: 0 }, defect: { inserted: 1, updated: 0, unchanged: 0 } });
  });

  it('documents the webhook routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/webhooks/{source}', '/api/v1/webhooks/generic', '/api/v1/webhooks/stats']));
    expect(doc.paths['/api/v1/webhooks/generic'].post.requestBody.content['application/json'].schema.required).toEqual(['external_id', 'title', 'occurred_at']);
  });
});

// SQLite writes a group through prepared statements, PostgreSQL through one statement per kind.
describe.each(factories)('webhook group commit on $dialect', (factory) => {
  it.skipIf(factory.skip)('answers concurrent requests each with its own counts, storing every signal once', async () => {
    const store = await factory.open();
    const app = await buildApp({ store, config: ConfigSchema.parse({}) });
    try {
      const body = (id: string) => JSON.stringify({ external_id: id, title: `t ${id}`, occurred_at: '2025-11-03T14:05:00Z' });
      const ids = Array.from({ length: 30 }, (_, i) => `c${i % 20}`);
      const responses = await Promise.all(ids.map((id) => app.inject({ method: 'POST', url: '/api/v1/webhooks/generic', headers: json, payload: body(id) })));
      expect(responses.every((r) => r.statusCode === 200)).toBe(true);
      const totals = responses.map((r) => r.json().totals as { inserted: number; updated: number; unchanged: number });
      expect(totals.reduce((n, t) => n + t.inserted, 0)).toBe(20);
      expect(totals.reduce((n, t) => n + t.unchanged, 0)).toBe(10);
      expect(totals.every((t) => t.inserted + t.updated + t.unchanged === 1)).toBe(true);
      const rows = await store.db.selectFrom('signals').select('external_id').execute();
      expect(rows).toHaveLength(20);

      // Distinct records written together: each request still learns what happened to its own.
      const batch = Array.from({ length: 30 }, (_, i) => (i < 10 ? { id: `c${i}`, title: `t c${i}`, expect: 'updated' } : { id: `n${i}`, title: 'new', expect: 'inserted' }));
      const answers = await Promise.all(
        batch.map((b) => app.inject({ method: 'POST', url: '/api/v1/webhooks/generic', headers: json, payload: JSON.stringify({ external_id: b.id, title: b.title, occurred_at: '2025-11-03T14:05:00Z', labels: { round: '2' } }) })),
      );
      // The stored ten gain a label (updated), twenty are new (inserted); sent again, all are unchanged.
      const outcome = (r: { json(): { totals: Record<string, number> } }) => Object.entries(r.json().totals).find(([, n]) => n === 1)?.[0];
      expect(answers.map(outcome)).toEqual(batch.map((b) => b.expect));
      const again = await Promise.all(
        batch.map((b) => app.inject({ method: 'POST', url: '/api/v1/webhooks/generic', headers: json, payload: JSON.stringify({ external_id: b.id, title: b.title, occurred_at: '2025-11-03T14:05:00Z', labels: { round: '2' } }) })),
      );
      expect(again.map(outcome)).toEqual(batch.map(() => 'unchanged'));
      expect(await store.db.selectFrom('signals').select('external_id').execute()).toHaveLength(40);

      // A thread's events in one group: the reply merges onto the parent written just before it.
      const parent = fixture('slack', 'events_api.event_callback.message_channels.json');
      const reply = fixture('slack', 'events_api.event_callback.thread_reply.json');
      const thread = await Promise.all([parent, reply].map((payload) => app.inject({ method: 'POST', url: '/api/v1/webhooks/slack', headers: json, payload })));
      expect(thread.map((r) => r.json().totals)).toEqual([{ inserted: 1, updated: 0, unchanged: 0 }, { inserted: 0, updated: 1, unchanged: 0 }]);
      const slack = await store.db.selectFrom('signals').selectAll().where('source', '=', 'slack').execute();
      expect(slack).toHaveLength(1);
      expect(slack[0]).toMatchObject({ title: 'Live long and prospect.', occurred_at: '2012-12-14T20:38:43.000Z' });
      expect(fromJson(slack[0]!.labels, {})).toMatchObject({ last_reply_user: 'U222BBB222' });
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('request log', () => {
  it('writes one line per request when it completes, with method, URL, client, status and time', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const store = await factories[0]!.open();
    const app = await buildApp({ store, config: ConfigSchema.parse({}) }, { logger: { level: 'info', stream } });
    try {
      const body = JSON.stringify({ external_id: 'log-1', title: 't', occurred_at: '2025-11-03T14:05:00Z' });
      expect((await app.inject({ method: 'POST', url: '/api/v1/webhooks/generic', headers: json, payload: body })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/v1/webhooks/generic', headers: json, payload: '{' })).statusCode).toBe(400);
      const requests = lines.filter((l) => l.reqId !== undefined && l.level === 30);
      expect(requests.map((l) => l.msg)).toEqual(['request completed', 'request completed']);
      expect(requests.map((l) => [l.req, l.res])).toEqual([
        [{ method: 'POST', url: '/api/v1/webhooks/generic', remoteAddress: '127.0.0.1' }, { statusCode: 200 }],
        [{ method: 'POST', url: '/api/v1/webhooks/generic', remoteAddress: '127.0.0.1' }, { statusCode: 400 }],
      ]);
      expect(requests.every((l) => typeof l.responseTime === 'number')).toBe(true);
      // The unsigned-source warning is still logged, once, with the request's id.
      expect(lines.filter((l) => l.level === 40 && String(l.msg).startsWith('webhook source generic has no secret'))).toHaveLength(1);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
