// A change pushed or merged without a deployment gets the production deployment that shipped it.
import { describe, expect, it } from 'vitest';
import { shippedIn, type ShippingDeployment, type UnshippedChange } from '../../src/pipeline/change-deployments.ts';

const dep = (ref: string, started: string, extra: Partial<ShippingDeployment> = {}): ShippingDeployment => ({
  ref, service: 'checkout', environment: 'production', status: 'success', commit_sha: null, started_at: started, finished_at: started, ...extra,
});
const deployments = [
  dep('github:deployment/1', '2025-11-01T10:00:00.000Z', { commit_sha: 'aaaaaaa111' }),
  dep('github:deployment/2', '2025-11-03T10:00:00.000Z'),
  dep('github:deployment/3', '2025-11-02T10:00:00.000Z', { status: 'failure' }),
  dep('github:deployment/4', '2025-11-02T11:00:00.000Z', { environment: 'staging' }),
  dep('github:deployment/5', '2025-11-02T12:00:00.000Z', { service: 'search' }),
];
const change = (ref: string, merged: string | null, extra: Partial<UnshippedChange> = {}): UnshippedChange => ({ ref, service: 'checkout', sha: null, merged_at: merged, ...extra });

describe('shippedIn', () => {
  it('links by exact commit, else the first successful production deployment of the service after the merge', () => {
    const links = shippedIn(
      [
        change('github:o/r@aaaaaaa111', '2025-10-31T00:00:00.000Z', { sha: 'aaaaaaa' }),
        change('github:o/r#7', '2025-11-01T12:00:00.000Z'),
        change('github:o/r#8', '2025-11-03T12:00:00.000Z'),
        change('github:o/r@feature', null),
      ],
      deployments,
    );
    expect(Object.fromEntries(links)).toEqual({
      'github:o/r@aaaaaaa111': { deployment_ref: 'github:deployment/1', reason: 'deployed its commit aaaaaaa' },
      // The failed, staging and other-service deployments in between did not ship it.
      'github:o/r#7': { deployment_ref: 'github:deployment/2', reason: 'first production deployment of checkout after it merged' },
    });
  });
});

describe('shippedIn, the edges', () => {
  it('matches commits in any case and any production spelling, the earliest deployment of a commit first', () => {
    const links = shippedIn(
      [change('github:o/r@ABCDEF1', null, { sha: 'ABCDEF1' })],
      [
        dep('github:deployment/later', '2025-11-05T10:00:00.000Z', { commit_sha: 'abcdef1999', environment: 'PROD' }),
        dep('github:deployment/first', '2025-11-04T10:00:00.000Z', { commit_sha: 'abcdef1999', environment: 'Production' }),
      ],
    );
    expect(links.get('github:o/r@ABCDEF1')).toEqual({ deployment_ref: 'github:deployment/first', reason: 'deployed its commit ABCDEF1' });
  });

  it('a change naming no service is placed by its commit, whichever service deployed it; never by time', () => {
    const links = shippedIn(
      [change('import:a', '2025-11-01T00:00:00.000Z', { service: null, sha: 'aaaaaaa111' }), change('import:b', '2025-11-01T00:00:00.000Z', { service: null })],
      [dep('github:deployment/s', '2025-11-02T10:00:00.000Z', { service: 'search', commit_sha: 'aaaaaaa111' }), dep('github:deployment/c', '2025-11-02T09:00:00.000Z')],
    );
    expect(Object.fromEntries(links)).toEqual({ 'import:a': { deployment_ref: 'github:deployment/s', reason: 'deployed its commit aaaaaaa111' } });
  });

  it('a short sha names no commit: the merge time decides; a deployment starting at the merge instant ships it', () => {
    const links = shippedIn(
      [change('github:o/r#9', '2025-11-02T10:00:00.000Z', { sha: 'abc12' })],
      [dep('github:deployment/x', '2025-11-01T10:00:00.000Z', { commit_sha: 'abc12ffff' }), dep('github:deployment/y', '2025-11-02T10:00:00.000Z'), dep('github:deployment/z', '2025-11-03T10:00:00.000Z')],
    );
    expect(links.get('github:o/r#9')).toEqual({ deployment_ref: 'github:deployment/y', reason: 'first production deployment of checkout after it merged' });
  });
});
