// Cost per problem: actual entries win over the type's default role hours; money with rates; sums.
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { costOfProblem, costProblems, type CostedProblem, type CostEntryFact, defaultRoleHours, totalCost } from '../../src/pipeline/cost.ts';

const config = ConfigSchema.parse({});
const withRates = ConfigSchema.parse({ cost: { currency: 'EUR', rates: { dev: 80, qa: 60, devops: 90, pm: 70 } } });

const problem = (id: number, type: string | null, extra: Partial<CostedProblem> = {}): CostedProblem => ({
  id,
  key: `pagerduty:P${id}`,
  type,
  signal_refs: [`pagerduty:P${id}`, `jira:OPS-${id}`],
  impact_start: '2025-11-10T10:00:00.000Z',
  detected_at: '2025-11-10T10:20:00.000Z',
  resolved_at: '2025-11-10T13:20:00.000Z',
  ...extra,
});

const entry = (n: number, problem_ref: string, role: string, hours: number, person: string | null = null): CostEntryFact => ({
  ref: `escapement:e${n}`,
  problem_ref,
  role,
  hours,
  person,
  note: null,
  entered_at: `2025-11-11T0${n}:00:00.000Z`,
});

describe('cost per problem', () => {
  it('uses the type\'s default role hours (metrics.md §1 midpoints) as a marked estimate', () => {
    const expected: Record<string, [Record<string, number>, number]> = {
      code: [{ dev: 2.5, devops: 1, pm: 0.5, qa: 1 }, 5],
      infra: [{ dev: 1, devops: 4, pm: 1, qa: 1 }, 7],
      integration: [{ dev: 3, devops: 2, pm: 2.5 }, 7.5],
      regression: [{ dev: 2.5, devops: 2, qa: 2 }, 6.5],
    };
    for (const [type, [roles, total]] of Object.entries(expected)) {
      const cost = costOfProblem(problem(1, type), [], config);
      expect(cost.estimated, type).toBe(true);
      expect(cost.hours_by_role, type).toEqual(roles);
      expect(cost.total_hours, type).toBe(total);
      expect(cost.basis).toBe(`default role hours of a ${type} problem (metrics.md §1 midpoints), estimated`);
    }
  });

  it('a mixed problem costs the mean of the types involved', () => {
    const cost = costOfProblem(problem(2, 'mixed', { involved_types: ['code', 'infra'] }), [], config);
    expect(cost.hours_by_role).toEqual({ dev: 1.75, devops: 2.5, pm: 0.75, qa: 1 });
    expect(cost.total_hours).toBe(6);
    expect(defaultRoleHours('mixed', config).basis).toBe('a mixed problem: mean of the default role hours of code, infra, integration, regression, estimated');
  });

  it('actual entries win over the estimate, matched through any signal of the problem or problem:<id>', () => {
    const entries = [entry(1, 'jira:OPS-3', 'dev', 4, 'ana'), entry(2, 'problem:3', 'qa', 1.5), entry(3, 'pagerduty:P3', 'dev', 1), entry(4, 'pagerduty:P99', 'dev', 8)];
    const [cost] = costProblems([problem(3, 'code')], entries, config);
    expect(cost?.estimated).toBe(false);
    expect(cost?.hours_by_role).toEqual({ dev: 5, qa: 1.5 });
    expect(cost?.total_hours).toBe(6.5);
    expect(cost?.entries.map((e) => e.ref)).toEqual(['escapement:e1', 'escapement:e2', 'escapement:e3']);
    expect(cost?.basis).toBe('3 cost entries entered by people');
  });

  it('gives money when rates are set, and leaves the total out when a role has no rate', () => {
    const cost = costOfProblem(problem(4, 'code'), [], withRates);
    expect(cost.money).toEqual({ currency: 'EUR', total: 385, by_role: { dev: 200, devops: 90, pm: 35, qa: 60 }, roles_without_rate: [] });
    const partial = costOfProblem(problem(5, 'code'), [entry(1, 'pagerduty:P5', 'sre', 2), entry(2, 'pagerduty:P5', 'dev', 1)], withRates);
    expect(partial.money).toEqual({ currency: 'EUR', total: null, by_role: { dev: 80 }, roles_without_rate: ['sre'] });
    expect(costOfProblem(problem(6, 'code'), [], config).money).toBeNull();
  });

  it('measures time to detect and time to fix', () => {
    const cost = costOfProblem(problem(7, 'infra'), [], config);
    expect(cost.time_to_detect_minutes).toBe(20);
    expect(cost.time_to_fix_minutes).toBe(180);
    const open = costOfProblem(problem(8, 'infra', { detected_at: null, resolved_at: null }), [], config);
    expect(open.time_to_detect_minutes).toBeNull();
    expect(open.time_to_fix_minutes).toBeNull();
  });

  it('sums "8 escaped problems — 5 code, 2 configuration, 1 integration — about 68 hours"', () => {
    const types = ['code', 'code', 'code', 'code', 'code', 'infra', 'infra', 'integration'];
    const problems = types.map((t, i) => problem(10 + i, t));
    // Actual hours for three of them; the rest are estimates (5 + 5 + 7 + 7 + 7.5 = 31.5).
    const entries = [entry(1, 'pagerduty:P10', 'dev', 12), entry(2, 'pagerduty:P11', 'dev', 10.5), entry(3, 'pagerduty:P12', 'devops', 14)];
    const costs = costProblems(problems, entries, config);
    const total = totalCost(costs.map((cost, i) => ({ cost, type: types[i] ?? null })), config);
    expect(total).toEqual({ problems: 8, by_type: { code: 5, infra: 2, integration: 1 }, total_hours: 68, estimated_problems: 5, money: null, currency: 'EUR' });
  });
});
