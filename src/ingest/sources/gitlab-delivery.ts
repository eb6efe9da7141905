// GitLab delivery events: deployments, pipelines (their deploy jobs), jobs, pushes and merged merge
// requests. A deployment is keyed by the job that ran it, so the deployment event and the pipeline's
// deploy job describe one record: running → started_at; success/failed/canceled → finished_at.
import type { AdapterInput, AdapterOutput } from '../adapter.ts';
import type { DeploymentStatus, ImportRecord } from '../../domain/records.ts';
import { detectDeploymentKind } from '../../pipeline/deployment-kind.ts';
import { firstText, type Json, object, optionalArray, optionalObject, optionalText, optionalTime, text, time } from '../payload.ts';
import { changeRecord, deploymentRecord, deploymentStatusOf, environmentOf, isFinished, serviceOfRepository } from './deployment.ts';

const SOURCE = 'gitlab';
const FULL_SHA = /[0-9a-f]{40}$/i;

interface Project {
  path: string;
  service: string;
  defaultBranch?: string | undefined;
}

function projectOf(input: AdapterInput, payload: Json): Project {
  const project = object(payload.project, 'project');
  const path = text(project.path_with_namespace ?? project.name, 'project.path_with_namespace');
  return {
    path,
    service: serviceOfRepository(input.config, path) ?? path,
    defaultBranch: optionalText(project.default_branch),
  };
}

const jobKey = (project: Project, jobId: string) => `${project.path}/jobs/${jobId}`;

/** `deployment` events: status changes of one deployment, at `status_changed_at`. */
export function gitlabDeployment(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const project = projectOf(input, payload);
  const status = deploymentStatusOf(payload.status);
  if (status === undefined) return { status: 'ignored', reason: `deployment status "${optionalText(payload.status)}" is not one Escapement reads` };
  const at = time(payload.status_changed_at, 'status_changed_at');
  const environmentName = text(payload.environment, 'environment');
  const environment = environmentOf(environmentName, { tier: payload.environment_tier }) ?? environmentName;
  const sha = firstText(FULL_SHA.exec(optionalText(payload.commit_url) ?? '')?.[0], payload.short_sha);
  const ref = optionalText(payload.ref);
  const jobId = firstText(payload.deployable_id, payload.deployment_id);
  const externalId = payload.deployable_id !== undefined ? jobKey(project, text(jobId, 'deployable_id')) : `${project.path}/deployments/${text(payload.deployment_id, 'deployment_id')}`;
  const record = deploymentRecord({
    source: SOURCE,
    external_id: externalId,
    service: project.service,
    environment,
    commit_sha: sha,
    status,
    started_at: status === 'in_progress' ? at : undefined,
    finished_at: isFinished(status) ? at : undefined,
    kind: detectDeploymentKind({ sha, refs: [ref], texts: [optionalText(payload.commit_title)] }),
    url: optionalText(payload.deployable_url),
    labels: {
      repository: project.path,
      ...(ref ? { ref } : {}),
      ...(optionalText(payload.deployment_id) ? { deployment_id: optionalText(payload.deployment_id)! } : {}),
      ...(environment !== environmentName ? { environment_name: environmentName } : {}),
    },
    raw: payload,
  });
  return { status: 'records', records: [record], merge: true };
}

interface DeployJob {
  id: string;
  status: string | undefined;
  environment: Json;
  started_at?: string | undefined;
  finished_at?: string | undefined;
  name?: string | undefined;
}

// Jobs that never ran (manual jobs not played, skipped ones) deployed nothing.
const NOT_RUN = new Set(['created', 'pending', 'manual', 'skipped', 'scheduled', 'waiting_for_resource', 'preparing']);

function jobDeployment(input: AdapterInput, project: Project, job: DeployJob, context: { sha?: string | undefined; ref?: string | undefined; texts: (string | undefined)[]; raw: unknown }): ImportRecord | undefined {
  if (optionalText(job.environment.action) === 'stop' || NOT_RUN.has(job.status ?? '')) return undefined;
  const status = deploymentStatusOf(job.status);
  if (status === undefined) return undefined;
  const environmentName = text(job.environment.name, 'environment.name');
  const environment = environmentOf(environmentName, { tier: job.environment.deployment_tier }) ?? environmentName;
  return deploymentRecord({
    source: SOURCE,
    external_id: jobKey(project, job.id),
    service: project.service,
    environment,
    commit_sha: context.sha,
    status,
    started_at: job.started_at,
    finished_at: isFinished(status) ? job.finished_at : undefined,
    kind: detectDeploymentKind({ sha: context.sha, refs: [context.ref], labels: job.name ? [job.name] : [], texts: context.texts }),
    labels: {
      repository: project.path,
      ...(context.ref ? { ref: context.ref } : {}),
      ...(job.name ? { job: job.name } : {}),
      ...(environment !== environmentName ? { environment_name: environmentName } : {}),
    },
    raw: context.raw,
  });
}

/** `pipeline` events: one deployment per deploy job (a job with an environment) that ran. */
export function gitlabPipeline(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const project = projectOf(input, payload);
  const pipeline = object(payload.object_attributes, 'object_attributes');
  const commit = optionalObject(payload.commit);
  const mergeRequest = optionalObject(payload.merge_request);
  const context = {
    sha: optionalText(pipeline.sha),
    ref: optionalText(pipeline.ref),
    texts: [optionalText(commit?.message), optionalText(mergeRequest?.title), optionalText(mergeRequest?.source_branch)],
    raw: payload,
  };
  const records: ImportRecord[] = [];
  const notRun: string[] = [];
  optionalArray(payload.builds).forEach((value, index) => {
    const build = object(value, `builds[${index}]`);
    const environment = optionalObject(build.environment);
    if (!environment) return;
    const job: DeployJob = {
      id: text(build.id, `builds[${index}].id`),
      status: optionalText(build.status),
      environment,
      started_at: optionalTime(build.started_at),
      finished_at: optionalTime(build.finished_at),
      name: optionalText(build.name),
    };
    const record = jobDeployment(input, project, job, context);
    if (record) records.push(record);
    else notRun.push(`${job.name ?? job.id}: ${job.status ?? 'no status'}`);
  });
  if (records.length === 0) {
    return { status: 'ignored', reason: notRun.length > 0 ? `no deploy job ran (${notRun.join(', ')})` : 'the pipeline has no deploy job (a job with an environment)' };
  }
  return { status: 'records', records, merge: true };
}

/** Job events (`object_kind: build`): a deployment when the job deploys to an environment. */
export function gitlabJob(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const environment = optionalObject(payload.environment);
  if (!environment) return { status: 'ignored', reason: 'a job without an environment deploys nothing' };
  const project = projectOf(input, payload);
  const commit = optionalObject(payload.commit);
  const job: DeployJob = {
    id: text(payload.build_id, 'build_id'),
    status: optionalText(payload.build_status),
    environment,
    started_at: optionalTime(payload.build_started_at_iso ?? payload.build_started_at),
    finished_at: optionalTime(payload.build_finished_at_iso ?? payload.build_finished_at),
    name: optionalText(payload.build_name),
  };
  const record = jobDeployment(input, project, job, { sha: optionalText(payload.sha), ref: optionalText(payload.ref), texts: [optionalText(commit?.message)], raw: payload });
  if (!record) return { status: 'ignored', reason: `deploy job ${job.name ?? job.id} has not run (${job.status ?? 'no status'})` };
  return { status: 'records', records: [record], merge: true };
}

/**
 * `push`: one change per commit listed (GitLab lists at most 20; `total_commits_count` says how many
 * there were). A push to the default branch merges them when it is received.
 */
export function gitlabPush(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const commits = optionalArray(payload.commits);
  if (commits.length === 0) return { status: 'ignored', reason: 'the push carries no commits' };
  const project = projectOf(input, payload);
  const ref = optionalText(payload.ref);
  const onDefaultBranch = project.defaultBranch !== undefined && ref === `refs/heads/${project.defaultBranch}`;
  const records = commits.map((value, index) => {
    const commit = object(value, `commits[${index}]`);
    const sha = text(commit.id, `commits[${index}].id`);
    return changeRecord({
      source: SOURCE,
      external_id: `${project.path}@${sha}`,
      service: project.service,
      repository: project.path,
      sha,
      title: firstText(commit.title, optionalText(commit.message)?.split('\n', 1)[0]),
      first_commit_at: time(commit.timestamp, `commits[${index}].timestamp`),
      merged_at: onDefaultBranch ? input.receivedAt : undefined,
    });
  });
  return { status: 'records', records, merge: true };
}

/** `merge_request` merged: one change, counted from the merge request's creation (GitLab sends no first-commit time). */
export function gitlabMergeRequest(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const mr = object(payload.object_attributes, 'object_attributes');
  if (optionalText(mr.action) !== 'merge' && optionalText(mr.state) !== 'merged') {
    return { status: 'ignored', reason: `merge request ${optionalText(mr.action) ?? optionalText(mr.state) ?? ''} without a merge: not a change that ships` };
  }
  const project = projectOf(input, payload);
  const iid = Number(text(mr.iid, 'object_attributes.iid'));
  return {
    status: 'records',
    records: [
      changeRecord({
        source: SOURCE,
        external_id: `${project.path}!${iid}`,
        service: project.service,
        repository: project.path,
        sha: firstText(mr.merge_commit_sha, optionalObject(mr.last_commit)?.id),
        pr_number: iid,
        title: optionalText(mr.title),
        first_commit_at: time(mr.created_at, 'object_attributes.created_at'),
        merged_at: optionalTime(mr.merged_at) ?? time(mr.updated_at, 'object_attributes.updated_at'),
        raw: payload,
      }),
    ],
    merge: true,
  };
}
