import { describe, expect, it } from 'vitest';
import { freshdesk } from '../../../src/ingest/sources/freshdesk.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('freshdesk adapter', () => {
  it('reads the REST ticket (priority 1 → low, status 2 → Open)', () => {
    const payload = fixture('freshdesk', 'rest.ticket.view.json');
    const { fields, raws } = recordsOf(run(freshdesk, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'freshdesk',
        external_id: '1',
        kind: 'support',
        occurred_at: '2016-05-18T04:36:04.000Z',
        title: 'This is a sample ticket',
        body: 'This is a sample ticket, feel free to delete it.',
        severity: 'low',
        status: 'open',
        labels: { status: 'Open', priority: 'Low', type: 'Question', tags: 'foo,bar' },
        links: ['freshdesk:1'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('resolves a status-4 ticket at stats.resolved_at', () => {
    const payload = { ...(fixture('freshdesk', 'rest.ticket.view.json') as object), status: 4, priority: 4 };
    expect(recordsOf(run(freshdesk, payload)).fields[0]).toMatchObject({ status: 'resolved', resolved_at: '2020-07-24T15:35:21.000Z', severity: 'critical', labels: { status: 'Resolved', priority: 'Urgent' } });
  });

  it('keeps the REST ticket\'s routing ids as labels; the product is the service when no tag names one', () => {
    const payload = { ...(fixture('freshdesk', 'rest.ticket.view.json') as object), group_id: 43000567, product_id: 43000123 };
    expect(recordsOf(run(freshdesk, payload)).fields[0]).toMatchObject({ service: '43000123', labels: { group: '43000567', product: '43000123' } });
  });

  it('reads the automation webhook body (written from the docs)', () => {
    const { fields } = recordsOf(run(freshdesk, fixture('freshdesk', 'webhook.automation.json')));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'freshdesk',
        external_id: '4821',
        kind: 'support',
        url: 'https://acme.freshdesk.com/helpdesk/tickets/4821',
        occurred_at: '2025-11-04T09:30:00.000Z',
        title: 'Export to CSV times out',
        body: "Since yesterday's update (v3.2.0) exports never finish.",
        severity: 'critical',
        status: 'open',
        service: 'reporting',
        labels: { status: 'Open', priority: 'Urgent', type: 'Incident', group: 'Tier 2', product: 'Reporting', tags: 'exports,service:reporting' },
        links: ['freshdesk:4821', 'url:https://acme.freshdesk.com/helpdesk/tickets/4821', 'version:v3.2.0'],
      },
    ]);
  });
});
