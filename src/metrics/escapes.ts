// Escaped problems by type and period (metrics.md §1): counts, shares, and the trend against the
// period of the same length just before.
import type { Period } from '../domain/periods.ts';
import { PROBLEM_TYPES, type ProblemFact } from './rows.ts';
import { direction, inPeriod, ratio, type Metric } from './result.ts';

/** A problem not yet classified is reported under this type. */
export const UNCLASSIFIED = 'unclassified';
export const TYPE_KEYS = [...PROBLEM_TYPES, UNCLASSIFIED] as const;
export type TypeKey = (typeof TYPE_KEYS)[number];

export interface TypeEscapes {
  type: TypeKey;
  count: number;
  share: Metric;
  previous_count: number;
  trend: 'up' | 'down' | 'flat' | null;
  problem_ids: number[];
}

export interface EscapesByType {
  period: Period;
  previous_period: Period;
  total: number;
  previous_total: number;
  trend: 'up' | 'down' | 'flat' | null;
  /** Problems whose type no person has confirmed yet, and their ids. */
  to_verify: number;
  to_verify_ids: number[];
  /** Problems set aside in the period as not escaped problems (noise, a person's call): not in any count. */
  set_aside: { count: number; problem_ids: number[] };
  by_type: TypeEscapes[];
  method: string;
}

export const typeOf = (p: ProblemFact): TypeKey => p.type ?? UNCLASSIFIED;

/** Problems are placed in a period by their impact start. */
export function escapesByType(problems: readonly ProblemFact[], period: Period, previous: Period, setAside: readonly ProblemFact[] = []): EscapesByType {
  const aside = setAside.filter((p) => inPeriod(p.impact_start, period)).map((p) => p.id);
  // metrics.md §1: a problem whose type no person has confirmed is to verify, whatever the classifier's confidence.
  const toVerify = problems.filter((p) => p.review_state !== 'confirmed' && inPeriod(p.impact_start, period)).map((p) => p.id);
  const current = problems.filter((p) => inPeriod(p.impact_start, period));
  const before = problems.filter((p) => inPeriod(p.impact_start, previous));
  const by_type = TYPE_KEYS.map((type): TypeEscapes => {
    const mine = current.filter((p) => typeOf(p) === type);
    const prev = before.filter((p) => typeOf(p) === type).length;
    return {
      type,
      count: mine.length,
      share: ratio(mine.length, current.length, `${type} problems ÷ all escaped problems with impact start in ${period.label}`, { problems: mine.map((p) => p.id) }, { unit: 'ratio' }),
      previous_count: prev,
      trend: direction(prev, mine.length),
      problem_ids: mine.map((p) => p.id),
    };
  }).filter((t) => t.type !== UNCLASSIFIED || t.count > 0 || t.previous_count > 0);
  return {
    period,
    previous_period: previous,
    total: current.length,
    previous_total: before.length,
    trend: direction(before.length, current.length),
    to_verify: toVerify.length,
    to_verify_ids: toVerify,
    set_aside: { count: aside.length, problem_ids: aside },
    by_type,
    method: 'escaped problems counted by type, placed in a period by impact start; trend against the previous period of equal length',
  };
}
