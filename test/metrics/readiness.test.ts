// The implementation checklist's verdicts: shares against the ready threshold, and a weekly review
// that counts only while it is recent compared with the data.
import { describe, expect, it } from 'vitest';
import { readinessChecklist, type ReadinessFacts } from '../../src/metrics/readiness.ts';

const base: ReadinessFacts = {
  tickets: { total: 10, production: 8 },
  alerts: { total: 3, sources: ['opsgenie', 'pagerduty'], last_at: '2025-10-01T00:00:00.000Z' },
  support: { total: 4, linked: 3 },
  deployments: { production: 5, exact_times: 0 },
  smoke: { releases: 0, with_smoke: 0, runs: 0 },
  reviews: { completed: 2, last_completed_at: '2025-10-01T00:00:00.000Z', data_last_at: '2025-10-10T00:00:00.000Z' },
};

const verdicts = (facts: ReadinessFacts) => Object.fromEntries(readinessChecklist(facts).map((i) => [i.key, [i.status, i.share]]));

describe('readiness checklist', () => {
  it('is ready at 80%, partial above zero, missing at zero or with nothing to judge', () => {
    expect(verdicts(base)).toEqual({
      production_tagging: ['ready', 0.8],
      alerts_in_one_place: ['ready', null],
      support_linked: ['partial', 0.75],
      deployment_times: ['missing', 0],
      smoke_after_deploy: ['missing', null],
      weekly_review: ['ready', null],
    });
  });

  it('says what to do only for what is not ready, with the counts as evidence', () => {
    const items = readinessChecklist(base);
    const tagging = items.find((i) => i.key === 'production_tagging')!;
    expect(tagging.todo).toBeNull();
    expect(tagging.evidence).toBe('8 of 10 tickets carry the production environment (80%)');
    const support = items.find((i) => i.key === 'support_linked')!;
    expect(support.evidence).toBe('3 of 4 support requests are linked to a problem or name a ticket (75%)');
    expect(support.todo).toMatch(/^Ask support/);
    expect(items.find((i) => i.key === 'alerts_in_one_place')!.evidence).toBe('3 alerts and incidents from opsgenie, pagerduty; last at 2025-10-01T00:00:00.000Z');
  });

  it('counts a review as held while it is at most 14 days older than the latest data', () => {
    const late = { ...base, reviews: { ...base.reviews, data_last_at: '2025-10-16T00:00:00.000Z' } };
    expect(verdicts(late).weekly_review).toEqual(['partial', null]);
    const none = { ...base, reviews: { completed: 0, last_completed_at: null, data_last_at: '2025-10-16T00:00:00.000Z' } };
    expect(readinessChecklist(none).find((i) => i.key === 'weekly_review')).toMatchObject({ status: 'missing', evidence: 'no weekly review completed yet' });
  });

  it('finds no alerts missing', () => {
    const quiet = { ...base, alerts: { total: 0, sources: [], last_at: null } };
    expect(readinessChecklist(quiet).find((i) => i.key === 'alerts_in_one_place')).toMatchObject({ status: 'missing', evidence: 'no alerts or incidents received yet' });
  });
});
