// Freshdesk: the REST v2 ticket ("View a ticket", also `[...]` lists) and the automation-rule
// webhook built from placeholders as docs/sources.md shows (`{"freshdesk_webhook": {"ticket_id", …}}`).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { Severity } from '../../domain/fields.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { linksOfUrl, mentionsIn, uniqueLinks } from '../mentions.ts';
import { firstText, isObject, type Json, names, object, optionalObject, optionalText, optionalTime, severityOf, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';
import { scopedLabel } from '../tracker-issue.ts';

// Freshdesk's numeric codes (API v2 reference: priorities and statuses).
const PRIORITY: Record<number, { name: string; severity: Severity }> = {
  1: { name: 'Low', severity: 'low' },
  2: { name: 'Medium', severity: 'medium' },
  3: { name: 'High', severity: 'high' },
  4: { name: 'Urgent', severity: 'critical' },
};
const STATUS: Record<number, string> = { 2: 'Open', 3: 'Pending', 4: 'Resolved', 5: 'Closed' };

interface Ticket {
  id: string;
  subject?: string | undefined;
  description?: string | undefined;
  priority?: string | undefined;
  severity?: Severity | undefined;
  status?: string | undefined;
  type?: string | undefined;
  tags: string[];
  created_at: string;
  resolved_at?: string | undefined;
  url?: string | undefined;
  group?: string | undefined;
  product?: string | undefined;
}

function restTicket(ticket: Json, field: string): Ticket {
  const id = text(ticket.id, `${field}.id`);
  const priority = typeof ticket.priority === 'number' ? PRIORITY[ticket.priority] : undefined;
  const status = typeof ticket.status === 'number' ? STATUS[ticket.status] : optionalText(ticket.status);
  const stats = optionalObject(ticket.stats);
  const resolved = status === 'Resolved' || status === 'Closed';
  return {
    id,
    subject: optionalText(ticket.subject),
    description: firstText(ticket.description_text, ticket.description),
    priority: priority?.name ?? optionalText(ticket.priority_name),
    severity: priority?.severity,
    status,
    type: optionalText(ticket.type),
    tags: names(ticket.tags),
    created_at: time(ticket.created_at, `${field}.created_at`),
    resolved_at: resolved ? (optionalTime(stats?.resolved_at) ?? optionalTime(stats?.closed_at) ?? optionalTime(ticket.updated_at)) : undefined,
    url: undefined,
    group: optionalText(ticket.group_id),
    product: optionalText(ticket.product_id),
  };
}

function webhookTicket(hook: Json, receivedAt: string): Ticket {
  const id = text(hook.ticket_id, 'freshdesk_webhook.ticket_id');
  const status = optionalText(hook.ticket_status);
  const resolved = status === 'Resolved' || status === 'Closed';
  const priority = optionalText(hook.ticket_priority);
  return {
    id,
    subject: optionalText(hook.ticket_subject),
    description: firstText(hook.ticket_description_text, hook.ticket_description),
    priority,
    severity: priority?.toLowerCase() === 'urgent' ? 'critical' : severityOf(priority),
    status,
    type: optionalText(hook.ticket_type),
    tags: (optionalText(hook.ticket_tags) ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    // Freshdesk renders {{ticket.created_on}} in the agent's locale; when it is not ISO the receipt time stands in.
    created_at: optionalTime(hook.ticket_created_at) ?? receivedAt,
    resolved_at: resolved ? (optionalTime(hook.ticket_resolved_at) ?? receivedAt) : undefined,
    url: optionalText(hook.ticket_url),
    group: optionalText(hook.ticket_group_name),
    product: optionalText(hook.ticket_product_name),
  };
}

function ticketRecord(ticket: Ticket, raw: unknown): ImportRecord {
  const title = ticket.subject ?? `Freshdesk ticket ${ticket.id}`;
  return signalRecord({
    source: 'freshdesk',
    external_id: ticket.id,
    kind: 'support',
    url: ticket.url,
    occurred_at: ticket.created_at,
    resolved_at: ticket.resolved_at,
    status: ticket.resolved_at ? 'resolved' : ticket.status === 'Pending' ? 'acknowledged' : 'open',
    title: titleFrom(title),
    body: ticket.description,
    severity: ticket.severity,
    service: scopedLabel(ticket.tags, 'service') ?? ticket.product,
    environment: scopedLabel(ticket.tags, 'env'),
    // The routing (group, product: names from the webhook, ids from the REST ticket): correlation
    // learns which services a group talks about (src/domain/venue.ts).
    labels: stringLabels({ status: ticket.status, priority: ticket.priority, type: ticket.type, group: ticket.group, product: ticket.product, tags: ticket.tags.join(',') || undefined }),
    links: uniqueLinks([`freshdesk:${ticket.id}`], ticket.url ? linksOfUrl(ticket.url) : [], mentionsIn([title, ticket.description])),
    raw,
  });
}

export const freshdesk: SourceAdapter = {
  name: 'freshdesk',
  title: 'Freshdesk',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = input.payload;
    if (Array.isArray(payload)) {
      return { status: 'records', records: payload.map((t, i) => ticketRecord(restTicket(object(t, `[${i}]`), `[${i}]`), t)) };
    }
    const body = object(payload, '(body)');
    if (isObject(body.freshdesk_webhook)) return { status: 'records', records: [ticketRecord(webhookTicket(body.freshdesk_webhook, input.receivedAt), body)], merge: true };
    if (body.id !== undefined) return { status: 'records', records: [ticketRecord(restTicket(body, '(body)'), body)] };
    throw new PayloadError('freshdesk_webhook', 'expected a Freshdesk ticket (id, subject, …) or a webhook body {"freshdesk_webhook": {...}}');
  },
};
