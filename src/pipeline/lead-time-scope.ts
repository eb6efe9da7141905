// Which changes change lead time counts (docs/delivery-sources.md, "Changes and lead time"): the first
// recorded production deployment of a service carries all the history before Escapement started, so
// the changes it shipped, and any change first committed before it, would report that history as lead
// time. They are left out, and counted as excluded so the number shows its work.
export interface ScopedChange {
  service: string | null;
  first_commit_at: string;
  deployment_id: number | null;
  deployed_at: string | null;
}

/** A service's first recorded production deployment (over all stored history, not one period). */
export interface FirstDeployment {
  id: number;
  finished_at: string;
}

export interface LeadTimeScope<C extends ScopedChange> {
  counted: C[];
  excluded: { change: C; reason: 'not deployed' | 'shipped by the first recorded deployment' | 'committed before the first recorded deployment' }[];
}

export function leadTimeScope<C extends ScopedChange>(changes: readonly C[], firstDeployments: ReadonlyMap<string, FirstDeployment>): LeadTimeScope<C> {
  const scope: LeadTimeScope<C> = { counted: [], excluded: [] };
  for (const change of changes) {
    if (change.deployment_id === null || change.deployed_at === null) {
      scope.excluded.push({ change, reason: 'not deployed' });
      continue;
    }
    const first = change.service === null ? undefined : firstDeployments.get(change.service);
    if (first && change.deployment_id === first.id) scope.excluded.push({ change, reason: 'shipped by the first recorded deployment' });
    else if (first && change.first_commit_at < first.finished_at) scope.excluded.push({ change, reason: 'committed before the first recorded deployment' });
    else scope.counted.push(change);
  }
  return scope;
}
