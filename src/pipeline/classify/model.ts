// The learned part of classification: multinomial logistic regression over the problem's words and
// facts, trained on the types people confirmed. Small and deterministic (no randomness, full-batch
// gradient descent), with temperature scaling fitted on out-of-fold predictions so that a stated
// confidence of 0.8 is right about 80% of the time.
import type { ProblemType } from '../../domain/config.ts';

/** Named feature values: words carry weight 1 (scaled per text), named signals such as rule scores their own value. */
export type FeatureValues = ReadonlyMap<string, number>;

export interface TrainingExample {
  features: FeatureValues;
  /** Prior scores per type the model starts from and learns corrections to (the rules' scores). */
  offsets?: Readonly<Record<string, number>>;
  type: ProblemType;
}

export interface TextModel {
  types: ProblemType[];
  vocabulary: Map<string, number>;
  /** The vocabulary in index order. */
  names: string[];
  /** Per type: one weight per vocabulary entry, then the bias. */
  weights: Float64Array[];
  temperature: number;
  examples: number;
  /**
   * Held-out check on the confirmations themselves (5 folds): how often the model and the prior
   * scores alone (the rules) named the confirmed type. Null below 20 examples.
   */
  validation: { model_accuracy: number; prior_accuracy: number; held_out: number } | null;
}

export interface TrainOptions {
  /** L2 penalty; larger keeps weights small and confidences modest on little data. */
  l2?: number;
  iterations?: number;
  /** Fit a temperature on out-of-fold predictions (needs 20 examples or more). */
  calibrate?: boolean;
}

interface Encoded {
  index: Int32Array;
  value: Float64Array;
  offsets: Readonly<Record<string, number>>;
}

function encode(vocabulary: Map<string, number>, features: FeatureValues, offsets: Readonly<Record<string, number>> = {}): Encoded {
  const index: number[] = [];
  const value: number[] = [];
  for (const [name, v] of features) {
    const i = vocabulary.get(name);
    if (i === undefined || v === 0) continue;
    index.push(i);
    value.push(v);
  }
  return { index: Int32Array.from(index), value: Float64Array.from(value), offsets };
}

function scores(model: Pick<TextModel, 'weights' | 'vocabulary' | 'types'>, x: Encoded): number[] {
  const bias = model.vocabulary.size;
  return model.weights.map((w, c) => {
    let s = w[bias]! + (x.offsets[model.types[c]!] ?? 0);
    for (let k = 0; k < x.index.length; k++) s += w[x.index[k]!]! * x.value[k]!;
    return s;
  });
}

function softmax(values: readonly number[], temperature = 1): number[] {
  const scaled = values.map((v) => v / temperature);
  const max = Math.max(...scaled);
  const exp = scaled.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

function fit(examples: readonly TrainingExample[], l2: number, iterations: number): TextModel {
  const types = [...new Set(examples.map((e) => e.type))].sort();
  const documentFrequency = new Map<string, number>();
  for (const e of examples) for (const t of e.features.keys()) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  const minCount = examples.length >= 200 ? 2 : 1;
  const vocabulary = new Map<string, number>();
  for (const [t, n] of [...documentFrequency].sort(([a], [b]) => (a < b ? -1 : 1))) if (n >= minCount) vocabulary.set(t, vocabulary.size);
  const dims = vocabulary.size + 1;
  const weights = types.map(() => new Float64Array(dims));
  const model: TextModel = { types, vocabulary, names: [...vocabulary.keys()], weights, temperature: 1, examples: examples.length, validation: null };
  const encoded = examples.map((e) => ({ x: encode(vocabulary, e.features, e.offsets), y: types.indexOf(e.type) }));
  const n = encoded.length;
  const gradient = types.map(() => new Float64Array(dims));
  const learningRate = 2;
  for (let step = 0; step < iterations; step++) {
    for (const g of gradient) g.fill(0);
    for (const { x, y } of encoded) {
      const p = softmax(scores(model, x));
      for (let c = 0; c < types.length; c++) {
        const err = p[c]! - (c === y ? 1 : 0);
        const g = gradient[c]!;
        for (let k = 0; k < x.index.length; k++) g[x.index[k]!]! += err * x.value[k]!;
        g[dims - 1]! += err;
      }
    }
    for (let c = 0; c < types.length; c++) {
      const w = weights[c]!;
      const g = gradient[c]!;
      for (let i = 0; i < dims; i++) w[i]! -= learningRate * (g[i]! / n + (i < dims - 1 ? l2 * w[i]! : 0));
    }
  }
  return model;
}

/** Trains on confirmed examples; null when there is nothing to learn from (fewer than two types). */
export function trainModel(examples: readonly TrainingExample[], options: TrainOptions = {}): TextModel | null {
  const l2 = options.l2 ?? 0.003;
  const iterations = options.iterations ?? 300;
  if (new Set(examples.map((e) => e.type)).size < 2) return null;
  const model = fit(examples, l2, iterations);
  if ((options.calibrate ?? true) && examples.length >= 20) Object.assign(model, crossValidate(examples, l2, iterations));
  return model;
}

/**
 * Out-of-fold predictions (5 folds, fixed assignment): the temperature that minimises their log loss,
 * and how often the model, and the prior scores alone, were right.
 */
function crossValidate(examples: readonly TrainingExample[], l2: number, iterations: number): Pick<TextModel, 'temperature' | 'validation'> {
  const folds = 5;
  const outOfFold: { logits: number[]; types: ProblemType[]; truth: ProblemType; prior: string | undefined }[] = [];
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((_, i) => i % folds !== k);
    const test = examples.filter((_, i) => i % folds === k);
    if (new Set(train.map((e) => e.type)).size < 2) continue;
    const m = fit(train, l2, iterations);
    for (const e of test) {
      // The prior's own pick: the highest offset, ties to the first type in alphabetical order.
      const prior = Object.entries(e.offsets ?? {}).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0];
      outOfFold.push({ logits: scores(m, encode(m.vocabulary, e.features, e.offsets)), types: m.types, truth: e.type, prior });
    }
  }
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.05; t <= 3; t += 0.05) {
    let loss = 0;
    for (const o of outOfFold) {
      const p = softmax(o.logits, t);
      const i = o.types.indexOf(o.truth);
      loss -= Math.log(Math.max(i >= 0 ? p[i]! : 0, 1e-6));
    }
    if (loss < bestLoss) [best, bestLoss] = [t, loss];
  }
  const right = (pick: (o: (typeof outOfFold)[number]) => string | undefined) => outOfFold.filter((o) => pick(o) === o.truth).length / Math.max(1, outOfFold.length);
  return {
    temperature: Number(best.toFixed(2)),
    validation: {
      model_accuracy: right((o) => o.types[o.logits.indexOf(Math.max(...o.logits))]),
      prior_accuracy: right((o) => o.prior),
      held_out: outOfFold.length,
    },
  };
}

export interface ModelPrediction {
  probabilities: Record<string, number>;
  /** The tokens that pushed hardest towards the predicted type. */
  evidence: { token: string; weight: number }[];
}

export function predictType(model: TextModel, features: FeatureValues, offsets?: Readonly<Record<string, number>>): ModelPrediction {
  const x = encode(model.vocabulary, features, offsets);
  const p = softmax(scores(model, x), model.temperature);
  const probabilities = Object.fromEntries(model.types.map((t, c) => [t, p[c]!]));
  const top = p.indexOf(Math.max(...p));
  const evidence = [...x.index]
    .map((i, k) => {
      // How much more this feature favours the winner than the average type.
      const mean = model.weights.reduce((s, w) => s + w[i]!, 0) / model.weights.length;
      return { token: model.names[i]!, weight: (model.weights[top]![i]! - mean) * x.value[k]! };
    })
    .filter((e) => e.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 5);
  return { probabilities, evidence };
}
