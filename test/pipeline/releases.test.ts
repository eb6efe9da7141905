// metrics.md §5: a release is what reached users; per service every production deployment or tagged
// releases only; hotfixes and rollbacks as configured, and the rule is shown.
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { isTaggedRelease, releaseList, type ReleaseDeployment } from '../../src/pipeline/releases.ts';

let nextId = 1;
const dep = (finished: string | null, extra: Partial<ReleaseDeployment> = {}): ReleaseDeployment => ({
  id: nextId++,
  service: 'checkout',
  environment: 'production',
  version: null,
  finished_at: finished,
  status: 'success',
  kind: 'planned',
  ...extra,
});

const history: ReleaseDeployment[] = [
  dep('2025-11-01T10:00:00.000Z', { version: '2.4.0' }),
  dep('2025-11-01T10:20:00.000Z', { version: '2.4.0' }), // second region
  dep('2025-11-02T10:00:00.000Z', { version: 'main-9f8e7d6' }),
  dep('2025-11-03T10:00:00.000Z', { version: '2.4.1', status: 'failure' }),
  dep('2025-11-03T11:00:00.000Z', { version: '2.4.1' }),
  dep('2025-11-03T12:00:00.000Z', { version: '2.4.0', kind: 'rollback' }),
  dep('2025-11-04T09:00:00.000Z', { version: '2.4.2', kind: 'hotfix' }),
  dep('2025-11-04T10:00:00.000Z', { version: '2.5.0', environment: 'staging' }),
  dep(null, { version: '2.5.0', status: 'in_progress' }),
  dep('2025-11-05T10:00:00.000Z', { version: '2.5.0', service: 'search' }),
];

describe('releaseList', () => {
  it('by default: successful production deployments, repeats of a version folded, hotfixes counted, rollbacks not', () => {
    const list = releaseList(history, 'checkout', ConfigSchema.parse({}));
    expect(list.releases.map((r) => [r.version, r.kind, r.released_at, r.repeats])).toEqual([
      ['2.4.0', 'planned', '2025-11-01T10:00:00.000Z', [history[1]!.id]],
      ['main-9f8e7d6', 'planned', '2025-11-02T10:00:00.000Z', []],
      ['2.4.1', 'planned', '2025-11-03T11:00:00.000Z', []],
      ['2.4.2', 'hotfix', '2025-11-04T09:00:00.000Z', []],
    ]);
    expect(list.mode).toBe('production_deployments');
    expect(list.rule).toBe('successful production deployments; a version deployed again right after is one release; hotfixes/fix-forwards counted, rollbacks not counted');
  });

  it('tagged releases only, per service, with rollbacks counted and hotfixes not', () => {
    const config = ConfigSchema.parse({ releases: { services: { checkout: 'tagged_releases' } }, metrics: { releases: { count_hotfixes: false, count_rollbacks: true } } });
    const list = releaseList(history, 'checkout', config);
    expect(list.releases.map((r) => [r.version, r.kind])).toEqual([
      ['2.4.0', 'planned'],
      ['2.4.1', 'planned'],
      ['2.4.0', 'rollback'],
    ]);
    expect(list.rule).toContain('tagged releases');
    expect(list.rule).toContain('hotfixes/fix-forwards not counted, rollbacks counted');
    expect(releaseList(history, 'search', config).mode).toBe('production_deployments');
  });

  it('a GitHub release is tagged whatever its version looks like', () => {
    expect(isTaggedRelease(dep('2025-11-01T00:00:00.000Z', { version: 'spring-release', labels: { release_tag: 'spring-release' } }))).toBe(true);
    expect(isTaggedRelease(dep('2025-11-01T00:00:00.000Z', { version: 'main-1234' }))).toBe(false);
    expect(isTaggedRelease(dep('2025-11-01T00:00:00.000Z', { version: 'v3.0.0-rc.1' }))).toBe(true);
  });
});
