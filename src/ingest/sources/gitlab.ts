// GitLab sends a project's events to one URL, `/api/v1/webhooks/gitlab`; this file picks the handler by
// the payload's `object_kind` (the `X-Gitlab-Event` header when it is missing). Delivery events live in
// gitlab-delivery.ts; issue events in gitlab-issues.ts.
import type { AdapterInput, SourceAdapter } from '../adapter.ts';
import { isObject, optionalText } from '../payload.ts';
import { dispatchEvent, type EventHandler } from './github.ts';
import { gitlabIssues } from './gitlab-issues.ts';
import { gitlabDeployment, gitlabJob, gitlabMergeRequest, gitlabPipeline, gitlabPush } from './gitlab-delivery.ts';

/** Handlers by `object_kind`. Add an event here with the file that reads it. */
export const GITLAB_EVENTS: Readonly<Record<string, EventHandler>> = {
  deployment: gitlabDeployment,
  pipeline: gitlabPipeline,
  build: gitlabJob,
  push: gitlabPush,
  merge_request: gitlabMergeRequest,
  issue: (input) => gitlabIssues.toRecords(input),
  work_item: (input) => gitlabIssues.toRecords(input),
  confidential_issue: (input) => gitlabIssues.toRecords(input),
};

const KIND_OF_HEADER: Readonly<Record<string, string>> = {
  'Deployment Hook': 'deployment',
  'Pipeline Hook': 'pipeline',
  'Job Hook': 'build',
  'Push Hook': 'push',
  'Tag Push Hook': 'tag_push',
  'Merge Request Hook': 'merge_request',
  'Issue Hook': 'issue',
  'Confidential Issue Hook': 'issue',
  'Note Hook': 'note',
};

export function gitlabEventOf(input: AdapterInput): string | undefined {
  const kind = isObject(input.payload) ? optionalText(input.payload.object_kind) : undefined;
  if (kind) return kind;
  const header = optionalText(input.headers['x-gitlab-event']);
  return header === undefined ? undefined : (KIND_OF_HEADER[header] ?? header);
}

export const gitlab: SourceAdapter = {
  name: 'gitlab',
  title: 'GitLab',
  emits: ['deployment', 'change', 'signal', 'defect'],
  format: 'json',
  toRecords(input) {
    const event = gitlabEventOf(input);
    if (event === undefined) return { status: 'ignored', reason: 'no object_kind in the payload and no X-Gitlab-Event header' };
    return dispatchEvent(GITLAB_EVENTS, 'GitLab', event, input);
  },
};
