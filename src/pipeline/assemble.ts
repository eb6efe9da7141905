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
 * Summarises one group. `signals` in time order; the first is the anchor and gives the key. One pass
 * over the signals: at 2 million signals, a pass per field (filters, sorts, sets) was most of the
 * assembly's time and garbage.
 */
export function summariseProblem(signals: readonly AssemblySignal[], reasons: readonly JoinReason[] = [], rules: Partial<Record<JoinRule, number>> = {}): ProblemDraft {
  const anchor = signals[0];
  if (!anchor) throw new Error('a problem needs at least one signal');
  const n = signals.length;
  // The title: the first signal of the most preferred kind (kinds not in the list come first).
  let titled = anchor;
  let titledRank = Infinity;
  // Detected: the earliest a person or pager saw it, else the earliest detection any signal records.
  let firstSeen: string | undefined;
  let firstDetected: string | undefined;
  // Resolved: the last resolution, unless a signal with a life cycle is still open.
  let open = false;
  let lastResolution: string | null = null;
  let unknownResolution = false;
  let severity: number = SEVERITIES.length;
  const labels: Record<string, string[]> = {};
  const titles = new Set<string>();
  let described: AssemblySignal | undefined;
  const serviceCounts = new Map<string, number>();
  const environmentCounts = new Map<string, number>();
  const services = new Set<string>();
  const links = new Set<string>();
  const sources = new Set<string>();
  const kinds = new Set<string>();
  const signal_ids = new Array<number>(n);
  const signal_refs = new Array<string>(n);
  const previous_problem_ids = new Array<number | null>(n);
  for (let k = 0; k < n; k++) {
    const s = signals[k]!;
    const rank = TITLE_PREFERENCE.indexOf(s.kind);
    if (rank < titledRank) [titled, titledRank] = [s, rank];
    if (SEEN_KINDS.has(s.kind)) {
      const at = s.detected_at ?? s.occurred_at;
      if (firstSeen === undefined || at < firstSeen) firstSeen = at;
    } else if (s.detected_at && (firstDetected === undefined || s.detected_at < firstDetected)) {
      // Counts only when no signal is of a seen kind: then every signal passes here.
      firstDetected = s.detected_at;
    }
    if (RESOLVABLE_KINDS.has(s.kind) || s.resolved_at) {
      if (!s.resolved_at && s.status !== 'resolved') open = true;
      if (s.resolved_at === undefined) unknownResolution = true;
      else if (s.resolved_at !== null && (lastResolution === null || s.resolved_at > lastResolution)) lastResolution = s.resolved_at;
    }
    const level = severityRank(s.severity);
    if (level >= 0 && level < severity) severity = level;
    for (const [key, value] of Object.entries(s.labels)) {
      const list = (labels[key] ??= []);
      if (!list.includes(value) && list.length < 20) list.push(value);
    }
    if (titles.size < 20) titles.add(s.title);
    if (!described && s.body) described = s;
    count(serviceCounts, s.service);
    count(environmentCounts, s.environment);
    if (s.service !== null) services.add(s.service);
    for (const link of s.links) links.add(link);
    sources.add(s.source);
    kinds.add(s.kind);
    signal_ids[k] = s.id;
    signal_refs[k] = signalRef(s);
    previous_problem_ids[k] = s.problem_id ?? null;
  }
  let summary = [...titles].join(' · ');
  // Chat and log sources often repeat the title as the body's first line.
  const body = described?.body?.startsWith(described.title) ? described.body.slice(described.title.length).trim() : described?.body?.trim();
  if (body) summary += ` — ${body}`;
  if (summary.length > SUMMARY_LIMIT) summary = `${summary.slice(0, SUMMARY_LIMIT - 1)}…`;
  let ref = (id: number) => `#${id}`;
  if (reasons.length > 0) {
    const refById = new Map<number, string>();
    for (let k = 0; k < n; k++) refById.set(signal_ids[k]!, signal_refs[k]!);
    ref = (id) => refById.get(id) ?? `#${id}`;
  }
  return {
    key: signal_refs[0]!,
    title: titled.title,
    summary,
    service: mostCommon(serviceCounts),
    services: [...services].sort(),
    environment: mostCommon(environmentCounts),
    impact_start: anchor.occurred_at,
    detected_at: firstSeen ?? firstDetected ?? null,
    resolved_at: open || unknownResolution ? null : lastResolution,
    severity: (SEVERITIES as readonly string[])[severity] ?? null,
    signal_count: n,
    signal_ids,
    signal_refs,
    links: [...links],
    previous_problem_ids,
    sources: [...sources].sort(),
    kinds: [...kinds].sort(),
    labels,
    correlation: {
      rules,
      reasons: reasons.map((r) => ({ signal: ref(r.signal_id), joined: ref(r.joined_id), rule: r.rule, detail: r.detail })),
    },
  };
}

/**
 * Replays the signals in the order they were correlated and hands back each problem when its last
 * signal has been seen. Throws if the order differs (the signals changed in between: run again).
 */
export function createAssembler(result: CorrelationResult): { add(signal: AssemblySignal): ProblemDraft | null; pending(): number } {
  const last = new Int32Array(result.count);
  for (let i = 0; i < result.count; i++) last[result.groupOf[i]!] = i;
  const open = new Map<number, AssemblySignal[]>();
  let position = 0;
  return {
    add(signal) {
      const i = position++;
      if (i >= result.count || result.ids[i] !== signal.id) {
        throw new Error(`signal ${signalRef(signal)} arrived out of the correlated order: signals changed during the run; run the pipeline again`);
      }
      const root = result.groupOf[i]!;
      let members = open.get(root);
      if (!members) open.set(root, (members = []));
      members.push(signal);
      if (last[root] !== i) return null;
      open.delete(root);
      return summariseProblem(members, result.reasonsFor(root), result.ruleCounts(root));
    },
    pending: () => open.size,
  };
}
