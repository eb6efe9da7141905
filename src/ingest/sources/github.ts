// GitHub sends every event of a repository or app to one URL, `/api/v1/webhooks/github`; this file picks
// the handler by the `X-GitHub-Event` header (or, for files replayed with `escapement ingest`, by the
// payload's shape). Delivery events live in github-delivery.ts; issue events in github-issues.ts.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { isObject, optionalText } from '../payload.ts';
import { githubIssues } from './github-issues.ts';
import { githubDeployment, githubDeploymentStatus, githubPullRequest, githubPush, githubRelease, githubWorkflow } from './github-delivery.ts';

export type EventHandler = (input: AdapterInput) => AdapterOutput;
type Handler = EventHandler;

/** Runs the handler of a vendor event, or answers that Escapement does not read it. */
export function dispatchEvent(handlers: Readonly<Record<string, EventHandler>>, vendor: string, event: string, input: AdapterInput): AdapterOutput {
  const handler = Object.hasOwn(handlers, event) ? handlers[event] : undefined;
  if (handler === undefined) return { status: 'ignored', reason: `${vendor} event "${event}" is not one Escapement reads` };
  return handler(input);
}

/** Handlers by `X-GitHub-Event`. Add an event here with the file that reads it. */
export const GITHUB_EVENTS: Readonly<Record<string, Handler>> = {
  deployment: githubDeployment,
  deployment_status: githubDeploymentStatus,
  release: githubRelease,
  push: githubPush,
  pull_request: githubPullRequest,
  workflow_run: () => githubWorkflow('workflow_run'),
  workflow_job: () => githubWorkflow('workflow_job'),
  issues: (input) => githubIssues.toRecords(input),
  ping: () => ({ status: 'ignored', reason: 'ping: the webhook is set up' }),
};

/** The event of a payload without the header: the key only that event's payload has. */
const EVENT_BY_KEY: readonly [string, string][] = [
  ['deployment_status', 'deployment_status'],
  ['deployment', 'deployment'],
  ['release', 'release'],
  ['pull_request', 'pull_request'],
  ['workflow_run', 'workflow_run'],
  ['workflow_job', 'workflow_job'],
  ['issue', 'issues'],
  ['zen', 'ping'],
];

export function githubEventOf(input: AdapterInput): string | undefined {
  const header = optionalText(input.headers['x-github-event']);
  if (header) return header;
  const payload = input.payload;
  if (!isObject(payload)) return undefined;
  // A comment payload also carries the issue; it is an issue_comment, not an issues event.
  if ('comment' in payload && 'issue' in payload) return 'issue_comment';
  const byKey = EVENT_BY_KEY.find(([key]) => key in payload);
  if (byKey) return byKey[1];
  if ('commits' in payload && 'ref' in payload) return 'push';
  return undefined;
}

export const github: SourceAdapter = {
  name: 'github',
  title: 'GitHub',
  emits: ['deployment', 'change', 'signal', 'defect'],
  format: 'json',
  toRecords(input) {
    const event = githubEventOf(input);
    if (event === undefined) return { status: 'ignored', reason: 'no X-GitHub-Event header, and the payload is not one of the events Escapement reads' };
    return dispatchEvent(GITHUB_EVENTS, 'GitHub', event, input);
  },
};
