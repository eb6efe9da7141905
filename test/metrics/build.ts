// Small hand-written facts for the metric tests.
import { ConfigSchema, type Config } from '../../src/domain/config.ts';
import type { CostFact, DefectFact, DeploymentFact, MetricFacts, ProblemFact, TestRunFact, ChangeFact } from '../../src/metrics/rows.ts';
import { emptyFacts } from '../../src/metrics/rows.ts';

export const config = (overrides: Record<string, unknown> = {}): Config => ConfigSchema.parse(overrides);

let nextId = 1000;
export const id = () => nextId++;

export function problem(fields: Partial<ProblemFact> = {}): ProblemFact {
  const n = fields.id ?? id();
  return {
    id: n,
    key: `test:${n}`,
    type: 'code',
    service: 'checkout',
    severity: 'medium',
    impact_start: '2025-11-10T10:00:00.000Z',
    detected_at: null,
    resolved_at: null,
    downtime_minutes: null,
    deployment_id: null,
    review_state: 'confirmed',
    pattern_key: null,
    ...fields,
  };
}

export function deployment(fields: Partial<DeploymentFact> = {}): DeploymentFact {
  return { id: fields.id ?? id(), service: 'checkout', environment: 'production', version: null, finished_at: '2025-11-01T10:00:00.000Z', status: 'success', kind: 'planned', ...fields };
}

export function defect(fields: Partial<DefectFact> = {}): DefectFact {
  return { id: fields.id ?? id(), service: 'checkout', severity: 'medium', category: 'functional', found_at: '2025-11-01T00:00:00.000Z', release: null, blocker: false, status: 'resolved', labels: {}, ...fields };
}

export function testRun(fields: Partial<TestRunFact> = {}): TestRunFact {
  return { id: fields.id ?? id(), service: 'checkout', release: '4.0', suite: 'regression', suite_kind: 'regression', started_at: '2025-11-01T00:00:00.000Z', passed: 0, failed: 0, critical_total: 0, critical_passed: 0, ...fields };
}

export function change(fields: Partial<ChangeFact> = {}): ChangeFact {
  return { id: fields.id ?? id(), service: 'checkout', first_commit_at: '2025-11-01T00:00:00.000Z', deployment_id: null, deployed_at: null, ...fields };
}

export function cost(problem_id: number, role: string, hours: number, estimated = false): CostFact {
  return { problem_id, role, hours, estimated };
}

export function facts(parts: Partial<MetricFacts>): MetricFacts {
  return { ...emptyFacts(), ...parts };
}

export const NOV = { label: '2025-11', start: '2025-11-01T00:00:00.000Z', end: '2025-12-01T00:00:00.000Z' };
export const day = (d: number, h = 10) => `2025-11-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;
