// Where a person raised a report: the chat channel a message was posted in, the help-desk group a
// support ticket was routed to. People raise a product area's trouble in that area's room, so the
// correlator learns which services a venue talks about from the reports links or names placed, and
// uses it for the reports nothing placed (docs/pipeline.md, Correlation).

/** The labels a support ticket's routing is kept in, most specific first: an agent group serves a few services, a brand or product many. */
export const SUPPORT_ROUTING_LABELS = ['group', 'brand', 'product'] as const;

/** The report kinds that have a venue; each counts its reports by its own noun in a join's reason. */
export const VENUE_REPORTS: Readonly<Record<string, string>> = { chat: 'message', support: 'ticket' };

const labelText = (value: unknown): string | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
};

/**
 * The venue of a report, as a person reads it and as the correlator keys it: `channel #payments` for
 * chat (the `channel` label), `zendesk group 4` for a support ticket (its `group`, else `brand`, else
 * `product` label; scoped by source, as two help desks number their groups alike). A ticket's `channel`
 * label is how it arrived (email, web), not whose it is: it is no venue. Null for other kinds.
 */
export function venueOf(signal: { kind: string; source: string; labels: Readonly<Record<string, unknown>> }): string | null {
  if (signal.kind === 'chat') {
    const channel = labelText(signal.labels.channel);
    return channel ? `channel ${channel}` : null;
  }
  if (signal.kind !== 'support') return null;
  for (const key of SUPPORT_ROUTING_LABELS) {
    const value = labelText(signal.labels[key]);
    if (value) return `${signal.source} ${key} ${value}`;
  }
  return null;
}
