// Release Confidence Score (§6): the three models, their boundaries, and the inputs from test runs and defects.
import { describe, expect, it } from 'vitest';
import { disqualifier, releaseCandidates, releaseConfidence, trafficLight, weighted } from '../../src/metrics/rcs.ts';
import { config, defect, testRun } from './build.ts';

const s = config().metrics.rcs;

describe('RCS models', () => {
  it('article 7: no blockers, regression 96%, all critical paths green → GO under every model', () => {
    const inputs = { blockers: 0, regression: 96, critical_paths: 100 };
    expect(trafficLight(inputs, s)).toMatchObject({ score: 3, decision: 'GO' });
    const w = weighted(inputs, s);
    expect(w.score).toBeCloseTo(98.6, 10);
    expect(w.decision).toBe('GO');
    expect(disqualifier(inputs, s).score).toBeCloseTo(98.6, 10);
  });

  it('weighted thresholds: exactly 90 is GO, exactly 75 CONDITIONAL, below HOLD', () => {
    expect(weighted({ blockers: 0, regression: 100, critical_paths: 60 }, s)).toMatchObject({ score: 90, decision: 'GO' });
    expect(weighted({ blockers: 0, regression: 100, critical_paths: 0 }, s)).toMatchObject({ score: 75, decision: 'CONDITIONAL' });
    const below = weighted({ blockers: 0, regression: 80, critical_paths: 0 }, s);
    expect(below.score).toBeCloseTo(68, 10);
    expect(below.decision).toBe('HOLD');
  });

  it('traffic light: 2/3 CONDITIONAL, 1/3 HOLD; regression 90 meets the condition', () => {
    expect(trafficLight({ blockers: 0, regression: 80, critical_paths: 100 }, s)).toMatchObject({ score: 2, decision: 'CONDITIONAL' });
    expect(trafficLight({ blockers: 1, regression: 90, critical_paths: 80 }, s)).toMatchObject({ score: 1, decision: 'HOLD' });
    expect(trafficLight({ blockers: 0, regression: 90, critical_paths: 100 }, s)).toMatchObject({ score: 3, decision: 'GO' });
  });

  it('a blocker caps the weighted score at 50 (model 3), whatever the tests say', () => {
    const inputs = { blockers: 1, regression: 100, critical_paths: 100 };
    expect(weighted(inputs, s).score).toBe(60);
    expect(disqualifier(inputs, s)).toMatchObject({ score: 50, decision: 'HOLD' });
  });

  it('without a regression run the weighted score is null, not 0', () => {
    expect(weighted({ blockers: 0, regression: null, critical_paths: 100 }, s)).toMatchObject({ score: null, decision: null });
  });
});

describe('releaseConfidence', () => {
  it('reads B, R and P from defects and the latest run of each suite; default model is weighted with the cap', () => {
    const runs = [
      testRun({ id: 1, release: '4.0', suite: 'regression', passed: 80, failed: 20, started_at: '2025-11-01T00:00:00.000Z' }),
      testRun({ id: 2, release: '4.0', suite: 'regression', passed: 96, failed: 4, started_at: '2025-11-02T00:00:00.000Z' }),
      testRun({ id: 3, release: '4.0', suite: 'smoke', suite_kind: 'smoke', passed: 5, failed: 0, critical_total: 5, critical_passed: 5, started_at: '2025-11-02T00:00:00.000Z' }),
      testRun({ id: 4, release: '3.9', suite: 'regression', passed: 1, failed: 1, started_at: '2025-10-01T00:00:00.000Z' }),
    ];
    const defects = [defect({ id: 9, release: '4.0', blocker: true, status: 'resolved' }), defect({ id: 10, release: '3.9', blocker: true, status: 'open' })];
    const r = releaseConfidence('4.0', defects, runs, config());
    expect(r.inputs).toEqual({ blockers: 0, regression: 96, critical_paths: 100 });
    expect(r.regression.evidence.test_runs).toEqual([2]);
    expect(r.regression).toMatchObject({ numerator: 96, denominator: 100 });
    expect(r.score.model).toBe('disqualifier');
    expect(r.score.decision).toBe('GO');
    expect(releaseCandidates(runs)).toEqual(['4.0', '3.9']);
    const old = releaseConfidence('3.9', defects, runs, config());
    expect(old.blockers.evidence.defects).toEqual([10]);
    expect(old.critical_paths.value).toBeNull();
    expect(old.score.score).toBeNull();
  });
});
