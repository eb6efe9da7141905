// Jenkins builds as its JSON API returns them (`/job/<name>/<n>/api/json`, as DevLake collects them):
// each build posted here is a deployment of its job, so point only deploy jobs at Escapement. The job's
// last path segment names the service unless `X-Escapement-Service` does; `X-Escapement-Environment`
// names the environment (default production).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { DeploymentStatus, ImportRecord } from '../../domain/records.ts';
import { detectDeploymentKind } from '../../pipeline/deployment-kind.ts';
import { firstText, type Json, object, optionalArray, optionalObject, optionalText, optionalTime, text, time } from '../payload.ts';
import { changeRecord, deploymentRecord, deploymentRef, environmentOf, escapementHeader } from './deployment.ts';

const SOURCE = 'jenkins';

const STATUS_OF_RESULT: Record<string, DeploymentStatus> = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  UNSTABLE: 'failure',
  ABORTED: 'cancelled',
  NOT_BUILT: 'cancelled',
};

/** `Folder » Sub » job #31` → the job path `Folder/Sub/job`. */
function jobPathOf(build: Json): string {
  const display = text(build.fullDisplayName, 'fullDisplayName');
  return display.replace(/\s+#\d+$/, '').split(/\s+»\s+/).join('/');
}

function actionsOf(build: Json, className: string): Json[] {
  return optionalArray(build.actions)
    .map((a) => optionalObject(a))
    .filter((a): a is Json => a !== undefined && optionalText(a._class) === className);
}

export function jenkinsRecords(input: AdapterInput): AdapterOutput {
  const build = object(input.payload, '(body)');
  const number = text(build.number, 'number');
  const jobPath = jobPathOf(build);
  const result = optionalText(build.result);
  const status: DeploymentStatus = result === undefined ? 'in_progress' : (STATUS_OF_RESULT[result] ?? 'failure');
  const startedAt = time(build.timestamp, 'timestamp');
  const duration = typeof build.duration === 'number' && build.duration >= 0 ? build.duration : undefined;
  // Jenkins sets the result when the build completes; its finish is its start plus its duration.
  const finishedAt = result !== undefined && duration !== undefined ? new Date(Date.parse(startedAt) + duration).toISOString() : undefined;

  const gitData = actionsOf(build, 'hudson.plugins.git.util.BuildData')[0];
  const revision = optionalObject(gitData?.lastBuiltRevision);
  const sha = optionalText(revision?.SHA1);
  const branch = optionalText(optionalObject(optionalArray(revision?.branch)[0])?.name)?.replace(/^refs\/remotes\/[^/]+\//, '');
  const repository = optionalText(optionalArray(gitData?.remoteUrls)[0]);
  const commits = [build.changeSet, ...optionalArray(build.changeSets)]
    .flatMap((set) => optionalArray(optionalObject(set)?.items))
    .map((item) => optionalObject(item))
    .filter((item): item is Json => item !== undefined);

  const service = escapementHeader(input, 'service') ?? jobPath.split('/').pop()!;
  const environmentName = escapementHeader(input, 'environment') ?? 'production';
  const externalId = `${jobPath}#${number}`;
  const records: ImportRecord[] = [
    deploymentRecord({
      source: SOURCE,
      external_id: externalId,
      service,
      environment: environmentOf(environmentName) ?? environmentName,
      version: firstText(escapementHeader(input, 'release'), optionalText(build.description)?.match(/^v?\d+(\.\d+)+\S*$/)?.[0]),
      commit_sha: sha,
      status,
      started_at: startedAt,
      finished_at: finishedAt,
      kind: detectDeploymentKind({
        explicitKind: escapementHeader(input, 'kind'),
        sha,
        refs: [branch, jobPath],
        texts: [optionalText(build.description)],
        commitMessages: commits.map((c) => optionalText(c.msg) ?? optionalText(c.comment) ?? ''),
      }),
      url: optionalText(build.url),
      labels: { job: jobPath, build: number, ...(branch ? { ref: branch } : {}), ...(repository ? { repository } : {}) },
      raw: build,
    }),
  ];
  commits.forEach((commit, index) => {
    const commitSha = firstText(commit.commitId, commit.id);
    if (commitSha === undefined) return;
    records.push(
      changeRecord({
        source: SOURCE,
        external_id: `${repository ?? jobPath}@${commitSha}`,
        service,
        repository,
        sha: commitSha,
        title: optionalText(commit.msg),
        first_commit_at: optionalTime(commit.timestamp) ?? time(commit.date, `changeSet.items[${index}].timestamp`),
        deployment_ref: deploymentRef(SOURCE, externalId),
      }),
    );
  });
  return { status: 'records', records, merge: true };
}

export const jenkins: SourceAdapter = {
  name: SOURCE,
  title: 'Jenkins build JSON',
  emits: ['deployment', 'change'],
  format: 'json',
  toRecords: jenkinsRecords,
};
