// The generic deployment webhook body → a deployment and its changes; kind detection.
import { describe, expect, it } from 'vitest';
import { deployment } from '../../../src/ingest/sources/deployment.ts';
import { mergeDeploymentEvent } from '../../../src/pipeline/event-merge.ts';
import { detectDeploymentKind, compareVersions, NO_KIND_SIGN } from '../../../src/pipeline/deployment-kind.ts';
import { recordsOf, only, run, RECEIVED_AT } from './helpers.ts';

describe('generic deployment webhook', () => {
  it('stores what the body says, with its commits as changes shipped in it', () => {
    const body = {
      id: 'run-42',
      service: 'checkout',
      environment: 'production',
      version: '2.4.1',
      sha: 'abc1234def',
      status: 'succeeded',
      started_at: '2025-11-03T14:00:00+01:00',
      finished_at: '2025-11-03T14:05:00+01:00',
      ref: 'main',
      commits: [{ sha: 'abc1234def', message: 'Add coupons\n\nlong text', committed_at: '2025-11-01T09:00:00Z', pr_number: 12 }],
    };
    const records = recordsOf(run(deployment, body));
    expect(records).toEqual([
      {
        kind: 'deployment',
        record: {
          source: 'deployment',
          external_id: 'run-42',
          service: 'checkout',
          environment: 'production',
          version: '2.4.1',
          commit_sha: 'abc1234def',
          status: 'success',
          started_at: '2025-11-03T13:00:00.000Z',
          finished_at: '2025-11-03T13:05:00.000Z',
          kind: 'planned',
          kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
          labels: { ref: 'main' },
          raw: body,
        },
      },
      {
        kind: 'change',
        record: {
          source: 'deployment',
          external_id: 'checkout@abc1234def',
          service: 'checkout',
          sha: 'abc1234def',
          pr_number: 12,
          title: 'Add coupons',
          first_commit_at: '2025-11-01T09:00:00.000Z',
          deployment_ref: 'deployment:run-42',
        },
      },
    ]);
  });

  it('without an id, keys by service, environment, version and time; a finished body without a time finished when received', () => {
    const d = only(run(deployment, { service: 'checkout', version: '2.4.2' }), 'deployment');
    expect(d).toMatchObject({ external_id: `checkout/production/2.4.2@${RECEIVED_AT}`, status: 'success', finished_at: RECEIVED_AT, environment: 'production' });
    expect(d.started_at).toBeUndefined();
  });

  it('an explicit kind wins and says who set it', () => {
    expect(only(run(deployment, { service: 's', version: '1', kind: 'fix-forward' }), 'deployment')).toMatchObject({ kind: 'fix_forward', kind_reason: 'set by the sender: fix-forward' });
  });

  it('detects a rollback to an earlier version and a revert', () => {
    expect(only(run(deployment, { service: 's', version: '2.4.0', previous_versions: ['2.4.1', '2.4.0'] }), 'deployment')).toMatchObject({ kind: 'rollback', rolls_back_to: '2.4.0' });
    const [revert] = recordsOf(run(deployment, { id: 'r', service: 's', sha: 'f00', commits: [{ sha: 'f00', message: 'Revert "Add coupons"\n\nThis reverts commit abc1234def.' }] }));
    expect(revert!.record).toMatchObject({
      kind: 'rollback',
      kind_reason: 'reverts: Revert "Add coupons"',
      rolls_back_to: 'abc1234def',
    });
  });

  it('rejects a body it cannot read, naming the field', () => {
    expect(() => run(deployment, { version: '1' })).toThrow('service: ');
    expect(() => run(deployment, { service: 's', version: '1', status: 'exploded' })).toThrow('status: expected one of queued, in_progress, success, failure, cancelled, got "exploded"');
    expect(() => run(deployment, { service: 's', version: '1', finished_at: 'yesterday' })).toThrow('finished_at: expected an ISO-8601 time');
    expect(() => run(deployment, { service: 's' })).toThrow('version: is required when there is no id');
    expect(() => run(deployment, { service: 's', version: '1', colour: 'red' })).toThrow('colour');
    expect(() => run(deployment, [{ service: 's', version: '1' }, { service: 's', version: '2', status: 'nope' }])).toThrow('[1].status: expected one of');
    expect(() => run(deployment, [])).toThrow('(body): expected a deployment object or a non-empty array');
    expect(() => run(deployment, 'text')).toThrow('(body): expected a JSON object');
  });

  it('takes an array of deployments (a backfill)', () => {
    const records = recordsOf(run(deployment, [{ id: 'a', service: 's', version: '1' }, { id: 'b', service: 's', version: '2' }]));
    expect(records.map((r) => [r.kind, (r.record as { external_id: string }).external_id])).toEqual([['deployment', 'a'], ['deployment', 'b']]);
  });
});

describe('deployment kind', () => {
  it('planned when nothing says otherwise', () => {
    expect(detectDeploymentKind({ version: '2.5.0', previous: ['2.4.1'], refs: ['main'] }).kind).toBe('planned');
  });
  it('redeploying the current version is not a rollback', () => {
    expect(detectDeploymentKind({ version: '2.4.1', previous: ['2.4.1', '2.4.0'] }).kind).toBe('planned');
  });
  it('a lower semantic version than the latest is a rollback even when not in the history', () => {
    expect(detectDeploymentKind({ version: 'v2.3.9', previous: ['v2.4.1'] })).toEqual({ kind: 'rollback', reason: 'v2.3.9 is lower than v2.4.1, the latest version', rolls_back_to: 'v2.3.9' });
    // …unless a name says it is a hotfix of an older line.
    expect(detectDeploymentKind({ version: 'v2.3.9', previous: ['v2.4.1'], refs: ['hotfix/2.3.x'] }).kind).toBe('hotfix');
  });
  it('an abbreviated sha matches the full one of the history', () => {
    expect(detectDeploymentKind({ sha: '1a2b3c4', previous: ['ffff000111', '1a2b3c4d5e6f'] }).kind).toBe('rollback');
  });
  it('reads hotfix and fix-forward from branch, label and title names, but not from inside words', () => {
    expect(detectDeploymentKind({ refs: ['hotfix/PAY-1'] })).toEqual({ kind: 'hotfix', reason: 'named "hotfix/PAY-1"' });
    expect(detectDeploymentKind({ labels: ['fix-forward'] }).kind).toBe('fix_forward');
    expect(detectDeploymentKind({ texts: ['Hotfix: wrong tax rate'] }).kind).toBe('hotfix');
    expect(detectDeploymentKind({ refs: ['feature/hotfixture'] }).kind).toBe('planned');
    expect(detectDeploymentKind({ refs: ['rollback-2.4.0'] }).kind).toBe('rollback');
  });
  it('a deployment is a revert only when all its commits revert', () => {
    expect(detectDeploymentKind({ commitMessages: ['Revert "a"', 'Add b'] }).kind).toBe('planned');
    expect(detectDeploymentKind({ commitMessages: ['Revert "a"'] }).kind).toBe('rollback');
  });
  it('compares dotted versions numerically', () => {
    expect([compareVersions('2.10.0', '2.9.9'), compareVersions('v1.2', '1.2.0'), compareVersions('main', '1.0')]).toEqual([1, 0, undefined]);
  });
});

describe('mergeDeploymentEvent', () => {
  const weak = { status: 'success', kind: 'planned', kind_reason: NO_KIND_SIGN };
  it('an event without a kind sign keeps the kind found before', () => {
    expect(mergeDeploymentEvent({ status: 'in_progress', kind: 'hotfix', kind_reason: 'named "hotfix/x"', rolls_back_to: null }, weak)).toEqual({ status: 'success', kind: 'hotfix', kind_reason: 'named "hotfix/x"', rolls_back_to: undefined });
  });
  it('an event with a sign, or an explicit planned, wins', () => {
    const explicit = { status: 'success', kind: 'planned', kind_reason: 'set by a person: planned' };
    expect(mergeDeploymentEvent({ status: 'success', kind: 'hotfix', kind_reason: 'x', rolls_back_to: null }, explicit)).toEqual(explicit);
  });
  it('a late in_progress does not reopen a finished deployment', () => {
    expect(mergeDeploymentEvent({ status: 'failure', kind: 'planned', kind_reason: NO_KIND_SIGN, rolls_back_to: null }, { ...weak, status: 'in_progress' }).status).toBe('failure');
  });
});
