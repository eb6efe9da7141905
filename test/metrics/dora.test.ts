// DORA (§7): a small history worked out by hand, the 2024 clusters, medians, the 2021 variant, edge cases.
import { describe, expect, it } from 'vitest';
import { dora, failRateCluster, frequencyCluster, leadTimeCluster, recoveryCluster } from '../../src/metrics/dora.ts';
import { change, day, deployment, facts, NOV, problem } from './build.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

// checkout in November 2025:
//   d1 planned day 1          fine
//   d2 planned day 3          two escaped problems attributed (one failed deployment, not two)
//   d3 planned day 5 10:00    rolled back by d4 at 12:00
//   d4 rollback day 5 12:00
//   d5 planned day 8          status failure, never restored by the data
//   d6 planned day 10 10:00   hot-fixed by d7 at 15:00
//   d7 hotfix day 10 15:00
//   s1 staging day 2          not production: counts nowhere
const history = facts({
  deployments: [
    deployment({ id: 1, finished_at: day(1) }),
    deployment({ id: 2, finished_at: day(3, 10) }),
    deployment({ id: 3, finished_at: day(5, 10) }),
    deployment({ id: 4, kind: 'rollback', finished_at: day(5, 12) }),
    deployment({ id: 5, status: 'failure', finished_at: day(8) }),
    deployment({ id: 6, finished_at: day(10, 10) }),
    deployment({ id: 7, kind: 'hotfix', finished_at: day(10, 15) }),
    deployment({ id: 8, environment: 'staging', finished_at: day(2), status: 'failure' }),
  ],
  problems: [
    problem({ id: 21, deployment_id: 2, impact_start: day(3, 11), resolved_at: day(3, 13) }),
    problem({ id: 22, deployment_id: 2, impact_start: day(3, 12), resolved_at: day(3, 14) }),
    problem({ id: 23, deployment_id: null, impact_start: day(20, 0), resolved_at: day(20, 6) }),
  ],
  changes: [
    change({ id: 31, first_commit_at: day(1, 9), deployed_at: day(1, 10), deployment_id: 1 }),
    change({ id: 32, first_commit_at: day(3, 8), deployed_at: day(3, 10), deployment_id: 2 }),
    change({ id: 33, first_commit_at: day(5, 6), deployed_at: day(5, 10), deployment_id: 3 }),
    change({ id: 34, first_commit_at: day(10, 0), deployed_at: day(10, 10), deployment_id: 6 }),
  ],
});

describe('DORA cross-check against a history worked out by hand', () => {
  const r = dora(history, NOV, { definitions: '2024', now: NOW });

  it('change fail rate counts failed deployments, never incidents', () => {
    // production deployments: d1..d7 = 7; failed: d2 (problems, counted once), d3 (rolled back), d5 (failed status), d6 (hot-fixed) = 4
    const productionDeployments = 7;
    const failedDeployments = 4;
    expect(r.change_fail_rate.numerator).toBe(failedDeployments);
    expect(r.change_fail_rate.denominator).toBe(productionDeployments);
    expect(r.change_fail_rate.value).toBeCloseTo(failedDeployments / productionDeployments, 12);
    expect([...r.change_fail_rate.evidence.deployments!].sort()).toEqual([2, 3, 5, 6]);
  });

  it('failed deployment recovery time: interpolated median over the restored ones', () => {
    // d2: earliest impact 11:00 → last problem resolved 14:00 = 3 h; d3: 10:00 → rollback 12:00 = 2 h;
    // d6: 10:00 → hotfix 15:00 = 5 h; d5 never restored (left out). Median of [2, 3, 5] = 3.
    const byHand = [3, 2, 5].sort((a, b) => a - b)[1];
    expect(r.recovery_time.median.value).toBe(byHand);
    expect(r.recovery_time.median.sample_size).toBe(3);
    expect(r.recovery_time.median.band).toBe('high');
    expect(r.failed.find((f) => f.deployment_id === 5)!.recovery_hours).toBeNull();
  });

  it('deployment frequency, rework rate and lead time', () => {
    // 6 successful production deployments over the 30 days of November
    expect(r.deployment_frequency.numerator).toBe(6);
    expect(r.deployment_frequency.denominator).toBe(30);
    expect(r.deployment_frequency.value).toBeCloseTo(0.2, 12);
    expect(r.deployment_frequency.per_week).toBeCloseTo(1.4, 12);
    expect(r.deployment_frequency.band).toBe('high');
    expect(r.deployment_rework_rate.value).toBeCloseTo(2 / 7, 12);
    // lead times 1, 2, 4, 10 h → median 3, p90 = 4 + 0.7·6 = 8.2
    expect(r.change_lead_time.median.value).toBe(3);
    expect(r.change_lead_time.p90.value).toBeCloseTo(8.2, 10);
    expect(r.change_lead_time.median.band).toBe('elite');
  });

  it('the stored pipeline verdict wins over the derived one', () => {
    const withVerdict = facts({ ...history, deployments: history.deployments.map((d) => (d.id === 1 ? { ...d, failed: true } : d.id === 2 ? { ...d, failed: false } : d)) });
    const v = dora(withVerdict, NOV, { definitions: '2024', now: NOW });
    expect([...v.change_fail_rate.evidence.deployments!].sort()).toEqual([1, 3, 5, 6]);
  });

  it('2021 definitions: time to restore over all incidents, no rework rate, no clusters', () => {
    const old = dora(history, NOV, { definitions: '2021', now: NOW });
    expect(old.recovery_time.name).toBe('time to restore service');
    // incidents 21: 2 h, 22: 2 h, 23: 6 h → median 2
    expect(old.recovery_time.median.value).toBe(2);
    expect(old.deployment_rework_rate.value).toBeNull();
    expect(old.change_fail_rate.band).toBeNull();
    expect(old.change_fail_rate.value).toBeCloseTo(4 / 7, 12);
  });

  it('no deployments: every rate null, never 0', () => {
    const empty = dora(facts({}), NOV, { definitions: '2024', now: NOW });
    expect(empty.change_fail_rate.value).toBeNull();
    expect(empty.deployment_rework_rate.value).toBeNull();
    expect(empty.change_lead_time.median.value).toBeNull();
    expect(empty.recovery_time.median.value).toBeNull();
    expect(empty.deployment_frequency.value).toBe(0);
  });
});

describe('2024 clusters', () => {
  it('lead time: < 1 day elite, ≤ 1 week high, ≤ 1 month medium, else low', () => {
    expect(leadTimeCluster(23.9)).toBe('elite');
    expect(leadTimeCluster(24)).toBe('high');
    expect(leadTimeCluster(168)).toBe('high');
    expect(leadTimeCluster(169)).toBe('medium');
    expect(leadTimeCluster(721)).toBe('low');
  });
  it('deployment frequency: on demand / daily–weekly / weekly–monthly / rarer', () => {
    expect(frequencyCluster(3)).toBe('elite');
    expect(frequencyCluster(1 / 7)).toBe('high');
    expect(frequencyCluster(1 / 30)).toBe('medium');
    expect(frequencyCluster(1 / 60)).toBe('low');
  });
  it('change fail rate: nearest of 5% / 20% / 10% / 40%', () => {
    expect(failRateCluster(0.04)).toBe('elite');
    expect(failRateCluster(0.11)).toBe('medium');
    expect(failRateCluster(0.19)).toBe('high');
    expect(failRateCluster(0.5)).toBe('low');
  });
  it('recovery: < 1 h elite, < 1 day high, else low', () => {
    expect(recoveryCluster(0.5)).toBe('elite');
    expect(recoveryCluster(23)).toBe('high');
    expect(recoveryCluster(48)).toBe('low');
  });
});

describe('change lead time leaves out the history before a service\'s first recorded deployment', () => {
  // d1 is checkout's first recorded deployment: it carried two years of commits (change 41).
  // Change 42 was committed before d1 but shipped by d2; change 43 is ordinary (3 h).
  const withHistory = facts({
    deployments: [deployment({ id: 1, finished_at: day(1) }), deployment({ id: 2, finished_at: day(4) })],
    changes: [
      change({ id: 41, first_commit_at: '2023-11-01T00:00:00.000Z', deployed_at: day(1), deployment_id: 1 }),
      change({ id: 42, first_commit_at: day(1, 8), deployed_at: day(4), deployment_id: 2 }),
      change({ id: 43, first_commit_at: day(4, 7), deployed_at: day(4), deployment_id: 2 }),
    ],
    firstDeployments: { checkout: { id: 1, finished_at: day(1) } },
  });

  it('counts only changes shipped after, and committed after, the first recorded deployment', () => {
    const lead = dora(withHistory, NOV, { definitions: '2024', now: NOW }).change_lead_time;
    expect(lead.median.value).toBe(3);
    expect(lead.median.sample_size).toBe(1);
    expect(lead.median.evidence.changes).toEqual([43]);
    expect(lead.excluded).toEqual({
      count: 2,
      by_reason: { 'shipped by the first recorded deployment': 1, 'committed before the first recorded deployment': 1 },
      changes: [41, 42],
    });
  });

  it('without a known first deployment nothing is left out', () => {
    const lead = dora({ ...withHistory, firstDeployments: {} }, NOV, { definitions: '2024', now: NOW }).change_lead_time;
    expect(lead.median.sample_size).toBe(3);
    expect(lead.excluded.count).toBe(0);
  });
});
