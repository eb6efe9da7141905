import { describe, expect, it } from 'vitest';
import { linksOfUrl, mentionsIn, uniqueLinks, versionLinks } from '../../src/ingest/mentions.ts';

describe('mentionsIn', () => {
  it('finds Jira keys but not look-alikes such as UTF-8 or SHA-256', () => {
    expect(mentionsIn(['Caused by PAY-123 (see also OPS-7); UTF-8 and SHA-256 are not keys, nor is pay-1'])).toEqual(['jira:PAY-123', 'jira:OPS-7']);
  });

  it('finds commit shas named as such, and full 40-character shas', () => {
    expect(mentionsIn(['fixed in 9FCEB02; reverts commit a1b2c3d4', `deployed ${'e'.repeat(20)}${'1'.repeat(20)}`])).toEqual([
      'sha:9fceb02',
      'sha:a1b2c3d4',
      `sha:${'e'.repeat(20)}${'1'.repeat(20)}`,
    ]);
    expect(mentionsIn(['the number 1234567 and the word cafebabe alone are not shas'])).toEqual([]);
  });

  it('finds pull/merge requests, scoped to the repository when it is known', () => {
    expect(mentionsIn(['see acme/checkout#812 and PR #9'])).toEqual(['pr:acme/checkout#812', 'pr:#9']);
    expect(mentionsIn(['broke after #811'], { repository: 'acme/checkout' })).toEqual(['pr:acme/checkout#811']);
  });

  it('finds release versions after a word or with a v prefix, not bare numbers', () => {
    expect(mentionsIn(['since release 2.4.1, hotfix 2.4.2, rolled back to v2.3.9; took 1.5 hours'])).toEqual(['version:2.4.1', 'version:2.4.2', 'version:v2.3.9']);
  });

  it('reads URLs and what their paths point at', () => {
    expect(mentionsIn(['<https://acme.atlassian.net/browse/PAY-120|ticket>, https://acme.pagerduty.com/incidents/PT4KHLK.'])).toEqual([
      'url:https://acme.atlassian.net/browse/PAY-120',
      'jira:PAY-120',
      'url:https://acme.pagerduty.com/incidents/PT4KHLK',
      'pagerduty:PT4KHLK',
    ]);
    expect(linksOfUrl('https://github.com/acme/checkout/pull/812')).toEqual(['url:https://github.com/acme/checkout/pull/812', 'pr:acme/checkout#812']);
    expect(linksOfUrl('https://gitlab.com/acme/shop/-/merge_requests/5')).toEqual(['url:https://gitlab.com/acme/shop/-/merge_requests/5', 'pr:acme/shop!5']);
    expect(linksOfUrl('https://github.com/acme/checkout/commit/9fceb02d0ae598e95dc970b74767f19372d61af8')).toEqual([
      'url:https://github.com/acme/checkout/commit/9fceb02d0ae598e95dc970b74767f19372d61af8',
      'sha:9fceb02d0ae598e95dc970b74767f19372d61af8',
    ]);
    expect(linksOfUrl('https://github.com/acme/checkout/releases/tag/v2.4.1')).toContain('version:v2.4.1');
    expect(linksOfUrl('https://acme.zendesk.com/agent/tickets/8867')).toContain('zendesk:8867');
    expect(linksOfUrl('https://sentry.io/organizations/acme/issues/1117540176/')).toContain('sentry:1117540176');
  });

  it('merges lists without repeats and turns named versions into links', () => {
    expect(uniqueLinks(['jira:A-1'], undefined, ['jira:A-1', 'sha:abcdef1'])).toEqual(['jira:A-1', 'sha:abcdef1']);
    expect(versionLinks(['2.4.1', undefined, ' ', ' v3 '])).toEqual(['version:2.4.1', 'version:v3']);
  });
});
