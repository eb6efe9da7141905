// What one escaped problem cost (metrics.md §1): hours per role from the entries people made, else the
// type's default role hours marked as an estimate; money when role rates are configured; time to detect and
// time to fix. Pure.
import type { Config } from '../domain/config.ts';
import { DEFAULT_ROLE_HOURS } from '../metrics/cost.ts';

export interface CostedProblem {
  id: number;
  key: string;
  type: string | null;
  /** For a `mixed` problem, the types involved, when the classifier named them. */
  involved_types?: readonly string[];
  /** Its signals as `source:external_id`. */
  signal_refs: readonly string[];
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
}

/** A stored cost entry, as cost needs it. */
export interface CostEntryFact {
  /** `source:external_id` of the entry. */
  ref: string;
  problem_ref: string;
  role: string;
  hours: number;
  person: string | null;
  note: string | null;
  entered_at: string | null;
}

/** What is stored in `problems.cost` and answered by `GET /api/v1/problems/:id/cost`. */
export interface ProblemCost {
  problem_id: number;
  problem_key: string;
  /** True when no entry exists and the hours are the type's defaults. */
  estimated: boolean;
  basis: string;
  hours_by_role: Record<string, number>;
  total_hours: number;
  /** Money per role and in total, when every role involved has a rate; roles without one are listed. */
  money: { currency: string; total: number | null; by_role: Record<string, number>; roles_without_rate: string[] } | null;
  time_to_detect_minutes: number | null;
  time_to_fix_minutes: number | null;
  entries: CostEntryFact[];
}

const MAIN_TYPES = ['code', 'infra', 'integration', 'regression'] as const;

/** The refs an entry may use for a problem: any of its signals, `problem:<id>` or `problem:<key>`. */
export function problemRefs(problem: Pick<CostedProblem, 'id' | 'key' | 'signal_refs'>): string[] {
  return [...new Set([...problem.signal_refs, problem.key, `problem:${problem.id}`, `problem:${problem.key}`])];
}

/** Default role hours of a type; `mixed` is the mean of the involved types (all four when not named). */
export function defaultRoleHours(type: string | null, config: Pick<Config, 'cost'>, involved: readonly string[] = []): { hours: Record<string, number>; basis: string } {
  const table: Record<string, Record<string, number>> = { ...DEFAULT_ROLE_HOURS, ...(config.cost.defaults ?? {}) };
  const own = type && type !== 'mixed' ? table[type] : undefined;
  if (own) return { hours: { ...own }, basis: `default role hours of a ${type} problem (metrics.md §1 midpoints), estimated` };
  const named = involved.filter((t) => t !== 'mixed' && table[t] !== undefined);
  const types = named.length > 0 ? [...new Set(named)].sort() : [...MAIN_TYPES];
  const hours: Record<string, number> = {};
  for (const t of types) for (const [role, h] of Object.entries(table[t] ?? {})) hours[role] = (hours[role] ?? 0) + h / types.length;
  const what = type === 'mixed' ? 'a mixed problem' : 'an unclassified problem';
  return { hours, basis: `${what}: mean of the default role hours of ${types.join(', ')}, estimated` };
}

const minutesBetween = (from: string | null, to: string | null): number | null =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000)) : null;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Cost of one problem from the entries that name it (already selected by `problemRefs`). */
export function costOfProblem(problem: CostedProblem, entries: readonly CostEntryFact[], config: Pick<Config, 'cost'>): ProblemCost {
  const sorted = [...entries].sort((a, b) => (a.entered_at ?? '').localeCompare(b.entered_at ?? '') || a.ref.localeCompare(b.ref));
  let hours: Record<string, number> = {};
  let basis: string;
  const estimated = sorted.length === 0;
  if (estimated) {
    ({ hours, basis } = defaultRoleHours(problem.type, config, problem.involved_types));
  } else {
    for (const e of sorted) hours[e.role] = (hours[e.role] ?? 0) + e.hours;
    basis = `${sorted.length} cost entr${sorted.length === 1 ? 'y' : 'ies'} entered by people`;
  }
  hours = Object.fromEntries(Object.keys(hours).sort().map((role) => [role, round2(hours[role] as number)]));
  const total = round2(Object.values(hours).reduce((s, h) => s + h, 0));
  const rates = config.cost.rates;
  let money: ProblemCost['money'] = null;
  if (Object.keys(rates).length > 0) {
    const byRole: Record<string, number> = {};
    const missing: string[] = [];
    for (const [role, h] of Object.entries(hours)) {
      const rate = rates[role];
      if (rate === undefined) missing.push(role);
      else byRole[role] = round2(h * rate);
    }
    // A role without a rate would undercount; the total is left out rather than wrong.
    const sum = round2(Object.values(byRole).reduce((s, m) => s + m, 0));
    money = { currency: config.cost.currency, total: missing.length === 0 ? sum : null, by_role: byRole, roles_without_rate: missing };
  }
  return {
    problem_id: problem.id,
    problem_key: problem.key,
    estimated,
    basis,
    hours_by_role: hours,
    total_hours: total,
    money,
    time_to_detect_minutes: minutesBetween(problem.impact_start, problem.detected_at),
    time_to_fix_minutes: minutesBetween(problem.detected_at, problem.resolved_at),
    entries: sorted,
  };
}

/** Costs every problem; each entry goes to the problem whose refs it names (one lookup per ref). */
export function costProblems(problems: readonly CostedProblem[], entries: readonly CostEntryFact[] | CostEntryIndex, config: Pick<Config, 'cost'>): ProblemCost[] {
  const byRef = isIndex(entries) ? entries : indexCostEntries(entries);
  return problems.map((p) => {
    const mine = new Map<string, CostEntryFact>();
    for (const ref of problemRefs(p)) for (const e of byRef.get(ref) ?? []) mine.set(e.ref, e);
    return costOfProblem(p, [...mine.values()], config);
  });
}

/** Cost entries by the problem ref they name; the pipeline builds it once per run, not once per batch. */
export type CostEntryIndex = ReadonlyMap<string, readonly CostEntryFact[]>;

const isIndex = (entries: readonly CostEntryFact[] | CostEntryIndex): entries is CostEntryIndex => entries instanceof Map;

export function indexCostEntries(entries: readonly CostEntryFact[]): CostEntryIndex {
  const byRef = new Map<string, CostEntryFact[]>();
  for (const e of entries) {
    const list = byRef.get(e.problem_ref);
    if (list) list.push(e);
    else byRef.set(e.problem_ref, [e]);
  }
  return byRef;
}

export interface CostTotals {
  problems: number;
  by_type: Record<string, number>;
  total_hours: number;
  estimated_problems: number;
  money: number | null;
  currency: string;
}

/** Sums problem costs: "8 problems, about 68 hours". Money only when every problem has a money total. */
export function totalCost(costs: readonly { cost: ProblemCost; type: string | null }[], config: Pick<Config, 'cost'>): CostTotals {
  const by_type: Record<string, number> = {};
  let hours = 0;
  let money: number | null = costs.length > 0 && Object.keys(config.cost.rates).length > 0 ? 0 : null;
  for (const { cost, type } of costs) {
    by_type[type ?? 'unclassified'] = (by_type[type ?? 'unclassified'] ?? 0) + 1;
    hours += cost.total_hours;
    money = money === null || cost.money?.total == null ? null : money + cost.money.total;
  }
  return {
    problems: costs.length,
    by_type,
    total_hours: round2(hours),
    estimated_problems: costs.filter((c) => c.cost.estimated).length,
    money: money === null ? null : round2(money),
    currency: config.cost.currency,
  };
}
