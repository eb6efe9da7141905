// Classification quality on the 50 labelled incidents (test/fixtures/incidents/incidents-dev.jsonl):
// (a) the default rules alone, no training; (b) rules + learned model as the product runs them,
// 5-fold cross-validation. Accuracy, macro-F1 and the confusion matrix over the four main types.
// Run: npx tsx bench/classify.ts [--errors]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG, type ProblemType } from '../src/domain/config.ts';
import { buildClassifier, classifyProblem, type Classification, MAIN_TYPES } from '../src/pipeline/classify/index.ts';
import { mentionsExternalHost, type ProblemFeatures } from '../src/pipeline/classify/features.ts';

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
}

function report(name: string, scored: Scored[]) {
  const main = scored.filter((s) => (MAIN_TYPES as readonly string[]).includes(s.incident.label));
  const predicted = [...MAIN_TYPES, 'mixed'] as const;
  const matrix = Object.fromEntries(MAIN_TYPES.map((t) => [t, Object.fromEntries(predicted.map((p) => [p, 0]))])) as Record<string, Record<string, number>>;
  for (const s of main) matrix[s.incident.label]![s.result.type]! += 1;
  const correct = main.filter((s) => s.result.type === s.incident.label).length;
  const f1s = MAIN_TYPES.map((t) => {
    const tp = matrix[t]![t]!;
    const fp = MAIN_TYPES.reduce((sum, other) => sum + (other === t ? 0 : matrix[other]![t]!), 0);
    const fn = main.filter((s) => s.incident.label === t).length - tp;
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    return { type: t, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
  const macroF1 = f1s.reduce((s, f) => s + f.f1, 0) / f1s.length;
  const confident = main.filter((s) => s.result.review_state !== 'to_verify');
  const confidentCorrect = confident.filter((s) => s.result.type === s.incident.label).length;
  const meanConfidence = main.reduce((s, x) => s + x.result.confidence, 0) / main.length;
  console.log(`\n== ${name} ==`);
  console.log(`accuracy ${(100 * correct / main.length).toFixed(1)}% (${correct}/${main.length}), macro-F1 ${macroF1.toFixed(3)}, mean confidence ${meanConfidence.toFixed(2)}`);
  console.log(`above the ${DEFAULT_CONFIG.thresholds.classification_confidence} threshold: ${confident.length}/${main.length}, of which correct ${confidentCorrect} (${confident.length ? ((100 * confidentCorrect) / confident.length).toFixed(0) : '-'}%)`);
  console.log(`per type: ${f1s.map((f) => `${f.type} P ${f.precision.toFixed(2)} R ${f.recall.toFixed(2)} F1 ${f.f1.toFixed(2)}`).join(' | ')}`);
  console.log(`confusion (rows = reviewer's label, columns = predicted):`);
  console.log(`  ${''.padEnd(12)}${predicted.map((p) => p.padStart(12)).join('')}`);
  for (const t of MAIN_TYPES) console.log(`  ${t.padEnd(12)}${predicted.map((p) => String(matrix[t]![p]).padStart(12)).join('')}`);
  const errors = main.filter((s) => s.result.type !== s.incident.label);
  if (process.argv.includes('--errors')) {
    for (const e of errors) console.log(`  ✗ ${e.incident.id} ${e.incident.label} → ${e.result.type} ${e.result.confidence}: ${e.incident.title}\n      ${e.result.rationale}`);
  } else {
    console.log(`errors: ${errors.map((e) => `${e.incident.id} ${e.incident.label}→${e.result.type}`).join(', ')}`);
  }
  return { accuracy: correct / main.length, macro_f1: macroF1, matrix, per_type: f1s, errors: errors.map((e) => ({ id: e.incident.id, label: e.incident.label, predicted: e.result.type, confidence: e.result.confidence })) };
}

// (a) rules alone: nobody has confirmed anything yet.
const untrained = buildClassifier(DEFAULT_CONFIG, []);
const rulesOnly = report('(a) default rules, no training', incidents.map((incident) => ({ incident, result: classifyProblem(featuresOf(incident), untrained) })));

// (b) 5-fold cross-validation: folds stratified by label, in file order, so the split is reproducible.
const folds = 5;
const foldOf = new Map<string, number>();
const seen = new Map<string, number>();
for (const i of incidents) {
  const n = seen.get(i.label) ?? 0;
  seen.set(i.label, n + 1);
  foldOf.set(i.id, n % folds);
}
// The product uses the model only when, on confirmations it did not see, it beat the rules; (b') forces it
// in, to show what the model alone adds or costs on this little data.
const crossValidated: Scored[] = [];
const forced: Scored[] = [];
for (let k = 0; k < folds; k++) {
  const train = incidents.filter((i) => foldOf.get(i.id) !== k);
  const classifier = buildClassifier(DEFAULT_CONFIG, train.map((i) => ({ type: i.label, features: featuresOf(i) })));
  if (!classifier.trained) throw new Error(`fold ${k}: no model was trained`);
  const v = classifier.trained.validation;
  console.log(
    `fold ${k}: trained on ${train.length}, temperature ${classifier.trained.temperature}; held-out check inside the training set: model ${v ? (100 * v.model_accuracy).toFixed(0) : '-'}% vs rules ${v ? (100 * v.prior_accuracy).toFixed(0) : '-'}% → ${classifier.model ? 'model decides' : 'rules decide'}`,
  );
  const withModel = { ...classifier, model: classifier.trained };
  for (const incident of incidents.filter((i) => foldOf.get(i.id) === k)) {
    crossValidated.push({ incident, result: classifyProblem(featuresOf(incident), classifier) });
    forced.push({ incident, result: classifyProblem(featuresOf(incident), withModel) });
  }
}
const learned = report('(b) rules + learned model as the product runs them, 5-fold cross-validation', crossValidated);
const modelAlways = report("(b') the learned model always deciding (rules as its starting scores), 5-fold cross-validation", forced);

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'classify.json'), JSON.stringify({ at: new Date().toISOString(), incidents: incidents.length, rules_only: rulesOnly, cross_validated: learned, model_always: modelAlways }, null, 2));
