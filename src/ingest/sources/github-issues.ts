// GitHub `issues` webhook events (X-GitHub-Event: issues) and REST issue objects. An issue is a
// signal, a defect or nothing, as `trackers:` says; labels such as `severity:high`, `service:x`,
// `env:production` give severity, service and environment (the repository is the default service).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import { mentionsIn } from '../mentions.ts';
import { firstText, type Json, names, object, optionalObject, optionalText, optionalTime, severityOf, text, time, titleFrom } from '../payload.ts';
import { issueRecord, scopedLabel, severityFromLabels, type TrackerIssue } from '../tracker-issue.ts';

const UNUSED_ACTIONS = new Set(['deleted', 'transferred', 'pinned', 'unpinned', 'locked', 'unlocked']);

function repositoryOf(issue: Json, repository: Json | undefined): string {
  const fromRepo = optionalText(repository?.full_name);
  if (fromRepo) return fromRepo;
  const m = optionalText(issue.repository_url)?.match(/repos\/([^/]+\/[^/]+)$/) ?? optionalText(issue.html_url)?.match(/github\.com\/([^/]+\/[^/]+)\//);
  if (m) return m[1]!;
  throw new PayloadError('repository.full_name', 'is required to identify the issue');
}

export function githubIssue(issue: Json, repository: Json | undefined, raw: unknown): TrackerIssue {
  const repo = repositoryOf(issue, repository);
  const number = text(issue.number, 'issue.number');
  const labels = names(issue.labels);
  const title = optionalText(issue.title) ?? `${repo}#${number}`;
  const body = optionalText(issue.body);
  const milestone = optionalText(optionalObject(issue.milestone)?.title);
  return {
    source: 'github',
    external_id: `${repo}#${number}`,
    url: optionalText(issue.html_url),
    title: titleFrom(title),
    body,
    created_at: time(issue.created_at, 'issue.created_at'),
    resolved_at: optionalText(issue.state) === 'closed' ? optionalTime(issue.closed_at) : undefined,
    severity: severityFromLabels(labels, severityOf),
    priority: scopedLabel(labels, 'priority', 'prio'),
    labels,
    components: [scopedLabel(labels, 'component', 'area')].filter((c): c is string => c !== undefined),
    issue_type: firstText(optionalObject(issue.type)?.name),
    environment: scopedLabel(labels, 'env', 'environment'),
    affects_versions: [scopedLabel(labels, 'version', 'affects')].filter((v): v is string => v !== undefined),
    fix_versions: milestone && /\d/.test(milestone) ? [milestone] : [],
    service: scopedLabel(labels, 'service', 'component') ?? repo,
    extra_labels: { state: issue.state, state_reason: issue.state_reason, repository: repo, milestone },
    links: [`github:${repo}#${number}`, ...mentionsIn([title, body], { repository: repo })],
    raw,
  };
}

export const githubIssues: SourceAdapter = {
  name: 'github-issues',
  title: 'GitHub issues',
  emits: ['signal', 'defect'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const event = input.headers['x-github-event'];
    if (event === 'ping') return { status: 'ignored', reason: 'ping (webhook created)' };
    if (event !== undefined && event !== 'issues') return { status: 'ignored', reason: `GitHub event ${event} is not an issue event` };
    const payload = object(input.payload, '(body)');
    const action = optionalText(payload.action);
    if (action && UNUSED_ACTIONS.has(action)) return { status: 'ignored', reason: `issue action ${action} is not used` };
    const issue = payload.issue !== undefined ? object(payload.issue, 'issue') : payload;
    if (issue.pull_request !== undefined) return { status: 'ignored', reason: 'a pull request, not an issue' };
    const result = issueRecord(githubIssue(issue, optionalObject(payload.repository), payload), input.config);
    if ('ignored' in result) return { status: 'ignored', reason: result.ignored };
    return { status: 'records', records: [result.record] };
  },
};
