// Error budgets per service SLO (metrics.md §8, Google SRE workbook): budget = 1 − SLO over the
// window; bad minutes come from problems (downtime when recorded, else impact start → resolved);
// burn rate = error rate ÷ (1 − SLO) over the multi-window alert pairs; policy flags.
import type { Config } from '../domain/config.ts';
import type { ProblemFact } from './rows.ts';
import { MINUTE, ratio, type Metric } from './result.ts';

export interface Slo {
  service: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  window_days: number;
}

interface Interval {
  start: number;
  end: number;
  problem_id: number;
}

/** The bad interval of a problem: downtime minutes from impact start when recorded, else until resolved (or `asOf` while open). */
export function badInterval(p: ProblemFact, asOf: number): Interval {
  const start = Date.parse(p.impact_start);
  const end = p.downtime_minutes !== null ? start + p.downtime_minutes * MINUTE : p.resolved_at !== null ? Date.parse(p.resolved_at) : asOf;
  return { start, end: Math.min(Math.max(end, start), asOf), problem_id: p.id };
}

/** Minutes covered by the union of intervals inside [from, to): concurrent problems are one outage. */
export function badMinutes(intervals: readonly Interval[], from: number, to: number): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const i of clipped) {
    if (i.start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = i.start;
      curEnd = i.end;
    } else if (i.end > curEnd) curEnd = i.end;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total / MINUTE;
}

export interface BurnWindow {
  long_minutes: number;
  short_minutes: number;
  threshold: number;
  action: 'page' | 'ticket';
  burn_long: number;
  burn_short: number;
  firing: boolean;
  /** Hours until the whole budget is gone at the long window's burn rate (window ÷ burn rate); null at burn 0. */
  time_to_exhaustion_hours: number | null;
}

export interface ErrorBudget {
  service: string;
  objective: number;
  window_days: number;
  as_of: string;
  budget_minutes: number;
  bad_minutes: number;
  consumed: Metric;
  remaining: number;
  burn_rate: number;
  time_to_exhaustion_days: number | null;
  windows: BurnWindow[];
  policy: { exhausted: boolean; postmortem_problem_ids: number[]; messages: string[] };
}

export function errorBudget(slo: Slo, problems: readonly ProblemFact[], asOfIso: string, config: Config): ErrorBudget {
  const asOf = Date.parse(asOfIso);
  const windowMinutes = slo.window_days * 24 * 60;
  const from = asOf - windowMinutes * MINUTE;
  const allowed = 1 - slo.objective / 100;
  const budget = allowed * windowMinutes;
  const mine = problems.filter((p) => p.service === slo.service && Date.parse(p.impact_start) < asOf);
  const intervals = mine.map((p) => badInterval(p, asOf));
  const inWindow = intervals.filter((i) => i.end > from && i.start < asOf);
  const bad = badMinutes(inWindow, from, asOf);
  const consumed = ratio(bad, budget, `bad minutes in the last ${slo.window_days} days ÷ budget minutes ((1 − ${slo.objective}%) × window); bad minutes = downtime when recorded, else impact start → resolved, overlaps counted once`, {
    problems: inWindow.map((i) => i.problem_id),
  }, { unit: 'share of budget' });
  const burnOver = (minutes: number) => (allowed > 0 ? badMinutes(intervals, asOf - minutes * MINUTE, asOf) / minutes / allowed : 0);
  const windows = config.metrics.budgets.burn_windows.map((w): BurnWindow => {
    const burn_long = burnOver(w.long_minutes);
    const burn_short = burnOver(w.short_minutes);
    return {
      long_minutes: w.long_minutes,
      short_minutes: w.short_minutes,
      threshold: w.burn_rate,
      action: w.action,
      burn_long,
      burn_short,
      firing: burn_long >= w.burn_rate && burn_short >= w.burn_rate,
      time_to_exhaustion_hours: burn_long > 0 ? (windowMinutes / 60) / burn_long : null,
    };
  });
  const burn = allowed > 0 ? bad / windowMinutes / allowed : 0;
  const remaining = budget > 0 ? 1 - bad / budget : 0;
  const share = config.metrics.budgets.postmortem_share;
  const heavy = inWindow.filter((i) => budget > 0 && badMinutes([i], from, asOf) > share * budget).map((i) => i.problem_id);
  const messages: string[] = [];
  if (remaining <= 0) messages.push('budget exhausted: only P0 and security changes until it recovers');
  if (heavy.length > 0) messages.push(`${heavy.length} problem(s) used more than ${Math.round(share * 100)}% of the budget: post-mortem with a P0 action`);
  for (const w of windows) if (w.firing) messages.push(`burn rate ${w.burn_long.toFixed(1)} over ${w.long_minutes} min and ${w.burn_short.toFixed(1)} over ${w.short_minutes} min ≥ ${w.threshold}: ${w.action}`);
  return {
    service: slo.service,
    objective: slo.objective,
    window_days: slo.window_days,
    as_of: new Date(asOf).toISOString(),
    budget_minutes: budget,
    bad_minutes: bad,
    consumed,
    remaining,
    burn_rate: burn,
    time_to_exhaustion_days: burn > 0 ? slo.window_days / burn : null,
    windows,
    policy: { exhausted: remaining <= 0, postmortem_problem_ids: heavy, messages },
  };
}

export function errorBudgets(problems: readonly ProblemFact[], asOfIso: string, config: Config): ErrorBudget[] {
  return config.slos.map((slo) => errorBudget(slo, problems, asOfIso, config));
}
