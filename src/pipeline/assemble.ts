// Turns a group of signals into a problem: its key, title, times, services and the explanation of
// the grouping. Streaming: a group is summarised as soon as its last signal has gone by, so only
// the groups still open are in memory.
import { SEVERITIES } from '../domain/fields.ts';
import { type CorrelationResult, type CorrelationSignal, type JoinReason, type JoinRule, signalRef } from './correlate.ts';

/** A signal with what a problem summary needs beyond correlation. */
export interface AssemblySignal extends CorrelationSignal {
  detected_at: string | null;
  body: string | null;
  severity: string | null;
  status: string;
  environment: string | null;
  labels: Record<string, string>;
  /** The problem the signal belonged to before this run, if any (to write only what changed). */
  problem_id?: number | null;
}

export interface ProblemCorrelation {
  /** How many joins each kind of evidence made. */
  rules: Partial<Record<JoinRule, number>>;
  /** The joins themselves, as signal refs (the first 50). */
  reasons: { signal: string; joined: string; rule: JoinRule; detail: string }[];
}

/** A problem as derived from its signals, before classification. */
export interface ProblemDraft {
  key: string;
  title: string;
  summary: string;
  service: string | null;
  services: string[];
  environment: string | null;
  impact_start: string;
  detected_at: string | null;
  resolved_at: string | null;
  severity: string | null;
  signal_count: number;
  signal_ids: number[];
  signal_refs: string[];
  /** Every link its signals carry, in signal order, once each (attribution reads them). */
  links: string[];
  /** Per signal, the problem it belonged to before this run. */
  previous_problem_ids: (number | null)[];
  sources: string[];
  kinds: string[];
  labels: Record<string, string[]>;
  correlation: ProblemCorrelation;
}

/** Signals a person or a pager sees; log spikes can sit unseen. */
const SEEN_KINDS = new Set(['alert', 'incident', 'ticket', 'support', 'chat']);
/** Signals with a life cycle; a chat thread or a log line is never "resolved". */
const RESOLVABLE_KINDS = new Set(['alert', 'incident', 'ticket', 'support']);
/** Which signal names the problem best: what people wrote over what machines raised. */
const TITLE_PREFERENCE = ['incident', 'ticket', 'support', 'alert', 'log', 'chat'];
const SUMMARY_LIMIT = 1500;

/** Counts a value (empty ones left out), for `mostCommon`. */
function count(counts: Map<string, number>, value: string | null): void {
  if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
}

/** The value counted most often; the first counted wins a tie. */
function mostCommon(counts: Map<string, number>): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}

const severityRank = (severity: string | null) => (SEVERITIES as readonly (string | null)[]).indexOf(severity);

/**
 * A group's summary as its signals arrive, in time order (the first is the anchor and gives the key):
 * what the summary needs is folded in and the signal itself is let go. Holding a long group's signals
 * until it closes made them outlive young-generation collections (promoted, then collected by the
 * expensive old-generation ones): at 2 million signals that was most of the pipeline's GC time.
 */
export class ProblemSummary {
  // Of the first signal only its time: holding the whole signal kept it, its labels and links alive.
  readonly #impactStart: string;
  // The title: the first signal of the most preferred kind (kinds not in the list come first).
  #title: string;
  #titledRank = Infinity;
  // Detected: the earliest a person or pager saw it, else the earliest detection any signal records.
  #firstSeen: string | undefined;
  #firstDetected: string | undefined;
  // Resolved: the last resolution, unless a signal with a life cycle is still open.
  #open = false;
  #lastResolution: string | null = null;
  #unknownResolution = false;
  #severity: number = SEVERITIES.length;
  readonly #labels: Record<string, string[]> = {};
  readonly #titles = new Set<string>();
  #described: { title: string; body: string } | undefined;
  readonly #serviceCounts = new Map<string, number>();
  readonly #environmentCounts = new Map<string, number>();
  readonly #services = new Set<string>();
  readonly #links = new Set<string>();
  readonly #sources = new Set<string>();
  readonly #kinds = new Set<string>();
  readonly #signalIds: number[] = [];
  readonly #signalRefs: string[] = [];
  readonly #previousProblemIds: (number | null)[] = [];

  constructor(anchor: AssemblySignal) {
    this.#impactStart = anchor.occurred_at;
    this.#title = anchor.title;
    this.add(anchor);
  }

  add(s: AssemblySignal): void {
    const rank = TITLE_PREFERENCE.indexOf(s.kind);
    if (rank < this.#titledRank) [this.#title, this.#titledRank] = [s.title, rank];
    if (SEEN_KINDS.has(s.kind)) {
      const at = s.detected_at ?? s.occurred_at;
      if (this.#firstSeen === undefined || at < this.#firstSeen) this.#firstSeen = at;
    } else if (s.detected_at && (this.#firstDetected === undefined || s.detected_at < this.#firstDetected)) {
      // Counts only when no signal is of a seen kind: then every signal passes here.
      this.#firstDetected = s.detected_at;
    }
    if (RESOLVABLE_KINDS.has(s.kind) || s.resolved_at) {
      if (!s.resolved_at && s.status !== 'resolved') this.#open = true;
      if (s.resolved_at === undefined) this.#unknownResolution = true;
      else if (s.resolved_at !== null && (this.#lastResolution === null || s.resolved_at > this.#lastResolution)) this.#lastResolution = s.resolved_at;
    }
    const level = severityRank(s.severity);
    if (level >= 0 && level < this.#severity) this.#severity = level;
    for (const [key, value] of Object.entries(s.labels)) {
      const list = (this.#labels[key] ??= []);
      if (!list.includes(value) && list.length < 20) list.push(value);
    }
    if (this.#titles.size < 20) this.#titles.add(s.title);
    if (!this.#described && s.body) this.#described = { title: s.title, body: s.body };
    count(this.#serviceCounts, s.service);
    count(this.#environmentCounts, s.environment);
    if (s.service !== null) this.#services.add(s.service);
    for (const link of s.links) this.#links.add(link);
    this.#sources.add(s.source);
    this.#kinds.add(s.kind);
    this.#signalIds.push(s.id);
    this.#signalRefs.push(signalRef(s));
    this.#previousProblemIds.push(s.problem_id ?? null);
  }

  finish(reasons: readonly JoinReason[] = [], rules: Partial<Record<JoinRule, number>> = {}): ProblemDraft {
    let summary = [...this.#titles].join(' · ');
    // Chat and log sources often repeat the title as the body's first line.
    const described = this.#described;
    const body = described?.body.startsWith(described.title) ? described.body.slice(described.title.length).trim() : described?.body.trim();
    if (body) summary += ` — ${body}`;
    if (summary.length > SUMMARY_LIMIT) summary = `${summary.slice(0, SUMMARY_LIMIT - 1)}…`;
    const signal_ids = this.#signalIds;
    const signal_refs = this.#signalRefs;
    let ref = (id: number) => `#${id}`;
    if (reasons.length > 0) {
      const refById = new Map<number, string>();
      for (let k = 0; k < signal_ids.length; k++) refById.set(signal_ids[k]!, signal_refs[k]!);
      ref = (id) => refById.get(id) ?? `#${id}`;
    }
    return {
      key: signal_refs[0]!,
      title: this.#title,
      summary,
      service: mostCommon(this.#serviceCounts),
      services: [...this.#services].sort(),
      environment: mostCommon(this.#environmentCounts),
      impact_start: this.#impactStart,
      detected_at: this.#firstSeen ?? this.#firstDetected ?? null,
      resolved_at: this.#open || this.#unknownResolution ? null : this.#lastResolution,
      severity: (SEVERITIES as readonly string[])[this.#severity] ?? null,
      signal_count: signal_ids.length,
      signal_ids,
      signal_refs,
      links: [...this.#links],
      previous_problem_ids: this.#previousProblemIds,
      sources: [...this.#sources].sort(),
      kinds: [...this.#kinds].sort(),
      labels: this.#labels,
      correlation: {
        rules,
        reasons: reasons.map((r) => ({ signal: ref(r.signal_id), joined: ref(r.joined_id), rule: r.rule, detail: r.detail })),
      },
    };
  }
}

/** Summarises one group; `signals` in time order, the first is the anchor and gives the key. */
export function summariseProblem(signals: readonly AssemblySignal[], reasons: readonly JoinReason[] = [], rules: Partial<Record<JoinRule, number>> = {}): ProblemDraft {
  const anchor = signals[0];
  if (!anchor) throw new Error('a problem needs at least one signal');
  const summary = new ProblemSummary(anchor);
  for (let k = 1; k < signals.length; k++) summary.add(signals[k]!);
  return summary.finish(reasons, rules);
}

/**
 * Replays the signals in the order they were correlated and hands back each problem when its last
 * signal has been seen. Throws if the order differs (the signals changed in between: run again).
 */
export function createAssembler(result: CorrelationResult): { add(signal: AssemblySignal): ProblemDraft | null; pending(): number } {
  const last = new Int32Array(result.count);
  for (let i = 0; i < result.count; i++) last[result.groupOf[i]!] = i;
  const open = new Map<number, ProblemSummary>();
  let position = 0;
  return {
    add(signal) {
      const i = position++;
      if (i >= result.count || result.ids[i] !== signal.id) {
        throw new Error(`signal ${signalRef(signal)} arrived out of the correlated order: signals changed during the run; run the pipeline again`);
      }
      const root = result.groupOf[i]!;
      let summary = open.get(root);
      if (summary) summary.add(signal);
      else summary = new ProblemSummary(signal);
      if (last[root] !== i) {
        open.set(root, summary);
        return null;
      }
      open.delete(root);
      return summary.finish(result.reasonsFor(root), result.ruleCounts(root));
    },
    pending: () => open.size,
  };
}
