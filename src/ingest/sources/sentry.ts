// Sentry integration-platform webhooks: `issue`, `event_alert` (issue alert rules) and
// `metric_alert`, told apart by the Sentry-Hook-Resource header or, for saved payloads, by `data`.
// An issue and the events of its alerts share one signal (the issue id); the release an event names
// is kept as a `version:` link.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { Severity } from '../../domain/fields.ts';
import { linksOfUrl, mentionsIn, uniqueLinks, versionLinks } from '../mentions.ts';
import { firstText, isObject, type Json, names, object, optionalArray, optionalObject, optionalText, optionalTime, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';

const LEVEL_SEVERITY: Record<string, Severity> = { fatal: 'critical', error: 'high', warning: 'medium', info: 'low', debug: 'low' };

function resourceOf(input: AdapterInput, data: Json): string | undefined {
  const header = input.headers['sentry-hook-resource'];
  if (header) return header;
  if (isObject(data.issue)) return 'issue';
  if (isObject(data.event)) return 'event_alert';
  if (isObject(data.metric_alert)) return 'metric_alert';
  return undefined;
}

/** Event tags come as `[["key", "value"], …]` (or `{key, value}` objects). */
function eventTags(value: unknown): Record<string, string> {
  const pairs: [string, unknown][] = [];
  for (const tag of optionalArray(value)) {
    if (Array.isArray(tag) && typeof tag[0] === 'string') pairs.push([tag[0], tag[1]]);
    else if (isObject(tag) && typeof tag.key === 'string') pairs.push([tag.key, tag.value]);
  }
  return stringLabels(pairs);
}

function issueSignal(input: AdapterInput, payload: Json, data: Json, action: string): AdapterOutput {
  const issue = object(data.issue, 'data.issue');
  const id = text(issue.id, 'data.issue.id');
  const status = optionalText(issue.status);
  const resolved = action === 'resolved' || status === 'resolved';
  const title = firstText(issue.title, issue.culprit) ?? `Sentry issue ${id}`;
  const url = firstText(issue.permalink, issue.web_url);
  const project = optionalObject(issue.project);
  const record = signalRecord({
    source: 'sentry',
    external_id: id,
    kind: 'alert',
    url,
    occurred_at: time(issue.firstSeen ?? input.receivedAt, 'data.issue.firstSeen'),
    resolved_at: resolved ? input.receivedAt : undefined,
    status: resolved ? 'resolved' : action === 'assigned' ? 'acknowledged' : 'open',
    title: titleFrom(title),
    body: optionalText(issue.culprit),
    severity: LEVEL_SEVERITY[optionalText(issue.level) ?? ''],
    service: firstText(project?.slug, project?.name),
    labels: stringLabels({ short_id: issue.shortId, level: issue.level, platform: issue.platform, substatus: issue.substatus, last_action: action }),
    links: uniqueLinks([`sentry:${id}`], url ? linksOfUrl(url) : [], mentionsIn([title])),
    raw: payload,
  });
  return { status: 'records', records: [record], merge: true };
}

function eventAlertSignal(input: AdapterInput, payload: Json, data: Json): AdapterOutput {
  const event = object(data.event, 'data.event');
  const tags = eventTags(event.tags);
  const issueId = firstText(event.issue_id, event.group_id, optionalText(event.issue_url)?.match(/issues\/(\d+)/)?.[1]);
  const id = issueId ?? text(event.event_id, 'data.event.event_id');
  const title = firstText(event.title, event.message, optionalObject(event.metadata)?.value) ?? `Sentry event ${id}`;
  const url = firstText(event.web_url, event.url);
  const release = firstText(event.release, tags.release);
  const project = firstText(optionalText(event.url)?.match(/\/projects\/[^/]+\/([^/]+)\//)?.[1], tags.project, event.project);
  const rule = firstText(data.triggered_rule, optionalObject(data.issue_alert)?.title);
  const record = signalRecord({
    source: 'sentry',
    external_id: id,
    kind: 'alert',
    url,
    occurred_at: time(event.datetime ?? event.timestamp ?? input.receivedAt, 'data.event.datetime'),
    status: 'open',
    title: titleFrom(title),
    body: firstText(event.culprit, event.location),
    severity: LEVEL_SEVERITY[optionalText(event.level) ?? ''],
    service: project,
    environment: firstText(event.environment, tags.environment),
    labels: stringLabels({ level: event.level, platform: event.platform, rule, event_id: event.event_id, release }),
    links: uniqueLinks(issueId ? [`sentry:${issueId}`] : [], versionLinks([release]), url ? linksOfUrl(url) : [], mentionsIn([title])),
    raw: payload,
  });
  return { status: 'records', records: [record], merge: true };
}

function metricAlertSignal(input: AdapterInput, payload: Json, data: Json, action: string): AdapterOutput {
  const alert = object(data.metric_alert, 'data.metric_alert');
  const id = text(alert.id, 'data.metric_alert.id');
  const rule = optionalObject(alert.alert_rule);
  const resolved = action === 'resolved' || optionalText(alert.date_closed) !== undefined;
  const title = firstText(rule?.name, data.description_title, alert.title) ?? `Sentry metric alert ${id}`;
  const url = optionalText(data.web_url);
  const body = optionalText(data.description_text)?.replace(/\\n/g, '\n');
  const projects = names(rule?.projects ?? alert.projects);
  const record = signalRecord({
    source: 'sentry',
    external_id: `metric_alert:${id}`,
    kind: 'alert',
    url,
    occurred_at: time(alert.date_started ?? alert.date_created ?? input.receivedAt, 'data.metric_alert.date_started'),
    detected_at: optionalTime(alert.date_detected),
    resolved_at: resolved ? (optionalTime(alert.date_closed) ?? input.receivedAt) : undefined,
    status: resolved ? 'resolved' : 'open',
    title: titleFrom(title),
    body,
    severity: action === 'critical' ? 'critical' : action === 'warning' ? 'medium' : undefined,
    service: projects[0],
    environment: optionalText(rule?.environment),
    labels: stringLabels({ rule_id: rule?.id, aggregate: rule?.aggregate, query: rule?.query, last_action: action, projects: projects.join(',') || undefined }),
    links: uniqueLinks(url ? linksOfUrl(url) : [], mentionsIn([body])),
    raw: payload,
  });
  return { status: 'records', records: [record], merge: true };
}

export const sentry: SourceAdapter = {
  name: 'sentry',
  title: 'Sentry',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const data = object(payload.data, 'data');
    const action = optionalText(payload.action) ?? '';
    const resource = resourceOf(input, data);
    switch (resource) {
      case 'issue':
        if (action === 'ignored' || action === 'archived') return { status: 'ignored', reason: `issue action ${action} is not used` };
        return issueSignal(input, payload, data, action);
      case 'event_alert':
        return eventAlertSignal(input, payload, data);
      case 'metric_alert':
        return metricAlertSignal(input, payload, data, action);
      default:
        return { status: 'ignored', reason: `Sentry resource ${resource ?? '(unknown)'} is not used` };
    }
  },
};
