// CircleCI API v2 pipelines and workflows (the REST objects, as a notifier or a backfill posts them):
// a pipeline and its workflows are one deployment, keyed by the pipeline id. The pipeline gives the
// commit and branch; a workflow gives status, start and finish. Point only deploy pipelines here; the
// project name is the service unless `X-Escapement-Service` says otherwise.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import type { Deployment } from '../../domain/records.ts';
import { detectDeploymentKind, NO_KIND_SIGN } from '../../pipeline/deployment-kind.ts';
import { type Json, object, optionalObject, optionalText, optionalTime, text, time } from '../payload.ts';
import { deploymentRecord, deploymentStatusOf, type DeploymentFacts, environmentOf, escapementHeader, isFinished, serviceOfRepository } from './deployment.ts';

const SOURCE = 'circleci';

function common(input: AdapterInput, projectSlug: string): Pick<DeploymentFacts, 'source' | 'service' | 'environment'> {
  // `gh/owner/repo` → `owner/repo`, matched against configured repositories.
  const repository = projectSlug.split('/').slice(1).join('/');
  const environmentName = escapementHeader(input, 'environment') ?? 'production';
  return {
    source: SOURCE,
    service: escapementHeader(input, 'service') ?? serviceOfRepository(input.config, repository) ?? projectSlug,
    environment: environmentOf(environmentName) ?? environmentName,
  };
}

function pipelineRecords(input: AdapterInput, pipeline: Json): AdapterOutput {
  const slug = text(pipeline.project_slug, 'project_slug');
  const vcs = optionalObject(pipeline.vcs) ?? {};
  const commit = optionalObject(vcs.commit) ?? {};
  const branch = optionalText(vcs.branch);
  const tag = optionalText(vcs.tag);
  const sha = optionalText(vcs.revision);
  const facts: DeploymentFacts = {
    ...common(input, slug),
    external_id: `pipeline/${text(pipeline.id, 'id')}`,
    version: tag,
    commit_sha: sha,
    status: 'queued',
    kind: detectDeploymentKind({
      explicitKind: escapementHeader(input, 'kind'),
      sha,
      refs: [branch, tag],
      texts: [optionalText(commit.subject)],
    }),
    labels: { project: slug, pipeline_number: text(pipeline.number, 'number'), ...(branch ? { ref: branch } : {}) },
    raw: pipeline,
  };
  return { status: 'records', records: [deploymentRecord(facts)], merge: true };
}

function workflowRecords(input: AdapterInput, workflow: Json): AdapterOutput {
  const slug = text(workflow.project_slug, 'project_slug');
  const status = deploymentStatusOf(workflow.status);
  if (status === undefined) return { status: 'ignored', reason: `workflow status "${optionalText(workflow.status)}" is not one Escapement reads` };
  const facts: DeploymentFacts = {
    ...common(input, slug),
    external_id: `pipeline/${text(workflow.pipeline_id, 'pipeline_id')}`,
    status,
    started_at: time(workflow.created_at, 'created_at'),
    finished_at: isFinished(status) ? optionalTime(workflow.stopped_at) : undefined,
    // A workflow carries no branch or commit; the pipeline event of the same id gives them.
    kind: detectDeploymentKind({ explicitKind: escapementHeader(input, 'kind'), labels: [text(workflow.name, 'name')] }),
    labels: { project: slug, workflow: text(workflow.name, 'name'), pipeline_number: text(workflow.pipeline_number, 'pipeline_number') },
    raw: workflow,
  };
  return { status: 'records', records: [deploymentRecord(facts)], merge: true };
}

export function circleciRecords(input: AdapterInput): AdapterOutput {
  const body = object(input.payload, '(body)');
  // CircleCI's own webhooks wrap the objects: {type: "workflow-completed", workflow, pipeline, project}.
  // The pipeline part carries the commit and branch, so the workflow's deployment gets them too.
  const workflow = optionalObject(body.workflow);
  const pipeline = optionalObject(body.pipeline);
  if (workflow && pipeline) {
    const slug = text(optionalObject(body.project)?.slug, 'project.slug');
    const fromPipeline = pipelineRecords(input, { ...pipeline, project_slug: slug });
    const fromWorkflow = workflowRecords(input, { ...workflow, project_slug: slug, pipeline_id: pipeline.id, pipeline_number: pipeline.number });
    if (fromWorkflow.status !== 'records' || fromPipeline.status !== 'records') return fromWorkflow;
    const queued = fromPipeline.records[0]!.record as Deployment;
    const finished = fromWorkflow.records[0]!.record as Deployment;
    const kind = finished.kind_reason === NO_KIND_SIGN ? { kind: queued.kind, kind_reason: queued.kind_reason, rolls_back_to: queued.rolls_back_to } : {};
    const record = { ...queued, ...finished, ...kind, commit_sha: queued.commit_sha, labels: { ...queued.labels, ...finished.labels }, raw: body };
    return { status: 'records', records: [{ kind: 'deployment', record }], merge: true };
  }
  if ('pipeline_id' in body) return workflowRecords(input, body);
  if ('vcs' in body || 'state' in body) return pipelineRecords(input, body);
  return { status: 'ignored', reason: 'neither a CircleCI pipeline (vcs, state) nor a workflow (pipeline_id, status)' };
}

export const circleci: SourceAdapter = {
  name: SOURCE,
  title: 'CircleCI pipelines and workflows',
  emits: ['deployment'],
  format: 'json',
  toRecords: circleciRecords,
};
