// Deployment outcomes (metrics.md §7): failed when it needed intervention, rework when unplanned to fix production.
import { describe, expect, it } from 'vitest';
import type { DeploymentFact } from '../../src/pipeline/attribute.ts';
import { compareVersions, deploymentOutcomes, type AttributedProblem } from '../../src/pipeline/outcomes.ts';
import { at, deploy } from './attribute.timeline.ts';

const outcomeOf = (outcomes: ReturnType<typeof deploymentOutcomes>, d: DeploymentFact) => outcomes.find((o) => o.deployment_id === d.id)!;

const attributed = (d: DeploymentFact, confidence: number, start: string, resolved: string | null = null): AttributedProblem => ({
  problem_key: `pagerduty:X${d.id}-${start}`,
  deployment_id: d.id,
  confidence,
  decided_by: 'pipeline',
  impact_start: at(start),
  resolved_at: resolved ? at(resolved) : null,
});

describe('deployment outcomes', () => {
  it('a hotfix repairs the deployment an open problem is attributed to, not merely the one before it', () => {
    const buggy = deploy('search', '08:00', { version: '4.0.0' });
    const other = deploy('search', '09:00', { version: '4.1.0' });
    const hotfix = deploy('search', '11:00', { version: '4.1.1', kind: 'hotfix' });
    const outcomes = deploymentOutcomes([buggy, other, hotfix], [attributed(buggy, 0.45, '10:00', '11:10')]);
    expect(outcomeOf(outcomes, buggy)).toMatchObject({ failed: true, rework: false });
    expect(outcomeOf(outcomes, buggy).outcome.failed_because).toEqual([{ kind: 'hot_fixed', ref: hotfix.ref, detail: `repaired by hotfix ${hotfix.ref}` }]);
    expect(outcomeOf(outcomes, other)).toMatchObject({ failed: false, rework: false });
    expect(outcomeOf(outcomes, hotfix)).toMatchObject({ failed: false, rework: true });
  });

  it('with no problem to say which, a fix-forward repairs the deployment right before it', () => {
    const release = deploy('cart', '08:00', { version: '1.2.0' });
    const fix = deploy('cart', '09:00', { version: '1.2.1', kind: 'fix_forward' });
    const outcomes = deploymentOutcomes([release, fix], []);
    expect(outcomeOf(outcomes, release).outcome.failed_because.map((r) => r.kind)).toEqual(['fixed_forward']);
    expect(outcomeOf(outcomes, fix).outcome.rework_because).toEqual([{ kind: 'rework_kind', detail: 'a fix-forward' }]);
  });

  it('an escaped problem makes its deployment failed only with enough confidence; several count once', () => {
    const sure = deploy('api', '08:00', { version: '2.0.0' });
    const unsure = deploy('api', '-3d 08:00', { version: '1.9.0' });
    const outcomes = deploymentOutcomes([unsure, sure], [attributed(sure, 0.8, '09:00'), attributed(sure, 0.7, '09:30'), attributed(unsure, 0.4, '-2d 09:00')]);
    expect(outcomeOf(outcomes, sure).failed).toBe(true);
    expect(outcomeOf(outcomes, sure).outcome.failed_because).toHaveLength(2);
    expect(outcomeOf(outcomes, unsure).failed).toBe(false);
    expect(outcomeOf(outcomes, unsure).outcome.problems).toHaveLength(1);
  });

  it('redeploying an older version right after a newer one is a rollback by version history', () => {
    const v1 = deploy('web', '-1d 08:00', { version: '3.9.0' });
    const v2 = deploy('web', '08:00', { version: '3.10.0' });
    const back = deploy('web', '08:30', { version: '3.9.0' });
    const outcomes = deploymentOutcomes([v1, v2, back], []);
    expect(outcomeOf(outcomes, back)).toMatchObject({ rework: true, failed: false });
    expect(outcomeOf(outcomes, back).outcome.rework_because[0]?.kind).toBe('version_rollback');
    expect(outcomeOf(outcomes, v2).outcome.failed_because[0]).toEqual({ kind: 'rolled_back', ref: back.ref, detail: `${back.ref} returned to the earlier version 3.9.0` });
    expect(outcomeOf(outcomes, v1)).toMatchObject({ rework: false, failed: false });
  });

  it('staging deployments and failed pipeline runs count in no rate', () => {
    const staging = deploy('web', '08:00', { environment: 'staging' });
    const broken = deploy('web', '09:00', { status: 'failure' });
    const outcomes = deploymentOutcomes([staging, broken], []);
    expect(outcomeOf(outcomes, staging)).toMatchObject({ failed: null, rework: null, outcome: { note: 'environment staging is not production' } });
    expect(outcomeOf(outcomes, broken)).toMatchObject({ failed: null, rework: null, outcome: { note: 'status failure: never reached users' } });
  });

  it("a person's decision overrides the derived flags and is explained", () => {
    const release = deploy('web', '08:00', { version: '5.0.0' });
    const rollback = deploy('web', '08:10', { kind: 'rollback', rolls_back_to: '4.9.0' });
    const overrides = new Map([[rollback.ref, { subject: rollback.ref, rework: false, reason: 'a drill, not a real rollback', actor: 'ops', decided_at: '2025-11-12T00:00:00.000Z' }]]);
    const outcome = outcomeOf(deploymentOutcomes([release, rollback], [], overrides), rollback);
    expect(outcome.rework).toBe(false);
    expect(outcome.outcome.rework_because).toEqual([]);
    expect(outcome.outcome.overridden_by).toEqual({ actor: 'ops', decided_at: '2025-11-12T00:00:00.000Z', reason: 'a drill, not a real rollback' });
  });

  it('compares versions numerically', () => {
    expect(compareVersions('2.10.0', '2.9.1')).toBeGreaterThan(0);
    expect(compareVersions('v1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.2', '1.2.1')).toBeLessThan(0);
  });
});
