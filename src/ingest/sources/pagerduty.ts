// PagerDuty: V3 webhooks (`{event: {event_type, data}}`) and the REST incident object (as returned
// by GET /incidents/{id}, alone, wrapped in `{incident}` or listed in `{incidents: [...]}`).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { Severity } from '../../domain/fields.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { mentionsIn, uniqueLinks } from '../mentions.ts';
import { array, firstText, isObject, type Json, names, object, optionalArray, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';

const STATUS = { triggered: 'open', acknowledged: 'acknowledged', resolved: 'resolved' } as const;

function severityOfIncident(incident: Json): Severity | undefined {
  const priority = optionalObject(incident.priority);
  const fromPriority = severityOf(firstText(priority?.summary, priority?.name));
  if (fromPriority) return fromPriority;
  const urgency = optionalText(incident.urgency);
  return urgency === 'high' ? 'high' : urgency === 'low' ? 'low' : undefined;
}

interface IncidentTimes {
  detected_at?: string | undefined;
  resolved_at?: string | undefined;
}

function incidentRecord(incident: Json, field: string, times: IncidentTimes, raw: unknown): ImportRecord {
  const id = text(incident.id, `${field}.id`);
  const status = optionalText(incident.status) as keyof typeof STATUS | undefined;
  const service = optionalObject(incident.service);
  const priority = optionalObject(incident.priority);
  const escalation = optionalObject(incident.escalation_policy);
  const title = firstText(incident.title, incident.summary, incident.description) ?? `PagerDuty incident ${id}`;
  const body = firstText(optionalObject(incident.body)?.details, incident.description !== title ? incident.description : undefined);
  return signalRecord({
    source: 'pagerduty',
    external_id: id,
    kind: 'incident',
    url: optionalText(incident.html_url),
    occurred_at: time(incident.created_at, `${field}.created_at`),
    detected_at: times.detected_at,
    resolved_at: status === 'resolved' ? times.resolved_at : undefined,
    status: status ? STATUS[status] : undefined,
    title: titleFrom(title),
    body,
    severity: severityOfIncident(incident),
    service: firstText(service?.id, service?.summary),
    labels: stringLabels({
      service_name: service?.summary,
      urgency: incident.urgency,
      priority: firstText(priority?.summary, priority?.name),
      incident_number: incident.number ?? incident.incident_number,
      incident_key: incident.incident_key,
      escalation_policy: escalation?.summary,
      teams: names(incident.teams, 'summary').join(',') || undefined,
    }),
    links: uniqueLinks([`pagerduty:${id}`], mentionsIn([title, body])),
    raw,
  });
}

function webhookV3(input: AdapterInput, payload: Json): AdapterOutput {
  const event = object(payload.event, 'event');
  const eventType = text(event.event_type, 'event.event_type');
  if (eventType === 'pagey.ping') return { status: 'ignored', reason: 'pagey.ping (webhook test)' };
  if (!eventType.startsWith('incident.')) return { status: 'ignored', reason: `event_type ${eventType} is not about an incident` };
  const data = object(event.data, 'event.data');
  if (optionalText(data.type) !== 'incident') {
    return { status: 'ignored', reason: `${eventType} carries a ${optionalText(data.type) ?? 'non-incident'} object, not the incident` };
  }
  const at = optionalTime(event.occurred_at) ?? input.receivedAt;
  const times: IncidentTimes = {
    detected_at: eventType === 'incident.acknowledged' ? at : undefined,
    resolved_at: at,
  };
  // Partial events (priority_updated, acknowledged…) keep what earlier events stored.
  return { status: 'records', records: [incidentRecord(data, 'event.data', times, payload)], merge: true };
}

/** Times from the REST object's log entries: the first acknowledgement, the resolution. */
function restTimes(incident: Json): IncidentTimes {
  const entries = optionalArray(incident.log_entries).filter(isObject);
  const at = (type: string) =>
    entries
      .filter((e) => e.type === type)
      .map((e) => optionalTime(e.created_at))
      .filter((t): t is string => t !== undefined)
      .sort();
  const acknowledgements = optionalArray(incident.acknowledgements).filter(isObject).map((a) => optionalTime(a.at)).filter((t): t is string => t !== undefined).sort();
  const resolvedAt = at('resolve_log_entry').at(-1) ?? (incident.status === 'resolved' ? optionalTime(incident.last_status_change_at) : undefined);
  return { detected_at: at('acknowledge_log_entry')[0] ?? acknowledgements[0], resolved_at: resolvedAt };
}

function restIncidents(payload: Json): ImportRecord[] {
  if (Array.isArray(payload.incidents)) {
    return array(payload.incidents, 'incidents').map((value, i) => {
      const incident = object(value, `incidents[${i}]`);
      return incidentRecord(incident, `incidents[${i}]`, restTimes(incident), incident);
    });
  }
  const incident = isObject(payload.incident) ? payload.incident : payload;
  const field = isObject(payload.incident) ? 'incident' : '(body)';
  return [incidentRecord(incident, field, restTimes(incident), payload)];
}

export const pagerduty: SourceAdapter = {
  name: 'pagerduty',
  title: 'PagerDuty',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    if (isObject(payload.event)) return webhookV3(input, payload);
    if (Array.isArray(payload.messages)) return { status: 'ignored', reason: 'PagerDuty webhook v2 is retired; subscribe a V3 webhook' };
    if (payload.type === 'incident' || isObject(payload.incident) || Array.isArray(payload.incidents)) {
      return { status: 'records', records: restIncidents(payload), merge: true };
    }
    throw new PayloadError('event', 'expected a V3 webhook ({"event": {...}}) or a REST incident object');
  },
};
