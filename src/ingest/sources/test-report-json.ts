// Test reports as JSON: Jest's `--json` output (also what vitest's `--reporter=json` writes) and
// Playwright's JSON reporter. The same TestRun as a JUnit report: counts, failing tests, critical paths,
// release candidate from `X-Escapement-Release` (docs/delivery-sources.md, "Test reports").
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import { isObject, type Json, object, optionalArray, optionalObject, optionalText, optionalTime } from '../payload.ts';
import { tagsInName, testRunOf, type TestCaseResult } from './junit.ts';

const SOURCE = 'test-report';

const JEST_OUTCOME: Record<string, TestCaseResult['outcome']> = { passed: 'passed', failed: 'failed', pending: 'skipped', skipped: 'skipped', todo: 'skipped', disabled: 'skipped' };

function jestCases(report: Json): TestCaseResult[] {
  return optionalArray(report.testResults).flatMap((file, f) =>
    optionalArray(object(file, `testResults[${f}]`).assertionResults).map((value, a) => {
      const assertion = object(value, `testResults[${f}].assertionResults[${a}]`);
      const title = optionalText(assertion.title) ?? '(unnamed test)';
      const ancestors = optionalArray(assertion.ancestorTitles).map((t) => optionalText(t)).filter((t): t is string => t !== undefined);
      const fullName = [...ancestors, title].join(' › ');
      const status = optionalText(assertion.status) ?? '';
      const outcome = JEST_OUTCOME[status];
      if (outcome === undefined) throw new PayloadError(`testResults[${f}].assertionResults[${a}].status`, `expected passed, failed, pending, skipped, todo or disabled, got ${JSON.stringify(assertion.status)}`);
      return { fullName, outcome, tags: tagsInName(fullName) };
    }),
  );
}

function playwrightCases(suite: Json, path: string[], into: TestCaseResult[]): TestCaseResult[] {
  const title = optionalText(suite.title);
  const here = title ? [...path, title] : path;
  for (const value of optionalArray(suite.specs)) {
    const spec = object(value, 'suites[].specs[]');
    const specTitle = optionalText(spec.title) ?? '(unnamed test)';
    const tags = [...optionalArray(spec.tags).map((t) => optionalText(t)?.replace(/^@/, '').toLowerCase()).filter((t): t is string => t !== undefined), ...tagsInName(specTitle)];
    const tests = optionalArray(spec.tests).map((t) => optionalObject(t)).filter((t): t is Json => t !== undefined);
    for (const test of tests) {
      const project = optionalText(test.projectName);
      const status = optionalText(test.status);
      // A flaky test passed on retry; `expected` with an expected skip is a skip.
      const outcome: TestCaseResult['outcome'] =
        status === 'skipped' || optionalText(test.expectedStatus) === 'skipped' ? 'skipped' : status === 'unexpected' ? 'failed' : 'passed';
      const fullName = [...here, specTitle].join(' › ') + (project && tests.length > 1 ? ` [${project}]` : '');
      into.push({ fullName, outcome, tags });
    }
  }
  for (const child of optionalArray(suite.suites)) if (isObject(child)) playwrightCases(child, here, into);
  return into;
}

export function testReportJsonRecords(input: AdapterInput): AdapterOutput {
  const report = object(input.payload, '(body)');
  const identity = JSON.stringify(report);
  if (Array.isArray(report.testResults)) {
    return {
      status: 'records',
      records: [
        testRunOf(input, {
          source: SOURCE,
          cases: jestCases(report),
          properties: {},
          suite: 'jest',
          startedAt: optionalTime(report.startTime),
          seconds: 0,
          identity,
        }),
      ],
    };
  }
  if (Array.isArray(report.suites)) {
    const stats = optionalObject(report.stats) ?? {};
    return {
      status: 'records',
      records: [
        testRunOf(input, {
          source: SOURCE,
          cases: report.suites.filter(isObject).flatMap((s) => playwrightCases(s, [], [])),
          properties: {},
          suite: 'playwright',
          startedAt: optionalTime(stats.startTime),
          seconds: typeof stats.duration === 'number' ? stats.duration / 1000 : 0,
          identity,
        }),
      ],
    };
  }
  throw new PayloadError('(body)', 'expected a Jest/vitest JSON report (testResults) or a Playwright JSON report (suites)');
}

export const testReportJson: SourceAdapter = {
  name: SOURCE,
  title: 'Jest, vitest or Playwright JSON test report',
  emits: ['test_run'],
  format: 'json',
  toRecords: testReportJsonRecords,
};
