// JUnit XML test reports, the format nearly every test runner can write: one TestRun per report for a
// release candidate, with pass/fail/skip counts, the failing tests and the critical paths (by name
// pattern or tag, `test_reports:` in the configuration). The release candidate comes from the
// `X-Escapement-Release` header (the webhook route passes headers, not the query), else a `release`
// property in the report, else the report's file name (`X-Escapement-File`).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { PayloadError } from '../adapter.ts';
import type { Config } from '../../domain/config.ts';
import { firstText, isObject, type Json, optionalArray, optionalText, optionalTime, stableId } from '../payload.ts';
import { escapementHeader, testRunRecord } from './deployment.ts';

const SOURCE = 'junit';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped'].includes(name),
});

export interface TestCaseResult {
  /** `classname › name`, as failed_tests lists it. */
  fullName: string;
  outcome: 'passed' | 'failed' | 'skipped';
  tags: string[];
}

interface Suite {
  name?: string | undefined;
  timestamp?: string | undefined;
  seconds: number;
  properties: Record<string, string>;
  cases: TestCaseResult[];
}

function propertiesOf(node: Json): Record<string, string> {
  const out: Record<string, string> = {};
  const holder = optionalArray(node.properties).length > 0 ? optionalArray(node.properties)[0] : node.properties;
  for (const property of optionalArray(isObject(holder) ? holder.property : undefined)) {
    if (!isObject(property)) continue;
    const name = optionalText(property.name);
    const value = firstText(property.value, property['#text']);
    if (name && value) out[name] = out[name] ? `${out[name]},${value}` : value;
  }
  return out;
}

const TAG_IN_NAME = /(?:^|\s)@([\w-]+)|\[([\w-]+)\]/g;

/** Tags written in a test's name: `@smoke`, `[critical]`. */
export function tagsInName(name: string): string[] {
  return [...name.matchAll(TAG_IN_NAME)].map((m) => (m[1] ?? m[2])!.toLowerCase());
}

function caseOf(node: Json): TestCaseResult {
  const name = optionalText(node.name) ?? '(unnamed test)';
  const classname = optionalText(node.classname);
  const properties = propertiesOf(node);
  const tags = tagsInName(name);
  for (const key of ['tag', 'tags']) if (properties[key]) tags.push(...properties[key].split(/[,\s]+/).filter(Boolean).map((t) => t.replace(/^@/, '').toLowerCase()));
  const failed = optionalArray(node.failure).length > 0 || optionalArray(node.error).length > 0;
  const skipped = 'skipped' in node;
  return { fullName: classname ? `${classname} › ${name}` : name, outcome: failed ? 'failed' : skipped ? 'skipped' : 'passed', tags };
}

/** Suites in document order, nested suites flattened. */
function suitesOf(node: Json, into: Suite[] = []): Suite[] {
  for (const value of optionalArray(node.testsuite)) {
    if (!isObject(value)) continue;
    into.push({
      name: optionalText(value.name),
      timestamp: optionalText(value.timestamp),
      seconds: Number(value.time ?? 0) || 0,
      properties: propertiesOf(value),
      cases: optionalArray(value.testcase).filter(isObject).map(caseOf),
    });
    suitesOf(value, into);
  }
  return into;
}

/** A glob (`checkout*`, `*payment*`) or a `/regex/` as a case-insensitive test. */
export function namePattern(pattern: string): RegExp {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) return new RegExp(regex[1]!, regex[2]!.includes('i') ? regex[2] : `${regex[2]}i`);
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

export function isCriticalPath(test: TestCaseResult, config: Config['test_reports']): boolean {
  const tags = new Set(config.critical_tags.map((t) => t.toLowerCase()));
  if (test.tags.some((t) => tags.has(t))) return true;
  return config.critical_paths.some((p) => namePattern(p).test(test.fullName));
}

// Runners write JUnit times without a zone; they are read as UTC.
function suiteTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return optionalTime(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
}

function releaseFromFileName(path: string, pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    throw new PayloadError('test_reports.release_from_file', `the configured pattern is not a regular expression: ${pattern}`);
  }
  return regex.exec(path.split(/[\\/]/).pop()!)?.[1];
}

export function junitRecords(input: AdapterInput): AdapterOutput {
  const xml = typeof input.payload === 'string' ? input.payload : Buffer.isBuffer(input.payload) ? input.payload.toString('utf8') : undefined;
  if (xml === undefined || xml.trim() === '') throw new PayloadError('(body)', 'expected a JUnit XML document');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new PayloadError('(body)', `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const document = parser.parse(xml) as Json;
  const root = isObject(document.testsuites) ? document.testsuites : document;
  const suites = suitesOf(root);
  if (suites.length === 0) throw new PayloadError('testsuite', 'expected a <testsuites> or <testsuite> root with test cases');

  const rootProperties = isObject(document.testsuites) ? propertiesOf(document.testsuites) : {};
  const startedAt = suites.map((s) => suiteTime(s.timestamp)).filter((t): t is string => t !== undefined).sort()[0];
  const seconds = isObject(document.testsuites) && Number(document.testsuites.time) > 0 ? Number(document.testsuites.time) : suites.reduce((sum, s) => sum + s.seconds, 0);
  const record = testRunOf(input, {
    source: SOURCE,
    cases: suites.flatMap((s) => s.cases),
    properties: Object.assign({}, ...suites.map((s) => s.properties), rootProperties) as Record<string, string>,
    suite: firstText(isObject(document.testsuites) ? document.testsuites.name : undefined, suites.length === 1 ? suites[0]!.name : undefined),
    startedAt,
    seconds,
    identity: xml,
  });
  return { status: 'records', records: [record] };
}

/** What a test report says, whatever its format, before it becomes a TestRun. */
export interface TestReport {
  source: string;
  cases: TestCaseResult[];
  /** Report-level properties: `release`, `version`, `service`, `suite_kind`. */
  properties: Record<string, string>;
  suite?: string | undefined;
  startedAt?: string | undefined;
  seconds: number;
  /** The report's text: the same report twice is the same record. */
  identity: string;
}

/** One TestRun for a release candidate: counts, failing tests and critical paths. */
export function testRunOf(input: AdapterInput, report: TestReport): ImportRecord {
  const settings = input.config.test_reports;
  const fileName = optionalText(input.headers['x-escapement-file']);
  const fromFile = fileName ? releaseFromFileName(fileName, settings.release_from_file) : undefined;
  const { properties, cases } = report;
  const release = firstText(escapementHeader(input, 'release'), properties.release, properties.version, fromFile);
  if (release === undefined) {
    throw new PayloadError('release', 'name the release candidate: the X-Escapement-Release header, a "release" property in the report, or a file name with a version (X-Escapement-File)');
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const c of cases) counts[c.outcome]++;
  const critical = cases.filter((c) => isCriticalPath(c, settings));
  const service = firstText(escapementHeader(input, 'service'), properties.service);
  return testRunRecord({
    source: report.source,
    external_id: `${service ?? '-'}/${release}/${stableId(report.identity)}`,
    ...(service ? { service } : {}),
    release,
    suite: firstText(escapementHeader(input, 'suite'), report.suite) ?? report.source,
    suite_kind: firstText(input.headers['x-escapement-suite-kind'], properties.suite_kind) ?? settings.suite_kind,
    started_at: report.startedAt ?? input.receivedAt,
    ...(report.startedAt && report.seconds > 0 ? { finished_at: new Date(Date.parse(report.startedAt) + Math.round(report.seconds * 1000)).toISOString() } : {}),
    ...counts,
    critical_total: critical.length,
    critical_passed: critical.filter((c) => c.outcome === 'passed').length,
    failed_tests: cases.filter((c) => c.outcome === 'failed').map((c) => c.fullName),
  });
}

export const junit: SourceAdapter = {
  name: SOURCE,
  title: 'JUnit XML test report',
  emits: ['test_run'],
  format: 'xml',
  toRecords: junitRecords,
};
