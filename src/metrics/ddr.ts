// Defect Detection Rate (metrics.md §2): pre-release defects against all escaped problems of the
// same releases, basic and severity-weighted, with bands; always shown beside escapes per release
// and the release count.
import type { Config } from '../domain/config.ts';
import type { Period } from '../domain/periods.ts';
import type { Severity } from '../domain/fields.ts';
import type { DefectFact, DeploymentFact, MetricFacts, ProblemFact } from './rows.ts';
import { inPeriod, ratio, type Metric } from './result.ts';
import { attributeDefects, problemsByRelease, releaseCount, type ReleaseCount } from './releases.ts';
import { releaseTimeline } from './release-list.ts';

export type DdrBand = 'alarm' | 'average' | 'solid' | 'excellent';

export function ddrBand(value: number | null, bands: Config['metrics']['ddr']['bands']): DdrBand | null {
  if (value === null) return null;
  if (value >= bands.excellent) return 'excellent';
  if (value >= bands.solid) return 'solid';
  if (value >= bands.average) return 'average';
  return 'alarm';
}

/** Problems without a severity weigh as medium. */
const weightOf = (severity: Severity | null, weights: Config['metrics']['ddr']['weights']) => weights[severity ?? 'medium'];

export interface DdrResult {
  ddr: Metric;
  ddr_weighted: Metric;
  escaped_rate: Metric;
  escapes_per_release: Metric;
  releases: ReleaseCount;
  pre: number;
  post: number;
  /** Escaped problems in the period not attributed to any release: outside DDR, listed so they are not lost. */
  unattributed_problem_ids: number[];
  per_release: ReleaseDdr[];
}

export interface ReleaseDdr {
  deployment_id: number;
  service: string;
  version: string | null;
  finished_at: string | null;
  pre: number;
  post: number;
  ddr: Metric;
  ddr_weighted: Metric;
}

const BASIC = 'pre ÷ (pre + post): pre = defects found before the release (named release, else found between the previous release of the service and this one), post = every escaped problem attributed to the release';
const WEIGHTED = 'Σ w·pre ÷ Σ w·(pre + post), weights by severity (critical 4, high 2, medium 1, low 0.5 by default; a problem without severity weighs as medium)';

export function defectDetectionRate(facts: MetricFacts, period: Period, config: Config): DdrResult {
  const settings = config.metrics.ddr;
  const timeline = releaseTimeline(facts.deployments, config);
  const all = timeline.releases;
  const releases = all.filter((r) => inPeriod(r.finished_at, period));
  const preBy = attributeDefects(facts.defects, all);
  const postBy = problemsByRelease(facts.problems, timeline.releaseOf);

  const per_release = releases.map((r) => releaseDdr(r, preBy.get(r.id) ?? [], postBy.get(r.id) ?? [], config));
  const pre = releases.flatMap((r) => preBy.get(r.id) ?? []);
  const post = releases.flatMap((r) => postBy.get(r.id) ?? []);
  const wPre = pre.reduce((s, d) => s + weightOf(d.severity, settings.weights), 0);
  const wPost = post.reduce((s, p) => s + weightOf(p.severity, settings.weights), 0);
  const evidence = { defects: pre.map((d) => d.id), problems: post.map((p) => p.id), deployments: releases.map((r) => r.id) };
  // The sample is the defects and problems counted; the releases are listed as evidence too.
  const sample_size = pre.length + post.length;
  const ddr = ratio(pre.length, pre.length + post.length, BASIC, evidence, { unit: 'ratio', sample_size });
  ddr.band = ddrBand(ddr.value, settings.bands);
  const ddr_weighted = ratio(wPre, wPre + wPost, WEIGHTED, evidence, { unit: 'ratio', sample_size });
  ddr_weighted.band = ddrBand(ddr_weighted.value, settings.bands);
  return {
    ddr,
    ddr_weighted,
    escaped_rate: ratio(post.length, pre.length + post.length, 'post ÷ (pre + post) = 1 − DDR', evidence, { unit: 'ratio', sample_size }),
    escapes_per_release: ratio(post.length, releases.length, 'escaped problems attributed to the releases of the period ÷ releases', { problems: post.map((p) => p.id), deployments: releases.map((r) => r.id) }),
    releases: releaseCount(releases, config.metrics.releases),
    pre: pre.length,
    post: post.length,
    unattributed_problem_ids: facts.problems.filter((p) => p.deployment_id === null && inPeriod(p.impact_start, period)).map((p) => p.id),
    per_release,
  };
}

function releaseDdr(release: DeploymentFact, pre: DefectFact[], post: ProblemFact[], config: Config): ReleaseDdr {
  const { weights, bands } = config.metrics.ddr;
  const wPre = pre.reduce((s, d) => s + weightOf(d.severity, weights), 0);
  const wPost = post.reduce((s, p) => s + weightOf(p.severity, weights), 0);
  const evidence = { defects: pre.map((d) => d.id), problems: post.map((p) => p.id) };
  const ddr = ratio(pre.length, pre.length + post.length, BASIC, evidence, { unit: 'ratio' });
  ddr.band = ddrBand(ddr.value, bands);
  const ddr_weighted = ratio(wPre, wPre + wPost, WEIGHTED, evidence, { unit: 'ratio' });
  ddr_weighted.band = ddrBand(ddr_weighted.value, bands);
  return { deployment_id: release.id, service: release.service, version: release.version, finished_at: release.finished_at, pre: pre.length, post: post.length, ddr, ddr_weighted };
}
