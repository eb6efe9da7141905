// IPR (§3), EpR with Tukey spikes (§4) and the release count (§5).
import { describe, expect, it } from 'vitest';
import { iprBand, issuesPerRelease, seriesTrend } from '../../src/metrics/ipr.ts';
import { eprBand, escapesPerRelease, tukeyFence } from '../../src/metrics/epr.ts';
import { config, day, defect, deployment, facts, NOV, problem } from './build.ts';

const cfg = config();

describe('IPR bands and trend', () => {
  it.each([
    [5, 'mature'],
    [6, 'solid'],
    [11, 'solid'],
    [12, 'needs_work'],
    [19, 'needs_work'],
    [20, 'alarm'],
  ])('%s issues → %s', (n, band) => expect(iprBand(n, cfg.metrics.ipr.bands)).toBe(band));

  it('trend is last − first: < −2 decreasing, > +2 increasing, else stable', () => {
    expect(seriesTrend([10, 12, 7], 2)).toBe('decreasing');
    expect(seriesTrend([10, 8], 2)).toBe('stable');
    expect(seriesTrend([5, 7], 2)).toBe('stable');
    expect(seriesTrend([5, 8], 2)).toBe('increasing');
    expect(seriesTrend([5], 2)).toBeNull();
  });

  it('counts functional and requirement issues always, others only when labelled', () => {
    const r1 = deployment({ id: 1, finished_at: day(10) });
    const r2 = deployment({ id: 2, finished_at: day(20) });
    const defects = [
      defect({ id: 11, found_at: day(5), category: 'functional' }),
      defect({ id: 12, found_at: day(6), category: 'requirement' }),
      defect({ id: 13, found_at: day(7), category: 'ux' }),
      defect({ id: 14, found_at: day(8), category: 'performance', labels: { ipr: 'count' } }),
      defect({ id: 15, found_at: day(15), category: 'functional' }),
    ];
    const r = issuesPerRelease(facts({ deployments: [r1, r2], defects }), NOV, cfg);
    expect(r.series.map((s) => s.issues)).toEqual([3, 1]);
    expect(r.series[0]!.defect_ids).toEqual([11, 12, 14]);
    expect(r.not_counted_defect_ids).toEqual([13]);
    expect(r.ipr.value).toBe(2);
    expect(r.ipr.band).toBe('mature');
    expect(r.trend).toBe('stable');
    expect(r.trend_change).toBe(-2);
  });

  it('no releases: IPR null', () => {
    expect(issuesPerRelease(facts({ defects: [defect()] }), NOV, cfg).ipr.value).toBeNull();
  });
});

describe('EpR bands', () => {
  it.each([
    [0.49, 'elite'],
    [0.5, 'good'],
    [1.2, 'good'],
    [1.49, 'good'],
    [1.5, 'needs_attention'],
    [3.0, 'needs_attention'],
    [3.01, 'alarm'],
  ])('%s → %s', (v, band) => expect(eprBand(v, cfg.metrics.epr.bands)).toBe(band));

  it('"3 escapes over 2 releases is a disaster, over 15 a success"', () => {
    expect(eprBand(3 / 2, cfg.metrics.epr.bands)).toBe('needs_attention');
    expect(eprBand(3 / 15, cfg.metrics.epr.bands)).toBe('elite');
  });
});

describe('Tukey fence', () => {
  const s = cfg.metrics.epr;
  it('quartiles by linear interpolation at (n−1)·p', () => {
    const f = tukeyFence([4, 1, 3, 2], s)!;
    expect(f.q1).toBe(1.75);
    expect(f.median).toBe(2.5);
    expect(f.q3).toBe(3.25);
    expect(f.iqr).toBe(1.5);
    expect(f.threshold).toBe(5.5);
  });
  it('odd series with an outlier', () => {
    const f = tukeyFence([0, 1, 1, 2, 2, 3, 9], s)!;
    expect(f.q1).toBe(1);
    expect(f.q3).toBe(2.5);
    expect(f.threshold).toBe(4.75);
  });
  it('IQR = 0 → threshold max(2·median, 0.5)', () => {
    expect(tukeyFence([1, 1, 1, 1, 4], s)!.threshold).toBe(2);
    expect(tukeyFence([0, 0, 0, 0, 1], s)!.threshold).toBe(0.5);
  });
  it('needs at least 4 releases', () => {
    expect(tukeyFence([0, 5, 1], s)).toBeNull();
  });
});

describe('escapesPerRelease', () => {
  const releases = [1, 2, 3, 4, 5, 6, 7].map((n) => deployment({ id: n, version: `1.${n}`, finished_at: day(n * 3) }));
  const escapes = [0, 1, 1, 2, 2, 3, 9];
  const problems = escapes.flatMap((count, i) => Array.from({ length: count }, () => problem({ deployment_id: i + 1, impact_start: day((i + 1) * 3, 12) })));

  it('reports EpR with its band, the spike and the post-mortem flag', () => {
    const r = escapesPerRelease(facts({ deployments: releases, problems }), NOV, cfg);
    expect(r.epr.numerator).toBe(18);
    expect(r.epr.denominator).toBe(7);
    expect(r.epr.band).toBe('needs_attention');
    expect(r.spikes).toEqual([7]);
    expect(r.flags).toMatchObject({ postmortem: true, systemic: false });
    expect(r.series.find((x) => x.deployment_id === 7)!.band).toBe('alarm');
    expect(r.canary.map((c) => c.service)).toEqual(['checkout']);
    expect(r.canary[0]!.recommendation).toContain('5–10%');
    expect(r.canary[0]!.recommendation).toContain('2 h');
  });

  it('two spikes or more → systemic', () => {
    const series = [0, 0, 0, 0, 0, 0, 3, 4];
    const eight = [...releases, deployment({ id: 8, finished_at: day(25) })];
    const ps = series.flatMap((count, i) => Array.from({ length: count }, () => problem({ deployment_id: i + 1 })));
    const r = escapesPerRelease(facts({ deployments: eight, problems: ps }), NOV, cfg);
    // q3 at index 5.25 of the sorted series = 0 + 0.25·3 = 0.75; IQR 0.75; threshold 0.75 + 1.5·0.75
    expect(r.fence!.threshold).toBe(1.875);
    expect(r.spikes).toEqual([7, 8]);
    expect(r.flags).toMatchObject({ postmortem: false, systemic: true });
  });

  it('one release: EpR, no fence and says why', () => {
    const r = escapesPerRelease(facts({ deployments: [releases[0]!], problems: [problem({ deployment_id: 1 })] }), NOV, cfg);
    expect(r.epr.value).toBe(1);
    expect(r.fence).toBeNull();
    expect(r.fence_note).toBe('spike detection needs at least 4 releases (have 1)');
    expect(r.spikes).toEqual([]);
  });

  it('no deployments: EpR null, releases 0', () => {
    const r = escapesPerRelease(facts({ problems: [problem()] }), NOV, cfg);
    expect(r.epr.value).toBeNull();
    expect(r.releases.count).toBe(0);
    expect(r.per_release.hotfixes.value).toBeNull();
  });

  it('all problems unattributed: 0 escapes per release, all listed as unattributed', () => {
    const r = escapesPerRelease(facts({ deployments: releases.slice(0, 2), problems: [problem({ id: 91 }), problem({ id: 92 })] }), NOV, cfg);
    expect(r.epr.value).toBe(0);
    expect(r.epr.band).toBe('elite');
    expect(r.unattributed_problem_ids).toEqual([91, 92]);
  });

  it('counts hotfixes as releases and rollbacks not, by default, and shows the choice', () => {
    const ds = [deployment({ id: 1, finished_at: day(2) }), deployment({ id: 2, kind: 'hotfix', finished_at: day(3) }), deployment({ id: 3, kind: 'rollback', finished_at: day(4) }), deployment({ id: 4, environment: 'staging', finished_at: day(5) }), deployment({ id: 5, status: 'failure', finished_at: day(6) })];
    const r = escapesPerRelease(facts({ deployments: ds }), NOV, cfg);
    expect(r.releases.count).toBe(2);
    expect(r.releases.counting).toMatchObject({ count_hotfixes: true, count_rollbacks: false });
    expect(r.releases.counting.rule).toContain('rollbacks not counted');
    expect(r.per_release.hotfixes.numerator).toBe(1);
    expect(r.per_release.rollbacks.numerator).toBe(1);
    const withRollbacks = escapesPerRelease(facts({ deployments: ds }), NOV, config({ metrics: { releases: { count_rollbacks: true, count_hotfixes: false } } }));
    expect(withRollbacks.releases.deployment_ids).toEqual([1, 3]);
  });
});

describe('release list', () => {
  it('a version deployed again right after is one release, and its problems count for that release', () => {
    const ds = [
      deployment({ id: 1, version: '2.0', finished_at: day(2) }),
      deployment({ id: 2, version: '2.0', finished_at: day(2, 14) }),
      deployment({ id: 3, version: '2.1', finished_at: day(9) }),
    ];
    const r = escapesPerRelease(facts({ deployments: ds, problems: [problem({ id: 5, deployment_id: 2 })] }), NOV, cfg);
    expect(r.releases.deployment_ids).toEqual([1, 3]);
    expect(r.series.find((s) => s.deployment_id === 1)!.problem_ids).toEqual([5]);
  });

  it('tagged_releases mode counts only deployments whose version reads as a tag', () => {
    const ds = [deployment({ id: 1, version: 'v2.0.0', finished_at: day(2) }), deployment({ id: 2, version: 'main-3f2a1c', finished_at: day(3) })];
    const r = escapesPerRelease(facts({ deployments: ds }), NOV, config({ releases: { default: 'tagged_releases' } }));
    expect(r.releases.deployment_ids).toEqual([1]);
  });
});
