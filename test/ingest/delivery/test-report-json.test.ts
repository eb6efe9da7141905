// Jest/vitest and Playwright JSON reports → the same TestRun as JUnit.
import { describe, expect, it } from 'vitest';
import { testReportJson } from '../../../src/ingest/sources/test-report-json.ts';
import { fixture, only, run } from './helpers.ts';

describe('test-report (JSON)', () => {
  it("this project's own vitest JSON report becomes a TestRun with its counts", () => {
    const report = fixture('junit/vitest-store.json') as { startTime: number };
    const t = only(run(testReportJson, report, { 'x-escapement-release': '0.1.0' }), 'test_run');
    expect(t).toMatchObject({ source: 'test-report', release: '0.1.0', suite: 'jest', passed: 30, failed: 0, skipped: 0, failed_tests: [], started_at: new Date(report.startTime).toISOString() });
  });

  it('a Playwright report: unexpected fails, flaky passes, expected skips skip; tags mark critical paths', () => {
    const t = only(run(testReportJson, fixture('junit/playwright-report.json'), { 'x-escapement-release': '2.4.1', 'x-escapement-service': 'checkout' }), 'test_run');
    expect(t).toMatchObject({
      service: 'checkout',
      suite: 'playwright',
      started_at: '2025-11-03T10:00:00.000Z',
      finished_at: '2025-11-03T10:00:05.401Z',
      passed: 2,
      failed: 1,
      skipped: 1,
      critical_total: 2,
      critical_passed: 1,
      failed_tests: ['checkout.spec.ts › applies a coupon'],
    });
  });

  it('rejects a JSON document that is neither', () => {
    expect(() => run(testReportJson, { results: [] }, { 'x-escapement-release': '1' })).toThrow('(body): expected a Jest/vitest JSON report');
  });
});
