// The implementation checklist (the article's "before you start" list), judged from what the store
// holds: each item has a status, the counts behind it, and what to do when it is missing.

export type ReadinessStatus = 'ready' | 'partial' | 'missing';

export interface ReadinessFacts {
  tickets: { total: number; production: number };
  alerts: { total: number; sources: string[]; last_at: string | null };
  support: { total: number; linked: number };
  deployments: { production: number; exact_times: number };
  smoke: { releases: number; with_smoke: number; runs: number };
  reviews: { completed: number; last_completed_at: string | null; data_last_at: string | null };
}

export interface ReadinessItem {
  key: 'production_tagging' | 'alerts_in_one_place' | 'support_linked' | 'deployment_times' | 'smoke_after_deploy' | 'weekly_review';
  title: string;
  status: ReadinessStatus;
  /** The share met, when the item is a share; null when it is a yes/no. */
  share: number | null;
  evidence: string;
  todo: string | null;
}

/** At or above this share an item is ready; above zero it is partial. */
export const READY_SHARE = 0.8;
const REVIEW_FRESH_DAYS = 14;

function byShare(met: number, total: number): { status: ReadinessStatus; share: number | null } {
  if (total === 0) return { status: 'missing', share: null };
  const share = met / total;
  return { status: share >= READY_SHARE ? 'ready' : met > 0 ? 'partial' : 'missing', share };
}

const pct = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)}%`);

export function readinessChecklist(f: ReadinessFacts): ReadinessItem[] {
  const tagging = byShare(f.tickets.production, f.tickets.total);
  const support = byShare(f.support.linked, f.support.total);
  const times = byShare(f.deployments.exact_times, f.deployments.production);
  const smoke = byShare(f.smoke.with_smoke, f.smoke.releases);
  const alertStatus: ReadinessStatus = f.alerts.total === 0 ? 'missing' : 'ready';
  const reviewFresh =
    f.reviews.last_completed_at !== null &&
    (f.reviews.data_last_at === null || Date.parse(f.reviews.data_last_at) - Date.parse(f.reviews.last_completed_at) <= REVIEW_FRESH_DAYS * 86_400_000);
  const reviewStatus: ReadinessStatus = f.reviews.completed === 0 ? 'missing' : reviewFresh ? 'ready' : 'partial';
  const item = (i: ReadinessItem, ok: boolean) => ({ ...i, todo: ok ? null : i.todo });
  return [
    item(
      {
        key: 'production_tagging',
        title: 'Tracker tags production problems',
        ...tagging,
        evidence: `${f.tickets.production} of ${f.tickets.total} tickets carry the production environment (${pct(tagging.share)})`,
        todo: 'Add an environment or "found in production" field to your tracker (Jira, Linear, GitHub) and fill it on every bug found after release.',
      },
      tagging.status === 'ready',
    ),
    item(
      {
        key: 'alerts_in_one_place',
        title: 'Alerts arrive in one place',
        status: alertStatus,
        share: null,
        evidence:
          f.alerts.total === 0
            ? 'no alerts or incidents received yet'
            : `${f.alerts.total} alerts and incidents from ${f.alerts.sources.join(', ')}; last at ${f.alerts.last_at ?? 'unknown'}`,
        todo: 'Point your alerting (PagerDuty, Opsgenie, Alertmanager, Grafana, Datadog, Sentry) at POST /api/v1/webhooks/<source>.',
      },
      alertStatus === 'ready',
    ),
    item(
      {
        key: 'support_linked',
        title: 'Support tickets are linked to problems',
        ...support,
        evidence: `${f.support.linked} of ${f.support.total} support requests are linked to a problem or name a ticket (${pct(support.share)})`,
        todo: 'Ask support to paste the tracker key or incident id into the ticket, or import support requests with links.',
      },
      support.status === 'ready',
    ),
    item(
      {
        key: 'deployment_times',
        title: 'Deployment history with exact times',
        ...times,
        evidence: `${f.deployments.exact_times} of ${f.deployments.production} production deployments have an exact finish time (${pct(times.share)})`,
        todo: 'Send each production deployment from your pipeline to POST /api/v1/webhooks/deployment with its start and finish times.',
      },
      times.status === 'ready',
    ),
    item(
      {
        key: 'smoke_after_deploy',
        title: 'Smoke tests run after deployments',
        ...smoke,
        evidence: `${f.smoke.with_smoke} of ${f.smoke.releases} production releases have a smoke run for their version (${f.smoke.runs} smoke runs in all; ${pct(smoke.share)})`,
        todo: 'Run 3–6 critical-path smoke tests after every production deployment and import the JUnit report with suite_kind "smoke".',
      },
      smoke.status === 'ready',
    ),
    item(
      {
        key: 'weekly_review',
        title: 'A weekly review is held',
        status: reviewStatus,
        share: null,
        evidence:
          f.reviews.completed === 0
            ? 'no weekly review completed yet'
            : `${f.reviews.completed} reviews completed; the last on ${f.reviews.last_completed_at}`,
        todo: 'Hold the 15-minute weekly review (Weekly review page): confirm types, releases and cost of the week’s problems.',
      },
      reviewStatus === 'ready',
    ),
  ];
}
