import { describe, expect, it } from 'vitest';
import { jira } from '../../../src/ingest/sources/jira.ts';
import { config, fixture, ignoredReason, recordsOf, run } from './helpers.ts';

// The fixtures are stories and tasks with no production marker: by default they are not read.
const componentsAreProduction = config({ trackers: { production_components: ['COMP-1'], otherwise: 'defect' } });

const tes41 = {
  kind_of_record: 'signal',
  source: 'jira',
  external_id: 'TES-41',
  kind: 'ticket',
  url: 'https://some-instance-test.atlassian.net/browse/TES-41',
  occurred_at: '2019-02-16T03:01:52.971Z',
  severity: 'high',
  service: 'COMP-1',
  links: ['jira:TES-41'],
};
const tes41Labels = { status: 'To Do', project: 'TES', issue_type: 'Story', priority: 'High', components: 'COMP-1', classified_as: 'signal: component comp-1' };

describe('jira adapter', () => {
  it('does not read stories and tasks that nothing marks as production or as bugs (default trackers:)', () => {
    for (const file of ['webhook.jira_issue_created.json', 'webhook.jira_issue_updated.components.json', 'rest.search.issues_in_sprint_with_changelog.json']) {
      expect(ignoredReason(run(jira, fixture('jira', file)))).toMatch(/is neither a production problem nor a bug .*see trackers:/);
    }
  });

  it('reads jira:issue_created as a signal when a production component is configured', () => {
    const payload = fixture('jira', 'webhook.jira_issue_created.json');
    const { fields, raws } = recordsOf(run(jira, payload, { config: componentsAreProduction }));
    expect(fields).toEqual([
      { ...tes41, title: 'Unit test summary', body: 'Unit test description, not that long', status: 'open', labels: { 'test-label': 'true', ...tes41Labels } },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('follows the issue through its updates: priority, fix version, resolution', () => {
    const read = (file: string) => recordsOf(run(jira, fixture('jira', file), { config: componentsAreProduction })).fields[0];
    expect(read('webhook.jira_issue_updated.priority_raised.json')).toEqual({
      ...tes41,
      title: 'Unit test summary 1',
      body: 'Unit test description, not that long, a little longer now',
      status: 'open',
      labels: { sad: 'true', 'test-label': 'true', ...tes41Labels },
    });
    expect(read('webhook.jira_issue_updated.fix_version.json')).toEqual({
      ...tes41,
      title: 'Unit test summary 1',
      body: 'Unit test description, not that long',
      status: 'open',
      labels: { 'test-label': 'true', ...tes41Labels },
    });
    expect(read('webhook.jira_issue_updated.resolved.json')).toEqual({
      ...tes41,
      title: 'Unit test summary 1',
      body: 'Unit test description, not that long, a little longer now',
      status: 'resolved',
      resolved_at: '2019-02-16T03:15:40.470Z',
      labels: { 'test-label': 'true', ...tes41Labels, status: 'Done', resolution: 'Done' },
    });
  });

  it('reads other issues as defects with `otherwise: defect`: fix version as release, component as service', () => {
    const read = (file: string) => recordsOf(run(jira, fixture('jira', file), { config: componentsAreProduction })).fields;
    expect(read('webhook.jira_issue_created.many_fields.json')).toEqual([
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'KT-22',
        title: 'Lots of fields selected',
        service: 'KT',
        severity: 'medium',
        category: 'functional',
        found_at: '2019-08-27T19:43:24.193Z',
        found_in: 'qa',
        release: 'version1',
        blocker: false,
        status: 'open',
        url: 'https://mmtest.atlassian.net/browse/KT-22',
        labels: { Label1: 'true', Label2: 'true', status: 'To Do', project: 'KT', issue_type: 'Task', priority: 'Medium', fix_versions: 'version1,version2', classified_as: 'defect: trackers.otherwise' },
      },
    ]);
    expect(read('webhook.jira_issue_updated.components.json')).toEqual([
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'TES-10',
        title: 'wewe',
        service: 'Special Component',
        severity: 'medium',
        category: 'functional',
        found_at: '2019-07-13T23:28:19.131Z',
        found_in: 'qa',
        release: 'version 1',
        blocker: false,
        status: 'open',
        url: 'https://some-instance-test.atlassian.net/browse/TES-10',
        labels: { ee: 'true', eeee: 'true', tt: 'true', ww: 'true', status: 'To Do', project: 'TES', issue_type: 'Task', priority: 'Medium', components: 'Special Component', fix_versions: 'version 1,version 2', classified_as: 'defect: trackers.otherwise' },
      },
    ]);
    expect(read('webhook.jira_issue_updated.server_many_fields.json')).toEqual([
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'HEY-15',
        title: 'ddgdg',
        service: 'HEY',
        severity: 'critical',
        category: 'functional',
        found_at: '2019-08-12T22:38:31.604Z',
        found_in: 'qa',
        blocker: false,
        status: 'open',
        url: 'http://localhost:8080/browse/HEY-15',
        labels: { '"oh': 'true', dc: 'true', ee: 'true', h: 'true', 'yeah"': 'true', status: 'To Do', project: 'HEY', issue_type: 'Task', priority: 'Highest', classified_as: 'defect: trackers.otherwise' },
      },
    ]);
  });

  it('reads the REST search envelope and a single REST issue', () => {
    const search = recordsOf(run(jira, fixture('jira', 'rest.search.issues_in_sprint_with_changelog.json'), { config: componentsAreProduction }));
    expect(search.fields).toEqual([
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'AR-86',
        title: 'AR-86',
        service: 'AR',
        severity: 'high',
        category: 'functional',
        found_at: '2015-12-02T15:39:15.000Z',
        found_in: 'qa',
        blocker: false,
        status: 'resolved',
        resolved_at: '2015-12-07T22:19:13.000Z',
        url: 'https://example.atlassian.net/browse/AR-86',
        labels: { status: 'Ready', project: 'AR', resolution: 'Done', issue_type: 'Task', priority: 'Major', classified_as: 'defect: trackers.otherwise' },
      },
    ]);
    const issue = recordsOf(run(jira, fixture('jira', 'rest.issue.agile_board_search_item.json'), { config: componentsAreProduction }));
    expect(issue.fields).toEqual([
      {
        kind_of_record: 'defect',
        source: 'jira',
        external_id: 'EE-10',
        title: '部署SaaS版本',
        service: 'EE',
        severity: 'medium',
        category: 'functional',
        found_at: '2020-06-12T00:19:24.637Z',
        found_in: 'qa',
        release: 'v2.7.0',
        blocker: false,
        status: 'resolved',
        resolved_at: '2020-07-08T17:11:55.247Z',
        url: 'https://merico.atlassian.net/browse/EE-10',
        labels: { frontEnd: 'true', Saas: 'true', status: '已完成', project: 'EE', resolution: '完成', issue_type: '任务', priority: 'Medium', fix_versions: 'v2.7.0', classified_as: 'defect: trackers.otherwise' },
      },
    ]);
  });

  it('classifies by the default rules: production label or environment → signal, Bug → defect; affects versions kept', () => {
    const base = fixture('jira', 'webhook.jira_issue_created.json') as { issue: { fields: Record<string, unknown> } };
    const withFields = (fields: Record<string, unknown>) => ({ ...base, issue: { ...base.issue, fields: { ...base.issue.fields, ...fields } } });
    const prodLabel = recordsOf(run(jira, withFields({ labels: ['Production'], versions: [{ name: '2.4.1' }] }))).fields[0];
    expect(prodLabel).toMatchObject({ kind_of_record: 'signal', labels: { classified_as: 'signal: label production', affects_versions: '2.4.1' } });
    expect(prodLabel?.links).toEqual(['jira:TES-41', 'version:2.4.1']);
    const prodEnv = recordsOf(run(jira, withFields({ environment: 'EU Production cluster' }))).fields[0];
    expect(prodEnv).toMatchObject({ kind_of_record: 'signal', environment: 'EU Production cluster', labels: { classified_as: 'signal: environment contains prod' } });
    const bug = recordsOf(run(jira, withFields({ issuetype: { name: 'Bug' }, labels: ['blocker'], environment: 'staging', versions: [{ name: '2.5.0-rc1' }] }))).fields[0];
    expect(bug).toMatchObject({ kind_of_record: 'defect', found_in: 'staging', release: '2.5.0-rc1', blocker: true, labels: { classified_as: 'defect: issue type Bug' } });
  });

  it('ignores webhook events it does not use and names a missing field', () => {
    expect(ignoredReason(run(jira, { webhookEvent: 'comment_created', comment: {} }))).toBe('webhook event comment_created is not used');
    expect(() => run(jira, { webhookEvent: 'jira:issue_created', issue: { key: 'X-1', fields: {} } })).toThrow(/issue\.fields\.created/);
    expect(() => run(jira, { hello: 1 })).toThrow(/webhookEvent/);
  });
});
