// The releases of a selection as the per-release metrics count them: each service's release list
// (src/pipeline/releases.ts: `releases:` mode per service, a version deployed again right after is one
// release, hotfixes/rollbacks as `metrics.releases` says), merged into one timeline. A repeat deployment
// maps to its release, so problems attributed to it count for that release.
import type { Config } from '../domain/config.ts';
import { releaseList } from '../pipeline/releases.ts';
import { memoByPair } from './memo.ts';
import type { DeploymentFact } from './rows.ts';
import { byFinished } from './releases.ts';

export interface ReleaseTimeline {
  /** Releases of every service, in time order. */
  releases: DeploymentFact[];
  /** Deployment id (a release or one of its repeats) → the release's deployment id. */
  releaseOf: Map<number, number>;
  rules: Record<string, string>;
}

// The overview asks for the same timeline many times over one set of facts; remembered per facts and config.
export const releaseTimeline: (deployments: readonly DeploymentFact[], config: Config) => ReleaseTimeline = memoByPair(buildTimeline);

function buildTimeline(deployments: readonly DeploymentFact[], config: Config): ReleaseTimeline {
  const services = [...new Set(deployments.map((d) => d.service))].sort();
  const releases: DeploymentFact[] = [];
  const releaseOf = new Map<number, number>();
  const rules: Record<string, string> = {};
  const byService = new Map<string, DeploymentFact[]>();
  for (const d of deployments) {
    const list = byService.get(d.service) ?? [];
    list.push(d);
    byService.set(d.service, list);
  }
  for (const service of services) {
    const list = releaseList(byService.get(service)!, service, config);
    rules[service] = list.rule;
    for (const r of list.releases) {
      releases.push(r.deployment);
      releaseOf.set(r.deployment.id, r.deployment.id);
      for (const repeat of r.repeats) releaseOf.set(repeat, r.deployment.id);
    }
  }
  releases.sort(byFinished);
  return { releases, releaseOf, rules };
}
