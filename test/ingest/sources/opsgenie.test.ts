import { describe, expect, it } from 'vitest';
import { opsgenie } from '../../../src/ingest/sources/opsgenie.ts';
import { fixture, fixtureText, ignoredReason, recordsOf, run } from './helpers.ts';

const ALERT_ID = '052652ac-5d1c-464a-812a-7dd18bbfba8c';

describe('opsgenie adapter', () => {
  it('reads the webhook Create action', () => {
    const payload = fixture('opsgenie', 'webhook.alert.create.json');
    const { fields, raws, merge } = recordsOf(run(opsgenie, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'opsgenie',
        external_id: ALERT_ID,
        kind: 'alert',
        occurred_at: '2015-01-05T10:03:11.104Z',
        title: 'test alert',
        status: 'open',
        labels: { tiny_id: '23', alias: 'aliastest', tags: 'tag1,tag2', teams: 'team1,team2', integration: 'Integration1', last_action: 'Create' },
        links: [`opsgenie:${ALERT_ID}`],
      },
    ]);
    expect(raws[0]).toEqual(payload);
    expect(merge).toBe(true);
  });

  it('reads updatedAt (nanoseconds, above 2^53) without losing it: the acknowledgement time', () => {
    const text = fixtureText('opsgenie', 'webhook.alert.acknowledge.json');
    expect(text).toContain('"updatedAt":1420452224764002246');
    const payload = fixture('opsgenie', 'webhook.alert.acknowledge.json') as { alert: { updatedAt: unknown } };
    // Kept exactly, as digits, in the raw payload.
    expect(payload.alert.updatedAt).toBe('1420452224764002246');
    const { fields } = recordsOf(run(opsgenie, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'opsgenie',
        external_id: ALERT_ID,
        kind: 'alert',
        occurred_at: '2015-01-05T10:03:11.104Z',
        detected_at: '2015-01-05T10:03:44.764Z',
        title: 'test alert',
        status: 'acknowledged',
        labels: { tiny_id: '23', alias: 'aliastest', tags: 'tag1,tag2', integration: 'Integration1', last_action: 'Acknowledge' },
        links: [`opsgenie:${ALERT_ID}`],
      },
    ]);
  });

  it('reads REST incidents, open and resolved', () => {
    const common = { kind_of_record: 'signal', source: 'opsgenie', kind: 'incident', body: 'Test Description', service: '695bce3d-4621-4630-8ae1-24eb89c22d6e' };
    const web = (id: string) => `https://sandesvitor.app.opsgenie.com/incident/detail/${id}`;
    expect(recordsOf(run(opsgenie, fixture('opsgenie', 'rest.incident.open.json'))).fields).toEqual([
      {
        ...common,
        external_id: '3a74524a-f492-4172-b3f5-6041c7cb404a',
        url: web('3a74524a-f492-4172-b3f5-6041c7cb404a'),
        occurred_at: '2023-09-06T14:30:56.346Z',
        title: 'Incident#1',
        severity: 'medium',
        status: 'open',
        labels: { tiny_id: '3', priority: 'P3' },
        links: ['opsgenie:3a74524a-f492-4172-b3f5-6041c7cb404a', `url:${web('3a74524a-f492-4172-b3f5-6041c7cb404a')}`],
      },
    ]);
    expect(recordsOf(run(opsgenie, { data: [fixture('opsgenie', 'rest.incident.resolved.json')] })).fields).toEqual([
      {
        ...common,
        external_id: '3f84e009-7548-4e7d-832a-fa82c1ceb6b1',
        url: web('3f84e009-7548-4e7d-832a-fa82c1ceb6b1'),
        occurred_at: '2023-09-05T18:20:28.003Z',
        resolved_at: '2023-09-05T18:21:21.490Z',
        title: 'Incident#2',
        severity: 'low',
        status: 'resolved',
        labels: { tiny_id: '1', priority: 'P5' },
        links: ['opsgenie:3f84e009-7548-4e7d-832a-fa82c1ceb6b1', `url:${web('3f84e009-7548-4e7d-832a-fa82c1ceb6b1')}`],
      },
    ]);
  });

  it('closes on Close, ignores notes, and names a missing alert id', () => {
    const create = fixture('opsgenie', 'webhook.alert.create.json') as Record<string, unknown>;
    const closed = recordsOf(run(opsgenie, { ...create, action: 'Close' })).fields[0];
    expect(closed).toMatchObject({ status: 'resolved', resolved_at: '2015-01-05T10:03:13.166Z' });
    expect(ignoredReason(run(opsgenie, { ...create, action: 'AddNote' }))).toBe('alert action AddNote is not used');
    expect(() => run(opsgenie, { action: 'Create', alert: { createdAt: 1 } })).toThrow(/alert\.alertId/);
  });
});
