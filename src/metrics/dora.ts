// DORA software delivery performance per service and period (metrics.md §7). Change fail rate counts
// failed deployments, never incidents. Medians are interpolated (percentile_cont). The 2024 clusters
// are shown beside the raw numbers, never instead of them; `definitions: 2021` keeps the older wording
// (time to restore service over all incidents, no rework rate).
import type { Period } from '../domain/periods.ts';
import type { ChangeFact, DeploymentFact, MetricFacts, ProblemFact } from './rows.ts';
import { DAY, HOUR, hoursBetween, inPeriod, isoMs, percentileCont, percentileOfSorted, ratio, sortedNumbers, statistic, type Metric } from './result.ts';
import { byFinished, isProduction } from './releases.ts';
import { leadTimeScope } from '../pipeline/lead-time-scope.ts';

export type Definitions = '2021' | '2024';
export type Cluster = 'elite' | 'high' | 'medium' | 'low';

const REMEDIATION = new Set(['rollback', 'hotfix', 'fix_forward']);

/** Production deployments that finished, successfully or not. */
const productionDeployments = (deployments: readonly DeploymentFact[]) =>
  deployments.filter((d) => isProduction(d) && d.finished_at !== null && (d.status === 'success' || d.status === 'failure')).sort(byFinished);

export interface FailedDeployment {
  deployment_id: number;
  service: string;
  reasons: string[];
  remediated_by: number | null;
  problem_ids: number[];
  recovery_hours: number | null;
}

/**
 * Which production deployments needed immediate intervention: a failed status, a later rollback /
 * hotfix / fix-forward of the same service aimed at it (the latest non-rollback deployment before the
 * remediation), or an escaped problem attributed to it. Each deployment counts once.
 */
export function failedDeployments(deployments: readonly DeploymentFact[], problems: readonly ProblemFact[]): Map<number, FailedDeployment> {
  const prod = productionDeployments(deployments);
  const failed = new Map<number, FailedDeployment>();
  const mark = (d: DeploymentFact, reason: string) => {
    const f = failed.get(d.id) ?? { deployment_id: d.id, service: d.service, reasons: [], remediated_by: null, problem_ids: [], recovery_hours: null };
    if (!f.reasons.includes(reason)) f.reasons.push(reason);
    failed.set(d.id, f);
    return f;
  };
  const lastByService = new Map<string, DeploymentFact>();
  for (const d of prod) {
    if (d.status === 'failure') mark(d, 'failed status');
    if (REMEDIATION.has(d.kind)) {
      const target = lastByService.get(d.service);
      if (target) {
        const f = mark(target, d.kind.replace('_', '-'));
        f.remediated_by ??= d.id;
      }
    }
    if (d.kind !== 'rollback') lastByService.set(d.service, d);
  }
  const byId = new Map(prod.map((d) => [d.id, d]));
  const problemsOf = new Map<number, ProblemFact[]>();
  for (const p of problems) {
    if (p.deployment_id === null) continue;
    const d = byId.get(p.deployment_id);
    if (!d) continue;
    mark(d, 'escaped problem').problem_ids.push(p.id);
    const list = problemsOf.get(d.id) ?? [];
    list.push(p);
    problemsOf.set(d.id, list);
  }
  // The pipeline's stored verdict (with any person's override) wins over what is derived here.
  for (const d of prod) {
    if (d.failed === true) mark(d, 'pipeline outcome');
    else if (d.failed === false) failed.delete(d.id);
  }
  for (const f of failed.values()) f.recovery_hours = recoveryHours(byId.get(f.deployment_id)!, f, byId, problemsOf.get(f.deployment_id) ?? []);
  return failed;
}

/** From the failed deployment (or its earliest problem's impact start) until the remediation went out, else until its problems were resolved. */
function recoveryHours(d: DeploymentFact, f: FailedDeployment, byId: Map<number, DeploymentFact>, mine: readonly ProblemFact[]): number | null {
  const start = mine.length > 0 ? mine.map((p) => p.impact_start).sort()[0]! : d.finished_at!;
  let end: string | null = null;
  if (f.remediated_by !== null) end = byId.get(f.remediated_by)!.finished_at;
  else if (mine.length > 0 && mine.every((p) => p.resolved_at !== null)) end = mine.map((p) => p.resolved_at!).sort().at(-1)!;
  return end === null ? null : Math.max(0, hoursBetween(start, end));
}

export interface DoraResult {
  service: string | null;
  period: Period;
  definitions: Definitions;
  deployment_frequency: Metric & { per_week: number | null; days: number };
  /** `excluded`: changes left out by the first-recorded-deployment rule (docs/delivery-sources.md). */
  change_lead_time: { median: Metric; p90: Metric; excluded: { count: number; by_reason: Record<string, number>; changes: number[] } };
  change_fail_rate: Metric & { reference: Record<Cluster, number> };
  deployment_rework_rate: Metric;
  recovery_time: { median: Metric; name: string };
  failed: FailedDeployment[];
}

export function frequencyCluster(perDay: number | null): Cluster | null {
  if (perDay === null) return null;
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

export function leadTimeCluster(hours: number | null): Cluster | null {
  if (hours === null) return null;
  if (hours < 24) return 'elite';
  if (hours <= 24 * 7) return 'high';
  if (hours <= 24 * 30) return 'medium';
  return 'low';
}

/** 2024: elite < 1 h, high and medium < 1 day, low 1 week–1 month; anything from a day up is low. */
export function recoveryCluster(hours: number | null): Cluster | null {
  if (hours === null) return null;
  if (hours < 1) return 'elite';
  if (hours < 24) return 'high';
  return 'low';
}

/** The 2024 change fail rates per cluster are not ordered (medium 10% < high 20%); the nearest reference wins. */
export const CFR_REFERENCE: Record<Cluster, number> = { elite: 0.05, high: 0.2, medium: 0.1, low: 0.4 };
export function failRateCluster(rate: number | null): Cluster | null {
  if (rate === null) return null;
  let best: Cluster = 'elite';
  for (const c of Object.keys(CFR_REFERENCE) as Cluster[]) if (Math.abs(rate - CFR_REFERENCE[c]) < Math.abs(rate - CFR_REFERENCE[best])) best = c;
  return best;
}

export function dora(facts: Pick<MetricFacts, 'deployments' | 'problems' | 'changes' | 'firstDeployments'>, period: Period, options: { definitions: Definitions; service?: string | null; now?: Date }): DoraResult {
  const service = options.service ?? null;
  const mine = <T extends { service: string | null }>(rows: readonly T[]) => (service === null ? [...rows] : rows.filter((r) => r.service === service));
  const deployments = mine(facts.deployments);
  const prod = productionDeployments(deployments);
  const inScope = prod.filter((d) => inPeriod(d.finished_at, period));
  const succeeded = inScope.filter((d) => d.status === 'success');
  const is2024 = options.definitions === '2024';

  // The span a frequency is over: the period, cut to what has happened (now) and, for open-ended periods, to the data.
  const now = (options.now ?? new Date()).toISOString();
  const start = period.start < '1970' ? (prod[0]?.finished_at ?? period.start) : period.start;
  const end = period.end > now ? now : period.end;
  const days = Math.max(0, (Date.parse(end) - Date.parse(start)) / DAY);
  const frequency = ratio(succeeded.length, days, 'successful production deployments ÷ days in the period', { deployments: succeeded.map((d) => d.id) }, { unit: 'per day' });
  frequency.band = is2024 ? frequencyCluster(frequency.value) : null;

  const deployed: ChangeFact[] = mine(facts.changes).filter((c) => c.deployed_at !== null && inPeriod(c.deployed_at, period));
  const scope = leadTimeScope(deployed, new Map(Object.entries(facts.firstDeployments ?? {})));
  const changes = scope.counted;
  const byReason: Record<string, number> = {};
  for (const e of scope.excluded) byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
  const lead = sortedNumbers(changes.map((c) => Math.max(0, hoursBetween(c.first_commit_at, c.deployed_at!))));
  const leadIds = { changes: changes.map((c) => c.id) };
  const leadMedian = statistic(lead.length > 0 ? percentileOfSorted(lead, 0.5) : null, lead.length, 'median (percentile_cont 0.5) of first commit → running in production, hours; changes shipped by, or committed before, their service’s first recorded deployment left out', leadIds, { unit: 'hours' });
  leadMedian.band = is2024 ? leadTimeCluster(leadMedian.value) : null;

  const failedAll = failedDeployments(deployments, mine(facts.problems));
  const failed = inScope.filter((d) => failedAll.has(d.id)).map((d) => failedAll.get(d.id)!);
  const cfr = ratio(failed.length, inScope.length, 'distinct production deployments that needed intervention (failed status, rollback, hotfix, fix-forward, or an escaped problem attributed) ÷ production deployments; several incidents on one deployment count once', {
    deployments: failed.map((f) => f.deployment_id),
  }, { unit: 'ratio' });
  cfr.band = is2024 ? failRateCluster(cfr.value) : null;

  const rework = inScope.filter((d) => d.rework ?? REMEDIATION.has(d.kind));
  const reworkRate: Metric = is2024
    ? ratio(rework.length, inScope.length, 'unplanned deployments made to fix a user-facing problem (hotfix, rollback, fix-forward) ÷ production deployments', { deployments: rework.map((d) => d.id) }, { unit: 'ratio' })
    : { value: null, numerator: null, denominator: null, sample_size: 0, method: 'not part of the 2021 definitions', evidence: {} };

  let recovery: Metric;
  let name: string;
  if (is2024) {
    const restored = failed.filter((f) => f.recovery_hours !== null);
    const hours = restored.map((f) => f.recovery_hours!);
    recovery = statistic(percentileCont(hours, 0.5), hours.length, 'median (percentile_cont 0.5) of failed deployment (or its earliest problem’s impact start) → remediation deployment, else → its problems resolved; hours', { deployments: restored.map((f) => f.deployment_id) }, { unit: 'hours' });
    recovery.band = recoveryCluster(recovery.value);
    name = 'failed deployment recovery time';
  } else {
    const incidents = mine(facts.problems).filter((p) => inPeriod(p.impact_start, period) && p.resolved_at !== null);
    const hours = incidents.map((p) => Math.max(0, (isoMs(p.resolved_at!) - isoMs(p.impact_start)) / HOUR));
    recovery = statistic(percentileCont(hours, 0.5), hours.length, 'median (percentile_cont 0.5) of impact start → resolved over every escaped problem (2021 "time to restore service"); hours', { problems: incidents.map((p) => p.id) }, { unit: 'hours' });
    name = 'time to restore service';
  }

  return {
    service,
    period,
    definitions: options.definitions,
    deployment_frequency: { ...frequency, per_week: frequency.value === null ? null : frequency.value * 7, days },
    change_lead_time: {
      median: leadMedian,
      p90: statistic(lead.length > 0 ? percentileOfSorted(lead, 0.9) : null, lead.length, 'p90 (percentile_cont 0.9) of first commit → running in production, hours', leadIds, { unit: 'hours' }),
      excluded: { count: scope.excluded.length, by_reason: byReason, changes: scope.excluded.map((e) => e.change.id) },
    },
    change_fail_rate: { ...cfr, reference: CFR_REFERENCE },
    deployment_rework_rate: reworkRate,
    recovery_time: { median: recovery, name },
    failed,
  };
}

/** DORA for every service with production deployments, and for all of them together. */
export function doraByService(facts: MetricFacts, period: Period, options: { definitions: Definitions; now?: Date }): { all: DoraResult; services: DoraResult[] } {
  const services = [...new Set(facts.deployments.filter(isProduction).map((d) => d.service))].sort();
  // Each service's rows gathered in one pass (order kept), not filtered out of every row per service.
  const own = new Map(services.map((service) => [service, { deployments: [] as DeploymentFact[], problems: [] as ProblemFact[], changes: [] as ChangeFact[] }]));
  for (const d of facts.deployments) own.get(d.service)?.deployments.push(d);
  for (const p of facts.problems) if (p.service !== null) own.get(p.service)?.problems.push(p);
  for (const c of facts.changes) if (c.service !== null) own.get(c.service)?.changes.push(c);
  const first = facts.firstDeployments ? { firstDeployments: facts.firstDeployments } : {};
  return {
    all: dora(facts, period, options),
    services: services.map((service) => dora({ ...own.get(service)!, ...first }, period, { ...options, service })),
  };
}
