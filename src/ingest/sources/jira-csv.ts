// Jira's CSV export ("Export > CSV (all fields / current fields)"): one issue per row. Multi-valued
// fields repeat their column (Labels, Labels, …). Dates are in the exporting user's format
// (default `dd/MMM/yy h:mm a`) without a zone: read as UTC.
import { parse } from 'csv-parse/sync';
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { mentionsIn } from '../mentions.ts';
import { optionalTime, severityOf, titleFrom } from '../payload.ts';
import { issueRecord, type TrackerIssue } from '../tracker-issue.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `03/Nov/25 2:05 PM`, `2025-11-03 14:05`, or an ISO time, as ISO UTC. */
export function jiraCsvTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const m = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toLowerCase());
    if (month < 0) return undefined;
    let hour = Number(m[4]);
    const ampm = m[7]?.toLowerCase();
    if (ampm === 'pm' && hour < 12) hour += 12;
    if (ampm === 'am' && hour === 12) hour = 0;
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return new Date(Date.UTC(year, month, Number(m[1]), hour, Number(m[5]), Number(m[6] ?? 0))).toISOString();
  }
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(text);
  if (local) return optionalTime(`${local[1]}T${local[2]}Z`);
  return optionalTime(text);
}

/** Column values by header name (case-insensitive); repeated columns give several values. */
function rowReader(header: string[], row: string[]) {
  const all = (...namesOf: string[]) => {
    const wanted = namesOf.map((n) => n.toLowerCase());
    return header.flatMap((h, i) => (wanted.includes(h.trim().toLowerCase()) ? [row[i]?.trim() ?? ''] : [])).filter((v) => v !== '');
  };
  return { all, one: (...namesOf: string[]) => all(...namesOf)[0] };
}

function csvIssue(header: string[], row: string[], line: number): TrackerIssue {
  const { all, one } = rowReader(header, row);
  const key = one('Issue key', 'Key');
  if (!key) throw new PayloadError(`line ${line}: Issue key`, 'is required');
  const created = jiraCsvTime(one('Created'));
  if (!created) throw new PayloadError(`line ${line}: Created`, `expected a date such as 03/Nov/25 2:05 PM, got ${JSON.stringify(one('Created') ?? '')}`);
  const summary = one('Summary');
  const description = one('Description');
  const components = all('Component/s', 'Components');
  const priority = one('Priority');
  const site = one('Site URL', 'Base URL');
  return {
    source: 'jira',
    external_id: key,
    url: site ? `${site.replace(/\/$/, '')}/browse/${key}` : undefined,
    title: titleFrom(summary ?? key),
    body: description,
    created_at: created,
    resolved_at: jiraCsvTime(one('Resolved', 'Resolution date')),
    severity: severityOf(priority),
    priority,
    labels: all('Labels').flatMap((l) => l.split(/\s+/)).filter(Boolean),
    components,
    issue_type: one('Issue Type', 'Issue type', 'Work type'),
    environment: one('Environment'),
    affects_versions: all('Affects Version/s', 'Affects versions'),
    fix_versions: all('Fix Version/s', 'Fix versions'),
    service: components[0] ?? one('Project key'),
    extra_labels: { status: one('Status'), project: one('Project key'), resolution: one('Resolution') },
    links: [`jira:${key}`, ...mentionsIn([summary, description]).filter((l) => l !== `jira:${key}`)],
    raw: Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])),
  };
}

export const jiraCsv: SourceAdapter = {
  name: 'jira-csv',
  title: 'Jira CSV export',
  emits: ['signal', 'defect'],
  format: 'text',
  toRecords(input: AdapterInput): AdapterOutput {
    if (typeof input.payload !== 'string') throw new PayloadError('(body)', 'expected the text of a Jira CSV export');
    let rows: string[][];
    try {
      rows = parse(input.payload, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
    } catch (error) {
      throw new PayloadError('(body)', `not valid CSV (${(error as Error).message})`);
    }
    const [header, ...body] = rows;
    if (!header || !header.some((h) => /^(issue key|key)$/i.test(h.trim()))) throw new PayloadError('(header)', 'expected a header row with an "Issue key" column');
    const records: ImportRecord[] = [];
    const ignored: string[] = [];
    body.forEach((row, i) => {
      const result = issueRecord(csvIssue(header, row, i + 2), input.config);
      if ('ignored' in result) ignored.push(result.ignored);
      else records.push(result.record);
    });
    if (records.length === 0) return { status: 'ignored', reason: ignored.length ? ignored.join('; ') : 'no issues in the file' };
    return { status: 'records', records };
  },
};
