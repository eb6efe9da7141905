// Cost by type and period (metrics.md §1): hours per role, actual entries else the type's default
// midpoints marked as estimates; money when role rates are configured; time to detect / time to fix.
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { CostFact, ProblemFact, ProblemType } from './rows.ts';
import { hoursBetween, inPeriod, percentileCont, statistic, type Metric } from './result.ts';
import { TYPE_KEYS, typeOf, type TypeKey } from './escapes.ts';
import { TYPE_WORDS } from './type-words.ts';

/** Role hours per incident when a problem has no entries: the midpoints of metrics.md §1. */
export const DEFAULT_ROLE_HOURS: Record<Exclude<ProblemType, 'mixed'>, Record<string, number>> = {
  code: { dev: 2.5, qa: 1, devops: 1, pm: 0.5 },
  infra: { devops: 4, dev: 1, qa: 1, pm: 1 },
  integration: { dev: 3, devops: 2, pm: 2.5 },
  regression: { qa: 2, dev: 2.5, devops: 2 },
};

/** Default hours for a type; `mixed` (and unclassified) take the mean of the four types, role by role. */
export function defaultRoleHours(type: ProblemType | null, config: Config): Record<string, number> {
  const table: Record<string, Record<string, number>> = { ...DEFAULT_ROLE_HOURS, ...(config.cost.defaults ?? {}) };
  const own = type ? table[type] : undefined;
  if (own) return own;
  const base = ['code', 'infra', 'integration', 'regression'].map((t) => table[t] ?? {});
  const out: Record<string, number> = {};
  for (const roles of base) for (const [role, h] of Object.entries(roles)) out[role] = (out[role] ?? 0) + h / base.length;
  return out;
}

export interface ProblemCost {
  problem_id: number;
  type: TypeKey;
  actual_hours: number;
  estimated_hours: number;
  by_role: Record<string, number>;
  money: number | null;
}

/** One problem's hours: its entries, else its type's defaults (estimated). */
export function costOfProblem(problem: ProblemFact, entries: readonly CostFact[], config: Config): ProblemCost {
  const by_role: Record<string, number> = {};
  let actual = 0;
  let estimated = 0;
  if (entries.length > 0) {
    for (const e of entries) {
      by_role[e.role] = (by_role[e.role] ?? 0) + e.hours;
      if (e.estimated) estimated += e.hours;
      else actual += e.hours;
    }
  } else {
    for (const [role, h] of Object.entries(defaultRoleHours(problem.type, config))) {
      by_role[role] = h;
      estimated += h;
    }
  }
  return { problem_id: problem.id, type: typeOf(problem), actual_hours: actual, estimated_hours: estimated, by_role, money: moneyOf(by_role, config) };
}

function moneyOf(byRole: Record<string, number>, config: Config): number | null {
  const rates = config.cost.rates;
  if (Object.keys(rates).length === 0) return null;
  let total = 0;
  for (const [role, h] of Object.entries(byRole)) {
    const rate = rates[role];
    // A role without a rate makes the money figure incomplete; say so rather than undercount.
    if (rate === undefined) return null;
    total += h * rate;
  }
  return total;
}

export interface CostGroup {
  type: TypeKey | 'all';
  problems: number;
  hours: number;
  actual_hours: number;
  estimated_hours: number;
  hours_per_problem: number | null;
  by_role: Record<string, number>;
  money: number | null;
  currency: string;
  time_to_detect: { median: Metric; p90: Metric };
  time_to_fix: { median: Metric; p90: Metric };
  problem_ids: number[];
}

export interface CostByType {
  period: Period;
  total: CostGroup;
  by_type: CostGroup[];
  method: string;
}

export function costByType(problems: readonly ProblemFact[], costs: readonly CostFact[], period: Period, config: Config): CostByType {
  const inScope = problems.filter((p) => inPeriod(p.impact_start, period));
  const entries = new Map<number, CostFact[]>();
  for (const c of costs) {
    const list = entries.get(c.problem_id) ?? [];
    list.push(c);
    entries.set(c.problem_id, list);
  }
  const costed = inScope.map((p) => ({ problem: p, cost: costOfProblem(p, entries.get(p.id) ?? [], config) }));
  const group = (type: TypeKey | 'all') => summarise(type, costed.filter((c) => type === 'all' || c.cost.type === type), config);
  return {
    period,
    total: group('all'),
    by_type: TYPE_KEYS.map(group).filter((g) => g.problems > 0),
    method:
      'Σ hours per role (actual entries; when a problem has none, its type’s default midpoints, counted as estimated); money = hours × role rate when every role has a rate; TTD = impact start → detected, TTF = detected → resolved, median and p90 by linear interpolation (percentile_cont)',
  };
}

function summarise(type: TypeKey | 'all', items: { problem: ProblemFact; cost: ProblemCost }[], config: Config): CostGroup {
  const by_role: Record<string, number> = {};
  let actual = 0;
  let estimated = 0;
  let money: number | null = Object.keys(config.cost.rates).length > 0 ? 0 : null;
  for (const { cost } of items) {
    actual += cost.actual_hours;
    estimated += cost.estimated_hours;
    for (const [role, h] of Object.entries(cost.by_role)) by_role[role] = (by_role[role] ?? 0) + h;
    money = money === null || cost.money === null ? null : money + cost.money;
  }
  const hours = actual + estimated;
  const detect = items.filter((i) => i.problem.detected_at !== null);
  const fixed = items.filter((i) => i.problem.detected_at !== null && i.problem.resolved_at !== null);
  const ttd = detect.map((i) => Math.max(0, hoursBetween(i.problem.impact_start, i.problem.detected_at!)));
  const ttf = fixed.map((i) => Math.max(0, hoursBetween(i.problem.detected_at!, i.problem.resolved_at!)));
  const ttdIds = { problems: detect.map((i) => i.problem.id) };
  const ttfIds = { problems: fixed.map((i) => i.problem.id) };
  return {
    type,
    problems: items.length,
    hours,
    actual_hours: actual,
    estimated_hours: estimated,
    hours_per_problem: items.length > 0 ? hours / items.length : null,
    by_role,
    money: items.length > 0 ? money : null,
    currency: config.cost.currency,
    time_to_detect: {
      median: statistic(percentileCont(ttd, 0.5), ttd.length, 'median (percentile_cont 0.5) of impact start → detected, hours', ttdIds, { unit: 'hours' }),
      p90: statistic(percentileCont(ttd, 0.9), ttd.length, 'p90 (percentile_cont 0.9) of impact start → detected, hours', ttdIds, { unit: 'hours' }),
    },
    time_to_fix: {
      median: statistic(percentileCont(ttf, 0.5), ttf.length, 'median (percentile_cont 0.5) of detected → resolved, hours', ttfIds, { unit: 'hours' }),
      p90: statistic(percentileCont(ttf, 0.9), ttf.length, 'p90 (percentile_cont 0.9) of detected → resolved, hours', ttfIds, { unit: 'hours' }),
    },
    problem_ids: items.map((i) => i.problem.id),
  };
}

/** "8 escaped problems — 5 code defects, 2 configuration problems and 1 integration failure; total cost about 68 hours." */
export function costSentence(cost: CostByType): string {
  const parts = cost.by_type.map((g) => `${g.problems} ${TYPE_WORDS[g.type]![g.problems === 1 ? 0 : 1]}`);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? 'none');
  const n = cost.total.problems;
  return `${n} escaped problem${n === 1 ? '' : 's'} — ${list}; total cost about ${Math.round(cost.total.hours)} hours.`;
}
