// GitHub delivery events: deployments and their statuses, published releases, pushes and merged pull
// requests. A deployment's real start and finish come from its status events (in_progress, then
// success/failure), never from `updated_at`; every event re-reads the deployment object it carries, so
// the stored record converges whatever order the events arrive in.
import type { AdapterInput, AdapterOutput } from '../adapter.ts';
import type { DeploymentStatus, ImportRecord } from '../../domain/records.ts';
import { detectDeploymentKind } from '../../pipeline/deployment-kind.ts';
import { firstText, type Json, object, optionalArray, optionalObject, optionalText, optionalTime, text, time } from '../payload.ts';
import { changeRecord, deploymentRecord, type DeploymentFacts, environmentOf, serviceOfRepository } from './deployment.ts';

const SOURCE = 'github';
const SHA = /^[0-9a-f]{7,40}$/i;
const VERSION_LIKE = /^v?\d+(\.\d+)+([-+.][0-9a-z.-]+)?$/i;

function repositoryOf(payload: Json): Json {
  return object(payload.repository, 'repository');
}

function serviceOf(input: AdapterInput, repository: Json, override?: unknown): string {
  const fullName = optionalText(repository.full_name);
  return optionalText(override) ?? serviceOfRepository(input.config, fullName, undefined) ?? text(repository.name, 'repository.name');
}

/** The deployer's own `payload` (an object, or a JSON string as the API also accepts). */
function deploymentPayload(value: unknown): Json {
  if (typeof value === 'string') {
    try {
      return optionalObject(JSON.parse(value)) ?? {};
    } catch {
      return {};
    }
  }
  return optionalObject(value) ?? {};
}

/** Facts of a deployment object, shared by `deployment` and `deployment_status` events. */
function deploymentFacts(input: AdapterInput, payload: Json, status: DeploymentStatus): DeploymentFacts {
  const deployment = object(payload.deployment, 'deployment');
  const extra = deploymentPayload(deployment.payload);
  const ref = optionalText(deployment.ref);
  const environmentName = text(deployment.environment, 'deployment.environment');
  const environment = environmentOf(environmentName, { flag: deployment.production_environment }) ?? environmentName;
  const version = firstText(extra.version, ref !== undefined && VERSION_LIKE.test(ref) ? ref : undefined);
  const sha = optionalText(deployment.sha);
  const task = optionalText(deployment.task);
  return {
    source: SOURCE,
    external_id: `deployment/${text(deployment.id, 'deployment.id')}`,
    service: serviceOf(input, repositoryOf(payload), extra.service),
    environment,
    version,
    commit_sha: sha,
    status,
    kind: detectDeploymentKind({
      explicitKind: optionalText(extra.kind),
      version,
      sha,
      previous: [optionalText(extra.previous_version), optionalText(extra.previous_sha)].filter((p): p is string => p !== undefined),
      refs: [ref],
      labels: task && task !== 'deploy' ? [task] : [],
      texts: [optionalText(deployment.description)],
    }),
    url: optionalText(deployment.url),
    labels: {
      ...(ref ? { ref } : {}),
      ...(task ? { task } : {}),
      ...(environment !== environmentName ? { environment_name: environmentName } : {}),
      ...(optionalText(repositoryOf(payload).full_name) ? { repository: optionalText(repositoryOf(payload).full_name)! } : {}),
    },
    raw: payload,
  };
}

/** `deployment` created: the deployment is queued; its start comes with its first in_progress status. */
export function githubDeployment(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  if (optionalText(payload.action) !== 'created') return { status: 'ignored', reason: `deployment action "${optionalText(payload.action)}" carries nothing new` };
  return { status: 'records', records: [deploymentRecord(deploymentFacts(input, payload, 'queued'))], merge: true };
}

const STATUS_OF_STATE: Record<string, DeploymentStatus> = {
  queued: 'queued',
  pending: 'queued',
  waiting: 'queued',
  in_progress: 'in_progress',
  success: 'success',
  failure: 'failure',
  error: 'failure',
};

/**
 * `deployment_status`: in_progress → started_at; success/failure/error → finished_at and status.
 * `inactive` only says a newer deployment replaced this one, so it changes nothing.
 */
export function githubDeploymentStatus(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const deploymentStatus = object(payload.deployment_status, 'deployment_status');
  const state = text(deploymentStatus.state, 'deployment_status.state').toLowerCase();
  if (state === 'inactive') return { status: 'ignored', reason: 'an inactive status marks a deployment replaced by a newer one; its record stays as it was' };
  const status = STATUS_OF_STATE[state];
  if (status === undefined) return { status: 'ignored', reason: `deployment status state "${state}" is not one Escapement reads` };
  const at = time(deploymentStatus.created_at, 'deployment_status.created_at');
  const facts = deploymentFacts(input, payload, status);
  facts.started_at = status === 'in_progress' ? at : undefined;
  facts.finished_at = status === 'success' || status === 'failure' ? at : undefined;
  facts.url = firstText(deploymentStatus.target_url, deploymentStatus.log_url, facts.url);
  return { status: 'records', records: [deploymentRecord(facts)], merge: true };
}

/**
 * `release` published: what reached users for teams that ship tagged releases (libraries, apps). It is
 * stored as a deployment of the tag to `production` (`prerelease` for pre-releases) with the label
 * `release_tag`, so the release list can count tagged releases only (src/pipeline/releases.ts).
 */
export function githubRelease(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const action = optionalText(payload.action);
  if (action !== 'published') return { status: 'ignored', reason: `release action "${action}": only published releases reach users` };
  const release = object(payload.release, 'release');
  const repository = repositoryOf(payload);
  const tag = text(release.tag_name, 'release.tag_name');
  const commitish = optionalText(release.target_commitish);
  const publishedAt = time(release.published_at ?? release.created_at, 'release.published_at');
  const facts: DeploymentFacts = {
    source: SOURCE,
    external_id: `release/${text(release.id, 'release.id')}`,
    service: serviceOf(input, repository),
    environment: release.prerelease === true ? 'prerelease' : 'production',
    version: tag,
    commit_sha: commitish !== undefined && SHA.test(commitish) ? commitish : undefined,
    status: 'success',
    finished_at: publishedAt,
    kind: detectDeploymentKind({ refs: [tag, commitish], texts: [optionalText(release.name), optionalText(release.body)] }),
    url: optionalText(release.html_url),
    labels: {
      release_tag: tag,
      ...(commitish ? { ref: commitish } : {}),
      ...(optionalText(repository.full_name) ? { repository: optionalText(repository.full_name)! } : {}),
    },
    raw: payload,
  };
  return { status: 'records', records: [deploymentRecord(facts)], merge: true };
}

/**
 * `push`: one change per commit, first committed at the commit's time. A push to the default branch
 * merges the commits then (the repository's `pushed_at`); commits pushed elsewhere get merged_at later,
 * from that push or from their pull request.
 */
export function githubPush(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const commits = optionalArray(payload.commits);
  if (payload.deleted === true) return { status: 'ignored', reason: `${optionalText(payload.ref) ?? 'a ref'} was deleted: no commits` };
  if (commits.length === 0) return { status: 'ignored', reason: 'the push carries no commits' };
  const repository = repositoryOf(payload);
  const fullName = text(repository.full_name, 'repository.full_name');
  const ref = text(payload.ref, 'ref');
  const onDefaultBranch = ref === `refs/heads/${optionalText(repository.default_branch) ?? ''}`;
  const pushedAt = optionalTime(repository.pushed_at) ?? input.receivedAt;
  const service = serviceOf(input, repository);
  const records: ImportRecord[] = commits.map((value, index) => {
    const commit = object(value, `commits[${index}]`);
    const sha = text(commit.id, `commits[${index}].id`);
    return changeRecord({
      source: SOURCE,
      external_id: `${fullName}@${sha}`,
      service,
      repository: fullName,
      sha,
      title: optionalText(commit.message)?.split('\n', 1)[0],
      first_commit_at: time(commit.timestamp, `commits[${index}].timestamp`),
      merged_at: onDefaultBranch ? pushedAt : undefined,
    });
  });
  return { status: 'records', records, merge: true };
}

/**
 * `pull_request` closed and merged: one change. GitHub's event does not carry commit times, so the
 * change counts from the pull request's creation (a lower bound of its lead time; pushes of the same
 * commits give the exact times per commit).
 */
export function githubPullRequest(input: AdapterInput): AdapterOutput {
  const payload = object(input.payload, '(body)');
  const pr = object(payload.pull_request, 'pull_request');
  if (optionalText(payload.action) !== 'closed' || pr.merged !== true) {
    return { status: 'ignored', reason: `pull request ${optionalText(payload.action) ?? ''} without a merge: not a change that ships` };
  }
  const repository = repositoryOf(payload);
  const fullName = text(repository.full_name, 'repository.full_name');
  const number = Number(text(pr.number ?? payload.number, 'pull_request.number'));
  return {
    status: 'records',
    records: [
      changeRecord({
        source: SOURCE,
        external_id: `${fullName}#${number}`,
        service: serviceOf(input, repository),
        repository: fullName,
        sha: optionalText(pr.merge_commit_sha),
        pr_number: number,
        title: optionalText(pr.title),
        first_commit_at: time(pr.created_at, 'pull_request.created_at'),
        merged_at: time(pr.merged_at, 'pull_request.merged_at'),
        raw: payload,
      }),
    ],
    merge: true,
  };
}

/**
 * `workflow_run` / `workflow_job`: CI runs are not deployments. A GitHub Actions job that deploys to an
 * environment already sends `deployment` and `deployment_status` events; reading the runs too would count
 * those deployments twice.
 */
export function githubWorkflow(event: string): AdapterOutput {
  return { status: 'ignored', reason: `${event}: CI runs are not deployments; Escapement reads the deployment and deployment_status events Actions sends for environments` };
}
