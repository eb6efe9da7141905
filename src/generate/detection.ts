// How and when a problem gets noticed. Impact starts first; someone notices later: a pager when an
// alert has been firing long enough (the rule's `for`, then Alertmanager's grouping), a customer who
// writes in, or an engineer who spots it on a dashboard or in the error tracker and opens a ticket.
// The ground truth's detected_at is derived from the signals with the pipeline's own rule, so the two
// agree by construction (src/pipeline/assemble.ts: the first signal a person or pager sees).
import type { Random } from './random.ts';
import { DAY, HOUR, MINUTE, clamp } from './time.ts';
import type { ProblemType, SignalLine } from './types.ts';

export type DetectionChannel = 'monitoring' | 'customer' | 'engineer';

export interface Detection {
  channel: DetectionChannel;
  /** Impact start → the first time a person or pager sees it. */
  ttd: number;
}

/** Minutes from the condition starting to the page: evaluation interval, `for`, group wait. Saturations trip fast, wrong answers slowly. */
const ALERT_MEDIAN: Record<ProblemType, number> = { infra: 3, regression: 5, integration: 6, code: 8, mixed: 6 };
/** Minutes until the first customer writes in. */
const CUSTOMER_MEDIAN: Record<ProblemType, number> = { infra: 40, integration: 60, regression: 75, mixed: 90, code: 110 };
/** Share of problems no alert catches, found by an engineer (dashboards, error-tracker triage, a failing job). */
const ENGINEER_SHARE: Record<ProblemType, number> = { code: 0.12, regression: 0.06, mixed: 0.06, infra: 0.04, integration: 0.05 };

/** `wrongResults`: the problem gives wrong answers rather than errors, which monitoring rarely sees. */
export function chooseDetection(rng: Random, type: ProblemType, wrongResults: boolean): Detection {
  if (rng.chance(wrongResults ? 0.55 : 0.15)) {
    return { channel: 'customer', ttd: clamp(rng.logNormal(CUSTOMER_MEDIAN[type] * MINUTE, 0.9), 5 * MINUTE, 3 * DAY) };
  }
  if (rng.chance(ENGINEER_SHARE[type])) {
    return { channel: 'engineer', ttd: clamp(rng.logNormal(4 * HOUR, 1), 20 * MINUTE, 5 * DAY) };
  }
  return { channel: 'monitoring', ttd: clamp(rng.logNormal(ALERT_MEDIAN[type] * MINUTE, 0.6), MINUTE, 90 * MINUTE) };
}

/** Alert pending time for one alert of a storm (its own `for` and group wait). */
export function alertDelay(rng: Random, type: ProblemType): number {
  return clamp(rng.logNormal(ALERT_MEDIAN[type] * MINUTE, 0.6), MINUTE, 90 * MINUTE);
}

/** Kinds a person or a pager sees (src/pipeline/assemble.ts SEEN_KINDS); log spikes can sit unseen. */
const SEEN_KINDS = new Set(['alert', 'incident', 'ticket', 'support', 'chat']);

/** When the pipeline will say a group of signals was detected: the first seen signal's detected_at, else its occurred_at. */
export function detectedFrom(signals: readonly Pick<SignalLine, 'kind' | 'occurred_at' | 'detected_at'>[]): string | null {
  const seen = signals.filter((s) => SEEN_KINDS.has(s.kind));
  const candidates = (seen.length > 0 ? seen : signals.filter((s) => s.detected_at)).map((s) => String(s.detected_at ?? s.occurred_at));
  return candidates.sort()[0] ?? null;
}
