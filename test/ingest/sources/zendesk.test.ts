import { describe, expect, it } from 'vitest';
import { zendesk } from '../../../src/ingest/sources/zendesk.ts';
import { fixture, ignoredReason, recordsOf, run } from './helpers.ts';

describe('zendesk adapter', () => {
  it('reads the REST ticket (agent URL from the API URL, priority normal → medium)', () => {
    const payload = fixture('zendesk', 'rest.ticket.show.json');
    const { fields, raws } = recordsOf(run(zendesk, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'zendesk',
        external_id: '8867',
        kind: 'support',
        url: 'https://zendeskapi.zd-staging.com/agent/tickets/8867',
        occurred_at: '2015-12-30T01:45:29.000Z',
        title: 'This is a question?',
        body: 'Indeed it is!',
        severity: 'medium',
        status: 'open',
        labels: { status: 'new', priority: 'normal', type: 'question', channel: 'api', brand: '5446', tags: 'awesome,blossom' },
        links: ['zendesk:8867', 'url:https://zendeskapi.zd-staging.com/agent/tickets/8867'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads a ticket event webhook (written from the docs): solved closes it, service from tags', () => {
    const { fields, merge } = recordsOf(run(zendesk, fixture('zendesk', 'event.ticket.status_changed.json')));
    expect(merge).toBe(true);
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'zendesk',
        external_id: '35436',
        kind: 'support',
        occurred_at: '2024-04-17T17:18:10.000Z',
        resolved_at: '2024-04-17T19:02:44.000Z',
        title: 'Charged twice at checkout',
        body: 'Checkout says payment failed but card was charged',
        severity: 'high',
        status: 'resolved',
        service: 'checkout-api',
        labels: { status: 'solved', priority: 'HIGH', type: 'INCIDENT', channel: 'web', group: '4', brand: '5446', tags: 'checkout,service_checkout-api' },
        links: ['zendesk:35436'],
      },
    ]);
  });

  it('keeps the routing a trigger body names (group and brand names) over the ids', () => {
    const payload = fixture('zendesk', 'rest.ticket.show.json') as { ticket: Record<string, unknown> };
    const routed = { ticket: { ...payload.ticket, group_id: 360001, group: 'Payments Tier 2', brand: ' ', tags: 'awesome blossom' } };
    const { fields } = recordsOf(run(zendesk, routed));
    expect(fields[0]!.labels).toEqual({ status: 'new', priority: 'normal', type: 'question', channel: 'api', group: 'Payments Tier 2', brand: '5446', tags: 'awesome,blossom' });
  });

  it('links an incident ticket to the problem ticket it is attached to', () => {
    const payload = fixture('zendesk', 'rest.ticket.show.json') as { ticket: Record<string, unknown> };
    const incident = { ticket: { ...payload.ticket, type: 'incident', problem_id: 8801 } };
    const { fields } = recordsOf(run(zendesk, incident));
    expect(fields[0]).toMatchObject({ labels: expect.objectContaining({ problem_id: '8801' }), links: ['zendesk:8867', 'zendesk:8801', 'url:https://zendeskapi.zd-staging.com/agent/tickets/8867'] });
  });

  it('ignores non-ticket events and names a missing ticket', () => {
    expect(ignoredReason(run(zendesk, { type: 'zen:event-type:user.active_changed', detail: {} }))).toMatch(/not about a ticket/);
    expect(() => run(zendesk, { ticket: { subject: 'x' } })).toThrow(/ticket\.id/);
  });
});
