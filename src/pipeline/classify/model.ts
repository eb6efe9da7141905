// The learned part of classification: multinomial logistic regression over the problem's words, the
// rules that fired and the facts, trained on the types people confirmed. Small and deterministic (no
// randomness, full-batch accelerated gradient descent). The model starts from the rules' scores and learns
// corrections to them; how strongly those corrections are held back (the L2 penalties on the weights and
// on the per-type biases, i.e. class priors) is chosen by cross-validation inside the confirmations it is
// given, never on anything else, and a temperature is fitted on the same out-of-fold predictions so that
// a stated confidence of 0.8 is right about 80% of the time.
import type { ProblemType } from '../../domain/config.ts';

/** Named feature values: words carry weight 1 (scaled per text), named signals such as rule scores their own value. */
export type FeatureValues = ReadonlyMap<string, number>;

export interface TrainingExample {
  features: FeatureValues;
  /** Prior scores per type the model starts from and learns corrections to (the rules' scores). */
  offsets?: Readonly<Record<string, number>>;
  type: ProblemType;
  /** Fixes the example's cross-validation fold (e.g. the problem's id); else its position does. */
  key?: string;
}

export interface TextModel {
  types: ProblemType[];
  vocabulary: Map<string, number>;
  /** The vocabulary in index order. */
  names: string[];
  /** Per type: one weight per vocabulary entry, then the bias. */
  weights: Float64Array[];
  temperature: number;
  /** The penalties the model was fitted with (chosen by cross-validation when there was a choice). */
  penalty: Penalty;
  examples: number;
  /**
   * Held-out check on the confirmations themselves (5 folds): how often the model and the prior
   * scores alone (the rules) named the confirmed type, and the model's calibration there
   * (Brier score over the types, lower is better). On at most `VALIDATION_CAP` of the examples; null
   * below 20 examples.
   */
  validation: { model_accuracy: number; prior_accuracy: number; held_out: number; brier: number } | null;
}

/**
 * L2 penalties on the mean log loss: `weights` on the word, fact and kind weights, `bias` on the per-type
 * biases (how far the model may move the class priors the rules imply). Stated for the number of
 * examples they were chosen on (`per`): fitting on n examples uses penalty × per / n, the same prior
 * whatever the number of confirmations.
 */
export interface Penalty {
  weights: number;
  bias: number;
  per: number;
}

/**
 * Penalties tried by default: from "the words barely move the rules" to "let the words speak", each with
 * the class priors held near the rules' or let go. Chosen on the confirmations, never on a test set.
 * (The range reaches 1 because on the labelled incidents the inner choice sat at the strongest
 * penalty of a narrower grid.)
 */
export const PENALTIES: readonly Omit<Penalty, 'per'>[] = [1, 0.3, 0.1, 0.03].flatMap((weights) => [3, 0.3].map((bias) => ({ weights, bias })));
const FOLDS = 5;
/** Gradient steps per fit (half that from a warm start). */
const ITERATIONS = 60;
/** Fewest examples to cross-validate on, or to fit a temperature to. */
export const MIN_VALIDATION = 20;
/**
 * Cross-validation (choosing the penalty, the temperature and the held-out check) runs on at most this
 * many examples, a fixed subset by hash of their keys: training stays well under a second on thousands.
 */
export const VALIDATION_CAP = 150;

interface Encoded {
  index: Int32Array;
  value: Float64Array;
  /** Offset per type, in the model's type order. */
  offsets: Float64Array;
}

function encode(vocabulary: Map<string, number>, types: readonly ProblemType[], features: FeatureValues, offsets: Readonly<Record<string, number>> = {}): Encoded {
  const index: number[] = [];
  const value: number[] = [];
  for (const [name, v] of features) {
    const i = vocabulary.get(name);
    if (i === undefined || v === 0) continue;
    index.push(i);
    value.push(v);
  }
  return { index: Int32Array.from(index), value: Float64Array.from(value), offsets: Float64Array.from(types, (t) => offsets[t] ?? 0) };
}

function scoresInto(out: Float64Array, weights: readonly Float64Array[], x: Encoded): Float64Array {
  const bias = weights[0]!.length - 1;
  for (let c = 0; c < weights.length; c++) {
    const w = weights[c]!;
    let s = w[bias]! + x.offsets[c]!;
    for (let k = 0; k < x.index.length; k++) s += w[x.index[k]!]! * x.value[k]!;
    out[c] = s;
  }
  return out;
}

function scores(model: Pick<TextModel, 'weights'>, x: Encoded): number[] {
  return [...scoresInto(new Float64Array(model.weights.length), model.weights, x)];
}

/** Softmax in place (values / temperature). */
function softmaxInPlace(values: Float64Array | number[], temperature = 1): void {
  let max = -Infinity;
  for (let c = 0; c < values.length; c++) max = Math.max(max, values[c]! / temperature);
  let sum = 0;
  for (let c = 0; c < values.length; c++) sum += values[c] = Math.exp(values[c]! / temperature - max);
  for (let c = 0; c < values.length; c++) values[c]! /= sum;
}

function softmax(values: readonly number[], temperature = 1): number[] {
  const out = [...values];
  softmaxInPlace(out, temperature);
  return out;
}

function vocabularyOf(examples: readonly TrainingExample[]): Map<string, number> {
  const documentFrequency = new Map<string, number>();
  for (const e of examples) for (const t of e.features.keys()) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  const minCount = examples.length >= 200 ? 2 : 1;
  const vocabulary = new Map<string, number>();
  for (const [t, n] of [...documentFrequency].sort(([a], [b]) => (a < b ? -1 : 1))) if (n >= minCount) vocabulary.set(t, vocabulary.size);
  return vocabulary;
}

/** Examples encoded once against their own vocabulary, ready for fitting under any penalty. */
interface Prepared {
  types: ProblemType[];
  vocabulary: Map<string, number>;
  encoded: { x: Encoded; y: number }[];
  /** A bound on the loss's curvature: ½·|x|² at most per example (x with the bias). */
  curvature: number;
}

function prepare(examples: readonly TrainingExample[]): Prepared {
  const types = [...new Set(examples.map((e) => e.type))].sort();
  const vocabulary = vocabularyOf(examples);
  const encoded = examples.map((e) => ({ x: encode(vocabulary, types, e.features, e.offsets), y: types.indexOf(e.type) }));
  let curvature = 0;
  for (const { x } of encoded) {
    let sq = 1;
    for (let j = 0; j < x.value.length; j++) sq += x.value[j]! ** 2;
    curvature = Math.max(curvature, sq / 2);
  }
  return { types, vocabulary, encoded, curvature };
}

/**
 * Minimises mean cross-entropy + ½·penalty·|w|² by Nesterov-accelerated gradient descent, with a step
 * from the curvature bound, so it cannot diverge whatever the features. Starts from `start` (a fit under
 * a neighbouring penalty) when given.
 */
function fitPrepared(prepared: Prepared, penalty: Penalty, iterations: number, start?: readonly Float64Array[]): TextModel {
  const { types, vocabulary, encoded, curvature } = prepared;
  const dims = vocabulary.size + 1;
  const k = types.length;
  const n = encoded.length;
  const l2 = (penalty.weights * penalty.per) / n;
  const biasL2 = (penalty.bias * penalty.per) / n;
  const step = 1 / (curvature + Math.max(l2, biasL2));
  // Weights laid out feature-major (entry i of type c at i·k + c): one pass over an example's features
  // reads and writes every type's weight for that feature side by side.
  const size = dims * k;
  const biasAt = (dims - 1) * k;
  const w = new Float64Array(size);
  if (start) for (let c = 0; c < k; c++) for (let i = 0; i < dims; i++) w[i * k + c] = start[c]![i]!;
  const prev = Float64Array.from(w);
  const look = new Float64Array(size);
  const g = new Float64Array(size);
  const p = new Float64Array(k);
  for (let t = 0; t < iterations; t++) {
    // Look-ahead point: w + (t−1)/(t+2)·(w − w_prev).
    const momentum = t === 0 ? 0 : (t - 1) / (t + 2);
    for (let i = 0; i < size; i++) look[i] = w[i]! + momentum * (w[i]! - prev[i]!);
    g.fill(0);
    for (const { x, y } of encoded) {
      for (let c = 0; c < k; c++) p[c] = look[biasAt + c]! + x.offsets[c]!;
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j]! * k;
        const v = x.value[j]!;
        for (let c = 0; c < k; c++) p[c]! += look[base + c]! * v;
      }
      softmaxInPlace(p);
      p[y]! -= 1;
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j]! * k;
        const v = x.value[j]!;
        for (let c = 0; c < k; c++) g[base + c]! += p[c]! * v;
      }
      for (let c = 0; c < k; c++) g[biasAt + c]! += p[c]!;
    }
    for (let i = 0; i < size; i++) {
      prev[i] = w[i]!;
      w[i] = look[i]! - step * (g[i]! / n + (i < biasAt ? l2 : biasL2) * look[i]!);
    }
  }
  const weights = types.map((_, c) => Float64Array.from({ length: dims }, (_, i) => w[i * k + c]!));
  return { types, vocabulary, names: [...vocabulary.keys()], weights, temperature: 1, penalty, examples: n, validation: null };
}

/**
 * Each example's fold: fixed by its key (or its position), stratified by type — within a type, examples
 * sorted by a hash of the key are dealt to the folds in turn — so every fold sees every type.
 */
export function foldsOf(examples: readonly { type: string; key?: string }[], folds: number, salt = ''): number[] {
  const byType = new Map<string, { i: number; h: number }[]>();
  examples.forEach((e, i) => {
    const list = byType.get(e.type) ?? [];
    list.push({ i, h: hash(`${salt}${e.key ?? i}`) });
    byType.set(e.type, list);
  });
  const fold = new Array<number>(examples.length);
  let next = 0;
  for (const type of [...byType.keys()].sort()) {
    for (const { i } of byType.get(type)!.sort((a, b) => a.h - b.h || a.i - b.i)) fold[i] = next++ % folds;
  }
  return fold;
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface OutOfFold {
  logits: number[];
  types: ProblemType[];
  truth: ProblemType;
  prior: string | undefined;
}

/**
 * For each penalty, predictions for each example from a model fitted without its fold. Within a fold the
 * examples are encoded once, and each penalty's fit starts from the previous (stronger) one's weights
 * (with half the iterations).
 */
function outOfFold(examples: readonly TrainingExample[], fold: readonly number[], penalties: readonly Omit<Penalty, 'per'>[], iterations: number): OutOfFold[][] {
  const out: OutOfFold[][] = penalties.map(() => []);
  for (let k = 0; k < FOLDS; k++) {
    const train = examples.filter((_, i) => fold[i] !== k);
    if (new Set(train.map((e) => e.type)).size < 2) continue;
    const prepared = prepare(train);
    const test = examples.flatMap((e, i) => {
      if (fold[i] !== k) return [];
      // The prior's own pick: the highest offset, ties to the first type in alphabetical order.
      const prior = Object.entries(e.offsets ?? {}).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0];
      return [{ x: encode(prepared.vocabulary, prepared.types, e.features, e.offsets), truth: e.type, prior }];
    });
    let previous: Float64Array[] | undefined;
    penalties.forEach((penalty, g) => {
      // A warm start is near its optimum already: half the iterations.
      const m = fitPrepared(prepared, { ...penalty, per: train.length }, previous ? Math.ceil(iterations / 2) : iterations, previous);
      previous = m.weights;
      for (const t of test) out[g]!.push({ logits: scores(m, t.x), types: m.types, truth: t.truth, prior: t.prior });
    });
  }
  return out;
}

/** Scores per type for one example whose type is known: what a temperature is fitted to. */
interface Scored {
  logits: readonly number[];
  types: readonly ProblemType[];
  truth: ProblemType;
}

function logLoss(predictions: readonly Scored[], temperature: number): number {
  let loss = 0;
  for (const o of predictions) {
    const p = softmax(o.logits, temperature);
    const i = o.types.indexOf(o.truth);
    loss -= Math.log(Math.max(i >= 0 ? p[i]! : 0, 1e-6));
  }
  return loss / Math.max(1, predictions.length);
}

/** Trains on confirmed examples; null when there is nothing to learn from (fewer than two types). */
export function trainModel(examples: readonly TrainingExample[]): TextModel | null {
  if (new Set(examples.map((e) => e.type)).size < 2) return null;
  // Too few to cross-validate: the strongest penalty, no temperature, no held-out check.
  if (examples.length < MIN_VALIDATION) return fitPrepared(prepare(examples), { ...PENALTIES[0]!, per: examples.length }, ITERATIONS);
  const checked = validationSubset(examples);
  const fold = foldsOf(checked, FOLDS);
  // Inner cross-validation: each penalty's out-of-fold log loss at its best temperature; the lowest wins.
  let chosen: { penalty: Omit<Penalty, 'per'>; predictions: OutOfFold[]; temperature: number; loss: number } | null = null;
  const predictionsByPenalty = outOfFold(checked, fold, PENALTIES, ITERATIONS);
  PENALTIES.forEach((penalty, g) => {
    const predictions = predictionsByPenalty[g]!;
    const temperature = bestTemperature(predictions);
    const loss = logLoss(predictions, temperature);
    if (!chosen || loss < chosen.loss) chosen = { penalty, predictions, temperature, loss };
  });
  // Stated for the size of a training fold there.
  const model = fitPrepared(prepare(examples), { ...chosen!.penalty, per: Math.round((checked.length * (FOLDS - 1)) / FOLDS) }, ITERATIONS);
  model.temperature = chosen!.temperature;
  model.validation = validation(chosen!.predictions, chosen!.temperature);
  return model;
}

/** All examples up to VALIDATION_CAP; beyond, the VALIDATION_CAP with the lowest hash of their key. */
function validationSubset(examples: readonly TrainingExample[]): readonly TrainingExample[] {
  if (examples.length <= VALIDATION_CAP) return examples;
  return examples
    .map((e, i) => ({ e, i, h: hash(`subset:${e.key ?? i}`) }))
    .sort((a, b) => a.h - b.h || a.i - b.i)
    .slice(0, VALIDATION_CAP)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.e);
}

/** The temperature (0.25 … 4, steps of 0.05) whose softmax of the scores has the lowest log loss. */
export function bestTemperature(predictions: readonly Scored[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.25; t <= 4.001; t += 0.05) {
    const loss = logLoss(predictions, t);
    if (loss < bestLoss) [best, bestLoss] = [Number(t.toFixed(2)), loss];
  }
  return best;
}

function validation(predictions: readonly OutOfFold[], temperature: number): NonNullable<TextModel['validation']> {
  const right = (pick: (o: OutOfFold) => string | undefined) => predictions.filter((o) => pick(o) === o.truth).length / Math.max(1, predictions.length);
  let brier = 0;
  for (const o of predictions) softmax(o.logits, temperature).forEach((p, c) => (brier += (p - (o.types[c] === o.truth ? 1 : 0)) ** 2));
  return {
    model_accuracy: right((o) => o.types[o.logits.indexOf(Math.max(...o.logits))]),
    prior_accuracy: right((o) => o.prior),
    held_out: predictions.length,
    brier: brier / Math.max(1, predictions.length),
  };
}

export interface ModelPrediction {
  probabilities: Record<string, number>;
  /** The features that pushed hardest towards the predicted type. */
  evidence: { token: string; weight: number }[];
}

export function predictType(model: TextModel, features: FeatureValues, offsets?: Readonly<Record<string, number>>): ModelPrediction {
  const x = encode(model.vocabulary, model.types, features, offsets);
  const p = scoresInto(new Float64Array(model.types.length), model.weights, x);
  softmaxInPlace(p, model.temperature);
  const probabilities: Record<string, number> = {};
  let top = 0;
  for (let c = 0; c < p.length; c++) {
    probabilities[model.types[c]!] = p[c]!;
    if (p[c]! > p[top]!) top = c;
  }
  // The five features that favour the winner most over the average type (one pass, no sorting of all).
  const evidence: { token: string; weight: number }[] = [];
  const winner = model.weights[top]!;
  for (let k = 0; k < x.index.length; k++) {
    const i = x.index[k]!;
    let sum = 0;
    for (const w of model.weights) sum += w[i]!;
    const weight = (winner[i]! - sum / model.weights.length) * x.value[k]!;
    if (weight <= 0 || (evidence.length === 5 && weight <= evidence[4]!.weight)) continue;
    let at = evidence.length === 5 ? 4 : evidence.length;
    while (at > 0 && evidence[at - 1]!.weight < weight) at--;
    evidence.splice(at, 0, { token: model.names[i]!, weight });
    if (evidence.length > 5) evidence.pop();
  }
  return { probabilities, evidence };
}
