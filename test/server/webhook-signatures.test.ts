// Signatures at the HTTP edge for the sources whose schemes are checked beyond a shared secret:
// Amazon SNS (cloudwatch), Grafana's HMAC, CircleCI's Circleci-Signature. A good signature stores;
// a wrong or missing one is answered 401 with the reason and stores nothing. SQLite and PostgreSQL.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type Config, ConfigSchema } from '../../src/domain/config.ts';
import { type CertificateFetcher, SnsCertificates } from '../../src/ingest/sns-signature.ts';
import { buildApp } from '../../src/server/app.ts';
import { webhookRoutes } from '../../src/server/routes/webhooks.ts';
import type { Store } from '../../src/store/connection.ts';
import { CERT_URL, fakeFetcher, makeSigner, signSns, type TestSigner } from '../helpers/sns-signer.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const fixture = (vendor: string, file: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${vendor}/${file}`, import.meta.url)), 'utf8');
const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
const SNS_TYPE = { 'content-type': 'text/plain; charset=UTF-8' };
const JSON_TYPE = { 'content-type': 'application/json' };
const ENV = { GRAFANA_HMAC: 'grafana-hmac-secret', CIRCLECI_SIGNING: 'circleci-signing-secret', SNS_PASSWORD: 'sns-subscription-password' };
const signer = makeSigner();
const skipSns = 'skip' in signer ? signer.skip : undefined;

for (const factory of factories) {
  describe.skipIf(factory.skip)(`webhook signatures on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store | undefined;
    let app: FastifyInstance | undefined;
    let fetcher: ReturnType<typeof fakeFetcher>;

    async function start(settings: Record<string, unknown> = {}, now?: number, certificateFetcher?: CertificateFetcher): Promise<FastifyInstance> {
      const config: Config = ConfigSchema.parse(settings);
      store = await factory.open();
      fetcher = fakeFetcher('skip' in signer ? {} : { [CERT_URL]: signer.certificatePem });
      app = Fastify();
      const ctx = { store, config };
      const snsCertificates = new SnsCertificates(certificateFetcher ?? fetcher);
      await app.register(async (api) => webhookRoutes(api, ctx, { env: ENV, snsCertificates, ...(now ? { nowSeconds: () => now } : {}) }));
      return app;
    }
    const post = (source: string, payload: string, headers: Record<string, string>) => app!.inject({ method: 'POST', url: `/api/v1/webhooks/${source}`, headers, payload });
    const stored = async () => (await store!.db.selectFrom('signals').select(['source', 'status']).unionAll(store!.db.selectFrom('deployments').select(['source', 'status'])).execute());

    afterEach(async () => {
      await app?.close();
      await store?.close();
      app = undefined;
      store = undefined;
    });

    describe.skipIf(skipSns)(`cloudwatch (Amazon SNS)${skipSns ? ` (skipped: ${skipSns})` : ''}`, () => {
      const key = signer as TestSigner;
      const alarm = JSON.parse(fixture('cloudwatch', 'sns.http.alarm.json')) as Record<string, unknown>;

      it('stores a notification SNS signed, and refuses a changed or unsigned one with 401, storing nothing', async () => {
        await start();
        const signed = signSns(alarm, key);
        const tampered = { ...signed, Message: String(alarm.Message).replace('checkout-5xx', 'checkout-4xx') };
        const refused = await post('cloudwatch', JSON.stringify(tampered), SNS_TYPE);
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toEqual({ error: 'unauthorized', message: 'the SNS Signature does not match the message' });
        // The fixture as written from the docs: its certificate URL names no certificate.
        const unsigned = await post('cloudwatch', fixture('cloudwatch', 'sns.http.alarm.json'), SNS_TYPE);
        expect(unsigned.json()).toEqual({ error: 'unauthorized', message: 'SigningCertURL https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem answered HTTP 403' });
        const offHost = await post('cloudwatch', JSON.stringify({ ...signed, SigningCertURL: 'https://attacker.example/SimpleNotificationService-x.pem' }), SNS_TYPE);
        expect(offHost.json().message).toBe('SigningCertURL https://attacker.example/SimpleNotificationService-x.pem is not on sns.<region>.amazonaws.com');
        expect(await stored()).toEqual([]);

        const good = await post('cloudwatch', JSON.stringify(signed), SNS_TYPE);
        expect(good.statusCode).toBe(200);
        expect(good.json().stored).toEqual({ signal: { inserted: 1, updated: 0, unchanged: 0 } });
        expect(await stored()).toEqual([{ source: 'cloudwatch', status: 'open' }]);
        expect(fetcher.calls.filter((url) => url === CERT_URL)).toHaveLength(1);
      });

      it('answers 500 when the certificate cannot be fetched for now (SNS retries), storing nothing', async () => {
        await start({}, undefined, async () => {
          throw new Error('getaddrinfo EAI_AGAIN sns.eu-west-1.amazonaws.com');
        });
        const res = await post('cloudwatch', JSON.stringify(signSns(alarm, key)), SNS_TYPE);
        expect(res.statusCode).toBe(500);
        expect(res.json()).toEqual({ error: 'internal_error', message: 'internal error; see the server log' });
        expect(await stored()).toEqual([]);
      });

      it('answers a signed subscription confirmation and refuses one whose SubscribeURL was changed', async () => {
        await start();
        const confirmation = signSns(JSON.parse(fixture('cloudwatch', 'sns.subscription_confirmation.json')) as Record<string, unknown>, key, '2');
        const changed = await post('cloudwatch', JSON.stringify({ ...confirmation, SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=forged' }), SNS_TYPE);
        expect(changed.statusCode).toBe(401);
        const res = await post('cloudwatch', JSON.stringify(confirmation), SNS_TYPE);
        expect(res.statusCode).toBe(200);
        expect(res.json().subscribe_url).toBe(confirmation.SubscribeURL);
      });

      it('refuses a topic outside signatures.sns.topics, and with verify off takes unsigned replays', async () => {
        await start({ signatures: { sns: { topics: ['arn:aws:sns:eu-west-1:123456789012:other'] } } });
        const res = await post('cloudwatch', JSON.stringify(signSns(alarm, key)), SNS_TYPE);
        expect(res.json()).toEqual({ error: 'unauthorized', message: 'SNS topic arn:aws:sns:eu-west-1:123456789012:escapement is not one of signatures.sns.topics' });
        await app!.close();
        await store!.close();

        await start({ signatures: { sns: { verify: false } } });
        expect((await post('cloudwatch', fixture('cloudwatch', 'sns.http.alarm.json'), SNS_TYPE)).statusCode).toBe(200);
        expect(fetcher.calls).toEqual([]);
      });

      it('asks for the subscription password too when secrets.cloudwatch is set', async () => {
        await start({ secrets: { cloudwatch: 'SNS_PASSWORD' } });
        const body = JSON.stringify(signSns(alarm, key));
        const noPassword = await post('cloudwatch', body, SNS_TYPE);
        expect(noPassword.json()).toEqual({ error: 'unauthorized', message: 'missing X-Escapement-Token (or Authorization: Bearer) header' });
        const basic = `Basic ${Buffer.from(`escapement:${ENV.SNS_PASSWORD}`).toString('base64')}`;
        expect((await post('cloudwatch', body, { ...SNS_TYPE, authorization: basic })).statusCode).toBe(200);
      });
    });

    it('grafana: stores a body signed with the configured headers; a replayed, unsigned or wrong one is refused', async () => {
      const now = 1_762_180_000;
      await start({ secrets: { grafana: 'GRAFANA_HMAC' }, signatures: { grafana: { timestamp_header: 'X-Grafana-Alerting-Timestamp' } } }, now);
      const body = fixture('grafana', 'webhook.firing.json');
      const headers = (ts: number, secret = ENV.GRAFANA_HMAC) => ({
        ...JSON_TYPE,
        'x-grafana-alerting-timestamp': String(ts),
        'x-grafana-alerting-signature': hmacHex(secret, `${ts}:${body}`),
      });
      const replayed = await post('grafana', body, headers(now - 600));
      expect(replayed.statusCode).toBe(401);
      expect(replayed.json().message).toBe('X-Grafana-Alerting-Timestamp is more than 5 minutes from now (replayed request?)');
      expect((await post('grafana', body, headers(now, 'not-the-secret'))).json().message).toBe('X-Grafana-Alerting-Signature does not match the timestamp and body');
      expect((await post('grafana', body, JSON_TYPE)).json().message).toBe('missing X-Escapement-Token (or Authorization: Bearer) header');
      expect(await stored()).toEqual([]);
      const good = await post('grafana', body, headers(now - 30));
      expect(good.statusCode).toBe(200);
      expect((await stored()).length).toBeGreaterThan(0);
    });

    it('circleci: stores a body with a matching Circleci-Signature; a wrong or missing one is refused', async () => {
      await start({ secrets: { circleci: 'CIRCLECI_SIGNING' } });
      const body = fixture('circleci', 'rest.workflow.success.json');
      const wrong = await post('circleci', body, { ...JSON_TYPE, 'circleci-signature': `v1=${hmacHex('guess', body)}` });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ error: 'unauthorized', message: 'Circleci-Signature does not match the body' });
      expect((await post('circleci', body, JSON_TYPE)).statusCode).toBe(401);
      expect(await stored()).toEqual([]);
      const good = await post('circleci', body, { ...JSON_TYPE, 'circleci-signature': `v1=${hmacHex(ENV.CIRCLECI_SIGNING, body)}` });
      expect(good.statusCode).toBe(200);
      expect(await stored()).toEqual([{ source: 'circleci', status: 'success' }]);
    });
  });
}

describe('OpenAPI document', () => {
  it('carries the generic deployment body as the schema of POST /api/v1/webhooks/deployment', async () => {
    const store = await factories[0]!.open();
    const app = await buildApp({ store, config: ConfigSchema.parse({}) });
    try {
      const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const schema = doc.paths['/api/v1/webhooks/deployment'].post.requestBody.content['application/json'].schema;
      expect(schema.type).toBe('object');
      expect(schema.required).toEqual(['service']);
      expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['service', 'environment', 'version', 'sha', 'status', 'started_at', 'finished_at', 'id', 'kind', 'previous_versions', 'commits']));
      expect(schema.additionalProperties).toBe(false);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
