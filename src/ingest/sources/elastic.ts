// Elastic/Kibana alerting through a Webhook connector. Kibana has no fixed body: the action's body is
// a mustache template, so docs/sources.md gives the one this adapter reads (rule, alert, context,
// date; `alert.action_group` "recovered" closes the signal).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, names, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, titleFrom } from '../payload.ts';

/** `{{rule.tags}}` renders as `a,b` text; a hand-written body may send an array. */
function tagsOf(value: unknown): string[] {
  return Array.isArray(value) ? names(value) : (optionalText(value) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

export const elastic: SourceAdapter = {
  name: 'elastic',
  title: 'Elastic / Kibana alerting (webhook connector)',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const rule = object(payload.rule, 'rule');
    const alert = optionalObject(payload.alert) ?? {};
    const context = optionalObject(payload.context) ?? {};
    const ruleId = text(rule.id, 'rule.id');
    const alertId = firstText(alert.uuid, alert.id);
    const group = optionalText(alert.action_group ?? alert.actionGroup);
    const recovered = group === 'recovered';
    const at = optionalTime(payload.date) ?? input.receivedAt;
    const url = firstText(rule.url, context.url, context.alertDetailsUrl);
    const message = firstText(context.message, context.reason);
    const tags = tagsOf(rule.tags);
    const tagValue = (key: string) => tags.find((t) => t.startsWith(`${key}:`))?.slice(key.length + 1);
    return {
      status: 'records',
      records: [
        signalRecord({
          source: 'elastic',
          external_id: alertId ? `${ruleId}:${alertId}` : ruleId,
          kind: 'log',
          url,
          // A recovery carries no start; the store keeps the earliest occurred_at of merged events.
          occurred_at: at,
          resolved_at: recovered ? at : undefined,
          status: recovered ? 'resolved' : 'open',
          title: titleFrom(firstText(rule.name, message) ?? ruleId),
          body: message,
          severity: severityOf(firstText(payload.severity, tagValue('severity'), group)),
          service: firstText(payload.service, tagValue('service')),
          environment: firstText(payload.environment, tagValue('env')),
          labels: stringLabels({ rule_id: ruleId, alert_id: alertId, action_group: group, tags: tags.join(',') || undefined }),
          links: uniqueLinks(url ? linksOfUrl(url) : [], mentionsIn([message])),
          raw: payload,
        }),
      ],
      merge: true,
    };
  },
};
