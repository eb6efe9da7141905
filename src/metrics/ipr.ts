// Issues per Release (metrics.md §3): issues QA finds while testing one release, with bands and
// the trend over the series (last − first). Never per developer: the rows carry no person.
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { DefectFact, MetricFacts } from './rows.ts';
import { inPeriod, ratio, type Metric } from './result.ts';
import { attributeDefects, releaseCount, type ReleaseCount } from './releases.ts';
import { releaseTimeline } from './release-list.ts';

export type IprBand = 'mature' | 'solid' | 'needs_work' | 'alarm';

export function iprBand(value: number | null, bands: Config['metrics']['ipr']['bands']): IprBand | null {
  if (value === null) return null;
  if (value >= bands.alarm) return 'alarm';
  if (value >= bands.needs_work) return 'needs_work';
  if (value >= bands.solid) return 'solid';
  return 'mature';
}

export type Trend = 'decreasing' | 'stable' | 'increasing';

/** last − first below −delta decreasing, above +delta increasing, else stable; null with fewer than 2 points. */
export function seriesTrend(series: readonly number[], delta: number): Trend | null {
  if (series.length < 2) return null;
  const change = series[series.length - 1]! - series[0]!;
  if (change < -delta) return 'decreasing';
  if (change > delta) return 'increasing';
  return 'stable';
}

/** Functional and requirement issues always count; UX, performance and environment ones when labelled `ipr: count`. */
export function countsAsIssue(defect: DefectFact, counted: readonly string[]): boolean {
  return counted.includes(defect.category) || defect.labels.ipr === 'count';
}

export interface IprResult {
  ipr: Metric;
  releases: ReleaseCount;
  series: { deployment_id: number; service: string; version: string | null; finished_at: string | null; issues: number; band: IprBand; defect_ids: number[] }[];
  trend: Trend | null;
  trend_change: number | null;
  not_counted_defect_ids: number[];
}

export function issuesPerRelease(facts: MetricFacts, period: Period, config: Config): IprResult {
  const settings = config.metrics.ipr;
  const all = releaseTimeline(facts.deployments, config).releases;
  const releases = all.filter((r) => inPeriod(r.finished_at, period));
  const byRelease = attributeDefects(facts.defects, all);
  const counted: DefectFact[] = [];
  const notCounted: number[] = [];
  const series = releases.map((r) => {
    const defects = byRelease.get(r.id) ?? [];
    const issues = defects.filter((d) => countsAsIssue(d, settings.counted_categories));
    counted.push(...issues);
    for (const d of defects) if (!countsAsIssue(d, settings.counted_categories)) notCounted.push(d.id);
    return { deployment_id: r.id, service: r.service, version: r.version, finished_at: r.finished_at, issues: issues.length, band: iprBand(issues.length, settings.bands)!, defect_ids: issues.map((d) => d.id) };
  });
  const ipr = ratio(counted.length, releases.length, 'counted pre-release issues ÷ releases (functional and requirement always; others when labelled ipr: count)', {
    defects: counted.map((d) => d.id),
    deployments: releases.map((r) => r.id),
  });
  ipr.band = iprBand(ipr.value, settings.bands);
  const values = series.map((s) => s.issues);
  return {
    ipr,
    releases: releaseCount(releases, config.metrics.releases),
    series,
    trend: seriesTrend(values, settings.trend_delta),
    trend_change: values.length >= 2 ? values[values.length - 1]! - values[0]! : null,
    not_counted_defect_ids: notCounted,
  };
}
