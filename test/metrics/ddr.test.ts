// DDR (metrics.md §2): the worked examples, the bands at their boundaries, weights and attribution.
import { describe, expect, it } from 'vitest';
import { ddrBand, defectDetectionRate } from '../../src/metrics/ddr.ts';
import { config, day, defect, deployment, facts, NOV, problem } from './build.ts';

const bands = config().metrics.ddr.bands;

describe('DDR bands (lower bound inclusive)', () => {
  it.each([
    [0.6999, 'alarm'],
    [0.7, 'average'],
    [0.8499, 'average'],
    [0.85, 'solid'],
    [0.9499, 'solid'],
    [0.95, 'excellent'],
    [1, 'excellent'],
  ])('%s → %s', (value, band) => {
    expect(ddrBand(value, bands)).toBe(band);
  });
  it('no value, no band', () => expect(ddrBand(null, bands)).toBeNull());
});

describe('defectDetectionRate', () => {
  it('reproduces article 2: 40 found before, 10 escaped → 80%, escaped rate 20%', () => {
    const release = deployment({ id: 1, finished_at: day(20) });
    const pre = Array.from({ length: 40 }, (_, i) => defect({ found_at: day(1 + (i % 18)) }));
    const post = Array.from({ length: 10 }, () => problem({ deployment_id: 1, impact_start: day(21) }));
    const r = defectDetectionRate(facts({ deployments: [release], defects: pre, problems: post }), NOV, config());
    expect(r.ddr.value).toBe(0.8);
    expect(r.ddr.numerator).toBe(40);
    expect(r.ddr.denominator).toBe(50);
    expect(r.ddr.band).toBe('average');
    expect(r.escaped_rate.value).toBeCloseTo(0.2, 12);
    expect(r.escapes_per_release.value).toBe(10);
    expect(r.releases.count).toBe(1);
    expect(r.ddr.evidence.defects).toHaveLength(40);
    expect(r.ddr.evidence.problems).toHaveLength(10);
  });

  it('weights by severity: critical 4, high 2, medium 1, low 0.5', () => {
    const release = deployment({ id: 2, finished_at: day(20) });
    const defects = [defect({ severity: 'critical' }), defect({ severity: 'high' }), defect({ severity: 'low' }), defect({ severity: 'low' })];
    const problems = [problem({ deployment_id: 2, severity: 'critical' }), problem({ deployment_id: 2, severity: 'medium' })];
    const r = defectDetectionRate(facts({ deployments: [release], defects, problems }), NOV, config());
    // pre = 4 + 2 + 0.5 + 0.5 = 7; post = 4 + 1 = 5 → 7 / 12
    expect(r.ddr_weighted.numerator).toBe(7);
    expect(r.ddr_weighted.denominator).toBe(12);
    expect(r.ddr_weighted.value).toBeCloseTo(7 / 12, 12);
    expect(r.ddr.value).toBeCloseTo(4 / 6, 12);
    expect(r.ddr_weighted.band).toBe('alarm');
  });

  it('attributes a defect found between release A and B to B; problems introduced by B are post for B', () => {
    const a = deployment({ id: 10, version: '1.0', finished_at: day(5) });
    const b = deployment({ id: 11, version: '1.1', finished_at: day(15) });
    const beforeA = defect({ id: 1, found_at: day(3) });
    const betweenAB = defect({ id: 2, found_at: day(10) });
    const named = defect({ id: 3, found_at: day(20), release: '1.0' });
    const fromB = problem({ id: 4, deployment_id: 11, impact_start: day(16) });
    const r = defectDetectionRate(facts({ deployments: [a, b], defects: [beforeA, betweenAB, named], problems: [fromB] }), NOV, config());
    const perA = r.per_release.find((x) => x.deployment_id === 10)!;
    const perB = r.per_release.find((x) => x.deployment_id === 11)!;
    expect(perA.ddr.evidence.defects).toEqual([1, 3]);
    expect(perB.ddr.evidence.defects).toEqual([2]);
    expect(perB.ddr.evidence.problems).toEqual([4]);
    expect(perB.ddr.value).toBe(0.5);
  });

  it('counts every type of escaped problem as post, not only code', () => {
    const release = deployment({ id: 20, finished_at: day(2) });
    const problems = (['code', 'infra', 'integration', 'regression'] as const).map((type) => problem({ type, deployment_id: 20 }));
    const r = defectDetectionRate(facts({ deployments: [release], defects: [defect({ found_at: day(1) })], problems }), NOV, config());
    expect(r.post).toBe(4);
    expect(r.ddr.value).toBe(0.2);
  });

  it('no releases: DDR is null, never 0', () => {
    const r = defectDetectionRate(facts({ problems: [problem()] }), NOV, config());
    expect(r.ddr.value).toBeNull();
    expect(r.ddr.band).toBeNull();
    expect(r.escapes_per_release.value).toBeNull();
    expect(r.releases.count).toBe(0);
  });

  it('all problems unattributed: post is 0, and the problems are listed as unattributed', () => {
    const release = deployment({ id: 30, finished_at: day(2) });
    const problems = [problem({ id: 31 }), problem({ id: 32 })];
    const r = defectDetectionRate(facts({ deployments: [release], defects: [defect({ found_at: day(1) })], problems }), NOV, config());
    expect(r.post).toBe(0);
    expect(r.ddr.value).toBe(1);
    expect(r.unattributed_problem_ids).toEqual([31, 32]);
  });

  it('one release with neither defects nor escapes: null DDR, escapes per release 0 of 1', () => {
    const r = defectDetectionRate(facts({ deployments: [deployment({ id: 40, finished_at: day(3) })] }), NOV, config());
    expect(r.ddr.value).toBeNull();
    expect(r.escapes_per_release.value).toBe(0);
    expect(r.releases.count).toBe(1);
  });
});
