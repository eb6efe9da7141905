// How one problem shows up: an alert storm, a pager incident, a chat thread, a ticket, support
// requests, error-tracker issues and log alerts — each source spelling the service its own way and
// mentioning the others' ids, as people and integrations do.
import type { Severity } from '../domain/fields.ts';
import type { ServicePlan } from './catalog.ts';
import { type DetectionChannel, alertDelay } from './detection.ts';
import type { IdSource } from './ids.ts';
import type { Random } from './random.ts';
import { HOUR, MINUTE, clamp, iso } from './time.ts';
import type { ProblemType, SignalLine } from './types.ts';
import { NOISE, type Scenario, type Slots, chatNoise, fill, titleNoise } from './vocabulary.ts';

export interface ProblemStory {
  id: string;
  type: ProblemType;
  plan: ServicePlan;
  scenarios: Scenario[];
  slots: Slots;
  severity: Severity;
  impactStart: number;
  detectedAt: number;
  resolvedAt: number;
  /** Who noticed first: a pager (alerts), a customer (support) or an engineer (a ticket). */
  detection: DetectionChannel;
  /** The release involved: the one that introduced it, else what production ran. */
  version: string;
  introduced: boolean;
}

const STORM_MEDIAN: Record<ProblemType, number> = { code: 10, infra: 26, integration: 16, regression: 16, mixed: 20 };
/** What a customer sees on the page and pastes into a ticket. */
const CUSTOMER_ERRORS = ['Something went wrong. Please try again later.', '502 Bad Gateway', 'Error 500: internal server error', 'Request timed out', 'We could not process your request (code E1042)', 'Oops! An unexpected error occurred.'];
const SUPPORT_RATE: Record<Severity, number> = { critical: 7, high: 3.5, medium: 1.3, low: 0.5 };

function pickFrom<T>(rng: Random, story: ProblemStory, field: (s: Scenario) => readonly T[]): T | undefined {
  const pool = story.scenarios.flatMap((s) => field(s));
  return pool.length > 0 ? rng.pick(pool) : undefined;
}

function text(rng: Random, story: ProblemStory, field: (s: Scenario) => readonly string[]): string {
  const template = pickFrom(rng, story, field);
  return template === undefined ? story.plan.displayName : fill(rng, template, story.slots);
}

function alertSeverity(severity: Severity): { label: string; severity: Severity } {
  return severity === 'critical' || severity === 'high' ? { label: 'critical', severity } : { label: 'warning', severity: 'medium' };
}

/**
 * All signals of a problem. Machine signals (the first alert, error-tracker issue or log spike) start
 * with the impact; the first signal a person or pager sees comes at the detection time.
 */
export function problemSignals(rng: Random, ids: IdSource, story: ProblemStory): SignalLine[] {
  const { plan, detectedAt, resolvedAt } = story;
  const out: SignalLine[] = [];
  const until = (at: number) => Math.max(at + MINUTE, resolvedAt);
  const later = (median: number, sigma = 0.8) => detectedAt + clamp(rng.logNormal(median, sigma), 0, Math.max(MINUTE, resolvedAt - detectedAt));

  // Alert storm: one alert per rule and pod; monitoring-detected problems always page through alerts.
  // An alert starts when its condition does (occurred_at) and is seen once it fires (detected_at).
  const monitored = story.detection === 'monitoring';
  const withAlerts = monitored || rng.chance(0.4);
  const stormSize = withAlerts ? clamp(Math.round(rng.logNormal(STORM_MEDIAN[story.type], 0.75)), 1, 80) : 0;
  const rules = story.scenarios.flatMap((s) => s.alerts);
  const alertLevel = alertSeverity(story.severity);
  let at = monitored ? story.impactStart : later(20 * MINUTE);
  let firstFired: number | null = null;
  const pods = Array.from({ length: rng.int(2, 6) }, () => `${plan.name}-${rng.hex(9)}-${rng.hex(5)}`);
  for (let i = 0; i < stormSize; i++) {
    const rule = rng.pick(rules);
    const pod = rng.pick(pods);
    const pending = alertDelay(rng, story.type);
    // The first alert of a monitored problem is the one that paged: it fires at the detection time.
    const fired = monitored && i === 0 ? detectedAt : Math.max(detectedAt, at + pending);
    firstFired ??= fired;
    const flaps = rng.chance(0.25);
    const resolved = flaps ? fired + rng.int(2, 20) * MINUTE : until(fired) - rng.int(0, 15) * MINUTE;
    const summary = text(rng, story, (s) => s.titles);
    out.push({
      source: 'alertmanager',
      external_id: ids.alertFingerprint(),
      kind: 'alert',
      occurred_at: iso(at),
      ...(fired > at ? { detected_at: iso(fired) } : {}),
      resolved_at: iso(Math.max(fired + MINUTE, resolved)),
      title: rng.chance(0.5) ? `[FIRING:1] ${rule} ${plan.alertLabel} (${plan.namespace})` : `${rule}: ${summary}`,
      body: `${summary}\nalertname=${rule} service=${plan.alertLabel} namespace=${plan.namespace} pod=${pod}`,
      severity: alertLevel.severity,
      status: 'resolved',
      service: plan.alertLabel,
      environment: 'production',
      labels: { alertname: rule, namespace: plan.namespace, pod, severity: alertLevel.label },
    });
    at += rng.int(0, 4) * MINUTE + rng.int(0, 59) * 1000;
  }

  // A pager incident for storms worth waking someone for.
  let incidentId: string | undefined;
  if (stormSize > 0 && (story.severity === 'critical' || story.severity === 'high' || rng.chance(0.55))) {
    incidentId = ids.pagerdutyIncident();
    // Alertmanager triggers the incident when the first alert fires; detected_at is the acknowledgement.
    const triggered = (firstFired ?? detectedAt) + rng.int(0, 60) * 1000;
    out.push({
      source: 'pagerduty',
      external_id: incidentId,
      kind: 'incident',
      url: `https://acme.pagerduty.com/incidents/${incidentId}`,
      occurred_at: iso(triggered),
      detected_at: iso(triggered + clamp(rng.logNormal(4 * MINUTE, 0.7), 30_000, 40 * MINUTE)),
      resolved_at: iso(until(triggered)),
      title: titleNoise(rng, text(rng, story, (s) => s.titles)),
      body: `Triggered by Alertmanager: ${rng.pick(rules)} on ${plan.alertLabel}.`,
      severity: story.severity,
      status: 'resolved',
      service: plan.pagerdutyId,
      environment: 'production',
      labels: { urgency: story.severity === 'critical' || story.severity === 'high' ? 'high' : 'low', escalation_policy: `${plan.team}-oncall` },
    });
  }

  const jiraKey = !monitored || rng.chance(0.7) ? ids.jiraKey(plan.jiraKey) : undefined;
  const versionLink = `version:${story.version}`;
  const mentionsVersion = story.type === 'code' || story.type === 'regression' || (story.type === 'mixed' && story.introduced);

  // Customers write in; the first of them detects the problem when monitoring did not.
  const customerFirst = story.detection === 'customer';
  const supportCount = rng.poisson(SUPPORT_RATE[story.severity]) + (customerFirst ? 1 : 0);
  const supportIds: string[] = [];
  for (let i = 0; i < supportCount; i++) {
    const id = ids.zendeskTicket();
    supportIds.push(id);
    const opened = customerFirst && i === 0 ? detectedAt : later(45 * MINUTE, 1);
    const words = text(rng, story, (s) => s.support);
    // The help-desk form's product area (chosen by the customer or set by the agent); a third stay blank.
    const product = rng.chance(0.35) ? undefined : rng.chance(0.5) ? plan.displayName.toLowerCase() : plan.displayName;
    // Some customers name the product in the subject, or paste the error the page showed them.
    const subject = rng.chance(0.2) ? `${plan.displayName}: ${words}` : words;
    const pasted = rng.chance(0.25) ? ` The page says "${rng.pick(CUSTOMER_ERRORS)}".` : '';
    const links: string[] = [];
    if (jiraKey && rng.chance(0.4)) links.push(`jira:${jiraKey}`);
    // Agents who see a wave of tickets link them to the first one (Zendesk's incident → problem).
    if (i > 0 && rng.chance(0.35)) links.push(`zendesk:${supportIds[0]}`);
    out.push({
      source: 'zendesk',
      external_id: id,
      kind: 'support',
      url: `https://acme.zendesk.com/agent/tickets/${id}`,
      occurred_at: iso(opened),
      resolved_at: iso(until(opened) + rng.int(10, 600) * MINUTE),
      title: titleNoise(rng, subject),
      body: `${words}.${pasted} ${rng.pick(['I tried twice.', 'This is costing us sales.', 'Please help asap.', 'Tried another browser, same thing.', ''])}`.trim(),
      severity: rng.chance(0.3) ? 'high' : 'medium',
      status: 'resolved',
      ...(product ? { service: product } : {}),
      labels: { channel: rng.pick(['email', 'web', 'chat', 'phone']) },
      links,
    });
  }

  // The chat thread where responders coordinate; it names the ticket and the incident.
  if (rng.chance(0.85)) {
    const posted = later(8 * MINUTE);
    const id = ids.slackMessage(plan.slackChannelId, posted);
    const links: string[] = [];
    if (incidentId && rng.chance(0.75)) links.push(`pagerduty:${incidentId}`);
    if (jiraKey && rng.chance(0.75)) links.push(`jira:${jiraKey}`);
    if (supportIds.length > 0 && rng.chance(0.2)) links.push(`zendesk:${supportIds[0]}`);
    if (mentionsVersion && rng.chance(0.3)) links.push(versionLink);
    const opener = chatNoise(rng, text(rng, story, (s) => s.chat));
    const mentions = links.map((l) => l.replace(/^(pagerduty|jira|zendesk|version):/, '')).join(', ');
    out.push({
      source: 'slack',
      external_id: id,
      kind: 'chat',
      url: `https://acme.slack.com/archives/${plan.slackChannelId}/p${id.split('-p')[1]}`,
      occurred_at: iso(posted),
      title: opener,
      body: `${opener}\n> ${text(rng, story, (s) => s.chat)}${mentions ? `\n> tracking in ${mentions}` : ''}\n> ${text(rng, story, (s) => s.fixes)}`,
      labels: { channel: plan.slackChannel },
      links,
    });
  }

  if (jiraKey) {
    // The engineer who noticed opens the ticket; otherwise someone files it once the fire is out of hand.
    const created = story.detection === 'engineer' ? detectedAt : later(customerFirst ? 90 * MINUTE : 60 * MINUTE, 1);
    const links: string[] = [];
    if (incidentId && rng.chance(0.8)) links.push(`pagerduty:${incidentId}`);
    for (const id of supportIds.slice(0, 3)) if (rng.chance(0.3)) links.push(`zendesk:${id}`);
    if (mentionsVersion && rng.chance(0.6)) links.push(versionLink);
    const regressionNote = story.type === 'regression' ? ` Worked before the release of ${story.version}.` : '';
    out.push({
      source: 'jira',
      external_id: jiraKey,
      kind: 'ticket',
      url: `https://acme.atlassian.net/browse/${jiraKey}`,
      occurred_at: iso(created),
      resolved_at: iso(until(created) + rng.int(0, 24 * 60) * MINUTE),
      title: titleNoise(rng, text(rng, story, (s) => s.titles)),
      body: `${text(rng, story, (s) => s.chat)}.${regressionNote}\nResolution: ${text(rng, story, (s) => s.fixes)}`,
      severity: story.severity,
      status: 'resolved',
      service: rng.chance(0.7) ? plan.displayName : plan.name,
      environment: 'production',
      labels: { issuetype: rng.chance(0.6) ? 'Incident' : 'Bug', project: plan.jiraKey },
      links,
    });
  }

  // Error-tracker issues, grouped by exception, first seen in the release that carries the bug.
  const exceptions = story.scenarios.flatMap((s) => s.exceptions);
  const sentryCount = exceptions.length === 0 ? 0 : story.type === 'integration' ? (rng.chance(0.5) ? 1 : 0) : rng.int(1, 3);
  for (let i = 0; i < sentryCount; i++) {
    const id = ids.sentryIssue();
    // First seen when the bug first throws; someone looks when its alert rule notifies, or, when no
    // alert caught the problem, once the problem is known and someone triages the error tracker.
    const seen = i === 0 ? story.impactStart : story.impactStart + clamp(rng.logNormal(10 * MINUTE, 1), 0, Math.max(MINUTE, resolvedAt - story.impactStart));
    const looked = monitored ? seen + clamp(rng.logNormal(6 * MINUTE, 0.7), MINUTE, HOUR) : Math.max(seen, later(30 * MINUTE, 1));
    const exception = fill(rng, rng.pick(exceptions), story.slots);
    out.push({
      source: 'sentry',
      external_id: id,
      kind: 'alert',
      url: `https://acme.sentry.io/issues/${id}/`,
      occurred_at: iso(seen),
      ...(looked > seen ? { detected_at: iso(looked) } : {}),
      resolved_at: iso(until(seen) + rng.int(0, 180) * MINUTE),
      title: exception,
      body: `${exception}\n  at ${story.slots.Class ?? 'Handler'}Handler.handle (${plan.name}/src/handlers.ts:${rng.int(20, 400)})\nrelease: ${plan.name}@${story.version}`,
      severity: story.severity === 'low' ? 'low' : 'high',
      status: 'resolved',
      service: plan.sentryProject,
      environment: 'production',
      labels: { level: 'error', release: story.version, events: String(rng.int(5, 20000)) },
      links: [versionLink],
    });
  }

  const logAlerts = rng.poisson(story.type === 'infra' || story.type === 'integration' ? 1.6 : 0.9);
  for (let i = 0; i < logAlerts; i++) {
    // The first log spike starts with the impact; nobody watches log alerts, so they detect nothing.
    const fired = i === 0 ? story.impactStart : later(10 * MINUTE);
    const line = text(rng, story, (s) => s.logs);
    out.push({
      source: 'loki',
      external_id: ids.logAlert(),
      kind: 'log',
      occurred_at: iso(fired),
      resolved_at: iso(until(fired)),
      title: `Log alert: "${line}" ×${rng.int(20, 9000)} in 5m`,
      body: `{app="${plan.name}", namespace="${plan.namespace}"} |= "${line.slice(0, 40)}"`,
      severity: 'medium',
      status: 'resolved',
      service: plan.name,
      environment: 'production',
      labels: { app: plan.name, namespace: plan.namespace },
    });
  }
  return out;
}

/** Signals that belong to no problem: flapping alerts, how-to questions, chatter. */
export function noiseSignal(rng: Random, ids: IdSource, plan: ServicePlan, at: number): SignalLine {
  const kind = rng.weighted([['alert', 0.6], ['support', 0.25], ['chat', 0.15]] as const);
  if (kind === 'alert') {
    const rule = rng.pick(NOISE.alerts);
    return {
      source: 'alertmanager',
      external_id: ids.alertFingerprint(),
      kind: 'alert',
      occurred_at: iso(at),
      // Pending for its `for` before it fires, like any alert.
      detected_at: iso(at + rng.int(1, 5) * MINUTE),
      resolved_at: iso(at + rng.int(6, 12) * MINUTE),
      title: `[FIRING:1] ${rule} ${plan.alertLabel} (${plan.namespace})`,
      body: `alertname=${rule} service=${plan.alertLabel} namespace=${plan.namespace}`,
      severity: rng.chance(0.8) ? 'low' : 'medium',
      status: 'resolved',
      service: plan.alertLabel,
      environment: 'production',
      labels: { alertname: rule, namespace: plan.namespace, severity: 'warning' },
    };
  }
  if (kind === 'support') {
    const id = ids.zendeskTicket();
    return {
      source: 'zendesk',
      external_id: id,
      kind: 'support',
      url: `https://acme.zendesk.com/agent/tickets/${id}`,
      occurred_at: iso(at),
      resolved_at: iso(at + rng.int(30, 3000) * MINUTE),
      title: rng.pick(NOISE.support),
      severity: 'low',
      status: 'resolved',
      labels: { channel: 'email' },
    };
  }
  const id = ids.slackMessage(plan.slackChannelId, at);
  return {
    source: 'slack',
    external_id: id,
    kind: 'chat',
    occurred_at: iso(at),
    title: rng.pick(NOISE.chat),
    labels: { channel: plan.slackChannel },
  };
}
