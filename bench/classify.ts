// Classification quality on the 50 labelled incidents (test/fixtures/incidents/incidents-dev.jsonl):
// (a) the default rules alone, no training; (b) rules + learned model as the product runs them, and the
// model always deciding, by 5-fold cross-validation. Accuracy, macro-F1 and the confusion matrix over the
// four main types, calibration (Brier score, ECE), and repeated cross-validation (5 × 5-fold, each repeat
// its own fixed split) so that one split is not the claim.
//
// Folds: stratified by label; within a label, incidents sorted by the FNV-1a hash of `repeat R:` + id
// and dealt to folds 0..4 in turn (foldsOf in src/pipeline/classify/model.ts). Repeat 0 is the split
// shown in full. Nothing is chosen on a test fold: the model picks its penalties and temperature by
// cross-validation inside each training fold.
//
// Run: npx tsx bench/classify.ts [--errors] [--ablations] [--timing [data dir, default /work/data/medium]]
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, type ProblemType } from '../src/domain/config.ts';
import { buildClassifier, classifyProblem, type Classification, type Classifier, MAIN_TYPES, type ModelInputOptions, type ConfirmedExample, typeProbabilities } from '../src/pipeline/classify/index.ts';
import { mentionsExternalHost, problemFeatures, type ProblemFeatures } from '../src/pipeline/classify/features.ts';
import { foldsOf } from '../src/pipeline/classify/model.ts';

interface Incident {
  id: string;
  title: string;
  description: string;
  label: ProblemType;
  signal_source: string;
  deploy_related: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const incidents: Incident[] = readFileSync(join(here, '../test/fixtures/incidents/incidents-dev.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Incident);
const FOLDS = 5;
const REPEATS = 5;
const isMain = (t: string) => (MAIN_TYPES as readonly string[]).includes(t);

/** An incident as the product would see it: one signal's words, its kind, and the deployment fact. */
function featuresOf(i: Incident): ProblemFeatures {
  // One signal, written as the product summarises a problem: its title, then its description.
  const text = `${i.title} — ${i.description}`;
  return {
    text,
    sources: [i.signal_source],
    kinds: [i.signal_source],
    labels: {},
    fields: { title: i.title, body: i.description, source: i.signal_source, kind: i.signal_source },
    // In the product post_deploy comes from the deployment history; the data set records it as deploy_related.
    facts: { post_deploy: i.deploy_related, from_support: i.signal_source === 'support', external_call: mentionsExternalHost(text) },
  };
}

interface Scored {
  incident: Incident;
  result: Classification;
  /** The probabilities behind the decision (rules: softmax of their scores; model: calibrated). */
  probabilities: Record<string, number>;
}

/** Accuracy, macro-F1 and calibration over the incidents with a main-type label. */
function measure(scored: readonly Scored[]) {
  const main = scored.filter((s) => isMain(s.incident.label));
  const predicted = [...MAIN_TYPES, 'mixed'] as const;
  const matrix = Object.fromEntries(MAIN_TYPES.map((t) => [t, Object.fromEntries(predicted.map((p) => [p, 0]))])) as Record<string, Record<string, number>>;
  for (const s of main) matrix[s.incident.label]![s.result.type]! += 1;
  const correct = main.filter((s) => s.result.type === s.incident.label).length;
  const perType = MAIN_TYPES.map((t) => {
    const tp = matrix[t]![t]!;
    const fp = MAIN_TYPES.reduce((sum, other) => sum + (other === t ? 0 : matrix[other]![t]!), 0);
    const fn = main.filter((s) => s.incident.label === t).length - tp;
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    return { type: t, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
  // Brier: squared error of the whole distribution (types it gives no probability count as 0), 0 is perfect, 2 worst.
  let brier = 0;
  for (const s of main) for (const t of predicted) brier += ((s.probabilities[t] ?? 0) - (t === s.incident.label ? 1 : 0)) ** 2;
  // ECE: stated confidence of the pick vs how often the pick was right, in 10 bins of confidence.
  let ece = 0;
  for (let b = 0; b < 10; b++) {
    const bin = main.filter((s) => Math.min(9, Math.floor(s.result.confidence * 10)) === b);
    if (bin.length === 0) continue;
    const stated = bin.reduce((sum, s) => sum + s.result.confidence, 0) / bin.length;
    const right = bin.filter((s) => s.result.type === s.incident.label).length / bin.length;
    ece += (bin.length / main.length) * Math.abs(stated - right);
  }
  return {
    n: main.length,
    correct,
    accuracy: correct / main.length,
    macro_f1: perType.reduce((s, f) => s + f.f1, 0) / perType.length,
    brier: brier / main.length,
    ece,
    mean_confidence: main.reduce((s, x) => s + x.result.confidence, 0) / main.length,
    matrix,
    per_type: perType,
    errors: main.filter((s) => s.result.type !== s.incident.label),
  };
}

function report(name: string, scored: readonly Scored[]) {
  const m = measure(scored);
  const confident = scored.filter((s) => isMain(s.incident.label) && s.result.review_state !== 'to_verify');
  const confidentCorrect = confident.filter((s) => s.result.type === s.incident.label).length;
  console.log(`\n== ${name} ==`);
  console.log(`accuracy ${(100 * m.accuracy).toFixed(1)}% (${m.correct}/${m.n}), macro-F1 ${m.macro_f1.toFixed(3)}, mean confidence ${m.mean_confidence.toFixed(2)}, Brier ${m.brier.toFixed(3)}, ECE ${m.ece.toFixed(3)}`);
  console.log(`above the ${DEFAULT_CONFIG.thresholds.classification_confidence} threshold: ${confident.length}/${m.n}, of which correct ${confidentCorrect} (${confident.length ? ((100 * confidentCorrect) / confident.length).toFixed(0) : '-'}%)`);
  console.log(`per type: ${m.per_type.map((f) => `${f.type} P ${f.precision.toFixed(2)} R ${f.recall.toFixed(2)} F1 ${f.f1.toFixed(2)}`).join(' | ')}`);
  console.log(`confusion (rows = reviewer's label, columns = predicted):`);
  const predicted = [...MAIN_TYPES, 'mixed'];
  console.log(`  ${''.padEnd(12)}${predicted.map((p) => p.padStart(12)).join('')}`);
  for (const t of MAIN_TYPES) console.log(`  ${t.padEnd(12)}${predicted.map((p) => String(m.matrix[t]![p]).padStart(12)).join('')}`);
  if (process.argv.includes('--errors')) {
    for (const e of m.errors) console.log(`  ✗ ${e.incident.id} ${e.incident.label} → ${e.result.type} ${e.result.confidence}: ${e.incident.title}\n      ${e.result.rationale}`);
  } else {
    console.log(`errors: ${m.errors.map((e) => `${e.incident.id} ${e.incident.label}→${e.result.type}`).join(', ')}`);
  }
  const { errors, ...rest } = m;
  return { ...rest, errors: errors.map((e) => ({ id: e.incident.id, label: e.incident.label, predicted: e.result.type, confidence: e.result.confidence })) };
}

const features = new Map(incidents.map((i) => [i.id, featuresOf(i)]));

function score(classifier: Classifier, incident: Incident): Scored {
  const f = features.get(incident.id)!;
  // The probabilities classifyProblem decides from (the model's when it decides, else the rules' at their fitted temperature).
  return { incident, result: classifyProblem(f, classifier), probabilities: typeProbabilities(f, classifier).probabilities };
}

/** One cross-validation run: the product's choice (model or rules per fold) and the model always deciding. */
function crossValidate(repeat: number, input: ModelInputOptions = {}, log = false) {
  const fold = foldsOf(
    incidents.map((i) => ({ type: i.label, key: i.id })),
    FOLDS,
    `repeat ${repeat}:`,
  );
  const product: Scored[] = [];
  const forced: Scored[] = [];
  let cpu = 0;
  let modelFolds = 0;
  for (let k = 0; k < FOLDS; k++) {
    const train = incidents.filter((_, i) => fold[i] !== k);
    const confirmed: ConfirmedExample[] = train.map((i) => ({ type: i.label, features: features.get(i.id)!, key: i.id }));
    const start = process.cpuUsage();
    const classifier = buildClassifier(DEFAULT_CONFIG, confirmed, { input });
    const used = process.cpuUsage(start);
    cpu += used.user + used.system;
    if (!classifier.trained) throw new Error(`fold ${k}: no model was trained`);
    if (classifier.model) modelFolds++;
    const v = classifier.trained.validation;
    if (log) {
      console.log(
        `fold ${k}: trained on ${train.length}, penalties ${JSON.stringify({ weights: classifier.trained.penalty.weights, bias: classifier.trained.penalty.bias })}, temperature ${classifier.trained.temperature}, rules' temperature ${classifier.ruleTemperature}; held-out check inside the training set: model ${v ? (100 * v.model_accuracy).toFixed(0) : '-'}% vs rules ${v ? (100 * v.prior_accuracy).toFixed(0) : '-'}% → ${classifier.model ? 'model decides' : 'rules decide'}`,
      );
    }
    const withModel = { ...classifier, model: classifier.trained };
    incidents.forEach((incident, i) => {
      if (fold[i] !== k) return;
      product.push(score(classifier, incident));
      forced.push(score(withModel, incident));
    });
  }
  return { product, forced, train_cpu_ms: cpu / 1000 / FOLDS, model_folds: modelFolds };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const pct = (xs: readonly number[]) => `${(100 * mean(xs)).toFixed(1)}% ± ${(100 * sd(xs)).toFixed(1)} (min ${(100 * Math.min(...xs)).toFixed(1)}, max ${(100 * Math.max(...xs)).toFixed(1)})`;

/** Repeated cross-validation: mean and spread of accuracy, macro-F1 and Brier over REPEATS fixed splits. */
function repeated(input: ModelInputOptions = {}) {
  const runs = Array.from({ length: REPEATS }, (_, r) => crossValidate(r, input));
  const summarise = (pick: (run: (typeof runs)[number]) => Scored[]) => {
    const ms = runs.map((run) => measure(pick(run)));
    return {
      accuracy: ms.map((m) => m.accuracy),
      correct: ms.map((m) => m.correct),
      macro_f1: mean(ms.map((m) => m.macro_f1)),
      brier: mean(ms.map((m) => m.brier)),
      ece: mean(ms.map((m) => m.ece)),
      wrong_in: Object.fromEntries(
        [...ms.flatMap((m) => m.errors.map((e) => e.incident.id)).reduce((c, id) => c.set(id, (c.get(id) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]),
      ),
    };
  };
  return { product: summarise((r) => r.product), model: summarise((r) => r.forced), model_folds: runs.reduce((s, r) => s + r.model_folds, 0), train_cpu_ms: mean(runs.map((r) => r.train_cpu_ms)) };
}

// (a) rules alone: nobody has confirmed anything yet.
const untrained = buildClassifier(DEFAULT_CONFIG, []);
const rulesOnly = report('(a) default rules, no training', incidents.map((incident) => score(untrained, incident)));

// (b) one split in full (repeat 0).
const headline = crossValidate(0, {}, true);
const learned = report('(b) rules + learned model as the product runs them, 5-fold cross-validation (repeat 0)', headline.product);
const modelAlways = report("(b') the learned model always deciding (rules as its starting scores), 5-fold cross-validation (repeat 0)", headline.forced);

// (b) repeated: 5 × 5-fold, each repeat a different fixed split.
const again = repeated();
console.log(`\n== (b) repeated cross-validation: ${REPEATS} × ${FOLDS}-fold (splits by hash of "repeat 0..${REPEATS - 1}:" + id) ==`);
console.log(`as the product runs it: accuracy ${pct(again.product.accuracy)} [${again.product.correct.join(', ')} of 47], macro-F1 ${again.product.macro_f1.toFixed(3)}, Brier ${again.product.brier.toFixed(3)}, ECE ${again.product.ece.toFixed(3)}; the model decided in ${again.model_folds} of ${REPEATS * FOLDS} folds`);
console.log(`the model always deciding: accuracy ${pct(again.model.accuracy)} [${again.model.correct.join(', ')} of 47], macro-F1 ${again.model.macro_f1.toFixed(3)}, Brier ${again.model.brier.toFixed(3)}, ECE ${again.model.ece.toFixed(3)}`);
console.log(`  wrong in how many of the ${REPEATS} repeats (model always deciding): ${Object.entries(again.model.wrong_in).map(([id, n]) => `${id} ×${n}`).join(', ')}`);
console.log(`training CPU per fold (≈40 confirmations, penalties and temperature chosen by inner 5-fold CV): ${again.train_cpu_ms.toFixed(0)} ms`);

// Ablations: what each part of the model's input does, same repeated splits.
const ablations: Record<string, ReturnType<typeof repeated>['model'] & { product: number[] }> = {};
if (process.argv.includes('--ablations')) {
  console.log(`\n== ablations: the model always deciding, ${REPEATS} × ${FOLDS}-fold ==`);
  const variants: [string, ModelInputOptions][] = [
    ['no stemming', { tokens: { stem: false } }],
    ['no word pairs', { tokens: { pairs: false } }],
    ['plus character 4-grams', { tokens: { chars: 4 } }],
    ['plus each rule that fired as a feature', { rules: true }],
  ];
  for (const [name, input] of variants) {
    const r = repeated(input);
    ablations[name] = { ...r.model, product: r.product.accuracy };
    console.log(`${name.padEnd(40)} accuracy ${pct(r.model.accuracy)}, macro-F1 ${r.model.macro_f1.toFixed(3)}, Brier ${r.model.brier.toFixed(3)}, ECE ${r.model.ece.toFixed(3)}`);
  }
}

// Cost: training on a few thousand confirmations, and classifying, on generated problems with long texts.
let timing: Record<string, number | string> | null = null;
const timingAt = process.argv.indexOf('--timing');
if (timingAt >= 0) {
  const dir = process.argv[timingAt + 1] && !process.argv[timingAt + 1]!.startsWith('--') ? process.argv[timingAt + 1]! : '/work/data/medium';
  if (!existsSync(join(dir, 'ground-truth/problems.jsonl'))) throw new Error(`--timing: no generated history at ${dir}`);
  timing = await timeTraining(dir, 3000);
}

async function timeTraining(dir: string, count: number) {
  // Confirmations as the product keeps them: a problem's features, its type from the generator's ground truth.
  const problems = readFileSync(join(dir, 'ground-truth/problems.jsonl'), 'utf8')
    .split('\n', count)
    .map((l) => JSON.parse(l) as { problem: string; type: ProblemType; signals: string[] });
  const wanted = new Set(problems.flatMap((p) => p.signals));
  const signals = new Map<string, { title: string; body: string | null; kind: string; source: string; service: string | null }>();
  for await (const line of createInterface({ input: createReadStream(join(dir, 'signals.jsonl')) })) {
    const s = JSON.parse(line);
    if (wanted.has(`${s.source}:${s.external_id}`)) signals.set(`${s.source}:${s.external_id}`, s);
    if (signals.size === wanted.size) break;
  }
  const confirmed: ConfirmedExample[] = problems.map((p) => {
    const own = p.signals.flatMap((ref) => signals.get(ref) ?? []);
    const titles = [...new Set(own.map((s) => s.title))].slice(0, 20);
    const body = own.find((s) => s.body)?.body;
    const summary = `${titles.join(' · ')}${body ? ` — ${body}` : ''}`.slice(0, 1500);
    const draft = { title: titles[0] ?? '', summary, sources: [...new Set(own.map((s) => s.source))], kinds: [...new Set(own.map((s) => s.kind))], labels: {}, service: own[0]?.service ?? null, environment: 'production', severity: null };
    return { type: p.type, features: problemFeatures(draft, { post_deploy: false }), key: p.problem };
  });
  const start = process.cpuUsage();
  const wall = performance.now();
  const classifier = buildClassifier(DEFAULT_CONFIG, confirmed);
  const used = process.cpuUsage(start);
  const trainWall = performance.now() - wall;
  const withModel = { ...classifier, model: classifier.trained ?? null };
  const measureClassify = (c: Classifier) => {
    const s = process.cpuUsage();
    for (let r = 0; r < 3; r++) for (const x of confirmed) classifyProblem(x.features, c);
    const u = process.cpuUsage(s);
    return (u.user + u.system) / (3 * confirmed.length);
  };
  const rulesUs = measureClassify(untrained);
  const modelUs = measureClassify(withModel);
  const v = classifier.trained?.validation;
  const result = {
    data: dir,
    confirmations: confirmed.length,
    mean_text_chars: Math.round(mean(confirmed.map((c) => c.features.text.length))),
    vocabulary: classifier.trained?.vocabulary.size ?? 0,
    train_cpu_ms: Math.round((used.user + used.system) / 1000),
    train_wall_ms: Math.round(trainWall),
    classify_rules_us: Number(rulesUs.toFixed(1)),
    classify_rules_and_model_us: Number(modelUs.toFixed(1)),
    held_out_model_accuracy: v?.model_accuracy ?? '-',
    held_out_rules_accuracy: v?.prior_accuracy ?? '-',
    held_out_brier: v?.brier ?? '-',
  };
  console.log(`\n== cost on ${dir}: ${result.confirmations} confirmations (mean text ${result.mean_text_chars} chars) ==`);
  console.log(`training: ${result.train_cpu_ms} ms CPU, ${result.train_wall_ms} ms wall; vocabulary ${result.vocabulary}; held-out check (${v?.held_out ?? 0} examples): model ${v ? (100 * v.model_accuracy).toFixed(1) : '-'}% vs rules ${v ? (100 * v.prior_accuracy).toFixed(1) : '-'}%`);
  console.log(`classifying one problem: rules alone ${result.classify_rules_us} µs CPU, rules + model ${result.classify_rules_and_model_us} µs CPU`);
  return result;
}

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'classify.json'),
  JSON.stringify({ at: new Date().toISOString(), incidents: incidents.length, rules_only: rulesOnly, cross_validated: learned, model_always: modelAlways, repeated: again, ablations, timing }, null, 2),
);
