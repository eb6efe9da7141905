// Zendesk: the REST ticket (`{ticket}`, `{tickets: [...]}` or a bare ticket — also the body a
// trigger webhook sends when built as docs/sources.md shows) and event webhooks
// (`zen:event-type:ticket.*`, ticket properties in `detail`). Tickets are support signals; their
// group and brand are kept as labels.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, isObject, type Json, names, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';
import { scopedLabel } from '../tracker-issue.ts';

const RESOLVED = new Set(['solved', 'closed']);

/** Zendesk's agent URL for a ticket, from its API URL. */
function agentUrl(apiUrl: string | undefined, id: string): string | undefined {
  const m = apiUrl?.match(/^(https?:\/\/[^/]+)\/api\/v2\/tickets\//);
  return m ? `${m[1]}/agent/tickets/${id}` : undefined;
}

function tagValue(tags: string[], key: string): string | undefined {
  return scopedLabel(tags, key) ?? tags.find((t) => t.startsWith(`${key}_`))?.slice(key.length + 1);
}

function ticketRecord(input: AdapterInput, ticket: Json, field: string, raw: unknown, eventTime?: string): ImportRecord {
  const id = text(ticket.id, `${field}.id`);
  const status = optionalText(ticket.status)?.toLowerCase();
  // Trigger placeholders render {{ticket.tags}} as one space-separated string.
  const tags = typeof ticket.tags === 'string' ? ticket.tags.split(/\s+/).filter(Boolean) : names(ticket.tags);
  const subject = firstText(ticket.subject, ticket.raw_subject) ?? `Zendesk ticket ${id}`;
  const description = optionalText(ticket.description);
  const url = agentUrl(optionalText(ticket.url), id) ?? optionalText(ticket.url);
  const resolved = status !== undefined && RESOLVED.has(status);
  const priority = optionalText(ticket.priority);
  // An incident ticket names the problem ticket an agent linked it to: the wave of tickets about one
  // outage links to one problem ticket, so correlation joins them all through it.
  const problemId = optionalText(ticket.problem_id);
  return signalRecord({
    source: 'zendesk',
    external_id: id,
    kind: 'support',
    url,
    occurred_at: time(ticket.created_at ?? eventTime, `${field}.created_at`),
    resolved_at: resolved ? (optionalTime(ticket.solved_at) ?? optionalTime(ticket.updated_at) ?? eventTime ?? input.receivedAt) : undefined,
    status: resolved ? 'resolved' : status === 'open' || status === 'pending' || status === 'hold' ? 'acknowledged' : 'open',
    title: titleFrom(subject),
    body: description,
    severity: severityOf(priority),
    service: tagValue(tags, 'service'),
    environment: tagValue(tags, 'env'),
    labels: stringLabels({
      status,
      priority,
      type: ticket.type,
      channel: optionalObject(ticket.via)?.channel,
      // The routing: the group and brand a trigger names (placeholders `{{ticket.group.name}}`,
      // `{{ticket.brand.name}}`), else their ids (REST ticket, ticket events). Correlation learns which
      // services a group talks about (src/domain/venue.ts).
      group: firstText(ticket.group, ticket.group_id),
      brand: firstText(ticket.brand, ticket.brand_id),
      tags: tags.join(',') || undefined,
      problem_id: problemId,
    }),
    links: uniqueLinks([`zendesk:${id}`], problemId ? [`zendesk:${problemId}`] : [], url ? linksOfUrl(url) : [], mentionsIn([subject, description])),
    raw,
  });
}

export const zendesk: SourceAdapter = {
  name: 'zendesk',
  title: 'Zendesk',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const type = optionalText(payload.type);
    if (type?.startsWith('zen:event-type:')) {
      if (!type.startsWith('zen:event-type:ticket.')) return { status: 'ignored', reason: `event ${type} is not about a ticket` };
      const detail = object(payload.detail, 'detail');
      const eventTime = optionalTime(payload.time);
      return { status: 'records', records: [ticketRecord(input, detail, 'detail', payload, eventTime)], merge: true };
    }
    if (Array.isArray(payload.tickets)) {
      return { status: 'records', records: payload.tickets.map((t, i) => ticketRecord(input, object(t, `tickets[${i}]`), `tickets[${i}]`, t)) };
    }
    if (isObject(payload.ticket)) return { status: 'records', records: [ticketRecord(input, payload.ticket, 'ticket', payload)] };
    if (payload.id !== undefined && payload.subject !== undefined) return { status: 'records', records: [ticketRecord(input, payload, '(body)', payload)] };
    throw new PayloadError('ticket', 'expected a Zendesk ticket ({"ticket": {...}}) or an event webhook (zen:event-type:ticket.*)');
  },
};
