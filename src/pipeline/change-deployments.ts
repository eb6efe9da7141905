// Which production deployment shipped a change, for changes that arrived without one (pushes, merged
// pull/merge requests): the deployment of its exact commit, else the first successful production
// deployment of its service that started after the change merged — deployments ship the head of the
// default branch, so everything merged before a deployment starts rides with it.
export interface UnshippedChange {
  /** `source:external_id` of the change. */
  ref: string;
  service: string | null;
  sha: string | null;
  merged_at: string | null;
}

export interface ShippingDeployment {
  /** `source:external_id` of the deployment. */
  ref: string;
  service: string;
  environment: string;
  status: string;
  commit_sha: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface ShippedIn {
  deployment_ref: string;
  reason: string;
}

const sameSha = (a: string, b: string) => a.length >= 7 && b.length >= 7 && (a.startsWith(b) || b.startsWith(a));

/** change ref → the deployment that shipped it; changes not merged or not yet deployed are left out. */
export function shippedIn(changes: readonly UnshippedChange[], deployments: readonly ShippingDeployment[]): Map<string, ShippedIn> {
  const live = deployments
    .filter((d) => d.environment === 'production' && d.status === 'success' && d.finished_at !== null)
    .map((d) => ({ d, start: d.started_at ?? d.finished_at! }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const byService = new Map<string, typeof live>();
  for (const entry of live) byService.set(entry.d.service, [...(byService.get(entry.d.service) ?? []), entry]);

  const out = new Map<string, ShippedIn>();
  for (const change of changes) {
    const timeline = change.service === null ? live : (byService.get(change.service) ?? []);
    const exact = change.sha === null ? undefined : timeline.find((e) => e.d.commit_sha !== null && sameSha(e.d.commit_sha, change.sha!));
    if (exact) {
      out.set(change.ref, { deployment_ref: exact.d.ref, reason: `deployed its commit ${change.sha}` });
      continue;
    }
    if (change.merged_at === null || change.service === null) continue;
    const next = timeline.find((e) => e.start >= change.merged_at!);
    if (next) out.set(change.ref, { deployment_ref: next.d.ref, reason: `first production deployment of ${change.service} after it merged` });
  }
  return out;
}
