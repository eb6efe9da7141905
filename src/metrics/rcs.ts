// Release Confidence Score (metrics.md §6) for a release candidate: open blockers (B), regression
// pass % (R) and critical paths green % (P), under the three models; the default is the weighted
// model with the blocker cap of model 3. A person makes the final call.
import type { Config } from '../domain/config.ts';
import type { DefectFact, TestRunFact } from './rows.ts';
import type { Metric } from './result.ts';

export type Decision = 'GO' | 'CONDITIONAL' | 'HOLD';

export interface RcsInputs {
  blockers: number;
  /** 0–100, null when no regression run reported. */
  regression: number | null;
  /** 0–100, null when no critical path was reported. */
  critical_paths: number | null;
}

export interface RcsModelResult {
  model: 'traffic_light' | 'weighted' | 'disqualifier';
  score: number | null;
  decision: Decision | null;
  detail: string;
}

type RcsSettings = Config['metrics']['rcs'];

/** Model 1: no blockers; R ≥ regression_min; all critical paths green. 3/3 GO, 2/3 CONDITIONAL, else HOLD. */
export function trafficLight(inputs: RcsInputs, settings: RcsSettings): RcsModelResult {
  const met = [inputs.blockers === 0, inputs.regression !== null && inputs.regression >= settings.regression_min, inputs.critical_paths === 100];
  const count = met.filter(Boolean).length;
  return {
    model: 'traffic_light',
    score: count,
    decision: count === 3 ? 'GO' : count === 2 ? 'CONDITIONAL' : 'HOLD',
    detail: `${count}/3 conditions met (no blockers: ${met[0] ? 'yes' : 'no'}; regression ≥ ${settings.regression_min}%: ${met[1] ? 'yes' : 'no'}; all critical paths green: ${met[2] ? 'yes' : 'no'})`,
  };
}

function decide(score: number, settings: RcsSettings): Decision {
  return score >= settings.go ? 'GO' : score >= settings.conditional ? 'CONDITIONAL' : 'HOLD';
}

/** Model 2: 0.40·B + 0.35·R + 0.25·P with B = 100 without blockers, else 0. */
export function weighted(inputs: RcsInputs, settings: RcsSettings): RcsModelResult {
  if (inputs.regression === null || inputs.critical_paths === null) {
    return { model: 'weighted', score: null, decision: null, detail: `needs ${inputs.regression === null ? 'a regression run' : 'critical path results'}` };
  }
  const b = inputs.blockers === 0 ? 100 : 0;
  const w = settings.weights;
  const score = w.blockers * b + w.regression * inputs.regression + w.critical_paths * inputs.critical_paths;
  return { model: 'weighted', score, decision: decide(score, settings), detail: `${w.blockers}·${b} + ${w.regression}·${round1(inputs.regression)} + ${w.critical_paths}·${round1(inputs.critical_paths)}` };
}

/** Model 3: the weighted score, capped at blocker_cap when any blocker is open. */
export function disqualifier(inputs: RcsInputs, settings: RcsSettings): RcsModelResult {
  const base = weighted(inputs, settings);
  if (base.score === null) return { ...base, model: 'disqualifier' };
  const capped = inputs.blockers > 0 ? Math.min(base.score, settings.blocker_cap) : base.score;
  return {
    model: 'disqualifier',
    score: capped,
    decision: decide(capped, settings),
    detail: inputs.blockers > 0 ? `${base.detail}, capped at ${settings.blocker_cap}: ${inputs.blockers} open blocker(s)` : base.detail,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export interface RcsResult {
  release: string;
  inputs: RcsInputs;
  regression: Metric;
  critical_paths: Metric;
  blockers: Metric;
  models: RcsModelResult[];
  /** The configured model (default: weighted with the blocker cap). */
  score: RcsModelResult;
  note: string;
}

/** Uses the latest run of each suite, so a re-run replaces the failed run it repeats. */
export function latestRuns(runs: readonly TestRunFact[]): TestRunFact[] {
  const latest = new Map<string, TestRunFact>();
  for (const r of runs) {
    const key = `${r.service ?? ''}\u0000${r.suite}`;
    const seen = latest.get(key);
    if (!seen || seen.started_at < r.started_at || (seen.started_at === r.started_at && seen.id < r.id)) latest.set(key, r);
  }
  return [...latest.values()];
}

export function releaseConfidence(release: string, defects: readonly DefectFact[], runs: readonly TestRunFact[], config: Config): RcsResult {
  const settings = config.metrics.rcs;
  const mine = latestRuns(runs.filter((r) => r.release === release));
  const regression = mine.filter((r) => r.suite_kind === 'regression');
  const passed = regression.reduce((s, r) => s + r.passed, 0);
  const executed = regression.reduce((s, r) => s + r.passed + r.failed, 0);
  const critical = mine.filter((r) => r.critical_total > 0);
  const criticalGreen = critical.reduce((s, r) => s + r.critical_passed, 0);
  const criticalTotal = critical.reduce((s, r) => s + r.critical_total, 0);
  const blockers = defects.filter((d) => d.blocker && d.status === 'open' && d.release === release);
  const inputs: RcsInputs = {
    blockers: blockers.length,
    regression: executed > 0 ? (100 * passed) / executed : null,
    critical_paths: criticalTotal > 0 ? (100 * criticalGreen) / criticalTotal : null,
  };
  const models = [trafficLight(inputs, settings), weighted(inputs, settings), disqualifier(inputs, settings)];
  return {
    release,
    inputs,
    regression: { value: inputs.regression, numerator: passed, denominator: executed, sample_size: regression.length, method: 'passed ÷ (passed + failed) × 100 over the latest run of each regression suite', evidence: { test_runs: regression.map((r) => r.id) }, unit: 'percent' },
    critical_paths: { value: inputs.critical_paths, numerator: criticalGreen, denominator: criticalTotal, sample_size: critical.length, method: 'critical paths passed ÷ critical paths × 100 over the latest run of each suite reporting them', evidence: { test_runs: critical.map((r) => r.id) }, unit: 'percent' },
    blockers: { value: blockers.length, numerator: blockers.length, denominator: null, sample_size: blockers.length, method: 'open defects marked blocker for this release', evidence: { defects: blockers.map((d) => d.id) } },
    models,
    score: models.find((m) => m.model === settings.model)!,
    note: 'a person makes the final call; the score explains it',
  };
}

/** The release candidates in test: releases named by test runs, latest first. */
export function releaseCandidates(runs: readonly TestRunFact[]): string[] {
  const latest = new Map<string, string>();
  for (const r of runs) if ((latest.get(r.release) ?? '') < r.started_at) latest.set(r.release, r.started_at);
  return [...latest.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).map(([release]) => release);
}
