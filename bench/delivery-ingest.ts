// Delivery ingest speed: a large JUnit report parsed into one TestRun, and deployment lifecycles
// (created → in_progress → success) posted through POST /api/v1/webhooks/github on SQLite.
// Run: npx tsx bench/delivery-ingest.ts [lifecycles=1000] [testcases=20000]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/server/app.ts';
import { openStore } from '../src/store/connection.ts';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { junit } from '../src/ingest/sources/junit.ts';

const lifecycles = Number(process.argv[2] ?? 1000);
const testcases = Number(process.argv[3] ?? 20000);

// 1. JUnit: one report with many cases, a tenth failing.
const cases = Array.from({ length: testcases }, (_, i) =>
  i % 10 === 0
    ? `<testcase classname="suite${i % 50}" name="test ${i}" time="0.01"><failure message="boom">stack</failure></testcase>`
    : `<testcase classname="suite${i % 50}" name="test ${i}${i % 97 === 0 ? ' @smoke' : ''}" time="0.01"/>`,
).join('\n');
const xml = `<?xml version="1.0"?><testsuites name="bench"><testsuite name="all" timestamp="2025-11-03T10:00:00" time="200">${cases}</testsuite></testsuites>`;
let t = performance.now();
const out = junit.toRecords({ payload: xml, headers: { 'x-escapement-release': '1.0.0' }, receivedAt: new Date().toISOString(), config: DEFAULT_CONFIG });
const junitMs = performance.now() - t;
const run = out.status === 'records' ? (out.records[0]!.record as { passed: number; failed: number; critical_total: number }) : null;
console.log(`junit: ${testcases} test cases (${(xml.length / 1e6).toFixed(1)} MB) → 1 TestRun in ${junitMs.toFixed(0)} ms (passed ${run?.passed}, failed ${run?.failed}, critical ${run?.critical_total})`);

// 2. GitHub deployment lifecycles through the route.
const dir = new URL('../test/fixtures/github/', import.meta.url);
const created = JSON.parse(readFileSync(new URL('deployment.created.json', dir), 'utf8')) as { deployment: Record<string, unknown> };
const status = JSON.parse(readFileSync(new URL('deployment_status.created.success.json', dir), 'utf8')) as { deployment: Record<string, unknown>; deployment_status: Record<string, unknown> };
const store = await openStore({ dbPath: ':memory:' });
const app = await buildApp({ store, config: DEFAULT_CONFIG }, { webDist: '/nonexistent' });
const post = (event: string, body: unknown) =>
  app.inject({ method: 'POST', url: '/api/v1/webhooks/github', headers: { 'content-type': 'application/json', 'x-github-event': event }, payload: JSON.stringify(body) });
t = performance.now();
let failures = 0;
for (let i = 0; i < lifecycles; i++) {
  const at = new Date(Date.UTC(2025, 10, 1) + i * 60_000);
  const deployment = { ...created.deployment, id: 10_000 + i };
  const results = [
    await post('deployment', { ...created, deployment }),
    await post('deployment_status', { ...status, deployment, deployment_status: { ...status.deployment_status, state: 'in_progress', created_at: at.toISOString() } }),
    await post('deployment_status', { ...status, deployment, deployment_status: { ...status.deployment_status, state: 'success', created_at: new Date(at.getTime() + 30_000).toISOString() } }),
  ];
  failures += results.filter((r) => r.statusCode !== 200).length;
}
const routeMs = performance.now() - t;
const stored = await store.db.selectFrom('deployments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
console.log(`github route: ${lifecycles * 3} events (${lifecycles} lifecycles) in ${(routeMs / 1000).toFixed(2)} s = ${((lifecycles * 3) / (routeMs / 1000)).toFixed(0)} events/s, ${failures} non-200, ${stored.n} deployments stored`);
await app.close();
await store.close();
