import { describe, expect, it } from 'vitest';
import { grafana } from '../../../src/ingest/sources/grafana.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('grafana adapter (unified alerting webhook)', () => {
  it('reads both alerts of the documented example', () => {
    const payload = fixture('grafana', 'webhook.firing.json');
    const { fields, raws } = recordsOf(run(grafana, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'grafana',
        external_id: 'c6eadffa33fcdf37',
        kind: 'alert',
        url: 'https://play.grafana.org/alerting/1afz29v7z/edit',
        occurred_at: '2021-10-12T07:51:03.157Z',
        title: 'This alert was triggered for zone us-1',
        body: 'The system has high memory usage',
        status: 'open',
        labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
        links: ['url:https://myrunbook.com/runbook/1234', 'url:https://play.grafana.org/alerting/1afz29v7z/edit'],
      },
      {
        kind_of_record: 'signal',
        source: 'grafana',
        external_id: 'bc97ff14869b13e3',
        kind: 'alert',
        url: 'https://play.grafana.org/alerting/d1rdpdv7k/edit',
        occurred_at: '2021-10-12T07:56:03.157Z',
        title: 'This alert was triggered for zone eu-1',
        body: 'The system has high CPU usage',
        status: 'open',
        labels: { alertname: 'High CPU usage', team: 'blue', zone: 'eu-1' },
        links: ['url:https://myrunbook.com/runbook/1234', 'url:https://play.grafana.org/alerting/d1rdpdv7k/edit'],
      },
    ]);
    // Each record keeps the group with only its own alert, so it can be re-derived alone.
    expect((raws[1] as { alerts: unknown[] }).alerts).toHaveLength(1);
    expect((raws[1] as { receiver: string }).receiver).toBe('My Super Webhook');
  });
});
