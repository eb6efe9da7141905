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

function mostCommon(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}

/** Summarises one group. `signals` in time order; the first is the anchor and gives the key. */
export function summariseProblem(signals: readonly AssemblySignal[], reasons: readonly JoinReason[] = [], rules: Partial<Record<JoinRule, number>> = {}): ProblemDraft {
  const anchor = signals[0];
  if (!anchor) throw new Error('a problem needs at least one signal');
  const titled = [...signals].sort((a, b) => TITLE_PREFERENCE.indexOf(a.kind) - TITLE_PREFERENCE.indexOf(b.kind))[0]!;
  const seen = signals.filter((s) => SEEN_KINDS.has(s.kind));
  const detected = (seen.length > 0 ? seen : signals.filter((s) => s.detected_at)).map((s) => s.detected_at ?? s.occurred_at).sort()[0] ?? null;
  const lifecycle = signals.filter((s) => RESOLVABLE_KINDS.has(s.kind) || s.resolved_at);
  const open = lifecycle.some((s) => !s.resolved_at && s.status !== 'resolved');
  const resolutions = lifecycle.map((s) => s.resolved_at).filter((r): r is string => r !== null).sort();
  const severity = SEVERITIES.find((level) => signals.some((s) => s.severity === level)) ?? null;
  const labels: Record<string, string[]> = {};
  for (const s of signals) {
    for (const [k, v] of Object.entries(s.labels)) {
      const list = (labels[k] ??= []);
      if (!list.includes(v) && list.length < 20) list.push(v);
    }
  }
  const distinctTitles = [...new Set(signals.map((s) => s.title))];
  let summary = distinctTitles.slice(0, 20).join(' · ');
  const described = signals.find((s) => s.body);
  // Chat and log sources often repeat the title as the body's first line.
  const body = described?.body?.startsWith(described.title) ? described.body.slice(described.title.length).trim() : described?.body?.trim();
  if (body) summary += ` — ${body}`;
  if (summary.length > SUMMARY_LIMIT) summary = `${summary.slice(0, SUMMARY_LIMIT - 1)}…`;
  const refById = new Map(signals.map((s) => [s.id, signalRef(s)]));
  const ref = (id: number) => refById.get(id) ?? `#${id}`;
  return {
    key: signalRef(anchor),
    title: titled.title,
    summary,
    service: mostCommon(signals.map((s) => s.service)),
    services: [...new Set(signals.map((s) => s.service).filter((s): s is string => s !== null))].sort(),
    environment: mostCommon(signals.map((s) => s.environment)),
    impact_start: anchor.occurred_at,
    detected_at: detected,
    resolved_at: open ? null : (resolutions[resolutions.length - 1] ?? null),
    severity,
    signal_count: signals.length,
    signal_ids: signals.map((s) => s.id),
    signal_refs: signals.map((s) => signalRef(s)),
    links: [...new Set(signals.flatMap((s) => s.links))],
    previous_problem_ids: signals.map((s) => s.problem_id ?? null),
    sources: [...new Set(signals.map((s) => s.source))].sort(),
    kinds: [...new Set(signals.map((s) => s.kind))].sort(),
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
