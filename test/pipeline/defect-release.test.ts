// metrics.md §2: a defect created between release A and B is pre-release for B; a named release wins.
import { describe, expect, it } from 'vitest';
import { releaseForDefect, type ReleasePoint } from '../../src/pipeline/defect-release.ts';

const releases: ReleasePoint[] = [
  { service: 'checkout', version: '2.4.0', released_at: '2025-11-01T10:00:00.000Z' },
  { service: 'search', version: '7.0.0', released_at: '2025-11-02T10:00:00.000Z' },
  { service: 'checkout', version: '2.4.1', released_at: '2025-11-05T10:00:00.000Z' },
  { service: 'checkout', version: '2.5.0', released_at: '2025-11-10T10:00:00.000Z' },
];

describe('releaseForDefect', () => {
  it('a defect found between A and B belongs to B', () => {
    const r = releaseForDefect({ service: 'checkout', found_at: '2025-11-03T09:00:00.000Z' }, releases);
    expect(r).toEqual({ release: releases[2], method: 'time', reason: 'found after 2.4.0 went live and before 2.4.1' });
  });

  it('only releases of the defect’s service count', () => {
    expect(releaseForDefect({ service: 'search', found_at: '2025-11-01T12:00:00.000Z' }, releases)?.release.version).toBe('7.0.0');
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-01T12:00:00.000Z' }, releases)?.release.version).toBe('2.4.1');
  });

  it('a defect without a service uses every release', () => {
    expect(releaseForDefect({ found_at: '2025-11-01T12:00:00.000Z' }, releases)?.release.version).toBe('7.0.0');
  });

  it('found before the first release: the first release; at the moment a release went live: that release', () => {
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-10-01T00:00:00.000Z' }, releases)).toEqual({ release: releases[0], method: 'time', reason: 'found before 2.4.0, the first release known' });
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-05T10:00:00.000Z' }, releases)?.release.version).toBe('2.4.1');
  });

  it('after the last release: not known yet', () => {
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-11T00:00:00.000Z' }, releases)).toBeNull();
  });

  it('the release the tracker names wins, with or without a v; an unknown name falls back to time and says so', () => {
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-03T00:00:00.000Z', release: '2.5.0' }, releases)).toEqual({ release: releases[3], method: 'named', reason: 'the tracker names release 2.5.0' });
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-03T00:00:00.000Z', release: 'v2.5.0' }, releases)?.release.version).toBe('2.5.0');
    expect(releaseForDefect({ service: 'checkout', found_at: '2025-11-03T00:00:00.000Z', release: '9.9.9' }, releases)).toEqual({
      release: releases[2],
      method: 'time',
      reason: 'release 9.9.9 is not a known release; found after 2.4.0 went live and before 2.4.1',
    });
  });
});
