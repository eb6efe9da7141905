// Which problems are not escaped problems. Every signal becomes part of a problem, but not every
// signal describes one: an alert that fired for a few minutes and resolved itself with nobody paged,
// a how-to question to support, chatter in an incident channel. Counted, they inflate every number
// (they would all be "code" by the prior). Triage sets them aside: kept, shown with the reason, out of
// the metrics, and one click from being counted again. A person's decision always wins.
import type { Config } from '../domain/config.ts';
import { SEVERITIES } from '../domain/fields.ts';
import type { StoredDecision } from '../store/problems.ts';
import type { ProblemFeatures } from './classify/features.ts';
import { applyRules, PRIOR_RULE } from './classify/rules.ts';
import type { ClassificationRule } from '../domain/config.ts';

export type NoiseOptions = Config['noise'];

/** What triage needs of a problem (a ProblemDraft has all of it). */
export interface TriageFacts {
  kinds: readonly string[];
  signal_count: number;
  severity: string | null;
  impact_start: string;
  resolved_at: string | null;
  links: readonly string[];
}

export interface SetAside {
  by: 'rule' | 'person';
  /** Who, when a person decided. */
  actor?: string;
  reason: string;
}

/** At most this many signals, all of one kind, for a problem to be noise: nothing else reported it. */
const LONE = 2;

/** Is `severity` (critical > high > medium > low) at most `max`? Unknown severity never is. */
function atMost(severity: string | null, max: string): boolean {
  const rank = SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
  return rank >= 0 && rank >= SEVERITIES.indexOf(max as (typeof SEVERITIES)[number]);
}

/** Words that say something is failing, whatever the cause (the classification rules look for a cause). */
const FAILURE_WORDS =
  /\b(errors?|exceptions?|fail\w*|broken|breaks?|down|outage|crash\w*|cannot|can['’]?t|unable|not (?:working|loading|load|work|saved?|sent|received|showing)|does(?:n['’]?t| not) work|stuck|hang\w*|froze|frozen|timeouts?|timed? out|slow\w*|wrong|incorrect|missing|lost|blank|charged|refused|denied|bug\w*|5\d\d|4\d\d)\b/i;

/** Whether a problem's words name a failure: a failure word, or a classification rule that names a cause (not the prior). */
function failureNamed(rules: readonly ClassificationRule[], features: ProblemFeatures): boolean {
  return FAILURE_WORDS.test(features.text) || applyRules(rules, features).some((h) => h.rule !== PRIOR_RULE);
}

/** Why the pipeline sets this problem aside, or null when it counts. */
export function noiseReason(problem: TriageFacts, features: ProblemFeatures, rules: readonly ClassificationRule[], options: NoiseOptions): string | null {
  if (!options.enabled || problem.signal_count > LONE || problem.kinds.length !== 1) return null;
  const kind = problem.kinds[0];
  const signals = problem.signal_count === 1 ? 'a lone' : `${problem.signal_count}`;
  if (kind === 'alert') {
    if (problem.resolved_at === null || !atMost(problem.severity, options.flap_max_severity)) return null;
    const minutes = (Date.parse(problem.resolved_at) - Date.parse(problem.impact_start)) / 60_000;
    if (!(minutes <= options.flap_minutes)) return null;
    return `${signals} ${problem.severity}-severity alert${problem.signal_count === 1 ? '' : 's'} that resolved itself in ${Math.round(minutes)} min (flap limit ${options.flap_minutes} min), with no page, ticket, support request or chat`;
  }
  if (kind === 'support') {
    if (!atMost(problem.severity, options.request_max_severity) || problem.links.length > 0 || failureNamed(rules, features)) return null;
    return `${signals} ${problem.severity}-priority support request${problem.signal_count === 1 ? '' : 's'} naming no failure (no failure word, no classification rule matched) and nothing else reporting a problem`;
  }
  if (kind === 'chat') {
    if (!options.chatter || problem.links.length > 0 || failureNamed(rules, features)) return null;
    return `${signals} chat message${problem.signal_count === 1 ? '' : 's'} naming no failure (no failure word, no classification rule matched) and no link, with nothing else reporting a problem`;
  }
  return null;
}

export const DISPOSITION_ACTIONS = ['dismiss', 'restore', 'confirm_type'] as const;

export interface Disposition {
  id: number;
  action: (typeof DISPOSITION_ACTIONS)[number];
  actor: string;
  reason: string;
  /** For a dismissal: the signals the problem had then. A problem that has gained others counts again. */
  signals?: ReadonlySet<string>;
}

/** The latest person's word per subject on whether it counts: dismiss, or restore / confirm a type (both say it counts). */
export function dispositionsFrom(decisions: readonly StoredDecision[]): Map<string, Disposition> {
  const out = new Map<string, Disposition>();
  for (const d of decisions) {
    if (!(DISPOSITION_ACTIONS as readonly string[]).includes(d.action)) continue;
    const signals = Array.isArray(d.payload.signals) ? new Set((d.payload.signals as unknown[]).filter((s): s is string => typeof s === 'string')) : undefined;
    out.set(d.subject, { id: d.id, action: d.action as Disposition['action'], actor: d.actor, reason: typeof d.payload.reason === 'string' ? d.payload.reason : '', ...(signals ? { signals } : {}) });
  }
  return out;
}

/** The latest disposition among a problem's signals (a decision names the problem by its anchor signal). */
export function dispositionOf(refs: readonly string[], dispositions: ReadonlyMap<string, Disposition>): Disposition | null {
  let latest: Disposition | null = null;
  for (const ref of refs) {
    const d = dispositions.get(ref);
    if (d && (!latest || d.id > latest.id)) latest = d;
  }
  return latest;
}

/** Whether a problem is set aside: a person's latest word, else the noise rules. */
export function triage(problem: TriageFacts & { signal_refs: readonly string[] }, features: ProblemFeatures, rules: readonly ClassificationRule[], options: NoiseOptions, dispositions: ReadonlyMap<string, Disposition>): SetAside | null {
  const person = dispositionOf(problem.signal_refs, dispositions);
  if (person?.action === 'dismiss') {
    // Dismissed as it was then: a signal it did not have (new evidence, or a regrouping) makes it count again.
    const { signals } = person;
    if (!signals || problem.signal_refs.every((r) => signals.has(r))) return { by: 'person', actor: person.actor, reason: person.reason || 'not an escaped problem' };
  } else if (person) return null;
  const reason = noiseReason(problem, features, rules, options);
  return reason === null ? null : { by: 'rule', reason };
}

/** What a set-aside problem's correlation keeps (`correlation.set_aside`): why, who, and the classification it would have if counted. */
export interface SetAsideNote extends SetAside {
  if_counted: string;
}

/** The sentence a problem set aside carries in its rationale. */
export function setAsideRationale(aside: SetAside, classification: string): string {
  const who = aside.by === 'person' ? `set aside by ${aside.actor}` : 'set aside as noise';
  return `not counted (${who}): ${aside.reason}. If counted: ${classification}`;
}
