// Commits before a service's first recorded deployment do not distort lead time.
import { describe, expect, it } from 'vitest';
import { leadTimeScope, type ScopedChange } from '../../src/pipeline/lead-time-scope.ts';

const change = (id: number, first_commit_at: string, deployment_id: number | null, service = 'checkout'): ScopedChange & { id: number } => ({
  id,
  service,
  first_commit_at,
  deployment_id,
  deployed_at: deployment_id === null ? null : '2025-11-10T00:00:00.000Z',
});

describe('leadTimeScope', () => {
  it('leaves out what the first deployment shipped, what was committed before it, and what is not deployed', () => {
    const first = new Map([['checkout', { id: 1, finished_at: '2025-11-01T00:00:00.000Z' }]]);
    const changes = [
      change(10, '2023-01-01T00:00:00.000Z', 1), // years of history in the first deployment
      change(11, '2025-10-30T00:00:00.000Z', 2), // committed before the first deployment, shipped later
      change(12, '2025-11-05T00:00:00.000Z', 2),
      change(13, '2025-11-06T00:00:00.000Z', null),
      change(14, '2024-01-01T00:00:00.000Z', 7, 'search'), // a service whose first deployment is unknown here
    ];
    const scope = leadTimeScope(changes, first);
    expect(scope.counted.map((c) => c.id)).toEqual([12, 14]);
    expect(scope.excluded.map((e) => [e.change.id, e.reason])).toEqual([
      [10, 'shipped by the first recorded deployment'],
      [11, 'committed before the first recorded deployment'],
      [13, 'not deployed'],
    ]);
  });
});
