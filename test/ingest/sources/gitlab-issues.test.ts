import { describe, expect, it } from 'vitest';
import { gitlabIssues } from '../../../src/ingest/sources/gitlab-issues.ts';
import { fixture, ignoredReason, recordsOf, run } from './helpers.ts';

describe('gitlab issues adapter', () => {
  it('reads the documented issue event: an escalated issue is a production signal', () => {
    const payload = fixture('gitlab-issues', 'issue.open.json');
    const { fields, raws } = recordsOf(run(gitlabIssues, payload, { headers: { 'x-gitlab-event': 'Issue Hook' } }));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'gitlab',
        external_id: 'gitlabhq/gitlab-test#23',
        kind: 'ticket',
        url: 'http://example.com/diaspora/issues/23',
        occurred_at: '2013-12-03T17:15:43.000Z',
        title: 'New API: create/update/delete file',
        body: 'Create new API for manipulations with repository',
        severity: 'high',
        status: 'open',
        service: 'gitlabhq/gitlab-test',
        labels: {
          API: 'true',
          state: 'opened',
          action: 'open',
          escalation_status: 'triggered',
          escalation_policy: 'Engineering On-call',
          health_status: 'at_risk',
          repository: 'gitlabhq/gitlab-test',
          issue_type: 'Issue',
          classified_as: 'signal: marked an incident by the tracker',
        },
        links: ['gitlab:gitlabhq/gitlab-test#23'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads GitLab time format and closes a closed issue; a plain bug is a defect', () => {
    const payload = fixture('gitlab-issues', 'issue.open.json') as { object_attributes: Record<string, unknown> };
    const attrs = payload.object_attributes;
    Object.assign(attrs, { escalation_status: null, severity: 'unknown', state: 'closed', action: 'close', created_at: '2013-12-03 17:15:43 UTC', closed_at: '2013-12-04 09:00:00 UTC', labels: [{ title: 'bug' }, { title: 'service::checkout' }] });
    const { fields } = recordsOf(run(gitlabIssues, payload));
    expect(fields[0]).toMatchObject({ kind_of_record: 'defect', found_at: '2013-12-03T17:15:43.000Z', resolved_at: '2013-12-04T09:00:00.000Z', status: 'resolved', service: 'checkout', severity: 'medium' });
  });

  it('ignores events that are not about issues', () => {
    expect(ignoredReason(run(gitlabIssues, { object_kind: 'note' }))).toBe('GitLab note events are not issue events');
  });
});
