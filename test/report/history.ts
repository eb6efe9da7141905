// A fixed small history for the report tests: 2025-Q4 (8 escaped problems — 5 code defects, 2
// configuration problems and 1 integration failure, 68 hours — one release spiking), 2025-Q3 before
// it and 2024-Q4 a year earlier. Hand-built facts; ids are fixed so golden files stay stable.
import { ConfigSchema, type Config } from '../../src/domain/config.ts';
import { parsePeriod, previousPeriod, type Period } from '../../src/domain/periods.ts';
import type { CostFact, DefectFact, DeploymentFact, MetricFacts, ProblemFact } from '../../src/metrics/rows.ts';
import { assembleInputs, yearAgoPeriod, type ReportInputs } from '../../src/report/inputs.ts';
import type { Audience } from '../../src/report/document.ts';

export const config: Config = ConfigSchema.parse({ cost: { currency: 'EUR', rates: { dev: 80, qa: 70, devops: 90, pm: 75 } } });

const deploy = (id: number, service: string, version: string, finished_at: string, kind = 'planned'): DeploymentFact => ({ id, service, environment: 'production', version, finished_at, status: 'success', kind });

const problem = (id: number, type: ProblemFact['type'], service: string, impact_start: string, deployment_id: number | null, extra: Partial<ProblemFact> = {}): ProblemFact => ({
  id,
  key: `pagerduty:P${id}`,
  type,
  service,
  severity: 'high',
  impact_start,
  detected_at: new Date(Date.parse(impact_start) + 20 * 60_000).toISOString(),
  resolved_at: new Date(Date.parse(impact_start) + 3 * 3_600_000).toISOString(),
  downtime_minutes: null,
  deployment_id,
  review_state: 'confirmed',
  pattern_key: null,
  ...extra,
});

const hours = (problem_id: number, byRole: Record<string, number>): CostFact[] => Object.entries(byRole).map(([role, h]) => ({ problem_id, role, hours: h, estimated: false }));

const defect = (id: number, service: string, found_at: string): DefectFact => ({ id, service, severity: 'medium', category: 'functional', found_at, release: null, blocker: false, status: 'resolved', labels: {} });

// 2025-Q4: six releases; checkout 3.2.0 lets five problems through (a spike).
const q4Deployments = [
  deploy(101, 'checkout', '3.1.0', '2025-10-06T10:00:00.000Z'),
  deploy(102, 'payments', '7.4.0', '2025-10-14T10:00:00.000Z'),
  deploy(103, 'search', '1.9.0', '2025-10-22T10:00:00.000Z'),
  deploy(104, 'checkout', '3.2.0', '2025-11-03T10:00:00.000Z'),
  deploy(105, 'payments', '7.5.0', '2025-11-18T10:00:00.000Z'),
  deploy(106, 'checkout', '3.3.0', '2025-12-01T10:00:00.000Z'),
];
const q4Problems = [
  problem(201, 'code', 'payments', '2025-10-15T09:00:00.000Z', 102),
  problem(202, 'infra', 'search', '2025-10-23T08:00:00.000Z', 103),
  problem(203, 'code', 'checkout', '2025-11-03T11:00:00.000Z', 104),
  problem(204, 'code', 'checkout', '2025-11-04T12:00:00.000Z', 104),
  problem(205, 'integration', 'checkout', '2025-11-05T14:05:00.000Z', 104, { downtime_minutes: 95, severity: 'critical' }),
  problem(206, 'code', 'checkout', '2025-11-06T16:00:00.000Z', 104),
  problem(207, 'infra', 'checkout', '2025-11-08T07:30:00.000Z', 104),
  problem(208, 'code', 'checkout', '2025-10-07T09:00:00.000Z', 101),
];
const q4Costs = [
  ...hours(201, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(202, { devops: 7, dev: 2, qa: 1, pm: 1 }),
  ...hours(203, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(204, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(205, { dev: 6, devops: 4, pm: 4 }),
  ...hours(206, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(207, { devops: 8, dev: 2, qa: 2, pm: 1 }),
  ...hours(208, { dev: 3, qa: 1, devops: 1, pm: 1 }),
];
const q4Defects = Array.from({ length: 24 }, (_, i) => defect(301 + i, ['checkout', 'payments', 'search'][i % 3]!, `2025-10-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00.000Z`));

// 2025-Q3: five releases, six escaped problems.
const q3Deployments = [
  deploy(91, 'checkout', '3.0.0', '2025-07-07T10:00:00.000Z'),
  deploy(92, 'payments', '7.3.0', '2025-07-21T10:00:00.000Z'),
  deploy(93, 'search', '1.8.0', '2025-08-11T10:00:00.000Z'),
  deploy(94, 'checkout', '3.0.1', '2025-08-25T10:00:00.000Z', 'hotfix'),
  deploy(95, 'payments', '7.3.1', '2025-09-15T10:00:00.000Z'),
];
const q3Problems = [
  problem(181, 'code', 'checkout', '2025-07-08T10:00:00.000Z', 91),
  problem(182, 'code', 'checkout', '2025-07-09T10:00:00.000Z', 91),
  problem(183, 'code', 'payments', '2025-07-22T10:00:00.000Z', 92),
  problem(184, 'code', 'search', '2025-08-12T10:00:00.000Z', 93),
  problem(185, 'infra', 'payments', '2025-09-16T10:00:00.000Z', 95),
  problem(186, 'regression', 'checkout', '2025-08-26T10:00:00.000Z', 94),
];
const q3Costs = [
  ...hours(181, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(182, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(183, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(184, { dev: 3, qa: 1, devops: 1, pm: 1 }),
  ...hours(185, { devops: 5, dev: 1, qa: 1, pm: 1 }),
  ...hours(186, { qa: 2, dev: 3, devops: 2 }),
];
const q3Defects = Array.from({ length: 18 }, (_, i) => defect(281 + i, ['checkout', 'payments', 'search'][i % 3]!, `2025-07-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00.000Z`));

// 2024-Q4: four releases, ten escaped problems.
const y24Deployments = [
  deploy(11, 'checkout', '2.0.0', '2024-10-07T10:00:00.000Z'),
  deploy(12, 'payments', '6.0.0', '2024-10-28T10:00:00.000Z'),
  deploy(13, 'checkout', '2.1.0', '2024-11-18T10:00:00.000Z'),
  deploy(14, 'search', '1.0.0', '2024-12-02T10:00:00.000Z'),
];
const y24Problems = Array.from({ length: 10 }, (_, i) => problem(21 + i, i < 6 ? 'code' : i < 8 ? 'infra' : 'integration', ['checkout', 'payments', 'search'][i % 3]!, `2024-12-${String(3 + i).padStart(2, '0')}T10:00:00.000Z`, 14));

export const titles = new Map<number, string>([
  [201, 'Refund total rounds down for JPY'],
  [202, 'Search index node out of disk'],
  [203, 'Cart badge shows stale count'],
  [204, 'Promo code rejected after login'],
  [205, 'Payment provider <PSP> times out on 3-D Secure callback'],
  [206, 'Address form loses the postcode'],
  [207, 'Checkout pods missing PAYMENTS_URL in production'],
  [208, 'Guest checkout button unresponsive'],
]);

const all = (...parts: MetricFacts[]): MetricFacts => ({
  problems: parts.flatMap((p) => p.problems),
  deployments: parts.flatMap((p) => p.deployments),
  defects: parts.flatMap((p) => p.defects),
  testRuns: [],
  changes: [],
  costs: parts.flatMap((p) => p.costs),
});

const q4: MetricFacts = { problems: q4Problems, deployments: q4Deployments, defects: q4Defects, testRuns: [], changes: [], costs: q4Costs };
const q3: MetricFacts = { problems: q3Problems, deployments: q3Deployments, defects: q3Defects, testRuns: [], changes: [], costs: q3Costs };
const y24: MetricFacts = { problems: y24Problems, deployments: y24Deployments, defects: [], testRuns: [], changes: [], costs: [] };

/** Every fact of the history, as the store would return them for a span covering it all. */
export const history = all(y24, q3, q4);

export const NOW = new Date('2026-01-15T00:00:00.000Z');

export function inputsFor(audience: Audience, periodText = '2025-Q4'): ReportInputs {
  const period: Period = parsePeriod(periodText, { now: NOW });
  const yearAgo = yearAgoPeriod(period);
  void previousPeriod;
  return assembleInputs({ audience, period, service: null, config, definitions: '2024', now: NOW }, { current: history, year_ago: yearAgo ? history : null, titles });
}
