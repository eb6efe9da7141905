// What a report is built from: the metric results of the period, of the period before it and, for
// calendar periods with data, of the same period a year earlier — all computed by src/metrics — plus
// each problem's cost (costOfProblem) and title for the concrete case. Pure.
import type { Config } from '../domain/config.ts';
import { previousPeriod, type Period } from '../domain/periods.ts';
import { costOfProblem } from '../metrics/cost.ts';
import type { Definitions } from '../metrics/dora.ts';
import { overview } from '../metrics/overview.ts';
import { escapesPerRelease, type EprResult } from '../metrics/epr.ts';
import type { CostFact, MetricFacts } from '../metrics/rows.ts';
import { inPeriod, ratio, type Metric } from '../metrics/result.ts';
import type { Audience } from './document.ts';

export type OverviewResult = ReturnType<typeof overview>;

export interface ProblemDetail {
  id: number;
  key: string;
  title: string;
  service: string | null;
  type: string;
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
  downtime_minutes: number | null;
  deployment_id: number | null;
  /** The version of the release it is attributed to, when known. */
  release: string | null;
  hours: number;
  estimated: boolean;
  money: number | null;
}

/** Figures the report derives from metric results (per-release normalisation) or takes from the configuration. */
export interface DerivedFigures {
  hours_per_release: Metric;
  previous_hours_per_release: Metric;
  watch_hours: number;
  currency: string;
}

export interface ReportInputs {
  audience: Audience;
  period: Period;
  previous_period: Period;
  year_ago_period: Period | null;
  service: string | null;
  current: OverviewResult;
  /** The full escapes-per-release result of the period (the overview leaves out the per-release series). */
  current_epr: EprResult;
  previous: OverviewResult;
  /** null when the period is not a calendar period or the year before has no data. */
  year_ago: OverviewResult | null;
  /** Escaped problems of the period, costliest first (ties: lowest id). */
  problems: ProblemDetail[];
  derived: DerivedFigures;
}

/** The same calendar period a year earlier, for `2025-Q4`, `2025-11` and `2025`; null for rolling or custom periods. */
export function yearAgoPeriod(period: Period): Period | null {
  const m = period.label.match(/^(\d{4})(-Q[1-4]|-\d{2})?$/);
  if (!m) return null;
  const shift = (iso: string) => `${String(Number(iso.slice(0, 4)) - 1).padStart(4, '0')}${iso.slice(4)}`;
  return { label: `${Number(m[1]) - 1}${m[2] ?? ''}`, start: shift(period.start), end: shift(period.end) };
}

/** The name of the period before: `2025-Q3` before `2025-Q4`, `2025-10` before `2025-11`, else its dates. */
export function previousLabel(period: Period): string {
  const q = period.label.match(/^(\d{4})-Q([1-4])$/);
  if (q) return Number(q[2]) === 1 ? `${Number(q[1]) - 1}-Q4` : `${q[1]}-Q${Number(q[2]) - 1}`;
  const m = period.label.match(/^(\d{4})-(\d{2})$/);
  if (m) return Number(m[2]) === 1 ? `${Number(m[1]) - 1}-12` : `${m[1]}-${String(Number(m[2]) - 1).padStart(2, '0')}`;
  if (/^\d{4}$/.test(period.label)) return String(Number(period.label) - 1);
  const previous = previousPeriod(period);
  if (previous.start < '1970') return 'the period before';
  const lastDay = new Date(Date.parse(previous.end) - 86_400_000).toISOString().slice(0, 10);
  return `${previous.start.slice(0, 10)} – ${lastDay}`;
}

export interface FactsForReport {
  current: MetricFacts;
  /** Facts loaded for the previous period (its own span); the current facts serve when omitted. */
  previous?: MetricFacts;
  year_ago: MetricFacts | null;
  /** Problem titles by id (facts carry no text). */
  titles: ReadonlyMap<number, string>;
  /** Release versions by deployment id, for deployments the facts do not hold. */
  versions?: ReadonlyMap<number, string | null>;
}

export interface ReportSelection {
  audience: Audience;
  period: Period;
  service: string | null;
  config: Config;
  definitions: Definitions;
  now?: Date;
}

const hasData = (o: OverviewResult) => o.escapes.total > 0 || o.epr.releases.count > 0;

export function assembleInputs(selection: ReportSelection, facts: FactsForReport): ReportInputs {
  const { period, config } = selection;
  const ctx = (p: Period) => ({ period: p, config, definitions: selection.definitions, service: selection.service, ...(selection.now ? { now: selection.now } : {}) });
  const previous_period = { ...previousPeriod(period), label: previousLabel(period) };
  const current = overview(facts.current, ctx(period));
  const previous = overview(facts.previous ?? facts.current, ctx(previous_period));
  const yearPeriod = yearAgoPeriod(period);
  const yearResult = yearPeriod && facts.year_ago ? overview(facts.year_ago, ctx(yearPeriod)) : null;
  const year_ago = yearResult && hasData(yearResult) ? yearResult : null;
  return {
    audience: selection.audience,
    period,
    previous_period,
    year_ago_period: year_ago ? yearPeriod : null,
    service: selection.service,
    current,
    current_epr: escapesPerRelease(facts.current, period, config),
    previous,
    year_ago,
    problems: problemDetails(facts, period, config),
    derived: {
      hours_per_release: hoursPerRelease(current),
      previous_hours_per_release: hoursPerRelease(previous),
      watch_hours: config.windows.watch_minutes / 60,
      currency: config.cost.currency,
    },
  };
}

function hoursPerRelease(o: OverviewResult): Metric {
  return ratio(o.cost.total.hours, o.epr.releases.count, 'hours spent on the escaped problems of the period ÷ releases of the period', {
    problems: o.cost.total.problem_ids,
    deployments: o.epr.releases.deployment_ids,
  }, { unit: 'hours' });
}

function problemDetails(facts: FactsForReport, period: Period, config: Config): ProblemDetail[] {
  const entries = new Map<number, CostFact[]>();
  for (const c of facts.current.costs) entries.set(c.problem_id, [...(entries.get(c.problem_id) ?? []), c]);
  const versions = new Map<number, string | null>(facts.versions ?? []);
  for (const d of facts.current.deployments) versions.set(d.id, d.version);
  return facts.current.problems
    .filter((p) => inPeriod(p.impact_start, period))
    .map((p): ProblemDetail => {
      const cost = costOfProblem(p, entries.get(p.id) ?? [], config);
      return {
        id: p.id,
        key: p.key,
        title: facts.titles.get(p.id) ?? p.key,
        service: p.service,
        type: cost.type,
        impact_start: p.impact_start,
        detected_at: p.detected_at,
        resolved_at: p.resolved_at,
        downtime_minutes: p.downtime_minutes,
        deployment_id: p.deployment_id,
        release: p.deployment_id === null ? null : (versions.get(p.deployment_id) ?? null),
        hours: cost.actual_hours + cost.estimated_hours,
        estimated: cost.estimated_hours > 0 && cost.actual_hours === 0,
        money: cost.money,
      };
    })
    .sort((a, b) => b.hours - a.hours || a.id - b.id);
}
