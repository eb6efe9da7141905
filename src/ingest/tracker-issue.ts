// A tracker issue (Jira, GitHub, GitLab) in one neutral shape, and the rule that makes it a
// production problem (a signal), a pre-release bug (a defect) or neither, as `trackers:` configures.
import type { Config } from '../domain/config.ts';
import { DEFECT_CATEGORIES, type ImportRecord } from '../domain/records.ts';
import type { Severity } from '../domain/fields.ts';
import { uniqueLinks, versionLinks } from './mentions.ts';
import { defectRecord, signalRecord, stringLabels } from './payload.ts';

export interface TrackerIssue {
  source: string;
  external_id: string;
  url?: string | undefined;
  title: string;
  body?: string | undefined;
  created_at: string;
  resolved_at?: string | undefined;
  severity?: Severity | undefined;
  priority?: string | undefined;
  labels: string[];
  components: string[];
  issue_type?: string | undefined;
  environment?: string | undefined;
  affects_versions: string[];
  fix_versions: string[];
  /** The vendor's service identifier: a component, a repository. */
  service?: string | undefined;
  /** The vendor marks it an incident itself (GitLab incidents, escalations). */
  incident?: boolean;
  /** Labels of our own beyond the issue's labels (status, project…). */
  extra_labels: Record<string, unknown>;
  links: string[];
  raw: unknown;
}

export type IssueClass = { kind: 'signal' | 'defect'; reason: string } | { kind: 'ignore'; reason: string };

const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());

export function classifyIssue(issue: TrackerIssue, trackers: Config['trackers']): IssueClass {
  const labels = lower(issue.labels);
  const components = lower(issue.components);
  const type = issue.issue_type?.toLowerCase();
  const environment = issue.environment?.toLowerCase();
  const prodLabel = lower(trackers.production_labels).find((l) => labels.includes(l));
  if (prodLabel) return { kind: 'signal', reason: `label ${prodLabel}` };
  const prodEnv = environment ? lower(trackers.production_environments).find((e) => environment.includes(e)) : undefined;
  if (prodEnv) return { kind: 'signal', reason: `environment contains ${prodEnv}` };
  const prodComponent = lower(trackers.production_components).find((c) => components.includes(c));
  if (prodComponent) return { kind: 'signal', reason: `component ${prodComponent}` };
  if (type && lower(trackers.production_issue_types).includes(type)) return { kind: 'signal', reason: `issue type ${issue.issue_type}` };
  if (issue.incident) return { kind: 'signal', reason: 'marked an incident by the tracker' };
  if (type && lower(trackers.defect_issue_types).includes(type)) return { kind: 'defect', reason: `issue type ${issue.issue_type}` };
  const defectLabel = lower(trackers.defect_labels).find((l) => labels.includes(l));
  if (defectLabel) return { kind: 'defect', reason: `label ${defectLabel}` };
  if (trackers.otherwise !== 'ignore') return { kind: trackers.otherwise, reason: 'trackers.otherwise' };
  return { kind: 'ignore', reason: `${issue.external_id} is neither a production problem nor a bug (type ${issue.issue_type ?? 'none'}, labels ${issue.labels.join(', ') || 'none'}); see trackers: in the configuration` };
}

const CATEGORY_WORDS: Record<string, (typeof DEFECT_CATEGORIES)[number]> = {
  performance: 'performance', perf: 'performance', ux: 'ux', ui: 'ux', usability: 'ux', requirement: 'requirement', requirements: 'requirement', environment: 'environment', config: 'environment',
};

function foundIn(issue: TrackerIssue): 'qa' | 'staging' | 'test' | 'review' {
  const words = [issue.environment ?? '', ...issue.labels].join(' ').toLowerCase();
  if (words.includes('stag')) return 'staging';
  if (/\breview\b/.test(words)) return 'review';
  if (/\b(test|ci|automation)\b/.test(words)) return 'test';
  return 'qa';
}

/** The record an issue becomes, or null with the reason it is not read. */
export function issueRecord(issue: TrackerIssue, config: Config): { record: ImportRecord; reason: string } | { ignored: string } {
  const decision = classifyIssue(issue, config.trackers);
  if (decision.kind === 'ignore') return { ignored: decision.reason };
  const labels = stringLabels({
    ...Object.fromEntries(issue.labels.map((l) => [l, 'true'])),
    ...issue.extra_labels,
    issue_type: issue.issue_type,
    priority: issue.priority,
    components: issue.components.join(',') || undefined,
    affects_versions: issue.affects_versions.join(',') || undefined,
    fix_versions: issue.fix_versions.join(',') || undefined,
    classified_as: `${decision.kind}: ${decision.reason}`,
  });
  const links = uniqueLinks(issue.links, versionLinks([...issue.affects_versions, ...issue.fix_versions]));
  if (decision.kind === 'signal') {
    return {
      reason: decision.reason,
      record: signalRecord({
        source: issue.source,
        external_id: issue.external_id,
        kind: 'ticket',
        url: issue.url,
        occurred_at: issue.created_at,
        resolved_at: issue.resolved_at,
        status: issue.resolved_at ? 'resolved' : 'open',
        title: issue.title,
        body: issue.body,
        severity: issue.severity,
        service: issue.service,
        environment: issue.environment,
        labels,
        links,
        raw: issue.raw,
      }),
    };
  }
  const lowered = lower(issue.labels);
  const category = lowered.map((l) => CATEGORY_WORDS[l]).find((c) => c !== undefined);
  return {
    reason: decision.reason,
    record: defectRecord({
      source: issue.source,
      external_id: issue.external_id,
      title: issue.title,
      service: issue.service,
      severity: issue.severity,
      category,
      found_at: issue.created_at,
      found_in: foundIn(issue),
      release: issue.affects_versions[0] ?? issue.fix_versions[0],
      blocker: lowered.includes('blocker') || /blocker/i.test(issue.priority ?? ''),
      status: issue.resolved_at ? 'resolved' : 'open',
      resolved_at: issue.resolved_at,
      url: issue.url,
      labels,
      raw: issue.raw,
    }),
  };
}

/** The value of a `key:value`, `key::value` (GitLab scoped) or `key/value` label, e.g. `service::checkout`. */
export function scopedLabel(labels: readonly string[], ...keys: string[]): string | undefined {
  for (const label of labels) {
    const m = /^([\w .-]+?)\s*(?:::|:|\/|=)\s*(.+)$/.exec(label);
    if (m && keys.includes(m[1]!.toLowerCase())) return m[2]!.trim();
  }
  return undefined;
}

/** Severity from labels such as `severity::high`, `sev1`, `P2`, `priority: low`, `critical`. */
export function severityFromLabels(labels: readonly string[], severityOf: (v: unknown) => Severity | undefined): Severity | undefined {
  const scoped = scopedLabel(labels, 'severity', 'sev', 'priority', 'prio');
  if (scoped) return severityOf(scoped);
  for (const label of labels) {
    if (/^(sev-?\d|p\d|critical|blocker)$/i.test(label)) return severityOf(label);
  }
  return undefined;
}
