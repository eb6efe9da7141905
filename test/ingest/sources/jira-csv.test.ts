// Jira's CSV export has no published sample in ../shared/fixtures: test/fixtures/jira-csv/export.csv
// was written from Atlassian's documentation of the export (see its README).
import { describe, expect, it } from 'vitest';
import { jiraCsv, jiraCsvTime } from '../../../src/ingest/sources/jira-csv.ts';
import { fixtureText, recordsOf, run } from './helpers.ts';

describe('jira-csv adapter', () => {
  it('reads a production bug as a signal and a staging bug as a defect; a story is not read', () => {
    const { fields } = recordsOf(run(jiraCsv, fixtureText('jira-csv', 'export.csv')));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'jira',
        external_id: 'PAY-123',
        kind: 'ticket',
        occurred_at: '2025-11-03T14:05:00.000Z',
        resolved_at: '2025-11-03T16:40:00.000Z',
        title: 'Checkout returns 502 for EU customers',
        body: 'After deploy of 2.4.1 (commit 9fceb02) checkout fails; see https://acme.atlassian.net/browse/PAY-120',
        severity: 'critical',
        status: 'resolved',
        service: 'checkout-api',
        environment: 'Production EU',
        labels: {
          production: 'true',
          hotfix: 'true',
          status: 'Done',
          project: 'PAY',
          resolution: 'Done',
          issue_type: 'Bug',
          priority: 'Highest',
          components: 'checkout-api,payments',
          affects_versions: '2.4.1',
          fix_versions: '2.4.2',
          classified_as: 'signal: label production',
        },
        links: ['jira:PAY-123', 'url:https://acme.atlassian.net/browse/PAY-120', 'jira:PAY-120', 'sha:9fceb02', 'version:2.4.1', 'version:2.4.2'],
      },
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'PAY-130',
        title: 'Discount rounding wrong in cart',
        service: 'cart',
        severity: 'medium',
        category: 'functional',
        found_at: '2025-11-05T10:15:00.000Z',
        found_in: 'staging',
        release: '2.5.0',
        blocker: false,
        status: 'open',
        labels: { qa: 'true', status: 'In Progress', project: 'PAY', issue_type: 'Bug', priority: 'Medium', components: 'cart', fix_versions: '2.5.0', classified_as: 'defect: issue type Bug' },
      },
    ]);
  });

  it('reads Jira export dates (dd/MMM/yy h:mm a) as UTC', () => {
    expect(jiraCsvTime('03/Nov/25 2:05 PM')).toBe('2025-11-03T14:05:00.000Z');
    expect(jiraCsvTime('01/Jan/26 12:30 AM')).toBe('2026-01-01T00:30:00.000Z');
    expect(jiraCsvTime('2025-11-03 14:05')).toBe('2025-11-03T14:05:00.000Z');
    expect(jiraCsvTime('yesterday')).toBeUndefined();
  });

  it('names the line and column of a bad row', () => {
    expect(() => run(jiraCsv, 'Summary,Issue key,Created\nBroken,PAY-1,not a date\n')).toThrow('line 2: Created: expected a date such as 03/Nov/25 2:05 PM, got "not a date"');
    expect(() => run(jiraCsv, 'Summary,Created\nx,03/Nov/25 2:05 PM\n')).toThrow(/Issue key/);
  });
});
