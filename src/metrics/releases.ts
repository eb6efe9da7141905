// What counts as a release (metrics.md §5): a production deployment that reached users. Hotfixes and
// rollbacks count as configured, and the choice travels with every count. Also the release timeline
// per service that DDR and IPR use to attribute pre-release defects (§2).
import type { Config } from '../domain/config.ts';
import { memoByPair } from './memo.ts';
import type { DefectFact, DeploymentFact } from './rows.ts';

export type ReleaseCounting = Config['metrics']['releases'];

export interface ReleaseCount {
  count: number;
  counting: ReleaseCounting & { rule: string };
  by_kind: Record<string, number>;
  deployment_ids: number[];
}

/** The names that mean production, in lower case: SQL compares `lower(environment)` with them (store/production.ts), code uses isProductionEnvironment. */
export const PRODUCTION_ENVIRONMENTS = ['production', 'prod', 'prd', 'live'] as const;
const PRODUCTION = new Set<string>(PRODUCTION_ENVIRONMENTS);
/** Whether an environment name means production (one of PRODUCTION_ENVIRONMENTS, in any case). */
export const isProductionEnvironment = (environment: string) => PRODUCTION.has(environment.toLowerCase());
export const isProduction = (d: DeploymentFact) => isProductionEnvironment(d.environment);
/** Reached users: finished in production and not a failed attempt. */
export const reachedUsers = (d: DeploymentFact) => isProduction(d) && d.finished_at !== null && d.status === 'success';

export function countsAsRelease(d: DeploymentFact, counting: ReleaseCounting): boolean {
  if (!reachedUsers(d)) return false;
  if (d.kind === 'rollback') return counting.count_rollbacks;
  if (d.kind === 'hotfix' || d.kind === 'fix_forward') return counting.count_hotfixes;
  return true;
}

export function byFinished(a: DeploymentFact, b: DeploymentFact): number {
  const fa = a.finished_at ?? '';
  const fb = b.finished_at ?? '';
  return fa < fb ? -1 : fa > fb ? 1 : a.id - b.id;
}

export function releaseCount(releases: readonly DeploymentFact[], counting: ReleaseCounting): ReleaseCount {
  const by_kind: Record<string, number> = {};
  for (const r of releases) by_kind[r.kind] = (by_kind[r.kind] ?? 0) + 1;
  return {
    count: releases.length,
    counting: {
      ...counting,
      rule: `successful production deployments (per service as \`releases:\` says; a version deployed again right after is one release); hotfixes/fix-forwards ${counting.count_hotfixes ? 'counted' : 'not counted'}, rollbacks ${counting.count_rollbacks ? 'counted' : 'not counted'}`,
    },
    by_kind,
    deployment_ids: releases.map((r) => r.id),
  };
}

/**
 * The release each pre-release defect belongs to (metrics.md §2): the release the tracker names when it
 * matches a version of the same service; else the first release of its service that went live after the
 * defect was found (a defect found between A and B is pre-release for B). Defects without a service use
 * the releases of every service. Returns release id → defects.
 */
// DDR and IPR of a period and of the one before it attribute the same defects to the same releases.
export const attributeDefects: (defects: readonly DefectFact[], releases: readonly DeploymentFact[]) => Map<number, DefectFact[]> = memoByPair(attributeDefectsOnce);

function attributeDefectsOnce(defects: readonly DefectFact[], releases: readonly DeploymentFact[]): Map<number, DefectFact[]> {
  const byService = new Map<string, DeploymentFact[]>();
  for (const r of releases) {
    const list = byService.get(r.service) ?? [];
    list.push(r);
    byService.set(r.service, list);
  }
  const byVersion = new Map<string, DeploymentFact>();
  for (const r of releases) if (r.version !== null) byVersion.set(`${r.service}\u0000${r.version}`, r);
  const anyVersion = new Map<string, DeploymentFact>();
  for (const r of releases) if (r.version !== null && !anyVersion.has(r.version)) anyVersion.set(r.version, r);

  const out = new Map<number, DefectFact[]>();
  for (const defect of defects) {
    let target: DeploymentFact | undefined;
    if (defect.release !== null) {
      target = defect.service !== null ? byVersion.get(`${defect.service}\u0000${defect.release}`) : anyVersion.get(defect.release);
    }
    if (!target) {
      const timeline = defect.service !== null ? byService.get(defect.service) ?? [] : releases;
      target = firstAfter(timeline, defect.found_at);
    }
    if (!target) continue;
    const list = out.get(target.id) ?? [];
    list.push(defect);
    out.set(target.id, list);
  }
  return out;
}

/** The first release finishing at or after `at` (binary search over a sorted timeline). */
function firstAfter(timeline: readonly DeploymentFact[], at: string): DeploymentFact | undefined {
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((timeline[mid]!.finished_at ?? '') < at) lo = mid + 1;
    else hi = mid;
  }
  return timeline[lo];
}

/** Escaped problems grouped by the release that introduced them. */
export function problemsByRelease<P extends { deployment_id: number | null }>(problems: readonly P[], releaseOf?: ReadonlyMap<number, number>): Map<number, P[]> {
  const out = new Map<number, P[]>();
  for (const p of problems) {
    if (p.deployment_id === null) continue;
    const release = releaseOf?.get(p.deployment_id) ?? p.deployment_id;
    const list = out.get(release) ?? [];
    list.push(p);
    out.set(release, list);
  }
  return out;
}
