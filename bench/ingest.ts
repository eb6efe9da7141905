// Webhook ingest throughput and latency on loopback: a real listening Escapement (a child process, so
// client and server do not share one event loop) receives a mix of vendor payloads over keep-alive
// HTTP, on SQLite and on PostgreSQL. Goal on a 2-core machine: ≥ 2,000 requests/s, p99 < 50 ms (SQLite).
//   npx tsx bench/ingest.ts [--requests 20000] [--concurrency 32] [--seconds 30] [--dialect sqlite|postgres|both]
// Requests go to 127.0.0.1 only; each run is bounded by a request count and a time limit.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ConfigSchema } from '../src/domain/config.ts';
import { buildApp } from '../src/server/app.ts';
import { openStore, type StoreOptions } from '../src/store/connection.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Payload {
  source: string;
  body: string;
  contentType: string;
}

const fixture = (vendor: string, file: string) => readFileSync(join(here, '../test/fixtures', vendor, file), 'utf8');

/** The mix: alerting, incidents, errors, chat, trackers, generic; each call gives a new external id, 1 in 5 repeats one. */
function payloadMaker(): (n: number) => Payload {
  const am = JSON.parse(fixture('alertmanager', 'webhook.v4.firing.fingerprint_truncatedAlerts.json'));
  const pd = JSON.parse(fixture('pagerduty', 'v3.incident.triggered.json'));
  const sentry = JSON.parse(fixture('sentry', 'webhook.issue.created.json'));
  const slack = JSON.parse(fixture('slack', 'events_api.event_callback.message_channels.json'));
  const generic = JSON.parse(fixture('generic', 'signal.firing.json'));
  const jira = JSON.parse(fixture('jira', 'webhook.jira_issue_created.json'));
  jira.issue.fields.labels = ['production'];
  const json = 'application/json';
  const makers: ((id: number) => Payload)[] = [
    (id) => ({ source: 'alertmanager', contentType: json, body: JSON.stringify({ ...am, alerts: [{ ...am.alerts[0], fingerprint: `fp${id}` }] }) }),
    (id) => ({ source: 'pagerduty', contentType: json, body: JSON.stringify({ event: { ...pd.event, data: { ...pd.event.data, id: `Q${id}` } } }) }),
    (id) => ({ source: 'sentry', contentType: json, body: JSON.stringify({ ...sentry, data: { issue: { ...sentry.data.issue, id: String(id) } } }) }),
    (id) => ({ source: 'slack', contentType: json, body: JSON.stringify({ ...slack, event: { ...slack.event, ts: `${1762000000 + id}.000100` } }) }),
    (id) => ({ source: 'generic', contentType: json, body: JSON.stringify({ ...generic, external_id: `g${id}` }) }),
    (id) => ({ source: 'jira', contentType: json, body: JSON.stringify({ ...jira, issue: { ...jira.issue, key: `PAY-${id}` } }) }),
  ];
  return (n) => {
    const id = n % 5 === 4 ? Math.floor(n / 2) : n;
    return makers[n % makers.length]!(id);
  };
}

interface RunResult {
  dialect: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  statuses: Record<string, number>;
  server_cpu_ms_per_request: number;
}

/** The server's CPU milliseconds so far (it answers SIGUSR2 on stdout). */
function serverCpuMs(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no CPU answer from the server')), 5000);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /CPU ([\d.]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.kill('SIGUSR2');
  });
}

async function startServer(dialect: 'sqlite' | 'postgres', location: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_CPU_PROF=DIR writes the server's CPU profile there (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, ...process.execArgv, fileURLToPath(import.meta.url), '--serve', dialect, location], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 30 s')), 30_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  return { child, port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function load(port: number, total: number, concurrency: number, maxSeconds: number, offset: number): Promise<Omit<RunResult, 'dialect' | 'server_cpu_ms_per_request'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const make = payloadMaker();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + maxSeconds * 1000;
  const one = (p: Payload) =>
    new Promise<number>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: `/api/v1/webhooks/${p.source}`, agent, headers: { 'content-type': p.contentType, 'content-length': Buffer.byteLength(p.body) }, timeout: 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(0));
      req.end(p.body);
    });
  const worker = async () => {
    while (next < total && Date.now() < deadline) {
      const n = next++;
      const payload = make(offset + n);
      const t0 = process.hrtime.bigint();
      const status = await one(payload);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => +(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);
  return { requests: latencies.length, errors, seconds: +seconds.toFixed(2), rps: Math.round(latencies.length / seconds), p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1), statuses };
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

async function main(): Promise<void> {
  const total = Number(arg('requests', '20000'));
  const concurrency = Number(arg('concurrency', '32'));
  const seconds = Number(arg('seconds', '30'));
  const which = arg('dialect', 'both');
  const results: RunResult[] = [];
  const dialects = (which === 'both' ? ['sqlite', 'postgres'] : [which]) as ('sqlite' | 'postgres')[];
  for (const dialect of dialects) {
    let location: string;
    let cleanup: () => Promise<void>;
    if (dialect === 'postgres') {
      const reason = await postgresReachable();
      if (reason) {
        console.log(`postgres: skipped (${reason})`);
        continue;
      }
      location = `esc_bench_${randomBytes(4).toString('hex')}`;
      cleanup = async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${location} cascade`);
        await client.end();
      };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'escapement-bench-'));
      location = join(dir, 'bench.db');
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const { child, port } = await startServer(dialect, location);
    try {
      await load(port, Math.min(1000, total), concurrency, 10, 10_000_000); // warm-up: JIT, prepared statements, pool
      const cpuBefore = await serverCpuMs(child);
      const measured = await load(port, total, concurrency, seconds, 0);
      const cpuMs = (await serverCpuMs(child)) - cpuBefore;
      const result = { dialect, ...measured, server_cpu_ms_per_request: +(cpuMs / measured.requests).toFixed(3) };
      results.push(result);
      console.log(
        `${dialect.padEnd(8)} ${result.requests} requests in ${result.seconds}s: ${result.rps} req/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms, non-200: ${result.errors} ${JSON.stringify(result.statuses)}; server CPU ${result.server_cpu_ms_per_request} ms/request (≈ ${Math.round(1000 / result.server_cpu_ms_per_request)} req/s per core)`,
      );
    } finally {
      await stopServer(child);
      await cleanup();
    }
  }
  const goal = results.find((r) => r.dialect === 'sqlite');
  if (goal) console.log(`goal (SQLite ≥ 2000 req/s, p99 < 50 ms): ${goal.rps >= 2000 && goal.p99_ms < 50 ? 'met' : 'NOT met'}`);
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ total, concurrency, seconds, results }, null, 2));
  console.log(`results: ${file}`);
}

// ---- server mode: `--serve sqlite|postgres <location>` prints the port and serves until killed ----
if (process.argv[2] === '--serve') {
  const dialect = process.argv[3];
  const location = process.argv[4]!;
  const options: StoreOptions = dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: location } : { dbPath: location };
  const store = await openStore(options);
  const app = await buildApp({ store, config: ConfigSchema.parse({}) }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
  // The client asks for the server's CPU time, to report CPU per request independently of machine load.
  process.on('SIGUSR2', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`CPU ${(user + system) / 1000}\n`);
  });
} else {
  await main();
}
