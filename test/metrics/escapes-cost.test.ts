// Escapes by type and cost (metrics.md §1): the "8 problems, about 68 hours" sum, estimates, money, TTD/TTF.
import { describe, expect, it } from 'vitest';
import { escapesByType } from '../../src/metrics/escapes.ts';
import { costByType, costSentence } from '../../src/metrics/cost.ts';
import { config, cost, day, NOV, problem } from './build.ts';

const OCT = { label: '2025-10', start: '2025-10-01T00:00:00.000Z', end: '2025-11-01T00:00:00.000Z' };

describe('cost by type', () => {
  // 5 code defects, 2 configuration (infra) problems, 1 integration failure, with the hours people entered.
  const hours: [string, number][] = [['code', 6], ['code', 6], ['code', 5], ['code', 6], ['code', 5], ['infra', 12], ['infra', 12], ['integration', 16]];
  const problems = hours.map(([type, _h], i) => problem({ id: i + 1, type: type as 'code', impact_start: day(3 + i) }));
  const costs = hours.flatMap(([, h], i) => [cost(i + 1, 'dev', h - 1), cost(i + 1, 'qa', 1)]);

  it('sums "8 escaped problems — 5 code, 2 configuration, 1 integration; about 68 hours"', () => {
    const r = costByType(problems, costs, NOV, config());
    expect(r.total.problems).toBe(8);
    expect(r.total.hours).toBe(68);
    expect(r.total.actual_hours).toBe(68);
    expect(r.total.estimated_hours).toBe(0);
    expect(r.by_type.map((g) => [g.type, g.problems, g.hours])).toEqual([
      ['code', 5, 28],
      ['infra', 2, 24],
      ['integration', 1, 16],
    ]);
    expect(r.total.hours_per_problem).toBe(8.5);
    expect(costSentence(r)).toBe('8 escaped problems — 5 code defects, 2 configuration problems and 1 integration failure; total cost about 68 hours.');
  });

  it('uses the type defaults when a problem has no entries, marked as estimated, and money from role rates', () => {
    const p = problem({ id: 50, type: 'code' });
    const r = costByType([p], [], NOV, config({ cost: { rates: { dev: 100, qa: 80, devops: 90, pm: 70 } } }));
    expect(r.total.estimated_hours).toBe(5);
    expect(r.total.actual_hours).toBe(0);
    expect(r.total.by_role).toEqual({ dev: 2.5, qa: 1, devops: 1, pm: 0.5 });
    expect(r.total.money).toBe(455);
  });

  it('money is null without rates, or when a role has no rate', () => {
    const p = problem({ id: 51 });
    expect(costByType([p], [cost(51, 'dev', 2)], NOV, config()).total.money).toBeNull();
    expect(costByType([p], [cost(51, 'sre', 2)], NOV, config({ cost: { rates: { dev: 100 } } })).total.money).toBeNull();
  });

  it('time to detect and time to fix: interpolated median and p90', () => {
    const ps = [1, 2, 4, 10].map((h, i) =>
      problem({ id: 60 + i, impact_start: '2025-11-05T00:00:00.000Z', detected_at: `2025-11-05T${String(h).padStart(2, '0')}:00:00.000Z`, resolved_at: '2025-11-05T12:00:00.000Z' }),
    );
    const r = costByType(ps, [], NOV, config());
    expect(r.total.time_to_detect.median.value).toBe(3);
    expect(r.total.time_to_detect.p90.value).toBeCloseTo(8.2, 10);
    expect(r.total.time_to_detect.median.sample_size).toBe(4);
    // TTF: 11, 10, 8, 2 hours
    expect(r.total.time_to_fix.median.value).toBe(9);
    expect(r.total.time_to_fix.median.method).toContain('percentile_cont');
  });

  it('no problems: hours 0 over 0 problems, per-problem and TTD null', () => {
    const r = costByType([], [], NOV, config());
    expect(r.total.problems).toBe(0);
    expect(r.total.hours_per_problem).toBeNull();
    expect(r.total.time_to_detect.median.value).toBeNull();
    expect(r.by_type).toEqual([]);
  });
});

describe('escapes by type', () => {
  it('counts, shares and trend against the previous period', () => {
    const problems = [
      problem({ id: 1, type: 'code', impact_start: day(2), review_state: 'classified' }),
      problem({ id: 2, type: 'code', impact_start: day(3) }),
      problem({ id: 3, type: 'infra', impact_start: day(4), review_state: 'to_verify' }),
      problem({ id: 4, type: null, impact_start: day(5) }),
      problem({ id: 5, type: 'code', impact_start: '2025-10-20T00:00:00.000Z' }),
      problem({ id: 6, type: 'infra', impact_start: '2025-10-21T00:00:00.000Z' }),
      problem({ id: 7, type: 'infra', impact_start: '2025-10-22T00:00:00.000Z' }),
    ];
    const setAside = [problem({ id: 8, impact_start: day(6), review_state: 'dismissed' }), problem({ id: 9, impact_start: '2025-10-23T00:00:00.000Z', review_state: 'dismissed' })];
    const r = escapesByType(problems, NOV, OCT, setAside);
    expect(r.total).toBe(4);
    expect(r.previous_total).toBe(3);
    expect(r.trend).toBe('up');
    // Not confirmed by a person, whatever the classifier's confidence (metrics.md §1).
    expect(r.to_verify).toBe(2);
    expect(r.to_verify_ids).toEqual([1, 3]);
    // Set aside: reported beside the counts, in none of them.
    expect(r.set_aside).toEqual({ count: 1, problem_ids: [8] });
    const code = r.by_type.find((t) => t.type === 'code')!;
    expect(code.count).toBe(2);
    expect(code.share.value).toBe(0.5);
    expect(code.share.evidence.problems).toEqual([1, 2]);
    expect(code.trend).toBe('up');
    expect(r.by_type.find((t) => t.type === 'infra')!.trend).toBe('down');
    expect(r.by_type.find((t) => t.type === 'unclassified')!.problem_ids).toEqual([4]);
    expect(r.by_type.find((t) => t.type === 'integration')!.share.value).toBe(0);
  });

  it('an empty period gives null shares, never 0', () => {
    const r = escapesByType([], NOV, OCT);
    expect(r.by_type.every((t) => t.share.value === null)).toBe(true);
  });
});
