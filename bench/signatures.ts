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

const config = (settings: Record<string, unknown>) => ConfigSchema.parse(settings);
// Each HMAC scheme: the source, a body, and the headers its sender would add.
const HMAC_CASES: [string, string, string, (body: string) => Record<string, string>][] = [
  ['slack (v0 HMAC, 5-minute window)', 'slack', 'slack/events_api.event_callback.message_channels.json', (body) => ({ 'x-slack-request-timestamp': String(now), 'x-slack-signature': `v0=${hex(secret, `v0:${now}:${body}`)}` })],
  ['grafana (HMAC of timestamp:body)', 'grafana', 'grafana/webhook.firing.json', (body) => ({ 'x-grafana-alerting-timestamp': String(now), 'x-grafana-alerting-signature': hex(secret, `${now}:${body}`) })],
  ['circleci (v1 HMAC)', 'circleci', 'circleci/rest.workflow.success.json', (body) => ({ 'circleci-signature': `v1=${hex(secret, body)}` })],
];

console.log(`node ${process.version}; ${iterations} checks each (SNS: a tenth as many)`);
for (const [name, source, file, headers] of HMAC_CASES) {
  const body = fixture(file);
  await measure(name, { source, config: config({ secrets: { [source]: 'BENCH_SECRET' } }), env, nowSeconds: now, rawBody: Buffer.from(body), headers: headers(body) });
}
await measure('no secret configured', { source: 'opsgenie', config: config({}), rawBody: Buffer.from(fixture('grafana/webhook.firing.json')), headers: {} });

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
