import { describe, expect, it } from 'vitest';
import { pagerduty } from '../../../src/ingest/sources/pagerduty.ts';
import { fixture, ignoredReason, recordsOf, run } from './helpers.ts';

const nandos = (extra: Record<string, unknown>) => ({
  kind_of_record: 'signal',
  source: 'pagerduty',
  kind: 'incident',
  severity: 'high',
  service: 'PH3DA7T',
  ...extra,
});

describe('pagerduty adapter', () => {
  it('reads a V3 incident.triggered delivery', () => {
    const payload = fixture('pagerduty', 'v3.incident.triggered.json');
    const { fields, raws, merge } = recordsOf(run(pagerduty, payload));
    expect(fields).toEqual([
      nandos({
        external_id: 'Q0AHT8EU4OF9X0',
        url: 'https://nandos-chickenland-ltd.pagerduty.com/incidents/Q0AHT8EU4OF9X0',
        occurred_at: '2022-02-02T11:12:57.000Z',
        title: 'The DNS is on test 006.',
        status: 'open',
        labels: {
          service_name: 'GCP DNS',
          urgency: 'high',
          incident_number: '6230',
          incident_key: 'f8012a3896cf4ba4a911a51bfd22df87',
          escalation_policy: 'Developer Experience - Default escalation',
          teams: 'Developer Experience',
        },
        links: ['pagerduty:Q0AHT8EU4OF9X0'],
      }),
    ]);
    expect(raws[0]).toEqual(payload);
    expect(merge).toBe(true);
  });

  it('closes the incident on incident.resolved at the event time', () => {
    const { fields } = recordsOf(run(pagerduty, fixture('pagerduty', 'v3.incident.resolved.json')));
    expect(fields).toEqual([
      nandos({
        external_id: 'Q2WDOG8NVH9IE5',
        url: 'https://nandos-chickenland-ltd.pagerduty.com/incidents/Q2WDOG8NVH9IE5',
        occurred_at: '2022-02-02T10:43:25.000Z',
        resolved_at: '2022-02-02T10:57:28.484Z',
        title: 'The DNS is on test 004.',
        status: 'resolved',
        labels: {
          service_name: 'GCP DNS',
          urgency: 'high',
          incident_number: '6226',
          incident_key: '0610f16591ee4198b18c47b4cbac1110',
          escalation_policy: 'Developer Experience - Default escalation',
          teams: 'Developer Experience',
        },
        links: ['pagerduty:Q2WDOG8NVH9IE5'],
      }),
    ]);
  });

  it('takes severity from the priority when there is one (P1 → critical)', () => {
    const { fields } = recordsOf(run(pagerduty, fixture('pagerduty', 'v3.incident.priority_updated.json')));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'pagerduty',
        external_id: 'PGR0VU2',
        kind: 'incident',
        url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        occurred_at: '2020-04-09T15:16:27.000Z',
        title: 'A little bump in the road',
        severity: 'critical',
        status: 'open',
        service: 'PF9KMXH',
        labels: { service_name: 'API Service', urgency: 'high', priority: 'P1', incident_number: '2', incident_key: 'd3640fbd41094207a1c11e58e46b1662', escalation_policy: 'Default', teams: 'Engineering' },
        links: ['pagerduty:PGR0VU2'],
      },
    ]);
  });

  it('reads REST incidents: detected at the first acknowledgement, resolved at the resolve log entry', () => {
    const rest = (file: string) => recordsOf(run(pagerduty, fixture('pagerduty', file))).fields[0];
    const common = { kind_of_record: 'signal', source: 'pagerduty', kind: 'incident', service: 'PIKL83L' };
    const labels = (n: string, key: string, urgency: string) => ({ service_name: 'DevService', urgency, incident_number: n, incident_key: key, escalation_policy: 'Default' });
    expect(rest('rest.incident.triggered.json')).toEqual({
      ...common,
      external_id: 'Q3YON8WNWTZMRQ',
      url: 'https://keon-test.pagerduty.com/incidents/Q3YON8WNWTZMRQ',
      occurred_at: '2022-11-03T06:23:06.000Z',
      detected_at: '2022-11-03T06:23:07.000Z',
      title: 'Crash reported',
      severity: 'high',
      status: 'open',
      labels: labels('4', 'bb60942875634ee6a7fe94ddb51c3a09', 'high'),
      links: ['pagerduty:Q3YON8WNWTZMRQ'],
    });
    expect(rest('rest.incident.acknowledged.json')).toEqual({
      ...common,
      external_id: 'Q3CZAU7Q4008QD',
      url: 'https://keon-test.pagerduty.com/incidents/Q3CZAU7Q4008QD',
      occurred_at: '2022-11-03T06:44:28.000Z',
      detected_at: '2022-11-03T06:44:37.000Z',
      title: 'Slow startup',
      severity: 'high',
      status: 'acknowledged',
      labels: labels('5', 'd7bc6d39c37e4af8b206a12ff6b05793', 'high'),
      links: ['pagerduty:Q3CZAU7Q4008QD'],
    });
    expect(rest('rest.incident.resolved.json')).toEqual({
      ...common,
      external_id: 'Q1OHFWFP3GPXOG',
      url: 'https://keon-test.pagerduty.com/incidents/Q1OHFWFP3GPXOG',
      occurred_at: '2022-11-03T06:45:36.000Z',
      detected_at: '2022-11-03T06:45:46.000Z',
      resolved_at: '2022-11-03T06:51:44.000Z',
      title: 'Spamming logs',
      severity: 'low',
      status: 'resolved',
      labels: labels('6', '9f5acd07975e4c57bc717d8d9e066785', 'low'),
      links: ['pagerduty:Q1OHFWFP3GPXOG'],
    });
  });

  it('reads a list envelope and ignores events that are not about an incident', () => {
    const incident = fixture('pagerduty', 'rest.incident.resolved.json');
    expect(recordsOf(run(pagerduty, { incidents: [incident] })).fields[0]?.external_id).toBe('Q1OHFWFP3GPXOG');
    expect(ignoredReason(run(pagerduty, { event: { event_type: 'pagey.ping', data: {} } }))).toMatch(/ping/);
    expect(ignoredReason(run(pagerduty, { event: { event_type: 'service.updated', data: { type: 'service' } } }))).toMatch(/not about an incident/);
    expect(ignoredReason(run(pagerduty, { event: { event_type: 'incident.annotated', data: { type: 'incident_note' } } }))).toMatch(/incident_note/);
    expect(() => run(pagerduty, { event: { event_type: 'incident.triggered', data: { type: 'incident', id: 'P1' } } })).toThrow(/event\.data\.created_at/);
  });
});
