// What a partial vendor event may and may not change when it is merged onto the stored record.
// Applied by the store to every merge write, whichever path the event came by (webhook, ingest, deploy).
import { NO_KIND_SIGN } from './deployment-kind.ts';

/** The stored fields a partial deployment event may not undo. */
export interface StoredDeploymentState {
  status: string;
  kind: string;
  kind_reason: string | null;
  rolls_back_to: string | null;
}

const FINISHED = new Set(['success', 'failure', 'cancelled']);

/**
 * A deployment event that saw no sign of a kind (a CircleCI workflow after its pipeline, a status-only
 * update) keeps the kind an earlier event found or a person set, and a late queued/in_progress event
 * does not reopen a finished deployment.
 */
export function mergeDeploymentEvent<D extends { status: string; kind: string; kind_reason?: string | null | undefined; rolls_back_to?: string | null | undefined }>(
  stored: StoredDeploymentState,
  incoming: D,
): D {
  const merged = { ...incoming };
  if (incoming.kind === 'planned' && incoming.kind_reason === NO_KIND_SIGN && stored.kind !== 'planned') {
    merged.kind = stored.kind;
    merged.kind_reason = stored.kind_reason ?? undefined;
    merged.rolls_back_to = stored.rolls_back_to ?? undefined;
  }
  if (FINISHED.has(stored.status) && !FINISHED.has(incoming.status)) merged.status = stored.status;
  return merged;
}

/**
 * A signal event that says the problem is open again (an alarm back in ALARM, a re-trigger, PagerDuty
 * `reopened`) clears the stored resolution; an event that says nothing of status keeps it.
 */
export function mergeSignalEvent<S extends { status: string | null; resolved_at: string | null }>(incoming: S, merged: S): S {
  if ((incoming.status === 'open' || incoming.status === 'acknowledged') && incoming.resolved_at === null) {
    return { ...merged, status: incoming.status, resolved_at: null };
  }
  return merged;
}
