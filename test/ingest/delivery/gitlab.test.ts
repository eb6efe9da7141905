// GitLab delivery events → deployments and changes, field by field, through the shared `gitlab` dispatcher.
import { describe, expect, it } from 'vitest';
import { gitlab } from '../../../src/ingest/sources/gitlab.ts';
import { fixture, only, recordsOf, run, RECEIVED_AT } from './helpers.ts';

describe('gitlab delivery events', () => {
  it('a deployment event finishes the deployment of its job at status_changed_at', () => {
    const payload = fixture('gitlab/deployment.success.json');
    const output = run(gitlab, payload, { 'x-gitlab-event': 'Deployment Hook' });
    expect(output.status === 'records' && output.merge).toBe(true);
    expect(only(output, 'deployment')).toEqual({
      source: 'gitlab',
      external_id: 'root/test-deployment-webhooks/jobs/796',
      service: 'test-deployment-webhooks',
      environment: 'staging',
      commit_sha: '279484c09fbe69ededfced8c1bb6e6d24616b468',
      status: 'success',
      finished_at: '2021-04-28T19:50:00.000Z',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      url: 'http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796',
      labels: { repository: 'root/test-deployment-webhooks', deployment_id: '15' },
      raw: payload,
    });
  });

  it('a running deployment gets its start; the production tier is production', () => {
    const payload = fixture('gitlab/deployment.success.json');
    Object.assign(payload, { status: 'running', environment: 'prod-eu', environment_tier: 'production' });
    const d = only(run(gitlab, payload), 'deployment');
    expect([d.status, d.started_at, d.finished_at, d.environment, d.labels.environment_name]).toEqual(['in_progress', '2021-04-28T19:50:00.000Z', undefined, 'production', 'prod-eu']);
  });

  it('a pipeline whose deploy job was skipped deployed nothing', () => {
    expect(run(gitlab, fixture('gitlab/pipeline.success.json'))).toEqual({ status: 'ignored', reason: 'no deploy job ran (production: skipped, staging: created)' });
  });

  it('a pipeline whose deploy job ran is a deployment keyed like the deployment event of that job', () => {
    const payload = fixture('gitlab/pipeline.success.json') as { builds: Record<string, unknown>[] };
    Object.assign(payload.builds[0]!, { status: 'success', started_at: '2016-08-12 15:26:30 UTC', finished_at: '2016-08-12 15:27:01 UTC' });
    const d = only(run(gitlab, payload), 'deployment');
    expect(d).toMatchObject({
      external_id: 'gitlab-org/gitlab-test/jobs/380',
      service: 'gitlab-test',
      environment: 'production',
      commit_sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      status: 'success',
      started_at: '2016-08-12T15:26:30.000Z',
      finished_at: '2016-08-12T15:27:01.000Z',
      kind: 'planned',
      labels: { repository: 'gitlab-org/gitlab-test', ref: 'master', job: 'production' },
    });
  });

  it('a push gives one change per listed commit, merged when received on the default branch', () => {
    const records = recordsOf(run(gitlab, fixture('gitlab/push.json'), { 'x-gitlab-event': 'Push Hook' }));
    expect(records.map((r) => r.record)).toEqual([
      {
        source: 'gitlab',
        external_id: 'mike/diaspora@b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        service: 'diaspora',
        repository: 'mike/diaspora',
        sha: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        title: 'Update Catalan translation to e38cb41.',
        first_commit_at: '2011-12-12T12:27:31.000Z',
        merged_at: RECEIVED_AT,
      },
      {
        source: 'gitlab',
        external_id: 'mike/diaspora@da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        service: 'diaspora',
        repository: 'mike/diaspora',
        sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        title: 'fixed readme',
        first_commit_at: '2012-01-03T21:36:29.000Z',
        merged_at: RECEIVED_AT,
      },
    ]);
  });

  it('a job without an environment deploys nothing', () => {
    expect(run(gitlab, fixture('gitlab/job.created.json'))).toEqual({ status: 'ignored', reason: 'a job without an environment deploys nothing' });
  });

  it('a deploy job that has not run yet is ignored, a finished one is a deployment', () => {
    const payload = fixture('gitlab/job.created.json');
    payload.environment = { name: 'production', action: 'start', deployment_tier: 'production' };
    expect(run(gitlab, payload).status).toBe('ignored');
    Object.assign(payload, { build_status: 'failed', build_started_at_iso: '2021-02-23T02:42:00Z', build_finished_at_iso: '2021-02-23T02:43:10Z', ref: 'hotfix/login' });
    expect(only(run(gitlab, payload), 'deployment')).toMatchObject({
      external_id: 'gitlab-org/gitlab-test/jobs/1977',
      status: 'failure',
      started_at: '2021-02-23T02:42:00.000Z',
      finished_at: '2021-02-23T02:43:10.000Z',
      kind: 'hotfix',
      kind_reason: 'named "hotfix/login"',
    });
  });

  it('a merged merge request is a change', () => {
    const payload = {
      object_kind: 'merge_request',
      project: { path_with_namespace: 'group/shop', default_branch: 'main' },
      object_attributes: { iid: 7, title: 'Fix totals', action: 'merge', state: 'merged', created_at: '2025-11-01 10:00:00 UTC', updated_at: '2025-11-02 09:30:00 UTC', merge_commit_sha: 'abcdef1234567' },
    };
    expect(only(run(gitlab, payload), 'change')).toMatchObject({
      external_id: 'group/shop!7', pr_number: 7, sha: 'abcdef1234567', first_commit_at: '2025-11-01T10:00:00.000Z', merged_at: '2025-11-02T09:30:00.000Z',
    });
  });
});
