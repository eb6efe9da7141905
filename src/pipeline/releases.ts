// The release list of a service (metrics.md §5): what reached users. Per service (`releases:` in the
// configuration) a release is every successful production deployment, or only tagged releases (a
// GitHub release, a version tag). Hotfixes and rollbacks count as `metrics.releases` says, and the rule
// travels with the list so every per-release number can show it.
import type { Config } from '../domain/config.ts';
import { byFinished, countsAsRelease } from '../metrics/releases.ts';
import type { DeploymentFact } from '../metrics/rows.ts';

export type ReleaseMode = Config['releases']['default'];

/** A deployment as the release list reads it; labels tell a tagged release (`release_tag`). */
export type ReleaseDeployment = DeploymentFact & { labels?: Readonly<Record<string, string>> };

export interface Release {
  deployment: ReleaseDeployment;
  service: string;
  version: string | null;
  released_at: string;
  kind: string;
  /** Later deployments of the same version that reached users again (other regions, re-runs): not new releases. */
  repeats: number[];
}

export interface ReleaseList {
  service: string;
  mode: ReleaseMode;
  rule: string;
  releases: Release[];
}

const TAG_LIKE = /^v?\d+(\.\d+)+([-+][0-9a-z.-]+)?$/i;

export function releaseModeOf(config: Config, service: string): ReleaseMode {
  return config.releases.services[service] ?? config.releases.default;
}

/** A tagged release: a GitHub release (label `release_tag`), or a version that reads as a tag. */
export function isTaggedRelease(d: ReleaseDeployment): boolean {
  return d.labels?.release_tag !== undefined || (d.version !== null && TAG_LIKE.test(d.version));
}

export function releaseList(deployments: readonly ReleaseDeployment[], service: string, config: Config): ReleaseList {
  const mode = releaseModeOf(config, service);
  const counting = config.metrics.releases;
  const candidates = deployments
    .filter((d) => d.service === service && countsAsRelease(d, counting) && (mode === 'production_deployments' || isTaggedRelease(d)))
    .sort(byFinished);
  const releases: Release[] = [];
  for (const d of candidates) {
    const last = releases.at(-1);
    // The same version reaching users again right after is the same release; a rollback to it is not.
    if (last && d.kind !== 'rollback' && d.version !== null && d.version === last.version) {
      last.repeats.push(d.id);
      continue;
    }
    releases.push({ deployment: d, service, version: d.version, released_at: d.finished_at!, kind: d.kind, repeats: [] });
  }
  const what = mode === 'tagged_releases' ? 'tagged releases (a GitHub release or a version tag) that reached production' : 'successful production deployments';
  const rule = `${what}; a version deployed again right after is one release; hotfixes/fix-forwards ${counting.count_hotfixes ? 'counted' : 'not counted'}, rollbacks ${counting.count_rollbacks ? 'counted' : 'not counted'}`;
  return { service, mode, rule, releases };
}
