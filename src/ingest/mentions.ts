// What a piece of text mentions, as links later stages follow (correlate, attribute): Jira keys,
// PagerDuty incidents, commit shas, pull/merge requests, release versions and URLs.
import { makeLink } from '../domain/fields.ts';

export interface MentionContext {
  /** The repository the text belongs to (`owner/repo`), so a bare `#42` becomes `pr:owner/repo#42`. */
  repository?: string;
}

// Upper-case tokens with a dash and a number that are not issue keys.
const NOT_JIRA = new Set(['UTF', 'SHA', 'ISO', 'HTTP', 'HTTPS', 'TLS', 'SSL', 'RFC', 'CVE', 'GMT', 'UTC', 'COVID', 'MD', 'AES', 'RSA', 'X', 'IPV', 'H', 'PR', 'MR', 'SEV', 'P', 'V']);
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`|\])}]+/gi;
const JIRA_KEY = /(?<![A-Za-z0-9_/.-])([A-Z][A-Z0-9_]{1,9})-(\d{1,7})(?![\w-])/g;
const SHA_WITH_WORD = /\b(?:commit|sha|rev(?:ision)?|fixed in|reverts?|cherry-picked from)[\s:#]+([0-9a-f]{7,40})\b/gi;
const FULL_SHA = /(?<![0-9a-z])([0-9a-f]{40})(?![0-9a-z])/g;
const REPO_PR = /(?<![\w/.-])([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)\b/g;
const BARE_PR = /\b(?:PR|pull request|MR|merge request)\s*[#!](\d+)\b|(?<![\w/&])#(\d{1,6})\b/gi;
const VERSION = /\b(?:release|version|ver\.?|tag|hotfix|deploy(?:ed|ment)?(?:\s+of)?|roll(?:ed)?\s*back\s+to)\s*[:#]?\s*(v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?)\b|(?<![\w./-])(v\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z.]+)?)(?![\w.])/gi;

/** Links found in the texts, in order of first mention, without repeats. */
export function mentionsIn(texts: (string | undefined | null)[], context: MentionContext = {}): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const link of mentionsInText(text, context)) found.add(link);
  }
  return [...found];
}

function mentionsInText(text: string, context: MentionContext): string[] {
  const links: string[] = [];
  const urls = [...text.matchAll(URL_PATTERN)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
  for (const url of urls) links.push(...linksOfUrl(url));
  // URLs are read above; the rest of the text is read without them so their parts are not counted twice.
  const prose = text.replace(URL_PATTERN, ' ');

  for (const m of prose.matchAll(JIRA_KEY)) {
    if (!NOT_JIRA.has(m[1]!)) links.push(makeLink('jira', `${m[1]}-${m[2]}`));
  }
  for (const m of prose.matchAll(SHA_WITH_WORD)) links.push(makeLink('sha', m[1]!.toLowerCase()));
  for (const m of prose.matchAll(FULL_SHA)) links.push(makeLink('sha', m[1]!));
  for (const m of prose.matchAll(REPO_PR)) links.push(makeLink('pr', `${m[1]}#${m[2]}`));
  const withoutRepoPrs = prose.replace(REPO_PR, ' ');
  for (const m of withoutRepoPrs.matchAll(BARE_PR)) {
    const number = m[1] ?? m[2];
    links.push(makeLink('pr', context.repository ? `${context.repository}#${number}` : `#${number}`));
  }
  for (const m of prose.matchAll(VERSION)) links.push(makeLink('version', (m[1] ?? m[2])!));
  return links;
}

/** A URL as a `url:` link, plus what its path says when it points at a known kind of thing. */
export function linksOfUrl(url: string): string[] {
  const links = [makeLink('url', url)];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return links;
  }
  const host = parsed.hostname.toLowerCase();
  const path = parsed.pathname;
  let m: RegExpMatchArray | null;
  if ((m = path.match(/\/browse\/([A-Z][A-Z0-9_]+-\d+)/))) links.push(makeLink('jira', m[1]!));
  else if ((m = parsed.searchParams.get('selectedIssue')?.match(/^([A-Z][A-Z0-9_]+-\d+)$/) ?? null)) links.push(makeLink('jira', m[1]!));
  if (host.endsWith('pagerduty.com') && (m = path.match(/\/incidents\/([A-Z0-9]+)/))) links.push(makeLink('pagerduty', m[1]!));
  if (host.endsWith('opsgenie.com') && (m = path.match(/\/(?:incident|alert)\/detail\/([0-9a-f-]+)/))) links.push(makeLink('opsgenie', m[1]!));
  if ((host.includes('sentry') || path.includes('/organizations/')) && (m = path.match(/\/issues\/(\d+)/))) links.push(makeLink('sentry', m[1]!));
  if (host.endsWith('zendesk.com') && (m = path.match(/\/tickets\/(\d+)/))) links.push(makeLink('zendesk', m[1]!));
  if (host.endsWith('freshdesk.com') && (m = path.match(/\/tickets\/(\d+)/))) links.push(makeLink('freshdesk', m[1]!));
  if ((m = path.match(/^\/([^/]+\/[^/]+)\/pull\/(\d+)/))) links.push(makeLink('pr', `${m[1]}#${m[2]}`));
  if ((m = path.match(/^\/(.+?)\/-\/merge_requests\/(\d+)/))) links.push(makeLink('pr', `${m[1]}!${m[2]}`));
  if ((m = path.match(/\/commits?\/([0-9a-f]{7,40})\b/))) links.push(makeLink('sha', m[1]!));
  if ((m = path.match(/\/releases\/tag\/(v?\d+(?:\.\d+){1,3}[^/]*)/))) links.push(makeLink('version', decodeURIComponent(m[1]!)));
  return links;
}

/** Merges link lists, keeping first-seen order. */
export function uniqueLinks(...lists: (readonly string[] | undefined)[]): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

/** `version:` links for release names a tracker or error tool names explicitly. */
export function versionLinks(versions: readonly (string | undefined)[]): string[] {
  return versions.filter((v): v is string => v !== undefined && v.trim() !== '').map((v) => makeLink('version', v.trim()));
}
