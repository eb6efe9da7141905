import { describe, expect, it } from 'vitest';
import { githubIssues } from '../../../src/ingest/sources/github-issues.ts';
import { config, fixture, ignoredReason, recordsOf, run } from './helpers.ts';

const expected = {
  kind_of_record: 'defect',
  source: 'github',
  external_id: 'Codertocat/Hello-World#1',
  title: 'Spelling error in the README file',
  service: 'Codertocat/Hello-World',
  severity: 'medium',
  category: 'functional',
  found_at: '2019-05-15T15:20:18.000Z',
  found_in: 'qa',
  release: 'v1.0',
  blocker: false,
  status: 'open',
  url: 'https://github.com/Codertocat/Hello-World/issues/1',
  labels: { bug: 'true', state: 'open', repository: 'Codertocat/Hello-World', milestone: 'v1.0', fix_versions: 'v1.0', classified_as: 'defect: label bug' },
};

describe('github issues adapter', () => {
  it('reads issues.opened with label bug as a pre-release defect (milestone as release)', () => {
    const payload = fixture('github-issues', 'issues.opened.json');
    const { fields, raws } = recordsOf(run(githubIssues, payload, { headers: { 'x-github-event': 'issues' } }));
    expect(fields).toEqual([expected]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads issues.labeled the same way (same key: the update replaces it)', () => {
    expect(recordsOf(run(githubIssues, fixture('github-issues', 'issues.labeled.json'))).fields).toEqual([expected]);
  });

  it('makes a production-labelled issue a signal, with severity, service and env from scoped labels', () => {
    const payload = fixture('github-issues', 'issues.opened.json') as { issue: Record<string, unknown> };
    payload.issue.labels = [{ name: 'incident' }, { name: 'severity:high' }, { name: 'service:checkout' }, { name: 'env:production' }];
    payload.issue.body = 'Broke after #811 and commit 9fceb02';
    payload.issue.state = 'closed';
    payload.issue.closed_at = '2019-05-15T18:00:00Z';
    const { fields } = recordsOf(run(githubIssues, payload));
    expect(fields[0]).toMatchObject({
      kind_of_record: 'signal',
      kind: 'ticket',
      severity: 'high',
      service: 'checkout',
      environment: 'production',
      status: 'resolved',
      resolved_at: '2019-05-15T18:00:00.000Z',
      links: ['github:Codertocat/Hello-World#1', 'sha:9fceb02', 'pr:Codertocat/Hello-World#811', 'version:v1.0'],
    });
  });

  it('ignores other events, pull requests and deletions', () => {
    expect(ignoredReason(run(githubIssues, {}, { headers: { 'x-github-event': 'issue_comment' } }))).toMatch(/issue_comment/);
    expect(ignoredReason(run(githubIssues, { action: 'deleted', issue: {} }))).toBe('issue action deleted is not used');
    const pr = fixture('github-issues', 'issues.opened.json') as { issue: Record<string, unknown> };
    pr.issue.pull_request = { url: 'x' };
    expect(ignoredReason(run(githubIssues, pr))).toBe('a pull request, not an issue');
    const story = fixture('github-issues', 'issues.opened.json') as { issue: Record<string, unknown> };
    story.issue.labels = [{ name: 'enhancement' }];
    expect(ignoredReason(run(githubIssues, story, { config: config() }))).toMatch(/neither a production problem nor a bug/);
  });
});
