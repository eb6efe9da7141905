// JUnit XML → one TestRun per report: counts, failing tests, critical paths, release candidate.
import { describe, expect, it } from 'vitest';
import { junit } from '../../../src/ingest/sources/junit.ts';
import { ConfigSchema } from '../../../src/domain/config.ts';
import { fixtureText, only, run, RECEIVED_AT } from './helpers.ts';

describe('junit', () => {
  it("this project's own vitest run becomes a TestRun with its counts", () => {
    const xml = fixtureText('junit/vitest-store.xml');
    const output = run(junit, xml, { 'x-escapement-release': '0.1.0', 'x-escapement-service': 'escapement' });
    const t = only(output, 'test_run');
    expect(t).toMatchObject({
      source: 'junit',
      service: 'escapement',
      release: '0.1.0',
      suite: 'vitest tests',
      suite_kind: 'regression',
      started_at: '2026-11-22T16:18:14.124Z',
      finished_at: '2026-11-22T16:18:19.957Z',
      passed: 22,
      failed: 0,
      skipped: 0,
      critical_total: 0,
      critical_passed: 0,
      failed_tests: [],
    });
    expect(t.external_id).toMatch(/^escapement\/0\.1\.0\/[0-9a-f]{16}$/);
    // The same report twice is the same record.
    expect(only(run(junit, xml, { 'x-escapement-release': '0.1.0', 'x-escapement-service': 'escapement' }), 'test_run').external_id).toBe(t.external_id);
  });

  it('counts failures, errors and skips, names the failing tests and finds the critical paths', () => {
    const config = ConfigSchema.parse({ test_reports: { critical_paths: ['payment › pays by invoice'] } });
    const t = only(run(junit, fixtureText('junit/mixed-results.xml'), {}, config), 'test_run');
    expect(t).toMatchObject({
      release: '2.4.1',
      suite: 'checkout e2e',
      started_at: '2025-11-03T10:00:00.000Z',
      finished_at: '2025-11-03T10:00:12.500Z',
      passed: 3,
      failed: 2,
      skipped: 1,
      // @smoke (passed), tag=critical (error), [critical] (passed), the configured pattern (passed)
      critical_total: 4,
      critical_passed: 3,
      failed_tests: ['cart › removes an item', 'payment › pays by card'],
    });
    expect(t.service).toBeUndefined();
  });

  it('the header names the release before the report does; a file name names it when nothing else does', () => {
    const xml = fixtureText('junit/vitest-store.xml');
    expect(only(run(junit, fixtureText('junit/mixed-results.xml'), { 'x-escapement-release': '2.5.0-rc.1' }), 'test_run').release).toBe('2.5.0-rc.1');
    expect(only(run(junit, xml, { 'x-escapement-file': 'reports/junit-3.1.0.xml' }), 'test_run').release).toBe('3.1.0');
  });

  it('a single <testsuite> root works, and a report without times started when received', () => {
    const xml = '<testsuite name="smoke"><testcase name="home page"/><testcase name="login"><failure/></testcase></testsuite>';
    expect(only(run(junit, xml, { 'x-escapement-release': '1.0.0', 'x-escapement-suite-kind': 'smoke' }), 'test_run')).toMatchObject({ suite: 'smoke', suite_kind: 'smoke', passed: 1, failed: 1, started_at: RECEIVED_AT });
  });

  it('rejects malformed XML, a document without test suites, and a report without a release', () => {
    expect(() => run(junit, '<testsuites><testsuite name="x"></testsuites>', { 'x-escapement-release': '1' })).toThrow(/^\(body\): not well-formed XML: .*line 1/);
    expect(() => run(junit, '<report/>', { 'x-escapement-release': '1' })).toThrow('testsuite: expected a <testsuites> or <testsuite> root');
    expect(() => run(junit, fixtureText('junit/vitest-store.xml'))).toThrow('release: name the release candidate');
    expect(() => run(junit, { not: 'xml' })).toThrow('(body): expected a JUnit XML document');
  });
});
