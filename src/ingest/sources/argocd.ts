// Argo CD notifications (webhook service). Argo CD has no fixed webhook body: the template in
// docs/sources.md sends `{"event": "<trigger>", "app": {{toJson .app}}}`, the Application with its
// operation state (start, finish, phase, revision) and its sync history, which shows rollbacks.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { DeploymentStatus } from '../../domain/records.ts';
import { detectDeploymentKind } from '../../pipeline/deployment-kind.ts';
import { firstText, type Json, names, object, optionalArray, optionalObject, optionalText, optionalTime, stringLabels, text } from '../payload.ts';
import { deploymentRecord, environmentOf, escapementHeader, isFinished } from './deployment.ts';

const SOURCE = 'argocd';
const VERSION_LIKE = /^v?\d+(\.\d+)+([-+.][0-9a-z.-]+)?$/i;

const STATUS_OF_EVENT: Record<string, DeploymentStatus | 'ignore'> = {
  'on-sync-running': 'in_progress',
  'on-deployed': 'success',
  'on-sync-succeeded': 'success',
  'on-sync-failed': 'failure',
  'on-health-degraded': 'ignore',
  'on-sync-status-unknown': 'ignore',
  'on-created': 'ignore',
  'on-deleted': 'ignore',
};

const STATUS_OF_PHASE: Record<string, DeploymentStatus> = {
  Running: 'in_progress',
  Succeeded: 'success',
  Failed: 'failure',
  Error: 'failure',
  Terminating: 'cancelled',
};

/** The image tag of the first image Argo CD reports (`registry/app:2.4.1` → `2.4.1`). */
function imageTag(images: unknown): string | undefined {
  const image = names(images, 'image')[0] ?? optionalArray(images).map((i) => optionalText(i)).find((i) => i !== undefined);
  const tag = image?.split('@')[0]?.split('/').pop()?.split(':')[1];
  return tag && tag !== 'latest' ? tag : undefined;
}

export function argocdRecords(input: AdapterInput): AdapterOutput {
  const body = object(input.payload, '(body)');
  const app = object(body.app ?? (body.kind === 'Application' ? body : undefined), 'app');
  const metadata = object(app.metadata, 'app.metadata');
  const annotations = stringLabels(optionalObject(metadata.annotations) ?? {});
  const appLabels = stringLabels(optionalObject(metadata.labels) ?? {});
  const spec = optionalObject(app.spec) ?? {};
  const source = optionalObject(spec.source) ?? optionalObject(optionalArray(spec.sources)[0]) ?? {};
  const status = object(app.status, 'app.status');
  const operation = optionalObject(status.operationState);
  if (!operation) return { status: 'ignored', reason: 'the application has no operation state: no sync has run' };

  const event = optionalText(body.event);
  const byEvent = event !== undefined ? STATUS_OF_EVENT[event] : undefined;
  if (byEvent === 'ignore') return { status: 'ignored', reason: `${event} is not a deployment event` };
  const phase = text(operation.phase, 'app.status.operationState.phase');
  const deploymentStatus = byEvent ?? STATUS_OF_PHASE[phase];
  if (deploymentStatus === undefined) return { status: 'ignored', reason: `operation phase "${phase}" is not one Escapement reads` };

  const name = text(metadata.name, 'app.metadata.name');
  const startedAt = optionalTime(operation.startedAt);
  if (startedAt === undefined) return { status: 'ignored', reason: 'the operation has no start time' };
  const syncResult = optionalObject(operation.syncResult);
  const revision = firstText(syncResult?.revision, optionalObject(optionalObject(operation.operation)?.sync)?.revision, optionalObject(status.sync)?.revision);
  const targetRevision = optionalText(source.targetRevision);
  const version = firstText(
    body.version,
    annotations['escapement.io/version'],
    imageTag(optionalObject(status.summary)?.images),
    targetRevision !== undefined && VERSION_LIKE.test(targetRevision) ? targetRevision : undefined,
  );
  // The sync history, newest first, without this operation's own entry (added once it succeeds).
  const history = optionalArray(status.history)
    .map((h) => optionalObject(h))
    .filter((h): h is Json => h !== undefined && optionalTime(h.deployStartedAt) !== startedAt)
    .sort((a, b) => Number(b.id ?? 0) - Number(a.id ?? 0))
    .map((h) => optionalText(h.revision))
    .filter((r): r is string => r !== undefined);
  const environmentName = firstText(body.environment, escapementHeader(input, 'environment'), annotations['escapement.io/environment'], appLabels.environment, appLabels.env) ?? 'production';

  return {
    status: 'records',
    records: [
      deploymentRecord({
        source: SOURCE,
        external_id: `${name}@${startedAt}`,
        service: firstText(body.service, escapementHeader(input, 'service'), annotations['escapement.io/service']) ?? name,
        environment: environmentOf(environmentName) ?? environmentName,
        version,
        commit_sha: revision,
        status: deploymentStatus,
        started_at: startedAt,
        finished_at: isFinished(deploymentStatus) ? optionalTime(operation.finishedAt) ?? input.receivedAt : undefined,
        kind: detectDeploymentKind({
          explicitKind: annotations['escapement.io/kind'],
          sha: revision,
          previous: history,
          refs: [targetRevision],
          labels: Object.values(appLabels),
          texts: [optionalText(operation.message)],
        }),
        url: firstText(body.url),
        labels: {
          application: name,
          ...(event ? { event } : {}),
          ...(targetRevision ? { ref: targetRevision } : {}),
          ...(optionalText(source.repoURL) ? { repository: optionalText(source.repoURL)! } : {}),
        },
        raw: body,
      }),
    ],
    merge: true,
  };
}

export const argocd: SourceAdapter = {
  name: SOURCE,
  title: 'Argo CD notifications',
  emits: ['deployment'],
  format: 'json',
  toRecords: argocdRecords,
};
