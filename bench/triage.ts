// Triage quality against the generator's ground truth: of the problems `escapement pipeline` set aside,
// how many hold only noise (signals in no true problem), how many are fragments of a true problem that
// is counted elsewhere, and how many true problems were lost (set aside and counted nowhere); of the
// problems counted, how many hold only noise; and the type shares counted against the true ones.
//
// Run: npx tsx bench/triage.ts --dir DIR [--db DB]
// DIR is a generated history (`escapement generate`, with ground-truth/problems.jsonl). DB defaults to
// DIR/escapement.db; when it does not exist the history is imported into it and the pipeline run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({ options: { dir: { type: 'string' }, db: { type: 'string' } } });
if (!values.dir) {
  console.error('usage: npx tsx bench/triage.ts --dir DIR [--db DB]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(values.dir);
const dbPath = resolve(values.db ?? join(dir, 'escapement.db'));
const cli = join(here, '../bin/escapement.js');
if (!existsSync(dbPath)) {
  console.log(`importing ${dir} into ${dbPath} and running the pipeline …`);
  execFileSync(process.execPath, [cli, 'import', dir, '--db', dbPath, '--no-progress'], { stdio: 'inherit' });
  execFileSync(process.execPath, [cli, 'pipeline', '--db', dbPath, '--no-progress'], { stdio: 'inherit' });
}

interface TrueProblem {
  problem: string;
  type: string;
  signals: string[];
}
const truthOf = new Map<string, TrueProblem>();
const trueProblems: TrueProblem[] = [];
for (const line of readFileSync(join(dir, 'ground-truth', 'problems.jsonl'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const p = JSON.parse(line) as TrueProblem;
  trueProblems.push(p);
  for (const s of p.signals) truthOf.set(s, p);
}

const db = new Database(dbPath, { readonly: true });
const problems = db.prepare('select id, type, review_state from problems').all() as { id: number; type: string | null; review_state: string }[];
const truthsOf = new Map<number, TrueProblem[]>();
for (const s of db.prepare('select sp.problem_id, s.source, s.external_id from signal_problems sp join signals s on s.id = sp.signal_id').iterate() as Iterable<{ problem_id: number; source: string; external_id: string }>) {
  const t = truthOf.get(`${s.source}:${s.external_id}`);
  const list = truthsOf.get(s.problem_id) ?? [];
  if (t) list.push(t);
  truthsOf.set(s.problem_id, list);
}

const SET_ASIDE = 'dismissed';
const countedTruth = new Set<string>();
for (const p of problems) if (p.review_state !== SET_ASIDE) for (const t of truthsOf.get(p.id) ?? []) countedTruth.add(t.problem);

const aside = { total: 0, noise: 0, fragments: 0, lost: new Set<string>() };
const counted = { total: 0, noise: 0, types: {} as Record<string, number> };
for (const p of problems) {
  const truths = truthsOf.get(p.id) ?? [];
  if (p.review_state === SET_ASIDE) {
    aside.total++;
    if (truths.length === 0) aside.noise++;
    else if (truths.every((t) => countedTruth.has(t.problem))) aside.fragments++;
    else for (const t of truths) if (!countedTruth.has(t.problem)) aside.lost.add(t.problem);
  } else {
    counted.total++;
    if (truths.length === 0) counted.noise++;
    counted.types[p.type ?? 'unclassified'] = (counted.types[p.type ?? 'unclassified'] ?? 0) + 1;
  }
}
const noiseProblems = aside.noise + counted.noise;
const trueTypes: Record<string, number> = {};
for (const t of trueProblems) trueTypes[t.type] = (trueTypes[t.type] ?? 0) + 1;

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
const result = {
  history: dir,
  true_problems: trueProblems.length,
  stored_problems: problems.length,
  counted: counted.total,
  set_aside: aside.total,
  set_aside_only_noise: aside.noise,
  set_aside_fragments_of_counted_problems: aside.fragments,
  true_problems_lost: aside.lost.size,
  noise_problems: noiseProblems,
  noise_recall: pct(aside.noise, noiseProblems),
  set_aside_precision: pct(aside.noise + aside.fragments, aside.total),
  counted_only_noise: counted.noise,
  counted_type_shares: Object.fromEntries(Object.entries(counted.types).sort().map(([k, v]) => [k, pct(v, counted.total)])),
  true_type_shares: Object.fromEntries(Object.entries(trueTypes).sort().map(([k, v]) => [k, pct(v, trueProblems.length)])),
};
console.log(`true problems ${result.true_problems}; stored ${result.stored_problems}: counted ${result.counted}, set aside ${result.set_aside}`);
console.log(`set aside: ${aside.noise} only noise, ${aside.fragments} fragments of a problem counted elsewhere, ${aside.lost.size} true problems lost`);
console.log(`noise problems set aside (recall): ${result.noise_recall}; set aside rightly (precision): ${result.set_aside_precision}; counted yet only noise: ${counted.noise}`);
console.log('type shares counted:', result.counted_type_shares);
console.log('type shares true:   ', result.true_type_shares);
const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `triage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
