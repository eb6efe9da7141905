// Webhook ingest throughput and latency on loopback: a real listening Escapement (a child process, so
// client and server do not share one event loop) receives a mix of vendor payloads over keep-alive
// HTTP, on SQLite and on PostgreSQL. Goal on a 2-core machine: ≥ 2,000 requests/s, p99 < 50 ms (SQLite).
//   npx tsx bench/ingest.ts [--requests 20000] [--concurrency 32] [--seconds 30] [--dialect sqlite|postgres|both] [--log-level info]
// The server logs as `escapement serve` does (pino, --log-level, default info), into a file that is
// deleted afterwards; `--log-level silent` measures without logs.
// Requests go to 127.0.0.1 only; each run is bounded by a request count and a time limit.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
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
  client_cpu_ms_per_request: number;
  log_bytes_per_request: number;
  load_average_after: string;
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

async function startServer(dialect: 'sqlite' | 'postgres', location: string, logLevel: string, logFile: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_CPU_PROF=DIR writes the server's CPU profile there (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, ...process.execArgv, fileURLToPath(import.meta.url), '--serve', dialect, location, logLevel, logFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

async function load(port: number, total: number, concurrency: number, maxSeconds: number, offset: number): Promise<Pick<RunResult, 'requests' | 'errors' | 'seconds' | 'rps' | 'p50_ms' | 'p99_ms' | 'max_ms' | 'statuses'>> {
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
  const logLevel = arg('log-level', 'info');
  const results: RunResult[] = [];
  const dialects = (which === 'both' ? ['sqlite', 'postgres'] : [which]) as ('sqlite' | 'postgres')[];
  const load1 = () => loadavg().map((n) => n.toFixed(2)).join(' ');
  console.log(`${total} requests, concurrency ${concurrency}, server log level ${logLevel}; load average before: ${load1()}`);
  for (const dialect of dialects) {
    let location: string;
    const dir = mkdtempSync(join(tmpdir(), 'escapement-bench-'));
    let cleanup = async () => rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') {
      const reason = await postgresReachable();
      if (reason) {
        console.log(`postgres: skipped (${reason})`);
        await cleanup();
        continue;
      }
      const schema = (location = `esc_bench_${randomBytes(4).toString('hex')}`);
      const removeDir = cleanup;
      cleanup = async () => {
        await removeDir();
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      };
    } else {
      location = join(dir, 'bench.db');
    }
    const logFile = join(dir, 'server.log');
    const { child, port } = await startServer(dialect, location, logLevel, logFile);
    try {
      await load(port, Math.min(1000, total), concurrency, 10, 10_000_000); // warm-up: JIT, prepared statements, pool
      const logBefore = logSize(logFile);
      const cpuBefore = await serverCpuMs(child);
      const clientBefore = process.cpuUsage();
      const measured = await load(port, total, concurrency, seconds, 0);
      const client = process.cpuUsage(clientBefore);
      const cpuMs = (await serverCpuMs(child)) - cpuBefore;
      const result: RunResult = {
        dialect,
        ...measured,
        server_cpu_ms_per_request: +(cpuMs / measured.requests).toFixed(3),
        client_cpu_ms_per_request: +((client.user + client.system) / 1000 / measured.requests).toFixed(3),
        log_bytes_per_request: Math.round((logSize(logFile) - logBefore) / measured.requests),
        load_average_after: load1(),
      };
      results.push(result);
      console.log(
        `${dialect.padEnd(8)} ${result.requests} requests in ${result.seconds}s: ${result.rps} req/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms, non-200: ${result.errors} ${JSON.stringify(result.statuses)}`,
      );
      console.log(
        `${''.padEnd(8)} server CPU ${result.server_cpu_ms_per_request} ms/request (≈ ${Math.round(1000 / result.server_cpu_ms_per_request)} req/s per core), load generator CPU ${result.client_cpu_ms_per_request} ms/request, server log ${result.log_bytes_per_request} bytes/request; load average after: ${result.load_average_after}`,
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
  writeFileSync(file, JSON.stringify({ total, concurrency, seconds, log_level: logLevel, cpus: cpus().length, results }, null, 2));
  console.log(`results: ${file}`);
}

function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

// ---- server mode: `--serve sqlite|postgres <location> [log level] [log file]` prints the port and serves until killed ----
if (process.argv[2] === '--serve') {
  const dialect = process.argv[3];
  const location = process.argv[4]!;
  const [logLevel = 'silent', logFile] = process.argv.slice(5);
  const options: StoreOptions = dialect === 'postgres' ? { databaseUrl: PG_URL, pgSchema: location } : { dbPath: location };
  const store = await openStore(options);
  // The logger `escapement serve` builds (its --log-level), writing to a file instead of stdout.
  const app = await buildApp({ store, config: ConfigSchema.parse({}) }, { logger: logLevel === 'silent' ? false : { level: logLevel, ...(logFile ? { file: logFile } : {}) } });
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
