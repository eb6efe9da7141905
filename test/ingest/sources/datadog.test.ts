import { describe, expect, it } from 'vitest';
import { datadog } from '../../../src/ingest/sources/datadog.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('datadog adapter (Webhooks integration)', () => {
  it('reads the default monitor payload: monitor id from the message, transition and [TEST] from the title', () => {
    const payload = fixture('datadog', 'webhook.monitor.triggered.json');
    const { fields, raws } = recordsOf(run(datadog, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'datadog',
        external_id: '18692904',
        kind: 'alert',
        url: 'https://app.datadoghq.com/monitors/18692904',
        occurred_at: '2020-06-03T20:43:05.000Z',
        title: 'Host Cluster Alert',
        body:
          '@webhook-relay-test\n@webhook-relay-prod-demo\n@webhook-relay\n\nTest notification triggered by kenaz@puppet.com.\n\n\n\nThe monitor was last triggered at Wed Jun 03 2020 20:43:04 UTC.\n\n- - -\n\n[[Monitor Status](https://app.datadoghq.com/monitors#18692904?)] · [[Edit Monitor](https://app.datadoghq.com/monitors#18692904/edit)]',
        status: 'open',
        labels: { monitor_id: '18692904', transition: 'triggered', event_type: 'service_check', org: 'Puppet', test: 'true' },
        links: ['url:https://app.datadoghq.com/monitors#18692904', 'url:https://app.datadoghq.com/monitors#18692904/edit'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads the recommended payload: alert cycle key, tags for service and env, recovery closes', () => {
    const body = {
      alert_cycle_key: '7436852117234093823',
      alert_id: '18692904',
      alert_transition: 'Recovered',
      alert_type: 'success',
      title: '[Recovered] checkout p99 latency',
      body: 'p99 back under 300ms',
      date: '1762179600000',
      last_updated: '1762179600000',
      tags: 'env:production,service:checkout-api,team:payments',
      link: 'https://app.datadoghq.com/event/event?id=1',
    };
    const { fields } = recordsOf(run(datadog, body));
    expect(fields[0]).toMatchObject({
      external_id: '7436852117234093823',
      status: 'resolved',
      resolved_at: '2025-11-03T14:20:00.000Z',
      title: 'checkout p99 latency',
      service: 'checkout-api',
      environment: 'production',
      severity: 'low',
      url: 'https://app.datadoghq.com/event/event?id=1',
    });
  });
});
