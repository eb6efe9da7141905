import { describe, expect, it } from 'vitest';
import { sentry } from '../../../src/ingest/sources/sentry.ts';
import { fixture, ignoredReason, recordsOf, run } from './helpers.ts';

describe('sentry adapter', () => {
  it('reads an issue.created webhook', () => {
    const payload = fixture('sentry', 'webhook.issue.created.json');
    const { fields, raws } = recordsOf(run(sentry, payload, { headers: { 'sentry-hook-resource': 'issue' } }));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'sentry',
        external_id: '1170820242',
        kind: 'alert',
        occurred_at: '2019-08-19T20:58:37.391Z',
        title: 'ReferenceError: blooopy is not defined',
        body: '?(runner)',
        severity: 'high',
        status: 'open',
        service: 'front-end',
        labels: { short_id: 'FRONT-END-9', level: 'error', platform: 'javascript', substatus: 'escalating', last_action: 'created' },
        links: ['sentry:1170820242'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads an event_alert onto the issue it belongs to', () => {
    const { fields } = recordsOf(run(sentry, fixture('sentry', 'webhook.event_alert.triggered.json'), { headers: { 'sentry-hook-resource': 'event_alert' } }));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'sentry',
        external_id: '1117540176',
        kind: 'alert',
        url: 'https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/',
        occurred_at: '2019-08-19T21:06:17.677Z',
        title: 'ReferenceError: heck is not defined',
        body: '?(<anonymous>)',
        severity: 'high',
        status: 'open',
        service: 'front-end',
        labels: { level: 'error', platform: 'javascript', rule: 'Very Important Alert Rule!', event_id: 'e4874d664c3540c1a32eab185f12c5ab' },
        links: ['sentry:1117540176', 'url:https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/'],
      },
    ]);
  });

  it('keeps the release an event names as a version: link', () => {
    const payload = fixture('sentry', 'webhook.event_alert.triggered.json') as { data: { event: Record<string, unknown> } };
    payload.data.event.release = 'checkout@2.4.1';
    payload.data.event.environment = 'production';
    const { fields } = recordsOf(run(sentry, payload));
    expect(fields[0]).toMatchObject({ environment: 'production', labels: { release: 'checkout@2.4.1' } });
    expect(fields[0]?.links).toContain('version:checkout@2.4.1');
  });

  it('reads a resolved metric alert (description_text keeps its published literal \\n)', () => {
    const { fields } = recordsOf(run(sentry, fixture('sentry', 'webhook.metric_alert.resolved.json'), { headers: { 'sentry-hook-resource': 'metric_alert' } }));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'sentry',
        external_id: 'metric_alert:4',
        kind: 'alert',
        url: 'https://sentry.io/organizations/baz/alerts/1/',
        occurred_at: '2020-09-13T12:26:40.000Z',
        detected_at: '2020-09-13T12:26:40.000Z',
        resolved_at: '2026-01-01T00:00:00.000Z',
        title: 'Too many errors',
        body: '1000 events in the last 10 minutes\nFilter: level:error',
        status: 'resolved',
        service: 'bar',
        labels: { rule_id: '7', aggregate: 'count()', query: 'level:error', last_action: 'resolved', projects: 'bar' },
        links: ['url:https://sentry.io/organizations/baz/alerts/1/'],
      },
    ]);
  });

  it('ignores resources it does not use', () => {
    expect(ignoredReason(run(sentry, { action: 'created', data: { installation: {} } }, { headers: { 'sentry-hook-resource': 'installation' } }))).toBe('Sentry resource installation is not used');
  });
});
