// Recommendations follow from the data: regressions → smoke checks and canaries, a service averaging
// more than 1.5 escapes per release → canary with the configured watch window, a fingerprint in
// several releases → root cause, code falling while infra/integration stay flat → parity and contract tests.
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { parsePeriod } from '../../src/domain/periods.ts';
import type { DeploymentFact, MetricFacts, ProblemFact } from '../../src/metrics/rows.ts';
import { buildReport } from '../../src/report/build.ts';
import { sentenceText } from '../../src/report/document.ts';
import { assembleInputs } from '../../src/report/inputs.ts';
import { loadTemplate } from '../../src/report/templates.ts';
import { checkCitations } from './check.ts';

const deploy = (id: number, service: string, version: string, finished_at: string): DeploymentFact => ({ id, service, environment: 'production', version, finished_at, status: 'success', kind: 'planned' });
const problem = (id: number, type: ProblemFact['type'], service: string, impact_start: string, deployment_id: number, pattern_key: string | null = null): ProblemFact => ({
  id, key: `p:${id}`, type, service, severity: 'medium', impact_start, detected_at: impact_start, resolved_at: impact_start, downtime_minutes: null, deployment_id, review_state: 'confirmed', pattern_key,
});

const facts: MetricFacts = {
  deployments: [
    deploy(1, 'payments', '1.0', '2025-10-02T10:00:00.000Z'),
    deploy(2, 'checkout', '5.0', '2025-11-03T10:00:00.000Z'),
    deploy(3, 'checkout', '5.1', '2025-11-17T10:00:00.000Z'),
    deploy(4, 'payments', '1.1', '2025-11-20T10:00:00.000Z'),
  ],
  problems: [
    // October: five code defects and one integration failure.
    ...[11, 12, 13, 14, 15].map((id, i) => problem(id, 'code', 'payments', `2025-10-${10 + i}T10:00:00.000Z`, 1)),
    problem(16, 'integration', 'payments', '2025-10-20T10:00:00.000Z', 1),
    // November: code falls to one, integration stays at one; checkout regressions recur across two releases.
    problem(21, 'regression', 'checkout', '2025-11-04T10:00:00.000Z', 2, 'TypeError: cart.items'),
    problem(22, 'regression', 'checkout', '2025-11-05T10:00:00.000Z', 2),
    problem(23, 'code', 'checkout', '2025-11-06T10:00:00.000Z', 2),
    problem(24, 'regression', 'checkout', '2025-11-18T10:00:00.000Z', 3, 'TypeError: cart.items'),
    problem(25, 'integration', 'payments', '2025-11-21T10:00:00.000Z', 4),
  ],
  defects: [],
  testRuns: [],
  changes: [],
  costs: [],
};

const config = ConfigSchema.parse({ windows: { watch_minutes: 180 } });

describe('recommendations from the data', () => {
  const period = parsePeriod('2025-11');
  const inputs = assembleInputs({ audience: 'em', period, service: null, config, definitions: '2024', now: new Date('2026-01-01T00:00:00Z') }, { current: facts, year_ago: null, titles: new Map() });
  const doc = buildReport(inputs, loadTemplate('em'));
  const ask = doc.sections.find((s) => s.title === 'The ask')!.blocks[0]!.sentences.map(sentenceText);

  it('ranks them and words them from the numbers', () => {
    expect(inputs.current.signals.map((s) => s.code)).toEqual(['environment_parity']);
    // Spikes first (none here), then the causes by the hours they cost, then per-service canaries and recurring fingerprints.
    expect(ask).toEqual([
      'Add post-deploy smoke checks and release checkout as canaries: 3 regressions cost about 20 hours.',
      'Add contract tests at the service and partner boundaries of payments: 1 integration failure cost about 7.5 hours, and code escapes fall while these stay flat.',
      'Release checkout as a canary to 5–10% of traffic and watch it for 3 hours: its releases averaged 2 escaped problems.',
    ]);
    const all = buildReport(inputs, { source: 'inline', text: '## Ask\n{{#each recommendations}}\n- {{this.text}}\n{{/each}}\n' });
    expect(all.sections[0]!.blocks[0]!.sentences.map(sentenceText).at(-1)).toBe('Fix the root cause of the recurring problem TypeError: cart.items in checkout: it escaped in 2 releases.');
  });

  it('says the structural signal with the integration advice', () => {
    const all = [...inputs.current.signals];
    expect(all[0]!.evidence).toEqual({ code_previous: 5, code_current: 1, infra_integration_previous: 1, infra_integration_current: 1 });
    const board = buildReport({ ...inputs, audience: 'board' }, loadTemplate('board'));
    const decision = board.sections.find((x) => x.title === 'Decision requested')!;
    checkCitations(board, inputs);
    expect(sentenceText(decision.blocks[0]!.sentences[0]!)).toBe('Check every release automatically right after it goes out, and release to a small share of users first: 3 features that broke after a release cost about 20 hours.');
  });

  it('cites every number, including the configured watch window', () => {
    checkCitations(doc, inputs);
    expect(doc.citations.find((c) => c.path === 'derived.watch_hours')).toMatchObject({ kind: 'reference', value: 3, display: '3' });
  });
});
