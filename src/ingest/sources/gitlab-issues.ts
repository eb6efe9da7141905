// GitLab issue webhooks (X-Gitlab-Event: Issue Hook; `object_kind: issue`, also work items and
// confidential issues). GitLab incidents (type Incident, or an escalation status) are production
// problems; otherwise `trackers:` decides. Scoped labels (`severity::high`, `service::checkout`) are read.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { mentionsIn } from '../mentions.ts';
import { firstText, names, object, optionalObject, optionalText, optionalTime, severityOf, text, time, titleFrom } from '../payload.ts';
import { issueRecord, scopedLabel, severityFromLabels } from '../tracker-issue.ts';

const ISSUE_KINDS = new Set(['issue', 'work_item', 'confidential_issue']);

export const gitlabIssues: SourceAdapter = {
  name: 'gitlab-issues',
  title: 'GitLab issues',
  emits: ['signal', 'defect'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const kind = text(payload.object_kind, 'object_kind');
    if (!ISSUE_KINDS.has(kind)) return { status: 'ignored', reason: `GitLab ${kind} events are not issue events` };
    const attrs = object(payload.object_attributes, 'object_attributes');
    const project = optionalObject(payload.project);
    const repo = firstText(project?.path_with_namespace, attrs.project_id);
    const iid = text(attrs.iid, 'object_attributes.iid');
    const labels = names(attrs.labels ?? payload.labels, 'title');
    const title = optionalText(attrs.title) ?? `${repo ?? ''}#${iid}`;
    const body = optionalText(attrs.description);
    const type = firstText(attrs.type, attrs.issue_type);
    const gitlabSeverity = optionalText(attrs.severity);
    const milestone = optionalText(optionalObject(attrs.milestone)?.title);
    const closed = optionalText(attrs.state) === 'closed';
    const result = issueRecord(
      {
        source: 'gitlab',
        external_id: `${repo ?? 'project'}#${iid}`,
        url: optionalText(attrs.url),
        title: titleFrom(title),
        body,
        created_at: time(attrs.created_at, 'object_attributes.created_at'),
        resolved_at: closed ? (optionalTime(attrs.closed_at) ?? optionalTime(attrs.updated_at)) : undefined,
        severity: (gitlabSeverity && gitlabSeverity !== 'unknown' ? severityOf(gitlabSeverity) : undefined) ?? severityFromLabels(labels, severityOf),
        priority: scopedLabel(labels, 'priority', 'prio'),
        labels,
        components: [scopedLabel(labels, 'component', 'area')].filter((c): c is string => c !== undefined),
        issue_type: type,
        environment: scopedLabel(labels, 'env', 'environment'),
        affects_versions: [scopedLabel(labels, 'version', 'affects')].filter((v): v is string => v !== undefined),
        fix_versions: milestone && /\d/.test(milestone) ? [milestone] : [],
        service: scopedLabel(labels, 'service', 'component') ?? repo,
        incident: type?.toLowerCase() === 'incident' || optionalText(attrs.escalation_status) !== undefined,
        extra_labels: {
          state: attrs.state,
          action: attrs.action,
          escalation_status: attrs.escalation_status,
          escalation_policy: optionalObject(attrs.escalation_policy)?.name,
          health_status: attrs.health_status,
          repository: repo,
        },
        links: [`gitlab:${repo ?? 'project'}#${iid}`, ...mentionsIn([title, body], repo ? { repository: repo } : {})],
        raw: payload,
      },
      input.config,
    );
    if ('ignored' in result) return { status: 'ignored', reason: result.ignored };
    return { status: 'records', records: [result.record] };
  },
};
