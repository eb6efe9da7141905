// Which production deployment shipped a change, for changes that arrived without one (pushes, merged
// pull/merge requests): the deployment of its exact commit, else the first successful production
// deployment of its service that started after the change merged — deployments ship the head of the
// default branch, so everything merged before a deployment starts rides with it.
import { isProductionEnvironment } from '../metrics/releases.ts';

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

/** Commit ids shorter than this name no commit reliably. */
const SHORT_SHA = 7;

const sameSha = (a: string, b: string) => a.length >= SHORT_SHA && b.length >= SHORT_SHA && (a.startsWith(b) || b.startsWith(a));

interface Live {
  d: ShippingDeployment;
  start: string;
}

/** The first entry of a timeline (sorted by start) starting at or after `at`, by binary search. */
function firstFrom(timeline: readonly Live[], at: string): Live | undefined {
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeline[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return timeline[lo];
}

/** change ref → the deployment that shipped it; changes not merged or not yet deployed are left out. */
export function shippedIn(changes: readonly UnshippedChange[], deployments: readonly ShippingDeployment[]): Map<string, ShippedIn> {
  const live: Live[] = deployments
    .filter((d) => isProductionEnvironment(d.environment) && d.status === 'success' && d.finished_at !== null)
    .map((d) => ({ d, start: d.started_at ?? d.finished_at! }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const byService = new Map<string, Live[]>();
  // Deployments by the first characters of their commit, in time order: the earliest that deployed a commit shipped it.
  const bySha = new Map<string, Live[]>();
  for (const entry of live) {
    let timeline = byService.get(entry.d.service);
    if (!timeline) byService.set(entry.d.service, (timeline = []));
    timeline.push(entry);
    const sha = entry.d.commit_sha;
    if (sha !== null && sha.length >= SHORT_SHA) {
      const key = sha.slice(0, SHORT_SHA).toLowerCase();
      let same = bySha.get(key);
      if (!same) bySha.set(key, (same = []));
      same.push(entry);
    }
  }

  const out = new Map<string, ShippedIn>();
  for (const change of changes) {
    const sha = change.sha?.toLowerCase() ?? null;
    const exact =
      sha === null || sha.length < SHORT_SHA
        ? undefined
        : bySha.get(sha.slice(0, SHORT_SHA))?.find((e) => (change.service === null || e.d.service === change.service) && sameSha(e.d.commit_sha!.toLowerCase(), sha));
    if (exact) {
      out.set(change.ref, { deployment_ref: exact.d.ref, reason: `deployed its commit ${change.sha}` });
      continue;
    }
    if (change.merged_at === null || change.service === null) continue;
    const next = firstFrom(byService.get(change.service) ?? [], change.merged_at);
    if (next) out.set(change.ref, { deployment_ref: next.d.ref, reason: `first production deployment of ${change.service} after it merged` });
  }
  return out;
}
