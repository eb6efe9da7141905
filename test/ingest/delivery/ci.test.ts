// CircleCI, Jenkins and Argo CD payloads → deployments, field by field.
import { describe, expect, it } from 'vitest';
import { circleci } from '../../../src/ingest/sources/circleci.ts';
import { jenkins } from '../../../src/ingest/sources/jenkins.ts';
import { argocd } from '../../../src/ingest/sources/argocd.ts';
import { fixture, only, run } from './helpers.ts';

describe('circleci', () => {
  it('a created pipeline is a queued deployment with its commit and branch', () => {
    const payload = fixture('circleci/rest.pipeline.created.json');
    expect(only(run(circleci, payload), 'deployment')).toEqual({
      source: 'circleci',
      external_id: 'pipeline/7fcc1623-edcc-4a76-ad20-cd81aa83519f',
      service: 'coldgust.github.io',
      environment: 'production',
      commit_sha: '49874a6ac988e2b3434501d4a4554c54583e6820',
      status: 'queued',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      labels: { project: 'gh/coldgust/coldgust.github.io', pipeline_number: '9', ref: 'master' },
      raw: payload,
    });
  });

  it('its workflow finishes the same deployment', () => {
    expect(only(run(circleci, fixture('circleci/rest.workflow.success.json')), 'deployment')).toMatchObject({
      external_id: 'pipeline/7fcc1623-edcc-4a76-ad20-cd81aa83519f',
      status: 'success',
      started_at: '2023-03-25T18:13:21.000Z',
      finished_at: '2023-03-25T18:13:38.000Z',
      labels: { project: 'gh/coldgust/coldgust.github.io', workflow: 'workflow', pipeline_number: '9' },
    });
  });

  it('a failed workflow is a failed deployment; the service comes from a header when given', () => {
    expect(only(run(circleci, fixture('circleci/rest.workflow.failed.json'), { 'x-escapement-service': 'site', 'x-escapement-environment': 'staging' }), 'deployment')).toMatchObject({
      external_id: 'pipeline/23622ee4-e150-4920-9d66-81533fa765a4',
      service: 'site',
      environment: 'staging',
      status: 'failure',
      started_at: '2023-03-25T17:52:15.000Z',
      finished_at: '2023-03-25T17:52:23.000Z',
    });
  });
});

describe('jenkins', () => {
  it('a successful build is a deployment of its job with the built revision', () => {
    const payload = fixture('jenkins/rest.build.success.json');
    expect(only(run(jenkins, payload), 'deployment')).toEqual({
      source: 'jenkins',
      external_id: 'Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake#31',
      service: 'devlake',
      environment: 'production',
      commit_sha: '0f886c74949c3ee7e489188911c7dc0c1d547418',
      status: 'success',
      started_at: '2022-04-15T12:00:49.161Z',
      finished_at: '2022-04-15T12:00:50.748Z',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      labels: { job: 'Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake', build: '31', ref: 'main', repository: 'https://github.com/merico-dev/lake.git' },
      raw: payload,
    });
  });

  it('a failed build is a failed deployment', () => {
    expect(only(run(jenkins, fixture('jenkins/rest.build.failure.json')), 'deployment')).toMatchObject({
      external_id: 'Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake#10002',
      status: 'failure',
      started_at: '2022-04-15T10:06:17.939Z',
      finished_at: '2022-04-15T10:06:17.943Z',
    });
  });

  it('a build still running has no result and no finish', () => {
    const payload = fixture('jenkins/rest.build.success.json');
    payload.result = null;
    const d = only(run(jenkins, payload), 'deployment');
    expect([d.status, d.finished_at]).toEqual(['in_progress', undefined]);
  });
});

describe('argocd', () => {
  it('on-deployed is a finished deployment with the sync times, revision and image tag', () => {
    const payload = fixture('argocd/notification.on-deployed.json');
    expect(only(run(argocd, payload), 'deployment')).toEqual({
      source: 'argocd',
      external_id: 'checkout@2025-11-04T14:05:00.000Z',
      service: 'checkout',
      environment: 'production',
      version: '2.4.1',
      commit_sha: '9d2f1c0e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
      status: 'success',
      started_at: '2025-11-04T14:05:00.000Z',
      finished_at: '2025-11-04T14:07:31.000Z',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      labels: { application: 'checkout', event: 'on-deployed', ref: 'main', repository: 'https://github.com/example/checkout-deploy.git' },
      raw: payload,
    });
  });

  it('a sync back to a revision of the history is a rollback', () => {
    const payload = fixture('argocd/notification.on-deployed.json') as { app: { status: { operationState: Record<string, unknown>; history: Record<string, unknown>[] } } };
    const state = payload.app.status.operationState;
    const older = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
    state.startedAt = '2025-11-05T08:00:00Z';
    state.finishedAt = '2025-11-05T08:01:10Z';
    state.syncResult = { revision: older };
    payload.app.status.history.push({ id: 2, revision: older, deployStartedAt: '2025-11-05T08:00:00Z', deployedAt: '2025-11-05T08:01:10Z' });
    expect(only(run(argocd, payload), 'deployment')).toMatchObject({ kind: 'rollback', rolls_back_to: older, commit_sha: older, finished_at: '2025-11-05T08:01:10.000Z' });
  });

  it('a running sync has a start and no finish; a degraded app is not a deployment event', () => {
    const payload = fixture('argocd/notification.on-deployed.json') as { event: string; app: { status: { operationState: Record<string, unknown> } } };
    payload.event = 'on-sync-running';
    payload.app.status.operationState.phase = 'Running';
    const d = only(run(argocd, payload), 'deployment');
    expect([d.status, d.started_at, d.finished_at]).toEqual(['in_progress', '2025-11-04T14:05:00.000Z', undefined]);
    payload.event = 'on-health-degraded';
    expect(run(argocd, payload).status).toBe('ignored');
  });

  it('rejects a body without the application', () => {
    expect(() => run(argocd, { event: 'on-deployed' })).toThrow('app: expected a JSON object');
  });
});

describe('circleci webhook wrapper', () => {
  it('a workflow-completed webhook carries the pipeline commit and branch into the finished deployment', () => {
    const pipeline = fixture('circleci/rest.pipeline.created.json');
    const workflow = fixture('circleci/rest.workflow.success.json');
    const body = {
      type: 'workflow-completed',
      workflow: { id: workflow.id, name: workflow.name, status: workflow.status, created_at: workflow.created_at, stopped_at: workflow.stopped_at },
      pipeline: { id: pipeline.id, number: pipeline.number, created_at: pipeline.created_at, vcs: { ...(pipeline.vcs as object), branch: 'hotfix/cart' } },
      project: { slug: pipeline.project_slug, name: 'coldgust.github.io' },
    };
    expect(only(run(circleci, body), 'deployment')).toMatchObject({
      external_id: 'pipeline/7fcc1623-edcc-4a76-ad20-cd81aa83519f',
      commit_sha: '49874a6ac988e2b3434501d4a4554c54583e6820',
      status: 'success',
      started_at: '2023-03-25T18:13:21.000Z',
      finished_at: '2023-03-25T18:13:38.000Z',
      kind: 'hotfix',
      labels: { ref: 'hotfix/cart', workflow: 'workflow', pipeline_number: '9' },
    });
  });
});
