// Error budgets (§8) and recurring patterns / structural signals.
import { describe, expect, it } from 'vitest';
import { badMinutes, errorBudget } from '../../src/metrics/error-budget.ts';
import { recurringPatterns, structuralSignals } from '../../src/metrics/patterns.ts';
import { computeFamily, overview } from '../../src/metrics/overview.ts';
import { config, day, defect, deployment, facts, NOV, problem, testRun } from './build.ts';

const AS_OF = '2025-11-30T12:00:00.000Z';
const minutesBefore = (m: number) => new Date(Date.parse(AS_OF) - m * 60_000).toISOString();
const SLO = { service: 'checkout', objective: 99.9, window_days: 30 };

describe('error budget', () => {
  it('99.9% over 30 days: 43.2 budget minutes; a 10-minute outage uses 23% and asks for a post-mortem', () => {
    const p = problem({ id: 1, impact_start: minutesBefore(30), downtime_minutes: 10 });
    const b = errorBudget(SLO, [p], AS_OF, config());
    expect(b.budget_minutes).toBeCloseTo(43.2, 10);
    expect(b.bad_minutes).toBe(10);
    expect(b.consumed.value).toBeCloseTo(10 / 43.2, 10);
    expect(b.consumed.evidence.problems).toEqual([1]);
    expect(b.remaining).toBeCloseTo(1 - 10 / 43.2, 10);
    // burn over the window = (10 / 43200) / 0.001; exhaustion = 30 days ÷ burn
    expect(b.burn_rate).toBeCloseTo(10 / 43.2, 10);
    expect(b.time_to_exhaustion_days).toBeCloseTo(30 / (10 / 43.2), 8);
    expect(b.policy.postmortem_problem_ids).toEqual([1]);
    expect(b.policy.exhausted).toBe(false);
    // 1 h window: 10 bad minutes of 60 → burn 166.7; 5 m window: 0 → the page does not fire
    const fast = b.windows[0]!;
    expect(fast.burn_long).toBeCloseTo(10 / 60 / 0.001, 8);
    expect(fast.burn_short).toBe(0);
    expect(fast.firing).toBe(false);
  });

  it('pages when both windows of a pair burn above the threshold (ongoing problem, impact → now)', () => {
    const p = problem({ id: 2, impact_start: minutesBefore(10), resolved_at: null });
    const b = errorBudget(SLO, [p], AS_OF, config());
    expect(b.windows.map((w) => [w.threshold, w.action, w.firing])).toEqual([
      [14.4, 'page', true],
      [6, 'page', true],
      [1, 'ticket', true],
    ]);
    expect(b.policy.messages.some((m) => m.includes('page'))).toBe(true);
  });

  it('burn exactly at a threshold fires: 1 over 3 days and 6 hours (ticket)', () => {
    // 0.001 of the time bad in the last 3 days and last 6 hours: 4.32 and 0.36 minutes, one problem covering both
    const p = problem({ id: 3, impact_start: minutesBefore(0.36), resolved_at: AS_OF });
    const q = problem({ id: 4, impact_start: minutesBefore(2000), downtime_minutes: 4.32 - 0.36 });
    const b = errorBudget(SLO, [p, q], AS_OF, config());
    const ticket = b.windows[2]!;
    expect(ticket.burn_long).toBeCloseTo(1, 8);
    expect(ticket.burn_short).toBeCloseTo(1, 8);
  });

  it('exhausted budget → only P0/security changes; overlapping problems count once', () => {
    const a = problem({ id: 5, impact_start: minutesBefore(100), downtime_minutes: 50 });
    const b2 = problem({ id: 6, impact_start: minutesBefore(90), downtime_minutes: 20 });
    expect(badMinutes([{ start: 0, end: 50 * 60_000, problem_id: 5 }, { start: 10 * 60_000, end: 30 * 60_000, problem_id: 6 }], 0, 1e12)).toBe(50);
    const b = errorBudget(SLO, [a, b2], AS_OF, config());
    expect(b.bad_minutes).toBe(50);
    expect(b.policy.exhausted).toBe(true);
    expect(b.policy.messages[0]).toContain('only P0 and security changes');
  });

  it('no problems: nothing consumed, no exhaustion time', () => {
    const b = errorBudget(SLO, [], AS_OF, config());
    expect(b.consumed.value).toBe(0);
    expect(b.time_to_exhaustion_days).toBeNull();
  });
});

describe('recurring patterns and structural signals', () => {
  it('the same fingerprint or service escaping in several releases recurs', () => {
    const ps = [
      problem({ id: 1, deployment_id: 10, pattern_key: 'TimeoutError:payments-api', type: 'integration', impact_start: day(2) }),
      problem({ id: 2, deployment_id: 11, pattern_key: 'TimeoutError:payments-api', type: 'integration', impact_start: day(9) }),
      problem({ id: 3, deployment_id: 11, pattern_key: 'NullPointer:cart', type: 'code', impact_start: day(9) }),
      problem({ id: 4, deployment_id: null, pattern_key: 'NullPointer:cart', impact_start: day(12) }),
    ];
    const r = recurringPatterns(ps, NOV, config());
    expect(r.map((p) => [p.kind, p.key, p.releases])).toEqual([
      ['fingerprint', 'TimeoutError:payments-api', 2],
      ['integration', 'checkout', 2],
      ['service', 'checkout/integration', 2],
    ]);
    expect(r[0]!.problem_ids).toEqual([1, 2]);
  });

  it('code falling while infra and integration stay flat → environment parity and contract tests', () => {
    const s = structuralSignals({ previous: { code: 10, infra: 3, integration: 2 }, current: { code: 5, infra: 3, integration: 3 } }, 0.2);
    expect(s.map((x) => x.code)).toEqual(['environment_parity']);
    expect(s[0]!.message).toContain('not more testing');
    expect(structuralSignals({ previous: { code: 10, infra: 3 }, current: { code: 5, infra: 8 } }, 0.2)).toEqual([]);
    expect(structuralSignals({ previous: { code: 10, infra: 3 }, current: { code: 10, infra: 3 } }, 0.2)).toEqual([]);
  });

  it('IPR falling while DDR falls → testing got shallower', () => {
    const s = structuralSignals({ previous: {}, current: {} }, 0.2, { previous: 0.9, current: 0.8 }, { previous: 10, current: 6 });
    expect(s.map((x) => x.code)).toEqual(['shallower_testing']);
  });
});

describe('overview bundle', () => {
  it('bundles every family for one selection, DDR beside EpR and the release count', () => {
    const f = facts({
      deployments: [deployment({ id: 1, finished_at: day(5) }), deployment({ id: 2, finished_at: day(15) })],
      problems: [problem({ id: 7, deployment_id: 2, impact_start: day(16) })],
      defects: [defect({ found_at: day(3) }), defect({ found_at: day(10) }), defect({ found_at: day(12) })],
      testRuns: [testRun({ release: '2.0', passed: 9, failed: 1, critical_total: 4, critical_passed: 4, started_at: day(20) })],
    });
    const ctx = { period: NOV, config: config({ slos: [SLO] }), definitions: '2024' as const, now: new Date('2026-01-01T00:00:00Z') };
    const o = overview(f, ctx);
    expect(o.ddr.ddr.value).toBe(0.75);
    expect(o.ddr.escapes_per_release.value).toBe(0.5);
    expect(o.ddr.releases).toBe(2);
    expect(o.epr.epr.band).toBe('good');
    expect(o.rcs!.release).toBe('2.0');
    expect(o.rcs!.inputs).toEqual({ blockers: 0, regression: 90, critical_paths: 100 });
    expect(o.budgets).toHaveLength(1);
    expect(o.budgets[0]!.as_of).toBe(NOV.end);
    expect(o.cost.sentence).toBe('1 escaped problem — 1 code defect; total cost about 5 hours.');
    expect(o.dora.change_fail_rate.value).toBe(0.5);
    const dora = computeFamily('dora', f, ctx) as { services: { service: string }[] };
    expect(dora.services.map((s) => s.service)).toEqual(['checkout']);
  });
});
