// What the classifier looks at: the problem's words, where its signals came from, and facts
// other stages know (a deployment just before it, a failing call to an outside host, a support request).
import type { ClassificationFact } from '../../domain/config.ts';

export interface ProblemFeatures {
  /** Everything the problem says in words: titles, then the first description. */
  text: string;
  sources: readonly string[];
  kinds: readonly string[];
  labels: Readonly<Record<string, readonly string[]>>;
  /** Signal fields by name (title, body, service, environment, severity, source, kind), joined. */
  fields: Readonly<Record<string, string>>;
  facts: Partial<Record<ClassificationFact, boolean>>;
}

/** A deployment as the post-deploy fact needs it. */
export interface DeploymentWindowRow {
  service: string;
  environment: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
}

// Hosts that name someone else's system; internal names (.internal, .local, .svc, .cluster) do not.
const TOP_LEVEL_DOMAINS = 'com|net|org|io|dev|app|cloud|co|ai|eu|de|uk|at|fr|us';
const HOST = new RegExp(String.raw`\b(?:[a-z0-9-]+\.)+(?:${TOP_LEVEL_DOMAINS})\b`, 'gi');
const INTERNAL_HOST = /\.(?:internal|local|svc|cluster|corp|lan)\b|^(?:localhost)$/i;
// What every HOST match ends with: a test that starts at a literal dot, five times faster than HOST on
// text with no host in it (nine problems in ten of the large history).
const TOP_LEVEL = new RegExp(String.raw`\.(?:${TOP_LEVEL_DOMAINS})\b`, 'i');

/** Whether the words name a call to a host outside the organisation (`query1.finance.yahoo.com`). */
export function mentionsExternalHost(text: string, internalDomains: readonly string[] = []): boolean {
  if (!TOP_LEVEL.test(text)) return false;
  for (const match of text.matchAll(HOST)) {
    const host = match[0].toLowerCase();
    if (INTERNAL_HOST.test(host)) continue;
    if (internalDomains.some((d) => host === d || host.endsWith(`.${d}`))) continue;
    return true;
  }
  return false;
}

/**
 * Deployments indexed for "did the problem start inside a deployment's post-deploy window":
 * successful production deployments of the same service that finished at most `minutes` before it.
 */
export function postDeployIndex(deployments: readonly DeploymentWindowRow[], minutes: number): (services: readonly string[], impactStart: string) => boolean {
  const byService = new Map<string, number[]>();
  for (const d of deployments) {
    const at = d.finished_at ?? d.started_at;
    if (!at || d.status !== 'success' || d.environment !== 'production') continue;
    const list = byService.get(d.service) ?? [];
    list.push(Date.parse(at));
    byService.set(d.service, list);
  }
  for (const list of byService.values()) list.sort((a, b) => a - b);
  const windowMs = minutes * 60_000;
  return (services, impactStart) => {
    const start = Date.parse(impactStart);
    return services.some((service) => {
      const times = byService.get(service);
      if (!times) return false;
      // The last deployment at or before the start.
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid]! <= start) lo = mid + 1;
        else hi = mid;
      }
      const last = times[lo - 1];
      return last !== undefined && start - last <= windowMs;
    });
  };
}

/** Features of a problem summary; `postDeploy` comes from `postDeployIndex`. */
export function problemFeatures(
  problem: { title: string; summary: string | null; sources: readonly string[]; kinds: readonly string[]; labels: Readonly<Record<string, readonly string[]>>; service: string | null; environment: string | null; severity: string | null },
  facts: { post_deploy: boolean },
): ProblemFeatures {
  const text = problem.summary && problem.summary.includes(problem.title) ? problem.summary : `${problem.title}${problem.summary ? ` · ${problem.summary}` : ''}`;
  return {
    text,
    sources: problem.sources,
    kinds: problem.kinds,
    labels: problem.labels,
    fields: {
      title: problem.title,
      body: problem.summary ?? '',
      service: problem.service ?? '',
      environment: problem.environment ?? '',
      severity: problem.severity ?? '',
      source: problem.sources.join(' '),
      kind: problem.kinds.join(' '),
    },
    facts: {
      post_deploy: facts.post_deploy,
      from_support: problem.kinds.includes('support'),
      external_call: mentionsExternalHost(text),
    },
  };
}

const STOP = new Set(
  'a an and are as at be by for from has have in is it its of on or the to was were with this that these those our we us you your they them their then than so but if into out over about all any some can could would should will just only also been being do does did not no nor'.split(' '),
);

/**
 * A light English stemmer: plurals, -ing/-ed and common derivational endings stripped (in the manner of
 * Porter's first steps), then the stem cut to six letters, so "certificates", "certificate" and
 * "certified" meet ("certif"), as do "configuration", "configured" and "config", or "deployed" and
 * "deployment" ("deploy").
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4) {
    if (w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
    else if (w.endsWith('sses')) w = w.slice(0, -2);
    else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
    for (const suffix of SUFFIXES) {
      if (w.endsWith(suffix) && w.length - suffix.length >= 4 && /[aeiouy]/.test(w.slice(0, -suffix.length))) {
        w = w.slice(0, -suffix.length);
        break;
      }
    }
    // "stopped" → "stopp" → "stop".
    if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  }
  return w.replace(/(.{3,})e$/, '$1').replace(/y$/, 'i').slice(0, 6);
}

const SUFFIXES = ['ational', 'ization', 'isation', 'ations', 'ation', 'ments', 'ment', 'ness', 'ities', 'ity', 'ically', 'ical', 'ally', 'ible', 'able', 'ing', 'ive', 'ed', 'ly', 'er', 'or', 'al', 'ic', 'ate'];

export interface TokenOptions {
  /** Stem words (default true). */
  stem?: boolean;
  /** Adjacent word pairs (default true). */
  pairs?: boolean;
  /** Character n-grams of this length inside words, with word boundaries (default none). */
  chars?: number;
  /**
   * Read at most this many words (after stop words), from the start: the titles, then the description
   * (default 64). Keeps training and prediction cost bounded for problems with long texts.
   */
  maxWords?: number;
}

// Stems of words seen, so a word is stemmed once per process (bounded: cleared when it grows large).
const stems = new Map<string, string>();
function stemmed(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= 100_000) stems.clear();
    stems.set(word, (s = stem(word)));
  }
  return s;
}

/** For a person reading a rationale: model tokens (stems, pairs of stems) written with the text's own words. */
export function spellTokens(tokens: readonly string[], text: string): string[] {
  const wanted = new Set(tokens.flatMap((t) => t.split(' ')));
  const spelled = new Map<string, string>();
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (w.length < 2 || /\d/.test(w)) continue;
    const s = stemmed(w);
    if (wanted.has(s) && !spelled.has(s)) {
      spelled.set(s, w);
      if (spelled.size === wanted.size) break;
    }
  }
  return tokens.map((t) => (t.includes(':') ? t : t.split(' ').map((s) => spelled.get(s) ?? s).join(' ')));
}

/** Words for the learned model: lower-case, no stop words, numbers folded, stemmed, plus adjacent pairs. */
export function modelTokens(text: string, options: TokenOptions = {}): string[] {
  const maxWords = options.maxWords ?? 64;
  const words: string[] = [];
  for (const w of text.toLowerCase().replace(/\d+/g, '0').split(/[^a-z0-9]+/)) {
    if (w.length < 2 || STOP.has(w)) continue;
    words.push(options.stem ?? true ? stemmed(w) : w);
    if (words.length >= maxWords) break;
  }
  const out = new Set(words);
  if (options.pairs ?? true) for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  const n = options.chars ?? 0;
  if (n > 0) {
    for (const w of words) {
      const padded = `^${w}$`;
      for (let i = 0; i + n <= padded.length; i++) out.add(`#${padded.slice(i, i + n)}`);
    }
  }
  return [...out];
}
