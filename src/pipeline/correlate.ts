// Groups signals into problems and says why, in five kinds of evidence, strongest first:
// explicit links, the same service at overlapping times, a service named (by its name or an alias)
// in a service-less signal while that service is troubled, a report raised where a troubled service
// is talked about (a chat channel, a help-desk group) that uses that outage's words or release, and
// similar titles close in time (docs/pipeline.md, Correlation). Signals must arrive in time order;
// state is a sliding window per service plus union-find over signal positions, so the cost is linear
// in the number of signals and memory stays bounded by the window (and by the links and the venues).
import type { Config } from '../domain/config.ts';
import { parseLink } from '../domain/fields.ts';
import { VENUE_REPORTS } from '../domain/venue.ts';

export type CorrelationOptions = Config['correlation'];

export const DEFAULT_CORRELATION: CorrelationOptions = {
  service_gap_minutes: 30,
  open_signal_hours: 4,
  max_problem_hours: 24,
  text_window_minutes: 120,
  text_similarity: 0.6,
};

/** The fields correlation reads; everything else about a signal is for later stages. */
export interface CorrelationSignal {
  id: number;
  source: string;
  external_id: string;
  kind: string;
  url: string | null;
  occurred_at: string;
  resolved_at: string | null;
  /** Given `tokens`, the correlator reads it only where `needsTitle` says (the signal reader's pages carry '' elsewhere). */
  title: string;
  service: string | null;
  links: readonly string[];
  /** Where a report was raised (`venueOf`: a chat channel, a help-desk group); read for chat and support signals. */
  venue?: string | null;
  /**
   * The title's words as numbers of the run's TitleVocabulary, when the signal reader's thread made
   * them (the correlator's vocabulary then learns the words it added); else the correlator does.
   */
  tokens?: readonly number[];
}

/**
 * Whether the correlator reads the title of a signal whose words are numbered (`tokens`): only to find
 * a service a signal without one names (mentionedName in `add`). The signal reader leaves the others out.
 */
export const needsTitle = (signal: Pick<CorrelationSignal, 'service'>): boolean => !signal.service;

export const JOIN_RULES = ['link', 'service_time', 'service_mention', 'chat_channel', 'support_group', 'text', 'merge', 'split'] as const;
export type JoinRule = (typeof JOIN_RULES)[number];

/** The rule a report joined through its venue names, per report kind (the kinds `venueOf` gives a venue). */
const VENUE_RULES: Readonly<Record<string, JoinRule>> = { chat: 'chat_channel', support: 'support_group' };

/** One grouping step: signal `signal_id` joined the group `joined_id` was in, because of `rule`. */
export interface JoinReason {
  signal_id: number;
  joined_id: number;
  rule: JoinRule;
  detail: string;
}

/** What a person decided about grouping, as signal refs (`source:external_id`), in decision order. */
export type GroupingDecision =
  | { id: number; action: 'merge'; signals: readonly string[] }
  | { id: number; action: 'split'; signals: readonly string[] };

/** Signals whose service raises alarms that keep a window open until resolved. */
const FIRING_KINDS = new Set(['alert', 'incident', 'log']);
/** Link kinds that name a release or change, not an event: shared by many unrelated problems. */
const NON_EVENT_LINKS = new Set(['version', 'deployment', 'pr']);

const MINUTE = 60_000;

/** Reports from people: their words are not the outage's own (every outage brings "site is slow"). */
const REPORT_KINDS = new Set(['support', 'chat']);
/** Reports a venue must have had placed on a service (by a link, its service or naming it) before the venue counts as that service's. */
const VENUE_EVIDENCE = 2;
/** The share of a report's word weight (idf²) that must also be in the outage's own words. */
const VENUE_WORD_SHARE = 0.2;
/** The most distinct words an outage's window keeps to compare reports with. */
const WINDOW_WORDS = 1024;

const isNumber = (word: string) => /^[0-9]+$/.test(word);

/** Whether a link names a release or change (shared by every signal of that release, not one event). */
const isReleaseLink = (link: string) => NON_EVENT_LINKS.has(link.slice(0, link.indexOf(':')));

/** A number for the four characters of `text` at `p` (equal characters, equal numbers; clashes are checked). */
const prefixKey = (text: string, p: number) =>
  ((text.charCodeAt(p) * 31 + text.charCodeAt(p + 1)) * 31 + text.charCodeAt(p + 2)) * 31 + text.charCodeAt(p + 3);

export function signalRef(signal: { source: string; external_id: string }): string {
  return `${signal.source}:${signal.external_id}`;
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/[#?].*$/, '').replace(/\/+$/, '').toLowerCase();
}

/** The tokens another signal could use to name this one. */
export function identityTokens(signal: Pick<CorrelationSignal, 'source' | 'external_id' | 'url'>): string[] {
  return identityTokensOf(signalRef(signal), signal);
}

function identityTokensOf(ref: string, signal: Pick<CorrelationSignal, 'external_id' | 'url'>): string[] {
  const tokens = [`ref:${ref.toLowerCase()}`, `id:${signal.external_id.toLowerCase()}`];
  if (signal.url) tokens.push(`url:${normaliseUrl(signal.url)}`);
  return tokens;
}

interface IdentityTargets {
  ref: Set<string>;
  id: Set<string>;
  url: Set<string>;
}

/** The values of the identity tokens (`ref:`, `id:`, `url:`) among link targets, by kind. */
function identityTargets(targets: ReadonlySet<string>): IdentityTargets {
  const out: IdentityTargets = { ref: new Set(), id: new Set(), url: new Set() };
  for (const token of targets) {
    const colon = token.indexOf(':');
    const kind = token.slice(0, colon);
    if (kind === 'ref' || kind === 'id' || kind === 'url') out[kind].add(token.slice(colon + 1));
  }
  return out;
}

/** The tokens a link names: the signal it points at, or a thing several signals may share. */
export function linkTokens(link: string): string[] {
  const colon = link.indexOf(':');
  if (colon <= 0) return [];
  const { kind, value } = parseLink(link);
  if (NON_EVENT_LINKS.has(kind)) return [];
  if (kind === 'url') return [`url:${normaliseUrl(value)}`];
  if (kind === 'signal') return [`ref:${value.toLowerCase()}`];
  if (kind === 'sha') return [`sha:${value.toLowerCase()}`, `id:${value.toLowerCase()}`];
  // `jira:PAY-123` names the signal jira:PAY-123 and is shared by everything that mentions it.
  return [`ref:${kind}:${value.toLowerCase()}`];
}

/** The tokens any link in these signals names, so identities nobody mentions need not be kept. */
export function linkTargets(signals: Iterable<{ links: readonly string[] }>): Set<string> {
  const targets = new Set<string>();
  for (const s of signals) for (const link of s.links) for (const t of linkTokens(link)) targets.add(t);
  return targets;
}

const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or the to was were with after before not no this that our we you your up down'.split(' '),
);

/**
 * Title words as numbers, each a position in `words`. Reading the same titles in the same order gives
 * the same numbers, so a thread that reads the signals can number their words for the correlator.
 */
export class TitleVocabulary {
  readonly words: string[] = [];
  readonly #numbers = new Map<string, number>();

  /** The title's words as numbers, each once, in the order they first appear; a new word gets the next number. */
  tokens(title: string): number[] {
    const tokens: number[] = [];
    eachTitleWord(title, (word) => {
      let t = this.#numbers.get(word);
      if (t === undefined) this.#add((t = this.words.length), word);
      if (!tokens.includes(t)) tokens.push(t);
    });
    return tokens;
  }

  /** Takes, in order, the words another thread's vocabulary added to the same titles. */
  learn(words: readonly string[]): void {
    for (const word of words) {
      if (this.#numbers.has(word)) throw new Error(`the title vocabularies disagree: "${word}" was already numbered`);
      this.#add(this.words.length, word);
    }
  }

  #add(t: number, word: string): void {
    this.#numbers.set(word, t);
    this.words.push(word);
  }
}

const isWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/**
 * Calls `use` with each word of the lower-cased text (runs of [a-z0-9]) that says something: two or
 * more characters, not a stop word, fewer than three digits (numbers and id-like words name one
 * event and only bloat the vocabulary). A scan of character codes: the correlator calls it for every
 * signal, and a split by pattern plus a test per word were most of its garbage.
 */
function eachTitleWord(text: string, use: (word: string) => void): void {
  const lower = text.toLowerCase();
  const n = lower.length;
  let p = 0;
  while (p < n) {
    while (p < n && !isWordChar(lower.charCodeAt(p))) p++;
    const start = p;
    let digits = 0;
    for (let c = lower.charCodeAt(p); p < n && isWordChar(c); c = lower.charCodeAt(++p)) if (c <= 57) digits++;
    if (p - start < 2 || digits >= 3) continue;
    const word = lower.slice(start, p);
    if (!STOP_WORDS.has(word)) use(word);
  }
}

/** Growable typed storage for per-signal numbers, so 2 million signals cost megabytes, not objects. */
class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

/** A service and the names the sources use for it (`source:alias` ones are a source's own ids). */
export interface ServiceNames {
  name: string;
  aliases: readonly string[];
}

/**
 * The aliases a person may write in free text to name the service: unscoped ones that are a name, not
 * a word (a space, hyphen, underscore, dot or digit in them: `Checkout API`, `checkout_api`). A plain
 * word alias (`checkout`, `gateway`, `cart`) is what an alert label says, but in a customer's
 * sentence ("502 Bad Gateway", "my cart is empty") it is an ordinary word and names nothing.
 */
export function mentionAliases(service: ServiceNames): string[] {
  const out: string[] = [];
  for (const alias of service.aliases) {
    const lower = alias.trim().toLowerCase();
    if (/^[a-z][a-z0-9_-]*:/.test(lower) || !/[\s\-_.0-9]/.test(lower)) continue;
    if (!out.includes(lower)) out.push(lower);
  }
  return out;
}

interface ServiceWindow {
  /** A member of the group the window belongs to. */
  member: number;
  startMs: number;
  activeUntilMs: number;
  /** Title words of the window's alerts, incidents, tickets and log alerts (not of reports). */
  words: Set<number>;
  /** The releases and changes its signals name (`version:2.4.0`, lower-case). */
  releases: Set<string>;
}

interface TextEntry {
  index: number;
  atMs: number;
  service: string | null;
  tokens: readonly number[];
  norm: number;
}

export interface CorrelationResult {
  /** Per signal position (arrival order): the position of its group's representative. */
  groupOf: Int32Array;
  /** Signal ids in arrival order. */
  ids: Float64Array;
  count: number;
  /** The same as plain data (for another thread). */
  data: CorrelationData;
  /** Why groups were joined; at most one reason per union that merged two groups. */
  reasonsFor(representative: number, limit?: number): JoinReason[];
  /** Per group, how many joins each rule made. */
  ruleCounts(representative: number): Partial<Record<JoinRule, number>>;
}

export interface Correlator {
  add(signal: CorrelationSignal): void;
  finish(): CorrelationResult;
}

/**
 * Creates a streaming correlator. `targets` (from `linkTargets` over every signal) bounds the
 * identity index; without it every identity is kept. People's merges and splits are replayed:
 * a split fences its signals off from evidence, a merge joins regardless of evidence.
 */
export function createCorrelator(
  options: CorrelationOptions = DEFAULT_CORRELATION,
  context: { targets?: ReadonlySet<string>; decisions?: readonly GroupingDecision[]; services?: readonly ServiceNames[]; vocabulary?: TitleVocabulary } = {},
): Correlator {
  const fences = groupingFences(context.decisions ?? []);
  const parent = new GrowableInt32();
  const fence = new GrowableInt32();
  const ids: number[] = [];
  // Only the signals people's decisions name need to be found by ref.
  const decided = new Set<string>();
  for (const d of context.decisions ?? []) for (const ref of d.signals) decided.add(ref);
  const byRef = new Map<string, number>();
  const edgeA = new GrowableInt32();
  const edgeB = new GrowableInt32();
  const edgeRule = new GrowableInt32();
  // Details repeat (a service name, a cosine): each is stored once, and an edge keeps its number
  // (0 for none), so millions of joins cost a typed array instead of a map of strings.
  const edgeDetail = new GrowableInt32();
  const detailText: string[] = [''];
  const detailNumber = new Map<string, number>();
  const tokenOwner = new Map<string, number>();
  // Per fence (a person's split fences signals apart, so each fence keeps its own service windows),
  // per service: nested maps, so looking a window up builds no key string.
  const windows = new Map<number, Map<string, ServiceWindow>>();
  // The names a title may use for a service (lower-case) and the service each stands for: canonical
  // names as signals carry them, and the aliases people write (`Checkout API`), by their first four
  // characters, so a title is scanned once instead of searched once per name (hundreds at large).
  const mentionNames: string[] = [];
  const mentionServices: string[] = [];
  const servicesByPrefix = new Map<number, number[]>();
  const knownServices = new Set<string>();
  const knownNames = new Map<string, number>();
  for (const service of context.services ?? []) {
    knownServices.add(service.name);
    addMentionName(service.name, service.name);
  }
  const aliasOwners = new Map<string, string | null>();
  for (const service of context.services ?? []) {
    for (const alias of mentionAliases(service)) {
      const owner = aliasOwners.get(alias);
      aliasOwners.set(alias, owner === undefined || owner === service.name ? service.name : null);
    }
  }
  // An alias two services share names neither.
  for (const [alias, owner] of aliasOwners) if (owner) addMentionName(alias, owner);
  const vocabulary = context.vocabulary ?? new TitleVocabulary();
  const { words } = vocabulary;
  const documentFrequency: number[] = [];
  // Per venue, the services its reports were placed on by a link, their service or a name, and how
  // often; per signal, its service as a number into serviceNumbers (-1 for none), to learn from a link.
  const venueServices = new Map<string, Map<string, number>>();
  const serviceNumbers = new Map<string, number>();
  const serviceByNumber: string[] = [];
  const serviceOf = new GrowableInt32();
  let linkedService: string | undefined;
  let documents = 0;
  const textWindow: TextEntry[] = [];
  let textHead = 0;
  const postings = new Map<number, TextEntry[]>();
  let lastMs = -Infinity;
  const gap = options.service_gap_minutes * MINUTE;
  const openFor = options.open_signal_hours * 60 * MINUTE;
  const maxSpan = options.max_problem_hours * 60 * MINUTE;
  const textSpan = options.text_window_minutes * MINUTE;

  const find = (i: number): number => {
    const p = parent.data;
    let root = i;
    while (p[root] !== root) root = p[root]!;
    while (p[i] !== root) {
      const next = p[i]!;
      p[i] = root;
      i = next;
    }
    return root;
  };

  /** Joins the groups of a and b unless a person fenced them apart; records why. */
  const union = (a: number, b: number, rule: JoinRule, detail: string, force = false): boolean => {
    if (!force && fence.data[a] !== fence.data[b]) return false;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return false;
    // The earlier signal stays the representative, so a group's representative is its anchor.
    if (ra < rb) parent.data[rb] = ra;
    else parent.data[ra] = rb;
    const e = edgeA.length;
    edgeA.push(a);
    edgeB.push(b);
    edgeRule.push(JOIN_RULES.indexOf(rule));
    let n = detail ? detailNumber.get(detail) : 0;
    if (n === undefined) {
      n = detailText.push(detail) - 1;
      detailNumber.set(detail, n);
    }
    edgeDetail.push(n);
    return true;
  };

  /** Joins i to the group that owns the token, or makes i its owner. */
  function byToken(i: number, token: string): boolean {
    const owner = tokenOwner.get(token);
    if (owner === undefined) {
      tokenOwner.set(token, i);
      return false;
    }
    if (linkedService === undefined && serviceOf.data[owner]! >= 0) linkedService = serviceByNumber[serviceOf.data[owner]!];
    return union(i, owner, 'link', token.startsWith('ref:') ? token.slice(4) : token);
  }

  // The identities links name, by kind and without the prefix, so that a signal's own identities are
  // looked up without building their tokens: most signals are named by no link (2 million lookups).
  const targetValues = context.targets ? identityTargets(context.targets) : undefined;

  /** Joins i by the token of an identity of its own (`ref:`, `id:`, `url:` + value) when a link names it. */
  function byIdentity(i: number, prefix: keyof IdentityTargets, value: string): boolean {
    if (targetValues && !targetValues[prefix].has(value)) return false;
    return byToken(i, `${prefix}:${value}`);
  }

  function byLinks(i: number, signal: CorrelationSignal, ref: string): boolean {
    let joined = false;
    // The signal's own identities (as identityTokens makes them), then what its links name. An
    // identity no link anywhere names can join nothing: it is not kept.
    if (byIdentity(i, 'ref', ref.toLowerCase())) joined = true;
    if (byIdentity(i, 'id', signal.external_id.toLowerCase())) joined = true;
    if (signal.url && (!targetValues || targetValues.url.size > 0) && byIdentity(i, 'url', normaliseUrl(signal.url))) joined = true;
    const targets = context.targets;
    for (const link of signal.links) {
      for (const token of linkTokens(link)) {
        if (targets && !targets.has(token) && identityTokensOf(ref, signal).includes(token)) continue;
        if (byToken(i, token)) joined = true;
      }
    }
    return joined;
  }

  function byService(i: number, at: number, service: string, rule: 'service_time' | 'service_mention', detail = service): boolean {
    const window = windows.get(fence.data[i]!)?.get(service);
    if (!window || at > window.activeUntilMs || at - window.startMs > maxSpan) return false;
    return union(i, window.member, rule, detail);
  }

  /** The service a mention names, and the alias the title used when it is not the service's own name. */
  function mentionDetail(k: number): string {
    const service = mentionServices[k]!;
    return mentionNames[k] === service.toLowerCase() ? service : `${service}, named as "${mentionNames[k]}"`;
  }

  function extendWindow(i: number, at: number, signal: CorrelationSignal, tokens: readonly number[]): void {
    if (!signal.service) return;
    const resolved = signal.resolved_at ? Date.parse(signal.resolved_at) : NaN;
    const openUntil = FIRING_KINDS.has(signal.kind) ? (Number.isNaN(resolved) ? at + openFor : Math.min(Math.max(resolved, at), at + openFor)) : at;
    const until = openUntil + gap;
    const f = fence.data[i]!;
    let fenced = windows.get(f);
    if (!fenced) windows.set(f, (fenced = new Map()));
    let window = fenced.get(signal.service);
    if (window && find(window.member) === find(i)) {
      window.activeUntilMs = Math.max(window.activeUntilMs, until);
    } else {
      fenced.set(signal.service, (window = { member: i, startMs: at, activeUntilMs: until, words: new Set(), releases: new Set() }));
    }
    if (!REPORT_KINDS.has(signal.kind)) for (const t of tokens) if (window.words.size < WINDOW_WORDS) window.words.add(t);
    for (const link of signal.links) if (isReleaseLink(link) && window.releases.size < WINDOW_WORDS) window.releases.add(link.toLowerCase());
    if (!knownServices.has(signal.service)) {
      knownServices.add(signal.service);
      addMentionName(signal.service, signal.service);
    }
  }

  /** Makes `name` (four or more characters) a way for a title to name `service`. */
  function addMentionName(name: string, service: string): void {
    const lower = name.toLowerCase();
    if (lower.length < 4 || knownNames.has(lower)) return;
    const k = mentionNames.push(lower) - 1;
    mentionServices.push(service);
    knownNames.set(lower, k);
    const prefix = prefixKey(lower, 0);
    const list = servicesByPrefix.get(prefix);
    if (list) list.push(k);
    else servicesByPrefix.set(prefix, [k]);
  }

  /**
   * The longest known name the title contains as a whole word (`checkout-api` in `checkout-api down`,
   * not `checkout` in `checkouts`); the first known wins a tie.
   */
  function mentionedName(title: string): number {
    const text = title.toLowerCase();
    let best = -1;
    for (let p = 0; p + 4 <= text.length; p++) {
      const candidates = servicesByPrefix.get(prefixKey(text, p));
      if (!candidates || (p > 0 && isWordChar(text.charCodeAt(p - 1)))) continue;
      for (const k of candidates) {
        const name = mentionNames[k]!;
        if (best >= 0 && (name.length < mentionNames[best]!.length || (name.length === mentionNames[best]!.length && k > best))) continue;
        if (text.startsWith(name, p) && !isWordChar(text.charCodeAt(p + name.length))) best = k;
      }
    }
    return best;
  }

  /** Counts one more report raised at `venue` placed on `service`. */
  function learnVenue(venue: string, service: string): void {
    let seen = venueServices.get(venue);
    if (!seen) venueServices.set(venue, (seen = new Map()));
    seen.set(service, (seen.get(service) ?? 0) + 1);
  }

  /**
   * A report nothing else placed joins an outage open on one of the services its venue talks about,
   * when enough of its words (by weight: rare words count more) are the outage's own or it names a
   * release the outage's signals name, and no other outage of the venue's services qualifies as
   * well: the venue says whose room it is, the words or the release say which fire. Two outages that
   * qualify leave the report alone.
   */
  function byVenue(i: number, at: number, signal: CorrelationSignal, venue: string, tokens: readonly number[]): boolean {
    const seen = venueServices.get(venue);
    const fenced = windows.get(fence.data[i]!);
    if (!seen || !fenced) return false;
    const releases = signal.links.filter(isReleaseLink).map((l) => l.toLowerCase());
    // A bare number (`15` of "15:00" and of "15%") names nothing on its own.
    const weight = (t: number) => (isNumber(words[t]!) ? 0 : Math.log((documents + 1) / (documentFrequency[t]! + 1)) ** 2);
    let total = 0;
    for (const t of tokens) total += weight(t);
    let best: { window: ServiceWindow; service: string; share: number; release: string | undefined; placed: number } | undefined;
    let rivals = false;
    for (const [service, placed] of seen) {
      if (placed < VENUE_EVIDENCE) continue;
      const window = fenced.get(service);
      if (!window || at > window.activeUntilMs || at - window.startMs > maxSpan) continue;
      let shared = 0;
      for (const t of tokens) if (window.words.has(t)) shared += weight(t);
      const share = total > 0 ? shared / total : 0;
      const release = releases.find((r) => window.releases.has(r));
      if (share < VENUE_WORD_SHARE && !release) continue;
      // Two services of one outage (already one group) are one candidate.
      if (best && find(best.window.member) !== find(window.member)) rivals = true;
      if (!best || share > best.share) best = { window, service, share, release, placed };
    }
    if (!best || rivals) return false;
    const common = tokens.filter((t) => weight(t) > 0 && best.window.words.has(t)).map((t) => words[t]!);
    const report = VENUE_REPORTS[signal.kind]!;
    const because = [
      ...(best.share >= VENUE_WORD_SHARE ? [`${Math.round(100 * best.share)}% of the ${report}'s word weight is in the outage's own words: ${common.slice(0, 5).join(', ')}`] : []),
      ...(best.release ? [`it names ${best.release}, as the outage's signals do`] : []),
    ];
    return union(i, best.window.member, VENUE_RULES[signal.kind]!, `${venue} talks about ${best.service} (${best.placed} ${report}s placed there before); ${because.join('; ')}`);
  }

  function byText(i: number, at: number, signal: CorrelationSignal, tokens: readonly number[]): boolean {
    while (textHead < textWindow.length && at - textWindow[textHead]!.atMs > textSpan) textHead++;
    if (textHead > 4096 && textHead * 2 > textWindow.length) {
      textWindow.splice(0, textHead);
      textHead = 0;
    }
    const weights = tokens.map((t) => Math.log((documents + 1) / (documentFrequency[t]! + 1)) + 1);
    const norm = Math.sqrt(weights.reduce((s, w) => s + w * w, 0));
    const scores = new Map<TextEntry, number>();
    if (norm > 0) {
      tokens.forEach((t, k) => {
        // Words in a large share of all titles say little and would make the scan quadratic.
        if (documentFrequency[t]! > 50 && documentFrequency[t]! > documents * 0.05) return;
        const list = postings.get(t);
        if (!list) return;
        while (list.length > 0 && at - list[0]!.atMs > textSpan) list.shift();
        for (const entry of list) scores.set(entry, (scores.get(entry) ?? 0) + weights[k]! * weights[k]!);
      });
    }
    let best: TextEntry | undefined;
    let bestScore = 0;
    for (const [entry, dot] of scores) {
      // Two signals that both name a service are grouped by time on that service, never by wording:
      // a recurring alert after a quiet spell is a new occurrence.
      if (signal.service && entry.service) continue;
      const cosine = dot / (norm * entry.norm);
      if (cosine > bestScore) {
        bestScore = cosine;
        best = entry;
      }
    }
    let joined = false;
    if (best && bestScore >= options.text_similarity) joined = union(i, best.index, 'text', `cosine ${bestScore.toFixed(2)}`);
    const entry: TextEntry = { index: i, atMs: at, service: signal.service, tokens, norm };
    textWindow.push(entry);
    for (const t of tokens) {
      let list = postings.get(t);
      if (!list) postings.set(t, (list = []));
      list.push(entry);
      if (list.length > 64) list.shift();
    }
    return joined;
  }

  return {
    add(signal) {
      const at = Date.parse(signal.occurred_at);
      if (Number.isNaN(at)) throw new Error(`signal ${signalRef(signal)}: occurred_at ${JSON.stringify(signal.occurred_at)} is not a time`);
      if (at < lastMs) throw new Error(`signal ${signalRef(signal)}: signals must be correlated in time order (occurred_at, id)`);
      lastMs = at;
      const i = ids.length;
      const ref = signalRef(signal);
      ids.push(signal.id);
      parent.push(i);
      fence.push(fences.size > 0 ? (fences.get(ref) ?? 0) : 0);
      if (decided.size > 0 && decided.has(ref)) byRef.set(ref, i);

      // The title's words as numbers into the vocabulary, each once, in the order they first appear.
      const tokens = signal.tokens ?? vocabulary.tokens(signal.title);
      while (documentFrequency.length < words.length) documentFrequency.push(0);
      for (const t of tokens) if (!(t < words.length)) throw new Error(`signal ${ref}: title word ${t} is not in the vocabulary (${words.length} words)`);
      documents++;
      for (const t of tokens) documentFrequency[t]!++;

      let service = -1;
      if (signal.service) {
        service = serviceNumbers.get(signal.service) ?? -1;
        if (service < 0) {
          service = serviceByNumber.push(signal.service) - 1;
          serviceNumbers.set(signal.service, service);
        }
      }
      serviceOf.push(service);
      linkedService = undefined;
      let grouped = byLinks(i, signal, ref);
      let named = -1;
      if (signal.service) {
        grouped = byService(i, at, signal.service, 'service_time') || grouped;
      } else {
        named = mentionedName(signal.title);
        if (named >= 0) grouped = byService(i, at, mentionServices[named]!, 'service_mention', mentionDetail(named)) || grouped;
      }
      if (signal.venue && VENUE_RULES[signal.kind]) {
        // A report that names a service speaks of that one: with no outage open there, it joins none.
        if (!grouped && !signal.service && named < 0) grouped = byVenue(i, at, signal, signal.venue, tokens);
        // What the report was placed on teaches what its venue is about (never its own venue join).
        const about = signal.service ?? linkedService ?? (named >= 0 ? mentionServices[named] : undefined);
        if (about) learnVenue(signal.venue, about);
      }
      // Text similarity is the weakest evidence: only for signals nothing stronger placed.
      if (!grouped) byText(i, at, signal, tokens);
      extendWindow(i, at, signal, tokens);
      // Word lists that only hold signals older than the text window are dropped now and then, or
      // one-off words (ids, hostnames) would keep their lists for the whole history.
      if (i % 50_000 === 49_999) {
        for (const [t, list] of postings) if (list.length === 0 || at - list[list.length - 1]!.atMs > textSpan) postings.delete(t);
      }
    },

    finish() {
      const n = ids.length;
      for (const decision of context.decisions ?? []) {
        const members = decision.signals.map((r) => byRef.get(r)).filter((i): i is number => i !== undefined);
        if (decision.action === 'split') {
          for (const m of members.slice(1)) union(m, members[0]!, 'split', `decision ${decision.id}`, true);
        } else {
          // A later split fences its signals off from an earlier merge.
          const kept = members.filter((m) => fence.data[m]! < decision.id);
          for (const m of kept.slice(1)) union(m, kept[0]!, 'merge', `decision ${decision.id}`, true);
        }
      }
      const groupOf = new Int32Array(n);
      for (let i = 0; i < n; i++) groupOf[i] = find(i);
      const edges = edgeA.length;
      return correlationResult({
        groupOf,
        ids: Float64Array.from(ids),
        edges: { a: edgeA.data.slice(0, edges), b: edgeB.data.slice(0, edges), rule: edgeRule.data.slice(0, edges), detail: edgeDetail.data.slice(0, edges) },
        detailText,
      });
    },
  };
}

/**
 * A correlation's outcome as plain data (typed arrays and strings), so it can be handed to another
 * thread (the assembly worker) and made a CorrelationResult again there.
 */
export interface CorrelationData {
  groupOf: Int32Array;
  ids: Float64Array;
  /** The joins, by position: who joined whom, by which rule (index in JOIN_RULES), with which detail (index in detailText). */
  edges: { a: Int32Array; b: Int32Array; rule: Int32Array; detail: Int32Array };
  detailText: readonly string[];
}

export function correlationResult(data: CorrelationData): CorrelationResult {
  const { groupOf, ids, edges, detailText } = data;
  const n = ids.length;
  // Edges grouped by representative in two flat arrays (offsets and edge numbers), not a map of lists.
  let start: Int32Array | undefined;
  let order: Int32Array | undefined;
  const edgesOf = (root: number): Int32Array => {
    if (!start || !order) {
      start = new Int32Array(n + 1);
      for (let e = 0; e < edges.a.length; e++) start[groupOf[edges.a[e]!]! + 1]!++;
      for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
      const fill = start.slice(0, n);
      order = new Int32Array(edges.a.length);
      for (let e = 0; e < edges.a.length; e++) order[fill[groupOf[edges.a[e]!]!]!++] = e;
    }
    return order.subarray(start[root]!, start[root + 1]!);
  };
  return {
    groupOf,
    ids,
    count: n,
    data,
    reasonsFor(root, limit = 50) {
      return [...edgesOf(root).subarray(0, limit)].map((e) => ({
        signal_id: ids[edges.a[e]!]!,
        joined_id: ids[edges.b[e]!]!,
        rule: JOIN_RULES[edges.rule[e]!]!,
        detail: detailText[edges.detail[e]!]!,
      }));
    },
    ruleCounts(root) {
      const counts: Partial<Record<JoinRule, number>> = {};
      for (const e of edgesOf(root)) {
        const rule = JOIN_RULES[edges.rule[e]!]!;
        counts[rule] = (counts[rule] ?? 0) + 1;
      }
      return counts;
    },
  };
}

/**
 * The fence each signal is behind: the id of the latest split decision that names it, 0 for none.
 * Signals behind different fences are never grouped by evidence, only by a later merge.
 */
export function groupingFences(decisions: readonly GroupingDecision[]): Map<string, number> {
  const fences = new Map<string, number>();
  for (const d of decisions) if (d.action === 'split') for (const ref of d.signals) fences.set(ref, d.id);
  return fences;
}

/** Orders signals as the correlator needs them: by occurred_at, then id. */
export function byTimeThenId(a: CorrelationSignal, b: CorrelationSignal): number {
  return a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.id - b.id;
}

/** Correlates signals held in memory (tests, small stores): groups as lists of signal ids. */
export function correlate(
  signals: readonly CorrelationSignal[],
  options: CorrelationOptions = DEFAULT_CORRELATION,
  decisions: readonly GroupingDecision[] = [],
  services: readonly ServiceNames[] = [],
): { groups: number[][]; result: CorrelationResult; order: CorrelationSignal[] } {
  const order = [...signals].sort(byTimeThenId);
  const correlator = createCorrelator(options, { targets: linkTargets(order), decisions, services });
  for (const s of order) correlator.add(s);
  const result = correlator.finish();
  const groups = new Map<number, number[]>();
  for (let i = 0; i < result.count; i++) {
    const root = result.groupOf[i]!;
    let list = groups.get(root);
    if (!list) groups.set(root, (list = []));
    list.push(result.ids[i]!);
  }
  return { groups: [...groups.values()], result, order };
}
