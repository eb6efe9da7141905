// GitHub delivery events → deployments and changes, field by field, through the shared `github` dispatcher.
import { describe, expect, it } from 'vitest';
import { github } from '../../../src/ingest/sources/github.ts';
import { ConfigSchema } from '../../../src/domain/config.ts';
import { fixture, only, recordsOf, run, RECEIVED_AT } from './helpers.ts';

const event = (name: string) => ({ 'x-github-event': name });

describe('github deployment events', () => {
  it('a created deployment is queued, keyed by its id, with no start yet', () => {
    const payload = fixture('github/deployment.created.json');
    const output = run(github, payload, event('deployment'));
    expect(output.status === 'records' && output.merge).toBe(true);
    const d = only(output, 'deployment');
    expect(d).toEqual({
      source: 'github',
      external_id: 'deployment/145988746',
      service: 'Hello-World',
      environment: 'production',
      commit_sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      status: 'queued',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      url: 'https://api.github.com/repos/Codertocat/Hello-World/deployments/145988746',
      labels: { ref: 'master', task: 'deploy', repository: 'Codertocat/Hello-World' },
      raw: payload,
    });
    expect(d.started_at).toBeUndefined();
    expect(d.finished_at).toBeUndefined();
  });

  it('in_progress gives the start time from the status event, not updated_at', () => {
    const d = only(run(github, fixture('github/deployment_status.created.in_progress.json'), event('deployment_status')), 'deployment');
    expect(d.external_id).toBe('deployment/145988746');
    expect(d.status).toBe('in_progress');
    expect(d.started_at).toBe('2022-01-03T01:28:40.000Z');
    expect(d.finished_at).toBeUndefined();
    // production_environment: false, so the GitHub Pages environment keeps its name.
    expect(d.environment).toBe('github-pages');
    expect(d.url).toBe('https://github.com/Codertocat/Hello-World/runs/145988746?check_suite_focus=true');
  });

  it('success gives the finish time and status', () => {
    const d = only(run(github, fixture('github/deployment_status.created.success.json'), event('deployment_status')), 'deployment');
    expect(d).toMatchObject({ external_id: 'deployment/145988746', status: 'success', finished_at: '2019-05-15T15:20:55.000Z', environment: 'production', kind: 'planned' });
    expect(d.started_at).toBeUndefined();
  });

  it('failure and error states finish the deployment as failed', () => {
    const payload = fixture('github/deployment_status.created.success.json') as { deployment_status: Record<string, unknown> };
    for (const state of ['failure', 'error']) {
      payload.deployment_status.state = state;
      const d = only(run(github, payload, event('deployment_status')), 'deployment');
      expect([d.status, d.finished_at]).toEqual(['failure', '2019-05-15T15:20:55.000Z']);
    }
  });

  it('an inactive status changes nothing', () => {
    const payload = fixture('github/deployment_status.created.success.json') as { deployment_status: Record<string, unknown> };
    payload.deployment_status.state = 'inactive';
    expect(run(github, payload, event('deployment_status')).status).toBe('ignored');
  });

  it('detects a hotfix from the ref and a rollback from the deployment payload', () => {
    const payload = fixture('github/deployment.created.json') as { deployment: Record<string, unknown> };
    payload.deployment.ref = 'hotfix/pay-123';
    expect(only(run(github, payload, event('deployment')), 'deployment')).toMatchObject({ kind: 'hotfix', kind_reason: 'named "hotfix/pay-123"' });
    payload.deployment.ref = 'v2.4.0';
    payload.deployment.payload = { previous_version: 'v2.4.1' };
    expect(only(run(github, payload, event('deployment')), 'deployment')).toMatchObject({ kind: 'rollback', version: 'v2.4.0', rolls_back_to: 'v2.4.0' });
  });

  it('reads a deployment payload sent as a JSON string', () => {
    const payload = fixture('github/deployment.created.json') as { deployment: Record<string, unknown> };
    payload.deployment.payload = JSON.stringify({ version: '3.1.0', kind: 'hotfix', service: 'billing' });
    expect(only(run(github, payload, event('deployment')), 'deployment')).toMatchObject({ version: '3.1.0', kind: 'hotfix', kind_reason: 'set by the sender: hotfix', service: 'billing' });
  });

  it('maps the repository to the configured service', () => {
    const config = ConfigSchema.parse({ services: [{ name: 'hello', repository: 'https://github.com/Codertocat/Hello-World.git' }] });
    expect(only(run(github, fixture('github/deployment.created.json'), event('deployment'), config), 'deployment').service).toBe('hello');
  });

  it('finds the event from the payload when there is no header (files)', () => {
    expect(only(run(github, fixture('github/deployment_status.created.success.json')), 'deployment').status).toBe('success');
  });
});

describe('github release, push and pull request events', () => {
  it('a published release is a production deployment of its tag', () => {
    const payload = fixture('github/release.published.json');
    const d = only(run(github, payload, event('release')), 'deployment');
    expect(d).toEqual({
      source: 'github',
      external_id: 'release/17372790',
      service: 'Hello-World',
      environment: 'production',
      version: '0.0.1',
      status: 'success',
      finished_at: '2019-05-15T15:20:53.000Z',
      kind: 'planned',
      kind_reason: 'no rollback, revert, hotfix or fix-forward sign in the payload',
      url: 'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1',
      labels: { release_tag: '0.0.1', ref: 'master', repository: 'Codertocat/Hello-World' },
      raw: payload,
    });
  });

  it('a push gives one change per commit, merged when pushed to the default branch', () => {
    const records = recordsOf(run(github, fixture('github/push.new_branch.json'), event('push')));
    expect(records).toEqual([
      {
        kind: 'change',
        record: {
          source: 'github',
          external_id: 'Codertocat/Hello-World@6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          service: 'Hello-World',
          repository: 'Codertocat/Hello-World',
          sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          title: 'Initial commit',
          first_commit_at: '2019-05-15T15:19:25.000Z',
          merged_at: '2019-05-15T15:20:57.000Z',
        },
      },
    ]);
  });

  it('a deleted tag carries no commits', () => {
    expect(run(github, fixture('github/push.tag_deleted.json'), event('push'))).toEqual({ status: 'ignored', reason: 'refs/tags/simple-tag was deleted: no commits' });
  });

  it('a merged pull request is a change with its merge time', () => {
    const c = only(run(github, fixture('github/pull_request.closed.merged.json'), event('pull_request')), 'change');
    expect(c).toMatchObject({
      source: 'github',
      external_id: 'robvanderleek/create-issue-branch#117',
      service: 'create-issue-branch',
      repository: 'robvanderleek/create-issue-branch',
      sha: '5a47c3f3c22f54f37a3297f2f1c98d860fba4489',
      pr_number: 117,
      title: 'Revert "Update README.md"',
      first_commit_at: '2020-03-23T06:36:20.000Z',
      merged_at: '2020-03-23T06:46:56.000Z',
    });
    expect(c.deployment_ref).toBeUndefined();
  });

  it('a pull request closed without a merge is ignored', () => {
    expect(run(github, fixture('github/pull_request.closed.not_merged.json'), event('pull_request')).status).toBe('ignored');
  });

  it('workflow runs and jobs are ignored: the deployment events already count Actions deployments', () => {
    for (const [file, name] of [['github/workflow_run.completed.success.json', 'workflow_run'], ['github/workflow_job.completed.failure.json', 'workflow_job']] as const) {
      const output = run(github, fixture(file), event(name));
      expect(output.status).toBe('ignored');
      expect(output.status === 'ignored' && output.reason).toContain('CI runs are not deployments');
    }
  });

  it('rejects a deployment without its deployment object, naming the field', () => {
    expect(() => run(github, { action: 'created', repository: { name: 'x' } }, event('deployment'))).toThrow('deployment: expected a JSON object');
  });

  it('ignores events it does not read', () => {
    expect(run(github, { zen: 'hi' }, event('star'))).toEqual({ status: 'ignored', reason: 'GitHub event "star" is not one Escapement reads' });
    expect(RECEIVED_AT).toBe('2026-01-02T03:04:05.000Z');
  });
});
