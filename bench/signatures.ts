// What a signature check costs per request, in CPU microseconds (process.cpuUsage, so other work on the
// machine does not count) and wall: the HMAC schemes, and Amazon SNS (RSA, certificate already cached)
// through verifyWebhook as the route calls it, with the SNS body parsed to find its fields.
// Run: npx tsx bench/signatures.ts [iterations=20000]
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ConfigSchema } from '../src/domain/config.ts';
import { SnsCertificates } from '../src/ingest/sns-signature.ts';
import { type Verification, verifyWebhook, type VerifyInput } from '../src/ingest/verify.ts';
import { CERT_URL, fakeFetcher, makeSigner, signSns } from '../test/helpers/sns-signer.ts';

const iterations = Number(process.argv[2] ?? 20000);
const fixture = (path: string) => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');
const hex = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('hex');
const now = Math.floor(Date.now() / 1000);
const secret = 'bench-secret';
const env = { BENCH_SECRET: secret };

async function measure(name: string, input: VerifyInput, count = iterations): Promise<void> {
  const first: Verification = await verifyWebhook(input);
  if (!first.ok) throw new Error(`${name}: ${first.reason}`);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < count; i++) await verifyWebhook(input);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - wall;
  const cpuUs = (used.user + used.system) / count;
  console.log(`${name.padEnd(34)} ${String(input.rawBody.length).padStart(6)} B  cpu ${cpuUs.toFixed(1).padStart(6)} µs/check  wall ${((wallMs * 1000) / count).toFixed(1).padStart(6)} µs/check  (${count} checks)`);
}

const alertBody = fixture('grafana/webhook.firing.json');
const slackBody = fixture('slack/events_api.event_callback.message_channels.json');
const circleBody = fixture('circleci/rest.workflow.success.json');
const config = (settings: Record<string, unknown>) => ConfigSchema.parse(settings);

console.log(`node ${process.version}; ${iterations} checks each (SNS: a tenth as many)`);
await measure('slack (v0 HMAC, 5-minute window)', {
  source: 'slack',
  config: config({ secrets: { slack: 'BENCH_SECRET' } }),
  env,
  nowSeconds: now,
  rawBody: Buffer.from(slackBody),
  headers: { 'x-slack-request-timestamp': String(now), 'x-slack-signature': `v0=${hex(secret, `v0:${now}:${slackBody}`)}` },
});
await measure('grafana (HMAC of timestamp:body)', {
  source: 'grafana',
  config: config({ secrets: { grafana: 'BENCH_SECRET' } }),
  env,
  nowSeconds: now,
  rawBody: Buffer.from(alertBody),
  headers: { 'x-grafana-alerting-timestamp': String(now), 'x-grafana-alerting-signature': hex(secret, `${now}:${alertBody}`) },
});
await measure('circleci (v1 HMAC)', {
  source: 'circleci',
  config: config({ secrets: { circleci: 'BENCH_SECRET' } }),
  env,
  nowSeconds: now,
  rawBody: Buffer.from(circleBody),
  headers: { 'circleci-signature': `v1=${hex(secret, circleBody)}` },
});
await measure('no secret configured', { source: 'opsgenie', config: config({}), rawBody: Buffer.from(alertBody), headers: {} });

const signer = makeSigner();
if ('skip' in signer) {
  console.log(`SNS: skipped (${signer.skip})`);
} else {
  const alarm = JSON.parse(fixture('cloudwatch/sns.http.alarm.json')) as Record<string, unknown>;
  const snsCertificates = new SnsCertificates(fakeFetcher({ [CERT_URL]: signer.certificatePem }));
  for (const version of ['1', '2'] as const) {
    await measure(`cloudwatch (SNS v${version}, RSA-2048)`, {
      source: 'cloudwatch',
      config: config({}),
      nowSeconds: signer.validAt,
      snsCertificates,
      rawBody: Buffer.from(JSON.stringify(signSns(alarm, signer, version))),
      headers: {},
    }, Math.max(1, Math.floor(iterations / 10)));
  }
}
