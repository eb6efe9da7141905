// Time and memory of `escapement pipeline` (correlate + classify + write) on SQLite over a generated
// history, and correlation quality against the generator's ground truth (pairwise precision/recall:
// of the signal pairs we put together, how many belong together, and of those that belong together,
// how many we found). Signals in no true problem (noise) count as problems of their own.
//
// Run: npx tsx bench/pipeline.ts [--scale small|medium|large] [--dir DIR] [--runs N]
// The first run generates DIR (default bench/data/<scale>) and imports it into DIR/escapement.db.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../src/domain/config.ts';
import { openStore } from '../src/store/connection.ts';
import { type PipelineProgress, runPipeline } from '../src/pipeline/run.ts';
import { describeMachine, machineReference } from './machine.ts';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const scale = arg('scale', 'large');
const dir = resolve(arg('dir', join(here, 'data', scale)));
const runs = Number(arg('runs', '2'));
const cli = join(here, '../bin/escapement.js');
const dbPath = join(dir, 'escapement.db');

if (!existsSync(join(dir, 'ground-truth', 'problems.jsonl'))) {
  mkdirSync(dir, { recursive: true });
  console.log(`generating the ${scale} history into ${dir} …`);
  execFileSync(process.execPath, [cli, 'generate', '--scale', scale, '--out', dir, '--no-progress'], { stdio: 'inherit' });
}
if (!existsSync(dbPath)) {
  console.log(`importing into ${dbPath} …`);
  const t = performance.now();
  execFileSync(process.execPath, [cli, 'import', dir, '--db', dbPath, '--no-progress'], { stdio: 'inherit' });
  console.log(`import took ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const store = await openStore({ dbPath });
const signalCount = Number((await store.db.selectFrom('signals').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
console.log(`${signalCount} signals in ${dbPath}`);

// Sampled at every page of signals: the pipeline keeps the event loop busy, so a timer would not fire.
let peakRss = 0;
let peakHeap = 0;
let lastPhase = '';
let lastTenth = -1;
const sample = (p: PipelineProgress) => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  const tenth = Math.floor((10 * p.done) / Math.max(1, p.total));
  if (p.phase !== lastPhase || tenth !== lastTenth) {
    [lastPhase, lastTenth] = [p.phase, tenth];
    process.stderr.write(`  ${p.phase} ${p.done}/${p.total} — ${(m.rss / 2 ** 20).toFixed(0)} MB rss, cpu ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(0)} s\n`);
  }
};

// The machine's load says how far to trust the wall times (and, on a busy machine, the CPU times too).
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const machine = machineReference();
console.log(`${cpus().length} cores; load average ${load()} (1, 5, 15 min); ${describeMachine(machine)}`);
const timings: Record<string, unknown>[] = [];
// Time spent in garbage collection (pauses on the main thread), summed per run.
// Disconnected after the last run.
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
for (let run = 1; run <= runs; run++) {
  const loadBefore = load();
  const t = performance.now();
  const cpu = process.cpuUsage();
  gcMs = 0;
  const summary = await runPipeline(store, DEFAULT_CONFIG, { onProgress: sample });
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU time is the fairer number on a shared machine: wall time includes waiting for other processes.
  const cpuSeconds = (used.user + used.system) / 1e6;
  // The run yields only to promises, so GC entries are delivered once it is over: a timer lets them in.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const gcSeconds = gcMs / 1000;
  timings.push({ run, seconds, cpu_seconds: cpuSeconds, gc_seconds: gcSeconds, user_seconds: used.user / 1e6, system_seconds: used.system / 1e6, load_before: loadBefore, load_after: load(), ...summary });
  console.log(
    `run ${run}: ${cpuSeconds.toFixed(1)} s CPU (user ${(used.user / 1e6).toFixed(1)}, system ${(used.system / 1e6).toFixed(1)}), ${seconds.toFixed(1)} s wall (GC ${gcSeconds.toFixed(1)} s), load ${loadBefore} → ${load()} — remap ${(summary.timings_ms.remap / 1000).toFixed(1)} s, correlate ${(summary.timings_ms.correlate / 1000).toFixed(1)} s, classify+write ${(summary.timings_ms.derive_and_write / 1000).toFixed(1)} s, cleanup ${(summary.timings_ms.cleanup / 1000).toFixed(1)} s; ` +
      `${summary.problems} problems (${summary.inserted} new, ${summary.updated} changed, ${summary.unchanged} unchanged, ${summary.deleted} removed), ${summary.signals_moved} signals moved`,
  );
}
gcObserver.disconnect();
// maxRSS is the kernel's peak for the whole process (the import ran in a child); the sampled peak is at page boundaries.
const maxRss = process.resourceUsage().maxRSS / 1024;
console.log(`peak memory: rss ${maxRss.toFixed(0)} MB (process peak), ${(peakRss / 2 ** 20).toFixed(0)} MB sampled per page; heap ${(peakHeap / 2 ** 20).toFixed(0)} MB`);

// Correlation quality: a contingency table of (our problem, true problem) over every signal.
const truthOf = new Map<string, number>();
const trueType: string[] = [''];
let trueProblem = 0;
const lines = createInterface({ input: createReadStream(join(dir, 'ground-truth', 'problems.jsonl')) });
for await (const line of lines) {
  if (!line.trim()) continue;
  const p = JSON.parse(line) as { signals: string[]; type: string };
  trueProblem++;
  trueType.push(p.type);
  for (const ref of p.signals) truthOf.set(ref, trueProblem);
}
const pairs = (n: number) => (n * (n - 1)) / 2;
const cells = new Map<string, number>();
const ours = new Map<number, number>();
const theirs = new Map<number, number>();
let noise = 0;
// Noise pulled in: signals of no true problem sitting in one of our problems that holds signals of a true one.
const noiseKinds = new Map<number, Map<string, number>>();
const holdsTruth = new Set<number>();
let after = 0;
for (;;) {
  const rows = await store.db
    .selectFrom('signals')
    .leftJoin('signal_problems as sp', 'sp.signal_id', 'signals.id')
    .select(['signals.id', 'signals.source', 'signals.external_id', 'signals.kind', 'sp.problem_id'])
    .where('signals.id', '>', after)
    .orderBy('signals.id')
    .limit(50_000)
    .execute();
  if (rows.length === 0) break;
  after = Number(rows[rows.length - 1]!.id);
  for (const r of rows) {
    let truth = truthOf.get(`${r.source}:${r.external_id}`);
    const mine = Number(r.problem_id);
    if (truth === undefined) {
      noise++;
      truth = -r.id;
      const kinds = noiseKinds.get(mine) ?? noiseKinds.set(mine, new Map()).get(mine)!;
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    } else holdsTruth.add(mine);
    ours.set(mine, (ours.get(mine) ?? 0) + 1);
    theirs.set(truth, (theirs.get(truth) ?? 0) + 1);
    const cell = `${mine}/${truth}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
  }
}
let together = 0;
for (const n of cells.values()) together += pairs(n);
let predictedPairs = 0;
for (const n of ours.values()) predictedPairs += pairs(n);
let truePairs = 0;
for (const n of theirs.values()) truePairs += pairs(n);
const precision = predictedPairs ? together / predictedPairs : 1;
const recall = truePairs ? together / truePairs : 1;
const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
// Problems found exactly: our group has exactly the true problem's signals (noise aside).
let exact = 0;
const cellsByTruth = new Map<number, { mine: number; n: number }[]>();
for (const [cell, n] of cells) {
  const [mine, truth] = cell.split('/').map(Number) as [number, number];
  if (truth < 0) continue;
  (cellsByTruth.get(truth) ?? cellsByTruth.set(truth, []).get(truth)!).push({ mine, n });
}
for (const [truth, parts] of cellsByTruth) if (parts.length === 1 && ours.get(parts[0]!.mine) === theirs.get(truth)) exact++;

// Classification against the generator's types: each true problem judged by the problem of ours
// that holds most of its signals.
const typeOf = new Map<number, string | null>();
{
  const reopened = store;
  let last = 0;
  for (;;) {
    const rows = await reopened.db.selectFrom('problems').select(['id', 'type']).where('id', '>', last).orderBy('id').limit(50_000).execute();
    if (rows.length === 0) break;
    last = Number(rows[rows.length - 1]!.id);
    for (const r of rows) typeOf.set(Number(r.id), r.type);
  }
}
await store.close();
const confusion = new Map<string, number>();
let typed = 0;
let typedRight = 0;
for (const [truth, parts] of cellsByTruth) {
  const main = parts.reduce((a, b) => (b.n > a.n ? b : a));
  const predicted = typeOf.get(main.mine) ?? 'none';
  const actual = trueType[truth]!;
  typed++;
  if (predicted === actual) typedRight++;
  confusion.set(`${actual}→${predicted}`, (confusion.get(`${actual}→${predicted}`) ?? 0) + 1);
}
console.log(`type vs ground truth (rules only, nothing confirmed): ${(100 * typedRight / typed).toFixed(1)}% of ${typed} true problems; ` +
  [...confusion].filter(([k]) => k.split('→')[0] !== k.split('→')[1]).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', '));
const noisePulledIn: Record<string, number> = {};
for (const [mine, kinds] of noiseKinds) if (holdsTruth.has(mine)) for (const [kind, n] of kinds) noisePulledIn[kind] = (noisePulledIn[kind] ?? 0) + n;
const quality = {
  true_problems: trueProblem,
  noise_signals: noise,
  noise_pulled_in: noisePulledIn,
  our_problems: ours.size,
  pairwise_precision: precision,
  pairwise_recall: recall,
  pairwise_f1: f1,
  true_problems_found_exactly: exact / trueProblem,
  type_accuracy: typedRight / typed,
  type_errors: Object.fromEntries(confusion),
};
console.log(
  `correlation vs ground truth: pairwise precision ${(100 * precision).toFixed(1)}%, recall ${(100 * recall).toFixed(1)}%, F1 ${f1.toFixed(3)}; ` +
    `${trueProblem} true problems (+${noise} noise signals) → ${ours.size} of ours; ${(100 * quality.true_problems_found_exactly).toFixed(1)}% of true problems found exactly`,
);
console.log(`noise pulled in (signals of no true problem in a problem with true signals): ${Object.values(noisePulledIn).reduce((a, b) => a + b, 0)} (${Object.entries(noisePulledIn).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', `pipeline-${scale}.json`), JSON.stringify({ at: new Date().toISOString(), scale, machine_reference_cpu_seconds: machine, signals: signalCount, runs: timings, max_rss_mb: maxRss, peak_rss_mb: peakRss / 2 ** 20, peak_heap_mb: peakHeap / 2 ** 20, quality }, null, 2));
