// Every family by name, and the overview bundle a dashboard needs: computed from one set of facts
// covering the period and the one before it (for trends).
import type { Config } from '../domain/config.ts';
import { previousPeriod, type Period } from '../domain/periods.ts';
import type { MetricFacts } from './rows.ts';
import { costByType, costSentence } from './cost.ts';
import { defectDetectionRate } from './ddr.ts';
import { dora, doraByService, type Definitions } from './dora.ts';
import { escapesPerRelease } from './epr.ts';
import { errorBudgets } from './error-budget.ts';
import { escapesByType, typeOf } from './escapes.ts';
import { issuesPerRelease } from './ipr.ts';
import { recurringPatterns, structuralSignals } from './patterns.ts';
import { releaseCandidates, releaseConfidence } from './rcs.ts';
import { inPeriod } from './result.ts';

export const FAMILIES = ['overview', 'escapes', 'cost', 'ddr', 'ipr', 'epr', 'rcs', 'dora', 'budgets', 'patterns'] as const;
export type Family = (typeof FAMILIES)[number];

export function isFamily(value: string): value is Family {
  return (FAMILIES as readonly string[]).includes(value);
}

export interface MetricContext {
  period: Period;
  config: Config;
  definitions: Definitions;
  /** The service the facts were narrowed to, if any. */
  service?: string | null;
  team?: string | null;
  /** A release candidate for RCS; default the latest one under test. */
  release?: string | null;
  now?: Date;
}

/** The facts a selection needs span the period and the previous one of equal length. */
export function factsSpan(period: Period): Period {
  const previous = previousPeriod(period);
  return { label: `${previous.label} and ${period.label}`, start: previous.start, end: period.end };
}

const asOf = (ctx: MetricContext) => {
  const now = (ctx.now ?? new Date()).toISOString();
  return ctx.period.end < now ? ctx.period.end : now;
};

function rcsFor(facts: MetricFacts, ctx: MetricContext) {
  const candidates = releaseCandidates(facts.testRuns);
  const release = ctx.release ?? candidates[0] ?? null;
  return { candidates, result: release === null ? null : releaseConfidence(release, facts.defects, facts.testRuns, ctx.config) };
}

export function computeFamily(family: Family, facts: MetricFacts, ctx: MetricContext): unknown {
  const { period, config } = ctx;
  const previous = previousPeriod(period);
  const selection = { period, service: ctx.service ?? null, team: ctx.team ?? null, definitions: ctx.definitions };
  switch (family) {
    case 'overview':
      return overview(facts, ctx);
    case 'escapes':
      return { selection, ...escapesByType(facts.problems, period, previous, facts.set_aside) };
    case 'cost': {
      const cost = costByType(facts.problems, facts.costs, period, config);
      return { selection, ...cost, sentence: costSentence(cost) };
    }
    case 'ddr':
      return { selection, ...defectDetectionRate(facts, period, config) };
    case 'ipr':
      return { selection, ...issuesPerRelease(facts, period, config) };
    case 'epr':
      return { selection, ...escapesPerRelease(facts, period, config) };
    case 'rcs':
      return { selection, ...rcsFor(facts, ctx) };
    case 'dora':
      return { selection, ...doraByService(facts, period, { definitions: ctx.definitions, ...(ctx.now ? { now: ctx.now } : {}) }) };
    case 'budgets':
      return { selection, as_of: asOf(ctx), budgets: errorBudgets(facts.problems, asOf(ctx), config) };
    case 'patterns':
      return { selection, patterns: recurringPatterns(facts.problems, period, config), signals: signals(facts, ctx) };
  }
}

function typeCounts(facts: MetricFacts, period: Period): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of facts.problems) if (inPeriod(p.impact_start, period)) out[typeOf(p)] = (out[typeOf(p)] ?? 0) + 1;
  return out;
}

function signals(facts: MetricFacts, ctx: MetricContext, current?: { ddr: number | null; ipr: number | null }) {
  const previous = previousPeriod(ctx.period);
  const ddrNow = current ? current.ddr : defectDetectionRate(facts, ctx.period, ctx.config).ddr.value;
  const ddrBefore = defectDetectionRate(facts, previous, ctx.config).ddr.value;
  const iprNow = current ? current.ipr : issuesPerRelease(facts, ctx.period, ctx.config).ipr.value;
  const iprBefore = issuesPerRelease(facts, previous, ctx.config).ipr.value;
  return structuralSignals(
    { current: typeCounts(facts, ctx.period), previous: typeCounts(facts, previous) },
    ctx.config.metrics.patterns.flat_tolerance,
    { current: ddrNow, previous: ddrBefore },
    { current: iprNow, previous: iprBefore },
  );
}

/** What the dashboard's first page shows: one decision indicator and the supporting numbers, each with its work. */
export function overview(facts: MetricFacts, ctx: MetricContext) {
  const { period, config } = ctx;
  const previous = previousPeriod(period);
  const cost = costByType(facts.problems, facts.costs, period, config);
  const ddr = defectDetectionRate(facts, period, config);
  const epr = escapesPerRelease(facts, period, config);
  const ipr = issuesPerRelease(facts, period, config);
  const qaHours = cost.total.by_role.qa ?? 0;
  return {
    selection: { period, service: ctx.service ?? null, team: ctx.team ?? null, definitions: ctx.definitions },
    escapes: escapesByType(facts.problems, period, previous, facts.set_aside),
    cost: { ...cost, sentence: costSentence(cost) },
    ddr: { ddr: ddr.ddr, ddr_weighted: ddr.ddr_weighted, escaped_rate: ddr.escaped_rate, escapes_per_release: ddr.escapes_per_release, releases: ddr.releases.count, unattributed: ddr.unattributed_problem_ids.length },
    ipr: { ipr: ipr.ipr, trend: ipr.trend, trend_change: ipr.trend_change },
    epr: { epr: epr.epr, releases: epr.releases, fence: epr.fence, fence_note: epr.fence_note, spikes: epr.spikes, flags: epr.flags, canary: epr.canary, per_release: epr.per_release },
    qa_hours: { total: qaHours, per_release: epr.releases.count > 0 ? qaHours / epr.releases.count : null },
    rcs: rcsFor(facts, ctx).result,
    dora: dora(facts, period, { definitions: ctx.definitions, service: null, ...(ctx.now ? { now: ctx.now } : {}) }),
    budgets: errorBudgets(facts.problems, asOf(ctx), config),
    patterns: recurringPatterns(facts.problems, period, config).slice(0, 10),
    signals: signals(facts, ctx, { ddr: ddr.ddr.value, ipr: ipr.ipr.value }),
  };
}
