// Escaped problems per Release (metrics.md §4): attributed to the release that introduced them,
// banded, with Tukey spike detection over the release series and the flags that follow from it.
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { MetricFacts } from './rows.ts';
import { inPeriod, percentileOfSorted, ratio, type Metric } from './result.ts';
import { problemsByRelease, reachedUsers, releaseCount, type ReleaseCount } from './releases.ts';
import { releaseTimeline } from './release-list.ts';

export type EprBand = 'elite' | 'good' | 'needs_attention' | 'alarm';

/** < 0.5 elite, 0.5–1.5 good, 1.5–3.0 needs attention (3.0 included), > 3.0 alarm. */
export function eprBand(value: number | null, bands: Config['metrics']['epr']['bands']): EprBand | null {
  if (value === null) return null;
  if (value < bands.elite_below) return 'elite';
  if (value < bands.good_below) return 'good';
  if (value <= bands.attention_max) return 'needs_attention';
  return 'alarm';
}

export interface TukeyFence {
  q1: number;
  median: number;
  q3: number;
  iqr: number;
  threshold: number;
  method: string;
}

/**
 * Tukey's upper fence over a series: quartiles by linear interpolation at index (n−1)·p of the
 * sorted values; threshold Q3 + k·IQR, or max(2·median, floor) when IQR = 0. null below minReleases.
 */
export function tukeyFence(values: readonly number[], settings: Pick<Config['metrics']['epr'], 'tukey_k' | 'min_releases' | 'iqr_zero_floor'>): TukeyFence | null {
  if (values.length < settings.min_releases || values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q1 = percentileOfSorted(sorted, 0.25);
  const med = percentileOfSorted(sorted, 0.5);
  const q3 = percentileOfSorted(sorted, 0.75);
  const iqr = q3 - q1;
  if (iqr === 0) {
    return { q1, median: med, q3, iqr, threshold: Math.max(2 * med, settings.iqr_zero_floor), method: `IQR = 0: threshold max(2·median, ${settings.iqr_zero_floor})` };
  }
  return { q1, median: med, q3, iqr, threshold: q3 + settings.tukey_k * iqr, method: `Q3 + ${settings.tukey_k}·IQR, quartiles by linear interpolation at (n−1)·p` };
}

export interface ReleaseEscapes {
  deployment_id: number;
  service: string;
  version: string | null;
  kind: string;
  finished_at: string | null;
  escapes: number;
  band: EprBand;
  spike: boolean;
  problem_ids: number[];
}

export interface EprResult {
  epr: Metric;
  releases: ReleaseCount;
  series: ReleaseEscapes[];
  fence: TukeyFence | null;
  /** Why there is no fence, when there is none. */
  fence_note: string | null;
  spikes: number[];
  flags: { postmortem: boolean; systemic: boolean; message: string | null };
  canary: { service: string; epr: number; releases: number; recommendation: string }[];
  per_release: { escapes: Metric; hotfixes: Metric; rollbacks: Metric };
  unattributed_problem_ids: number[];
}

export function escapesPerRelease(facts: MetricFacts, period: Period, config: Config): EprResult {
  const settings = config.metrics.epr;
  const timeline = releaseTimeline(facts.deployments, config);
  const releases = timeline.releases.filter((r) => inPeriod(r.finished_at, period));
  const byRelease = problemsByRelease(facts.problems, timeline.releaseOf);
  const fence = tukeyFence(releases.map((r) => (byRelease.get(r.id) ?? []).length), settings);
  const series = releases.map((r): ReleaseEscapes => {
    const problems = byRelease.get(r.id) ?? [];
    return {
      deployment_id: r.id,
      service: r.service,
      version: r.version,
      kind: r.kind,
      finished_at: r.finished_at,
      escapes: problems.length,
      band: eprBand(problems.length, settings.bands)!,
      spike: fence !== null && problems.length > fence.threshold,
      problem_ids: problems.map((p) => p.id),
    };
  });
  const escaped = series.flatMap((s) => s.problem_ids);
  const releaseIds = releases.map((r) => r.id);
  const epr = ratio(escaped.length, releases.length, 'escaped problems attributed to the releases that introduced them ÷ releases', { problems: escaped, deployments: releaseIds });
  epr.band = eprBand(epr.value, settings.bands);
  const spikes = series.filter((s) => s.spike).map((s) => s.deployment_id);

  const remediations = facts.deployments.filter((d) => reachedUsers(d) && inPeriod(d.finished_at, period));
  const hotfixes = remediations.filter((d) => d.kind === 'hotfix' || d.kind === 'fix_forward').map((d) => d.id);
  const rollbacks = remediations.filter((d) => d.kind === 'rollback').map((d) => d.id);

  return {
    epr,
    releases: releaseCount(releases, config.metrics.releases),
    series,
    fence,
    fence_note: fence === null ? `spike detection needs at least ${settings.min_releases} releases (have ${releases.length})` : null,
    spikes,
    flags: {
      postmortem: spikes.length === 1,
      systemic: spikes.length >= 2,
      message:
        spikes.length === 1
          ? 'one spike: hold a blameless post-mortem within 48 h'
          : spikes.length >= 2
            ? `${spikes.length} spikes in the window: a systemic problem, not bad luck`
            : null,
    },
    canary: canaryAdvice(series, settings.canary_above, config.windows.watch_minutes),
    per_release: {
      escapes: ratio(escaped.length, releases.length, 'escaped problems ÷ releases', { problems: escaped, deployments: releaseIds }),
      hotfixes: ratio(hotfixes.length, releases.length, 'hotfix and fix-forward deployments ÷ releases', { deployments: hotfixes }),
      rollbacks: ratio(rollbacks.length, releases.length, 'rollback deployments ÷ releases', { deployments: rollbacks }),
    },
    unattributed_problem_ids: facts.problems.filter((p) => p.deployment_id === null && inPeriod(p.impact_start, period)).map((p) => p.id),
  };
}

/** Services whose past releases averaged more than `above` escapes: the next one goes out as a canary. */
function canaryAdvice(series: readonly ReleaseEscapes[], above: number, watchMinutes: number): EprResult['canary'] {
  const byService = new Map<string, { escapes: number; releases: number }>();
  for (const s of series) {
    const agg = byService.get(s.service) ?? { escapes: 0, releases: 0 };
    agg.escapes += s.escapes;
    agg.releases += 1;
    byService.set(s.service, agg);
  }
  const out: EprResult['canary'] = [];
  for (const [service, agg] of byService) {
    const epr = agg.escapes / agg.releases;
    if (epr > above) {
      out.push({ service, epr, releases: agg.releases, recommendation: `release ${service} as a canary to 5–10% of traffic and watch it for ${watchMinutes / 60} h after the deployment` });
    }
  }
  return out.sort((a, b) => b.epr - a.epr);
}
