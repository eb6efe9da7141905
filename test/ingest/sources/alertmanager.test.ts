import { describe, expect, it } from 'vitest';
import { alertmanager } from '../../../src/ingest/sources/alertmanager.ts';
import { PayloadError } from '../../../src/ingest/adapter.ts';
import { fixture, recordsOf, run } from './helpers.ts';

describe('alertmanager adapter (webhook v4)', () => {
  it('reads a firing alert with a fingerprint, keeping the group payload as raw', () => {
    const payload = fixture('alertmanager', 'webhook.v4.firing.fingerprint_truncatedAlerts.json');
    const { fields, raws } = recordsOf(run(alertmanager, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'alertmanager',
        external_id: '1a30ba71cca2921f',
        kind: 'alert',
        url: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0\\u0026g0.tab=1',
        occurred_at: '2023-02-06T13:08:45.828Z',
        title: 'BlackBox Probe Failure: https://server.example.org',
        body: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
        severity: 'critical',
        status: 'open',
        service: 'http_checks',
        labels: { alertname: 'ProbeFailure', instance: 'https://server.example.org', job: 'http_checks', monitor: 'master', severity: 'critical' },
        links: ['url:https://server.example.org', 'url:http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0\\u0026g0.tab=1'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('keys an alert without a fingerprint by a stable hash of its labels, so firing and resolved meet', () => {
    const firing = recordsOf(run(alertmanager, fixture('alertmanager', 'webhook.v4.firing.json'))).fields[0]!;
    const resolved = recordsOf(run(alertmanager, fixture('alertmanager', 'webhook.v4.resolved.json'))).fields[0]!;
    expect(firing).toEqual({
      kind_of_record: 'signal',
      source: 'alertmanager',
      external_id: firing.external_id,
      kind: 'alert',
      url: 'http://localhost:9090/graph?g0.expr=vector%28666%29&g0.tab=1',
      occurred_at: '2018-11-04T21:43:58.283Z',
      title: 'Fire',
      body: 'Something is on fire',
      severity: 'critical',
      status: 'open',
      labels: { alertname: 'Fire', severity: 'critical' },
      links: ['url:http://localhost:9090/graph?g0.expr=vector%28666%29&g0.tab=1'],
    });
    expect(firing.external_id).toMatch(/^[0-9a-f]{16}$/);
    expect(resolved.external_id).toBe(firing.external_id);
    expect(resolved).toMatchObject({ status: 'resolved', resolved_at: '2018-11-04T21:48:13.283Z', occurred_at: '2018-11-04T21:43:58.283Z' });
  });

  it('gives one signal per alert of a group, service from the service label before job', () => {
    const group = {
      version: '4',
      status: 'firing',
      alerts: [
        { status: 'firing', labels: { alertname: 'A', service: 'checkout', job: 'node', env: 'production' }, annotations: {}, startsAt: '2025-11-03T14:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'aaa' },
        { status: 'resolved', labels: { alertname: 'B', job: 'node' }, annotations: { summary: 'see PAY-9' }, startsAt: '2025-11-03T14:00:00Z', endsAt: '2025-11-03T14:30:00Z', fingerprint: 'bbb' },
      ],
    };
    const { fields } = recordsOf(run(alertmanager, group));
    expect(fields.map((f) => [f.external_id, f.service, f.environment, f.status, f.resolved_at, f.links])).toEqual([
      ['aaa', 'checkout', 'production', 'open', undefined, []],
      ['bbb', 'node', undefined, 'resolved', '2025-11-03T14:30:00.000Z', ['jira:PAY-9']],
    ]);
  });

  it('names the field of a malformed group', () => {
    expect(() => run(alertmanager, { version: '4', status: 'firing' })).toThrow(new PayloadError('alerts', 'expected an array, got nothing'));
    expect(() => run(alertmanager, { version: '4', alerts: [{ labels: {} }] })).toThrow(/alerts\[0\]\.labels/);
    expect(() => run(alertmanager, { version: '3', alerts: [] })).toThrow(/version/);
  });
});
