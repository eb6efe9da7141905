// Datadog Webhooks integration: the default monitor payload ($EVENT_MSG as `body`, `title`, `date`,
// `last_updated`, `event_type`, `org`, `id`), plus the fields of the payload docs/sources.md
// recommends ($ALERT_CYCLE_KEY, $ALERT_ID, $ALERT_TRANSITION, $TAGS, $LINK, $PRIORITY, $ALERT_TYPE).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { Severity } from '../../domain/fields.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, names, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, time, titleFrom } from '../payload.ts';

const TRANSITION_PREFIX = /^\[(Triggered|Re-Triggered|Recovered|Warn|Re-Warn|No Data|Re-No Data|Renotify)[^\]]*\]\s*/i;
const ALERT_TYPE_SEVERITY: Record<string, Severity> = { error: 'high', warning: 'medium', info: 'low', success: 'low' };

/** Datadog tags as a list: `$TAGS` arrives comma-separated, or as an array in hand-made bodies. */
function tagList(value: unknown): string[] {
  if (Array.isArray(value)) return names(value);
  return (optionalText(value) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

function tagValue(tags: string[], key: string): string | undefined {
  const tag = tags.find((t) => t.startsWith(`${key}:`));
  return tag?.slice(key.length + 1) || undefined;
}

export const datadog: SourceAdapter = {
  name: 'datadog',
  title: 'Datadog monitors',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const rawTitle = firstText(payload.title, payload.event_title) ?? '';
    const transition = (firstText(payload.alert_transition) ?? TRANSITION_PREFIX.exec(rawTitle)?.[1] ?? '').toLowerCase();
    const isTest = /\[TEST\]/.test(rawTitle);
    const title = rawTitle.replace(TRANSITION_PREFIX, '').replace(/^\[TEST\]\s*/, '').trim();
    const body = firstText(payload.body, payload.event_msg);
    const monitorId = firstText(payload.alert_id, body?.match(/monitors#(\d+)/)?.[1]);
    const tags = tagList(payload.tags);
    const scope = optionalText(payload.alert_scope ?? payload.scope);
    const at = optionalTime(payload.last_updated) ?? optionalTime(payload.date) ?? input.receivedAt;
    const recovered = transition === 'recovered';
    const link = optionalText(payload.link);
    // One signal per alert cycle (trigger → recovery); the default payload has only the monitor id.
    const externalId = firstText(payload.alert_cycle_key, monitorId ? [monitorId, scope].filter(Boolean).join(':') : undefined, payload.aggreg_key, payload.id);
    const record = signalRecord({
      source: 'datadog',
      external_id: externalId ?? '',
      kind: 'alert',
      url: link ?? (monitorId ? `https://app.datadoghq.com/monitors/${monitorId}` : undefined),
      // A recovery carries no start; the store keeps the earliest occurred_at of merged events.
      occurred_at: time(payload.date ?? at, 'date'),
      resolved_at: recovered ? at : undefined,
      status: recovered ? 'resolved' : 'open',
      title: titleFrom(title || `Datadog monitor ${monitorId ?? externalId ?? ''}`.trim()),
      body: body?.replace(/^%%%\n?|\n?%%%$/g, '').trim(),
      severity: severityOf(payload.priority) ?? ALERT_TYPE_SEVERITY[optionalText(payload.alert_type) ?? ''] ?? (transition.includes('warn') ? 'medium' : undefined),
      service: tagValue(tags, 'service'),
      environment: tagValue(tags, 'env'),
      labels: stringLabels({
        monitor_id: monitorId,
        transition: transition || undefined,
        event_type: payload.event_type,
        org: optionalObject(payload.org)?.name,
        scope,
        hostname: payload.hostname,
        test: isTest ? 'true' : undefined,
        tags: tags.join(',') || undefined,
      }),
      links: uniqueLinks(mentionsIn([title, body]), link ? linksOfUrl(link) : []),
      raw: payload,
    });
    return { status: 'records', records: [record], merge: true };
  },
};
