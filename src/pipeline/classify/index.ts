// Gives a problem one type with a confidence, who decided it and why. A person's confirmation
// always wins; else the learned model (which sees the rules that fired as features, so it learns
// how far to trust each) once people have confirmed enough problems; else the rules alone.
import type { ClassificationRule, Config, ProblemType } from '../../domain/config.ts';
import { modelTokens, spellTokens, type ProblemFeatures, type TokenOptions } from './features.ts';
import { bestTemperature, MIN_VALIDATION, predictType, trainModel, type ModelPrediction, type TextModel, type TrainingExample } from './model.ts';
import { applyRules, DEFAULT_RULES, MAIN_TYPES, ruleDistribution, ruleScores, type RuleHit } from './rules.ts';

export { DEFAULT_RULES, MAIN_TYPES } from './rules.ts';
export type { ProblemFeatures } from './features.ts';

export type Decider = 'rule' | 'model' | 'person';
export type ReviewState = 'to_verify' | 'classified' | 'confirmed';

export interface Classification {
  type: ProblemType;
  confidence: number;
  decider: Decider;
  rationale: string;
  review_state: ReviewState;
}

export interface Classifier {
  rules: readonly ClassificationRule[];
  /** The model that decides, or null while rules decide (too few confirmations, or the model did not beat them). */
  model: TextModel | null;
  /** The model as trained, used or not: its validation says why. */
  trained?: TextModel | null;
  /**
   * Temperature of the rules' softmax when they decide: fitted on the confirmations of the four main
   * types (lowest log loss) once there are MIN_VALIDATION of them, else 1.
   */
  ruleTemperature: number;
  /** Below this confidence the problem stays to_verify. */
  threshold: number;
  /** What the model reads, as it was trained (defaults when absent). */
  input?: ModelInputOptions;
}

/** A type a person confirmed, with the features of the problem at the time. */
export interface ConfirmedExample {
  type: ProblemType;
  features: ProblemFeatures;
  /** A stable name for the problem (its id): fixes its cross-validation fold. */
  key?: string;
}

/** The workspace's rules first, then the defaults unless turned off. */
export function rulesFromConfig(config: Pick<Config, 'classification'>): ClassificationRule[] {
  return [...config.classification.rules, ...(config.classification.use_default_rules ? DEFAULT_RULES : [])];
}

export interface ModelInputOptions {
  tokens?: TokenOptions;
  /**
   * Each rule that fired also as a feature of its own (default false: on the labelled incidents it made
   * the model worse, the rules' scores already being the model's starting point; see docs/classification.md).
   */
  rules?: boolean;
}

/**
 * What the model reads: stemmed words and adjacent pairs (scaled so a long text weighs as much as a
 * short one), facts and signal kinds. The rules' scores come in as the model's starting point (offsets).
 */
export function modelInput(features: ProblemFeatures, hits: readonly RuleHit[], options: ModelInputOptions = {}): Map<string, number> {
  const input = new Map<string, number>();
  const words = modelTokens(features.text, options.tokens);
  for (const w of words) input.set(w, 1 / Math.sqrt(words.length));
  for (const [fact, on] of Object.entries(features.facts)) if (on) input.set(`fact:${fact}`, 1);
  for (const kind of features.kinds) input.set(`kind:${kind}`, 1);
  if (options.rules ?? false) for (const h of hits) input.set(`rule:${h.rule}`, 1);
  return input;
}

/** The rules' score per type: where the model starts before it learns corrections from people. */
export function ruleOffsets(hits: readonly RuleHit[]): Record<string, number> {
  const offsets: Record<string, number> = {};
  for (const h of hits) offsets[h.type] = (offsets[h.type] ?? 0) + h.weight;
  return offsets;
}

/** Trains the model on confirmed examples; null below `minExamples` or with a single type. */
export function buildClassifier(config: Pick<Config, 'classification' | 'thresholds'>, confirmed: readonly ConfirmedExample[], options: { input?: ModelInputOptions } = {}): Classifier {
  const rules = rulesFromConfig(config);
  const enough = confirmed.length >= config.classification.min_training_examples;
  const scored: { logits: number[]; types: readonly ProblemType[]; truth: ProblemType }[] = [];
  const examples: TrainingExample[] = confirmed.map((c) => {
    const hits = applyRules(rules, c.features);
    if ((MAIN_TYPES as readonly string[]).includes(c.type)) scored.push({ logits: Object.values(ruleScores(hits, MAIN_TYPES)), types: MAIN_TYPES, truth: c.type });
    return { type: c.type, features: modelInput(c.features, hits, options.input), offsets: ruleOffsets(hits), key: c.key };
  });
  const trained = enough ? trainModel(examples) : null;
  // The model takes part only where, on confirmations it did not see, it beat the rules alone.
  const model = trained && (!trained.validation || trained.validation.model_accuracy > trained.validation.prior_accuracy) ? trained : null;
  // The rules learn nothing from confirmations but how sure to be: one temperature (not cross-validated; it
  // cannot change which type they pick, only the confidence they state).
  const ruleTemperature = enough && scored.length >= MIN_VALIDATION ? bestTemperature(scored) : 1;
  return { rules, model, trained, ruleTemperature, threshold: config.thresholds.classification_confidence, input: options.input };
}

/** The probability of each type as the classifier weighs them (the model's when it decides, else the rules'). */
export function typeProbabilities(features: ProblemFeatures, classifier: Classifier, hits: readonly RuleHit[] = applyRules(classifier.rules, features)): { probabilities: Record<string, number>; prediction: ModelPrediction | null } {
  if (!classifier.model) return { probabilities: ruleDistribution(hits, MAIN_TYPES, classifier.ruleTemperature), prediction: null };
  const prediction = predictType(classifier.model, modelInput(features, hits, classifier.input), ruleOffsets(hits));
  return { probabilities: prediction.probabilities, prediction };
}

function describeHits(hits: readonly RuleHit[]): string {
  const named = hits.filter((h) => h.rule !== 'most problems are code defects');
  if (named.length === 0) return 'no rule fired';
  return `rules: ${named.map((h) => `${h.rule} → ${h.type} +${h.weight} (${h.matched})`).join('; ')}`;
}

function best(distribution: Record<string, number>): [ProblemType, number] {
  let top: [ProblemType, number] = ['code', -1];
  for (const [type, p] of Object.entries(distribution)) if (p > top[1]) top = [type as ProblemType, p];
  return top;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function classifyProblem(features: ProblemFeatures, classifier: Classifier, confirmed?: { type: ProblemType; actor: string } | null): Classification {
  if (confirmed) {
    return { type: confirmed.type, confidence: 1, decider: 'person', rationale: `confirmed by ${confirmed.actor}`, review_state: 'confirmed' };
  }
  const hits = applyRules(classifier.rules, features);
  const { probabilities, prediction } = typeProbabilities(features, classifier, hits);
  const [type, confidence] = best(probabilities);
  let rationale = describeHits(hits);
  if (classifier.model && prediction) {
    const spelled = spellTokens(prediction.evidence.map((e) => e.token), features.text);
    const words = prediction.evidence.map((e, i) => `${spelled[i]} (${e.weight.toFixed(2)})`).join(', ');
    rationale = `model trained on ${classifier.model.examples} confirmed problems: ${type} ${Math.round(confidence * 100)}%; weighed most: ${words || 'nothing it knows'}; ${rationale}`;
  }
  const stated = round(confidence);
  return { type, confidence: stated, decider: prediction ? 'model' : 'rule', rationale, review_state: stated < classifier.threshold ? 'to_verify' : 'classified' };
}
