// Opsgenie: the outgoing Webhook integration (alert actions) and the REST incident object
// (GET /v1/incidents: `{data: [...]}`, `{data: {...}}` or the bare incident).
// Webhook `alert.updatedAt` is in nanoseconds, above 2^53: the route parses it as a digit string
// (json-text.ts) and payload.ts reads either form.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, isObject, type Json, names, object, optionalArray, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';

type AlertState = { status?: 'open' | 'acknowledged' | 'resolved'; detected?: boolean; resolved?: boolean };

// Actions that change what we keep; the rest (notes, custom actions, deletes) are not used.
const ACTIONS: Record<string, AlertState> = {
  Create: { status: 'open' },
  Acknowledge: { status: 'acknowledged', detected: true },
  UnAcknowledge: { status: 'open' },
  Close: { status: 'resolved', resolved: true },
  Escalate: {},
  EscalateToNext: {},
  AssignOwnership: {},
  AddTags: {},
  RemoveTags: {},
  UpdatePriority: {},
  UpdateMessage: {},
  UpdateDescription: {},
};

function serviceFromTags(tags: string[]): string | undefined {
  const tag = tags.find((t) => /^service[:=]/i.test(t));
  return tag?.slice(tag.search(/[:=]/) + 1).trim() || undefined;
}

function webhookAlert(input: AdapterInput, payload: Json): AdapterOutput {
  const action = text(payload.action, 'action');
  const state = ACTIONS[action];
  if (state === undefined) return { status: 'ignored', reason: `alert action ${action} is not used` };
  const alert = object(payload.alert, 'alert');
  const id = text(alert.alertId, 'alert.alertId');
  const tags = names(alert.tags);
  const updatedAt = optionalTime(alert.updatedAt) ?? input.receivedAt;
  const message = firstText(alert.message) ?? `Opsgenie alert ${id}`;
  const description = optionalText(alert.description);
  const record = signalRecord({
    source: 'opsgenie',
    external_id: id,
    kind: 'alert',
    occurred_at: time(alert.createdAt, 'alert.createdAt'),
    detected_at: state.detected ? updatedAt : undefined,
    resolved_at: state.resolved ? updatedAt : undefined,
    status: state.status,
    title: titleFrom(message),
    body: description,
    severity: severityOf(alert.priority),
    service: firstText(alert.entity, serviceFromTags(tags)),
    labels: stringLabels({
      tiny_id: alert.tinyId,
      alias: alert.alias,
      priority: alert.priority,
      tags: tags.join(',') || undefined,
      teams: names(alert.teams).join(',') || undefined,
      integration: payload.integrationName,
      last_action: action,
    }),
    links: uniqueLinks([`opsgenie:${id}`], mentionsIn([message, description])),
    raw: payload,
  });
  // Acknowledge/Close events repeat the alert; merging keeps fields an earlier event set.
  return { status: 'records', records: [record], merge: true };
}

function restIncident(incident: Json, field: string, raw: unknown): ImportRecord {
  const id = text(incident.id, `${field}.id`);
  const status = optionalText(incident.status);
  const resolved = status === 'resolved' || status === 'closed';
  const web = optionalText(optionalObject(incident.links)?.web);
  const message = firstText(incident.message) ?? `Opsgenie incident ${id}`;
  const description = optionalText(incident.description);
  const services = names(incident.impactedServices);
  return signalRecord({
    source: 'opsgenie',
    external_id: id,
    kind: 'incident',
    url: web,
    occurred_at: time(incident.impactStartDate ?? incident.createdAt, `${field}.createdAt`),
    resolved_at: resolved ? (optionalTime(incident.impactEndDate) ?? optionalTime(incident.updatedAt)) : undefined,
    status: resolved ? 'resolved' : 'open',
    title: titleFrom(message),
    body: description,
    severity: severityOf(incident.priority),
    service: services[0],
    labels: stringLabels({
      tiny_id: incident.tinyId,
      priority: incident.priority,
      tags: names(incident.tags).join(',') || undefined,
      impacted_services: services.length > 1 ? services.join(',') : undefined,
      owner_team: incident.ownerTeam,
    }),
    links: uniqueLinks([`opsgenie:${id}`], web ? linksOfUrl(web) : [], mentionsIn([message, description])),
    raw,
  });
}

export const opsgenie: SourceAdapter = {
  name: 'opsgenie',
  title: 'Opsgenie',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    if (isObject(payload.alert) || payload.action !== undefined) return webhookAlert(input, payload);
    if (Array.isArray(payload.data)) {
      const records = optionalArray(payload.data).map((v, i) => restIncident(object(v, `data[${i}]`), `data[${i}]`, v));
      return { status: 'records', records };
    }
    if (isObject(payload.data)) return { status: 'records', records: [restIncident(payload.data, 'data', payload)] };
    if (payload.id !== undefined && payload.message !== undefined) return { status: 'records', records: [restIncident(payload, '(body)', payload)] };
    throw new PayloadError('alert', 'expected an Opsgenie webhook ({"action", "alert"}) or a REST incident');
  },
};
