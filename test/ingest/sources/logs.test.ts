// Splunk and Elastic/Kibana have no published sample in ../shared/fixtures: the payloads in
// test/fixtures/splunk and test/fixtures/elastic were written from the vendors' documentation.
import { describe, expect, it } from 'vitest';
import { splunk } from '../../../src/ingest/sources/splunk.ts';
import { elastic } from '../../../src/ingest/sources/elastic.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('post-deploy log alerts', () => {
  it('splunk: one log signal per triggered alert (sid)', () => {
    const payload = fixture('splunk', 'alert.webhook.json');
    const { fields, raws } = recordsOf(run(splunk, payload));
    const link = 'http://splunk.example.com:8000/app/search/search?q=%7Cloadjob%20scheduler__admin__search__RMD5d6a2e0c1f1b9c2e0_at_1762178700_66';
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'splunk',
        external_id: 'scheduler__admin__search__RMD5d6a2e0c1f1b9c2e0_at_1762178700_66',
        kind: 'log',
        url: link,
        occurred_at: '2025-11-03T14:05:00.000Z',
        title: 'Checkout 5xx after deploy',
        body: 'HTTP 502 from payment gateway after release v2.4.1',
        severity: 'high',
        service: 'checkout-api',
        environment: 'production',
        labels: { app: 'search', owner: 'admin', host: 'checkout-7d9f', sourcetype: 'checkout:app', count: '8' },
        links: [`url:${link}`, 'version:v2.4.1'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
    expect(() => run(splunk, { sid: 'x' })).toThrow(/search_name/);
  });

  it('elastic: the documented template body; recovered closes the same alert', () => {
    const active = recordsOf(run(elastic, fixture('elastic', 'webhook.active.json'))).fields[0];
    const ruleUrl = 'https://kibana.example.com/app/observability/alerts/rules/9d3e5c1a-7b2f-4e61-a0c4-1f2e3d4c5b6a';
    expect(active).toEqual({
      kind_of_record: 'signal',
      source: 'elastic',
      external_id: '9d3e5c1a-7b2f-4e61-a0c4-1f2e3d4c5b6a:5b0f6c7d-8e9f-4a1b-b2c3-d4e5f6a7b8c9',
      kind: 'log',
      url: ruleUrl,
      occurred_at: '2025-11-03T14:07:00.000Z',
      title: 'Checkout error logs above threshold',
      body: 'Error log count for checkout-api is 412 in the last 5 mins (threshold 50). Release v2.4.1',
      severity: 'critical',
      status: 'open',
      service: 'checkout-api',
      environment: 'production',
      labels: { rule_id: '9d3e5c1a-7b2f-4e61-a0c4-1f2e3d4c5b6a', alert_id: '5b0f6c7d-8e9f-4a1b-b2c3-d4e5f6a7b8c9', action_group: 'logs.threshold.fired', tags: 'service:checkout-api,env:production,severity:critical' },
      links: [`url:${ruleUrl}`, 'version:v2.4.1'],
    });
    const recovered = recordsOf(run(elastic, fixture('elastic', 'webhook.recovered.json'))).fields[0];
    expect(recovered).toMatchObject({ external_id: active?.external_id, status: 'resolved', resolved_at: '2025-11-03T14:52:00.000Z' });
  });
});
