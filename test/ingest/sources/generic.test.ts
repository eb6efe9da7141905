import { describe, expect, it } from 'vitest';
import { generic } from '../../../src/ingest/sources/generic.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('generic signal webhook', () => {
  it('reads the documented body: severity words, links as kind:value or URLs, mentions in the text', () => {
    const payload = fixture('generic', 'signal.firing.json');
    const { fields, raws, merge } = recordsOf(run(generic, payload));
    expect(merge).toBe(true);
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'generic',
        external_id: 'nagios:chk-502-2025-11-03',
        kind: 'alert',
        url: 'https://nagios.example.com/cgi-bin/extinfo.cgi?host=checkout',
        occurred_at: '2025-11-03T14:05:00.000Z',
        detected_at: '2025-11-03T14:07:00.000Z',
        title: 'checkout-api 502 rate above 5%',
        body: 'Started right after deploy of v2.4.1 (commit 9fceb02); see PAY-123',
        severity: 'critical',
        service: 'checkout-api',
        environment: 'production',
        labels: { team: 'payments', region: 'eu-west-1', origin: 'nagios' },
        links: [
          'pagerduty:PT4KHLK',
          'url:https://github.com/acme/checkout/pull/812',
          'pr:acme/checkout#812',
          'url:https://nagios.example.com/cgi-bin/extinfo.cgi?host=checkout',
          'jira:PAY-123',
          'sha:9fceb02',
          'version:v2.4.1',
        ],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads a resolution that sends only the id, title and times', () => {
    expect(recordsOf(run(generic, fixture('generic', 'signal.resolved.json'))).fields[0]).toEqual({
      kind_of_record: 'signal',
      source: 'generic',
      external_id: 'nagios:chk-502-2025-11-03',
      kind: 'alert',
      occurred_at: '2025-11-03T14:05:00.000Z',
      resolved_at: '2025-11-03T14:48:00.000Z',
      title: 'checkout-api 502 rate above 5%',
      labels: { origin: 'nagios' },
      links: [],
    });
  });

  it('names the field that is missing or wrong, also inside an array', () => {
    expect(() => run(generic, { title: 'x', occurred_at: '2025-11-03T14:05:00Z' })).toThrow('external_id: is required');
    expect(() => run(generic, { external_id: 'a', title: 'x', occurred_at: 'yesterday' })).toThrow(/occurred_at: expected a time/);
    expect(() => run(generic, { external_id: 'a', title: 'x', occurred_at: '2025-11-03T14:05:00Z', severity: 'apocalyptic' })).toThrow(/severity: expected one of critical, high, medium, low/);
    expect(() => run(generic, [{ external_id: 'a', title: 'x', occurred_at: '2025-11-03T14:05:00Z' }, { external_id: 'b' }])).toThrow('[1].title: is required');
  });
});
