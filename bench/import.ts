// Import throughput and memory: generates a history (or reuses one cached under bench/results/) and
// imports it file by file into a fresh SQLite file or a throwaway PostgreSQL schema.
//
//   npx tsx bench/import.ts --scale medium|large --dialect sqlite|postgres [--seed N] [--label NAME] [--dir DIR]
//
// --dir DIR imports a history already generated there (e.g. /work/data/medium) instead of the cached
// one; it is only read. --db-dir DIR puts the SQLite database there rather than in bench/results.
// --worker on|off|auto: read files in worker threads always, never, or (auto) as the import decides.
// --label NAME keeps this run's database and results apart (bench/results/NAME-import-…), so runs
// side by side do not share files; the generated history is shared and only read once complete.
//
// Prints records/s per file and overall, peak RSS (process.resourceUsage().maxRSS) and RSS sampled
// while the largest file is read: flat samples mean memory does not grow with the input.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { writeHistory } from '../src/cli/commands/generate.ts';
import { SCALE_NAMES, type ScaleName } from '../src/generate/scales.ts';
import { RECORD_FILES } from '../src/generate/types.ts';
import { importFile, importOrder } from '../src/ingest/files.ts';
import { openStore, type Store } from '../src/store/connection.ts';
import { describeMachine, machineReference } from './machine.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'medium' },
    dialect: { type: 'string', default: 'sqlite' },
    seed: { type: 'string', default: '1' },
    label: { type: 'string' },
    dir: { type: 'string' },
    'db-dir': { type: 'string' },
    worker: { type: 'string', default: 'auto' },
  },
});
const scale = values.scale as ScaleName;
const dialect = values.dialect as 'sqlite' | 'postgres';
if (!SCALE_NAMES.includes(scale)) throw new Error(`--scale: one of ${SCALE_NAMES.join(', ')}`);
if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error('--dialect: sqlite or postgres');
const seed = Number(values.seed);
const PG_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const results = join(import.meta.dirname, 'results');
const prefix = values.label ? `${values.label}-` : '';
if (values.label && !/^[\w.-]+$/.test(values.label)) throw new Error('--label: letters, digits, dots, dashes');
const dir = values.dir ?? join(results, `history-${scale}-seed${seed}`);
const marker = join(dir, 'generated.json');
mkdirSync(results, { recursive: true });

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
let sampledMax = 0;
const samples: { file: string; progress: number; rssMb: number }[] = [];
let currentFile = '';
let currentProgress = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  sampledMax = Math.max(sampledMax, rss);
}, 200);

if (values.dir) {
  console.log(`reading ${dir}`);
} else if (existsSync(marker)) {
  console.log(`reusing ${dir}`);
} else {
  console.log(`generating ${scale} (seed ${seed}) into ${dir} …`);
  rmSync(dir, { recursive: true, force: true });
  const summary = await writeHistory({ scale, seed }, dir);
  writeFileSync(marker, JSON.stringify(summary, null, 2));
  console.log(`generated ${summary.records} records (${mb(summary.bytes)} MB) in ${summary.seconds}s`);
}
const files = importOrder(RECORD_FILES.map((f) => join(dir, `${f}.jsonl`)));
const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

let store: Store;
let cleanup: () => Promise<void>;
if (dialect === 'sqlite') {
  const dbPath = join(values['db-dir'] ?? results, `${prefix}import-${scale}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  store = await openStore({ dbPath });
  cleanup = async () => {
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  };
} else {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  store = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
  cleanup = async () => {
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  };
}

const rssBefore = process.memoryUsage().rss;
const rows: { file: string; records: number; seconds: number; perSecond: number; cpuSeconds: number }[] = [];
const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const started = performance.now();
const cpuStarted = cpuSeconds();
try {
  for (const file of files) {
    currentFile = basename(file);
    let nextSample = 0;
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const result = await importFile(store, file, {
      ...(values.worker === 'auto' ? {} : { worker: values.worker === 'on' }),
      onProgress(read, total) {
        currentProgress = total === 0 ? 1 : read / total;
        // RSS at every tenth of the file: it should stay level while the file streams through.
        if (currentProgress >= nextSample) {
          samples.push({ file: currentFile, progress: Math.round(currentProgress * 100), rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024) });
          nextSample += 0.1;
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const records = Object.values(result.counts).reduce((sum, c) => sum + c.inserted + c.updated + c.unchanged, 0);
    rows.push({ file: currentFile, records, seconds, perSecond: records / Math.max(seconds, 1e-9), cpuSeconds: cpuSeconds() - c0 });
  }
} finally {
  clearInterval(sampler);
  await cleanup();
}
const total = (performance.now() - started) / 1000;
const cpuTotal = cpuSeconds() - cpuStarted;
const records = rows.reduce((sum, r) => sum + r.records, 0);

console.log(`\nimport ${scale} into ${dialect} (${records} records, ${mb(bytes)} MB of JSONL)`);
// The machine may be shared: records per CPU second of this process says what the code costs,
// wall-clock records/s what a user waits (PostgreSQL's own work is not in this process's CPU time).
const line = (name: string, n: number, seconds: number, cpu: number) =>
  console.log(`${name.padEnd(22)} ${String(n).padStart(10)} ${seconds.toFixed(2).padStart(9)} ${Math.round(n / Math.max(seconds, 1e-9)).toString().padStart(11)} ${cpu.toFixed(2).padStart(9)} ${Math.round(n / Math.max(cpu, 1e-9)).toString().padStart(13)}`);
console.log(`${'file'.padEnd(22)} ${'records'.padStart(10)} ${'seconds'.padStart(9)} ${'records/s'.padStart(11)} ${'cpu s'.padStart(9)} ${'records/cpu-s'.padStart(13)}`);
for (const r of rows) line(r.file, r.records, r.seconds, r.cpuSeconds);
line('overall', records, total, cpuTotal);
const machine = machineReference();
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores; ${describeMachine(machine)}`);
const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`\npeak RSS ${maxRssMb} MB (maxRSS; includes generating when not cached), sampled peak during import ${mb(sampledMax)} MB, before import ${mb(rssBefore)} MB`);
const signalSamples = samples.filter((s) => s.file === 'signals.jsonl');
console.log(`RSS while signals.jsonl streams: ${signalSamples.map((s) => `${s.progress}%:${s.rssMb}MB`).join(' ')}`);

const out = join(results, `${prefix}import-${scale}-${dialect}.json`);
writeFileSync(out, JSON.stringify({ scale, dialect, seed, machine_reference_cpu_seconds: machine, records, seconds: total, perSecond: records / total, cpuSeconds: cpuTotal, perCpuSecond: records / cpuTotal, loadAverage: os.loadavg(), files: rows, maxRssMb, sampledMaxRssMb: Math.round(sampledMax / 1024 / 1024), samples, at: new Date().toISOString() }, null, 2));
console.log(`results written to ${out}`);
