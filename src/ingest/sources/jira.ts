// Jira: webhooks (`jira:issue_created`, `jira:issue_updated`), the REST issue object
// (`{id, key, self, fields}`) and the search envelope (`{issues: [...]}`). Each issue becomes a
// signal, a defect or nothing, as `trackers:` in the configuration says (tracker-issue.ts).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { mentionsIn } from '../mentions.ts';
import { firstText, isObject, type Json, names, object, optionalArray, optionalObject, optionalText, optionalTime, severityOf, text, time, titleFrom } from '../payload.ts';
import { issueRecord, type TrackerIssue } from '../tracker-issue.ts';

const USED_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated']);

/** Jira Cloud v3 sends rich text as Atlassian Document Format; v2 and Server send plain text. */
export function plainText(value: unknown): string | undefined {
  if (typeof value === 'string') return optionalText(value);
  if (!isObject(value)) return undefined;
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (!isObject(node)) return;
    if (typeof node.text === 'string') parts.push(node.text);
    for (const child of optionalArray(node.content)) walk(child);
    if (node.type === 'paragraph' || node.type === 'heading') parts.push('\n');
  };
  walk(value);
  return optionalText(parts.join('').replace(/\n+$/, ''));
}

function browseUrl(self: string | undefined, key: string): string | undefined {
  if (!self) return undefined;
  try {
    return `${new URL(self).origin}/browse/${key}`;
  } catch {
    return undefined;
  }
}

/** A Jira REST issue in the neutral tracker shape. */
export function jiraIssue(issue: Json, field: string, raw: unknown): TrackerIssue {
  const key = text(issue.key, `${field}.key`);
  const fields = object(issue.fields, `${field}.fields`);
  const summary = optionalText(fields.summary);
  const description = plainText(fields.description);
  const components = names(fields.components);
  const project = optionalObject(fields.project);
  const priority = optionalText(optionalObject(fields.priority)?.name);
  const status = optionalObject(fields.status);
  const statusCategory = optionalText(optionalObject(status?.statusCategory)?.key);
  const linkedKeys = optionalArray(fields.issuelinks)
    .filter(isObject)
    .map((l) => firstText(optionalObject(l.outwardIssue)?.key, optionalObject(l.inwardIssue)?.key))
    .filter((k): k is string => k !== undefined);
  const resolvedAt = optionalTime(fields.resolutiondate) ?? (statusCategory === 'done' ? optionalTime(fields.updated) : undefined);
  return {
    source: 'jira',
    external_id: key,
    url: browseUrl(optionalText(issue.self), key),
    title: titleFrom(summary ?? key),
    body: description,
    created_at: time(fields.created, `${field}.fields.created`),
    resolved_at: resolvedAt,
    severity: severityOf(priority),
    priority,
    labels: names(fields.labels),
    components,
    issue_type: optionalText(optionalObject(fields.issuetype)?.name),
    environment: plainText(fields.environment),
    affects_versions: names(fields.versions),
    fix_versions: names(fields.fixVersions),
    service: components[0] ?? optionalText(project?.key),
    extra_labels: { status: status?.name, project: project?.key, resolution: optionalObject(fields.resolution)?.name },
    links: [`jira:${key}`, ...linkedKeys.map((k) => `jira:${k}`), ...mentionsIn([summary, description]).filter((l) => l !== `jira:${key}`)],
    raw,
  };
}

function recordsOf(issues: TrackerIssue[], input: AdapterInput): AdapterOutput {
  const records: ImportRecord[] = [];
  const ignored: string[] = [];
  for (const issue of issues) {
    const result = issueRecord(issue, input.config);
    if ('ignored' in result) ignored.push(result.ignored);
    else records.push(result.record);
  }
  if (records.length === 0 && ignored.length > 0) return { status: 'ignored', reason: ignored.join('; ') };
  return { status: 'records', records };
}

export const jira: SourceAdapter = {
  name: 'jira',
  title: 'Jira (webhooks and REST issues)',
  emits: ['signal', 'defect'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const event = optionalText(payload.webhookEvent);
    if (event !== undefined) {
      if (!USED_EVENTS.has(event)) return { status: 'ignored', reason: `webhook event ${event} is not used` };
      return recordsOf([jiraIssue(object(payload.issue, 'issue'), 'issue', payload)], input);
    }
    if (Array.isArray(payload.issues)) {
      return recordsOf(payload.issues.map((v, i) => jiraIssue(object(v, `issues[${i}]`), `issues[${i}]`, v)), input);
    }
    if (payload.key !== undefined || payload.fields !== undefined) return recordsOf([jiraIssue(payload, '(body)', payload)], input);
    throw new PayloadError('webhookEvent', 'expected a Jira webhook (webhookEvent, issue), a REST issue (key, fields) or a search result (issues)');
  },
};
