// The life of one escaped problem: when its impact starts, when someone notices, how it gets fixed
// (rollback, hotfix, fix-forward, or a config/vendor fix without a deployment), who spent how long
// on it, and the ground-truth line that records what really happened.
import type { Severity } from '../domain/fields.ts';
import { type ServiceState, type Sink, person, refOf, remediate, type Remedy } from './delivery.ts';
import { type Detection, chooseDetection, detectedFrom } from './detection.ts';
import type { IdSource } from './ids.ts';
import type { Random } from './random.ts';
import { type ProblemStory, problemSignals } from './signals.ts';
import { DAY, HOUR, MINUTE, clamp, iso } from './time.ts';
import type { CostEntryLine, ProblemType, UnattributedReason } from './types.ts';
import { SCENARIOS_BY_TYPE, type Scenario, problemSlots } from './vocabulary.ts';

export interface IntroducingRelease {
  ref: string;
  version: string;
  previousVersion: string;
}

export interface ProblemCause {
  type: ProblemType;
  impactStart: number;
  release: IntroducingRelease | null;
  scenarios: Scenario[];
  detection: Detection;
}

/** What goes wrong and how it will be noticed, decided when the problem is set in motion. */
export function problemCause(rng: Random, type: ProblemType, impactStart: number, release: IntroducingRelease | null): ProblemCause {
  const scenarios = chooseScenarios(rng, type, release !== null);
  const wrongResults = scenarios.some((s) => s.alerts.includes('OrderTotalsMismatch'));
  return { type, impactStart, release, scenarios, detection: chooseDetection(rng, type, wrongResults) };
}

/** When the first person or pager will see it. */
export const detectionTime = (cause: ProblemCause): number => cause.impactStart + cause.detection.ttd;

/** One scenario per type involved: a mixed problem is a code defect meeting an infra or integration failure. */
export function chooseScenarios(rng: Random, type: ProblemType, fromDeployment: boolean): Scenario[] {
  const of = (t: Scenario['type']) => {
    const pool = SCENARIOS_BY_TYPE[t];
    const fitting = fromDeployment ? pool.filter((s) => s.deployable !== false) : pool.filter((s) => s.deployable !== true || rng.chance(0.3));
    return rng.pick(fitting.length > 0 ? fitting : pool);
  };
  if (type === 'mixed') return [of('code'), of(rng.chance(0.5) ? 'infra' : 'integration')];
  return [of(type)];
}

export function unattributedReason(scenarios: Scenario[]): UnattributedReason {
  return scenarios.find((s) => s.reason)?.reason ?? 'infrastructure change';
}

const FIX_MEDIAN: Record<ProblemType, [number, number]> = {
  code: [5 * HOUR, 1.0],
  infra: [2.5 * HOUR, 0.9],
  integration: [6 * HOUR, 1.0],
  regression: [2 * HOUR, 0.8],
  mixed: [5 * HOUR, 1.0],
};

/** metrics.md §1: role hours per incident, as ranges. */
const ROLE_HOURS: Record<Exclude<ProblemType, 'mixed'>, Record<string, [number, number]>> = {
  code: { dev: [2, 3], qa: [1, 1], devops: [1, 1], pm: [0.5, 0.5] },
  infra: { devops: [3, 5], dev: [1, 1], qa: [1, 1], pm: [1, 1] },
  integration: { dev: [2, 4], devops: [2, 2], pm: [2, 3] },
  regression: { qa: [2, 2], dev: [2, 3], devops: [2, 2] },
};

function severityFor(rng: Random, type: ProblemType): Severity {
  const critical = type === 'integration' ? 0.15 : type === 'infra' ? 0.12 : 0.07;
  return rng.weighted([['critical', critical], ['high', 0.3], ['medium', 0.4], ['low', 0.23]] as const);
}

function pickRemedy(rng: Random, type: ProblemType, severity: Severity, introduced: boolean): Remedy | null {
  const urgent = severity === 'critical' || severity === 'high';
  switch (type) {
    case 'regression':
      return rng.chance(0.65) ? 'rollback' : 'hotfix';
    case 'code':
      return rng.chance(urgent ? 0.55 : 0.2) ? 'hotfix' : rng.chance(0.15) ? 'fix_forward' : null;
    case 'infra':
      return introduced && rng.chance(0.4) ? 'rollback' : null;
    case 'integration':
      return rng.chance(0.2) ? 'hotfix' : null;
    case 'mixed':
      return rng.chance(0.4) ? 'hotfix' : null;
  }
}

function roundQuarter(hours: number): number {
  return Math.max(0.25, Math.round(hours * 4) / 4);
}

function costEntries(rng: Random, ids: IdSource, scenarios: Scenario[], problemRef: string, resolvedAt: number): CostEntryLine[] {
  // A mixed problem costs the mean of its types: each involved type contributes its share of the hours.
  const share = 1 / scenarios.length;
  const out: CostEntryLine[] = [];
  for (const scenario of scenarios) {
    for (const [role, [low, high]] of Object.entries(ROLE_HOURS[scenario.type])) {
      const hours = rng.between(low, high) * share * rng.between(0.9, 1.1);
      const people = hours >= 2 && rng.chance(0.3) ? 2 : 1;
      for (let p = 0; p < people; p++) {
        out.push({
          source: 'timesheet',
          external_id: ids.costEntry(),
          problem_ref: problemRef,
          role,
          hours: roundQuarter(hours / people),
          person: person(rng),
          note: `${scenario.type} incident work`,
          entered_at: iso(resolvedAt + rng.int(1, 72) * HOUR),
        });
      }
    }
  }
  return out;
}

/**
 * Writes one problem's signals, its remediation deployments and cost entries into the sink, and its
 * ground-truth line. Planned releases of the service wait until the remediation is out.
 */
export function emitProblem(rng: Random, ids: IdSource, state: ServiceState, sink: Sink, cause: ProblemCause, peer: string): void {
  const { plan } = state;
  const { type, impactStart, release, scenarios } = cause;
  const id = ids.problem();
  const severity = severityFor(rng, type);
  const detectedAt = detectionTime(cause);
  const [median, sigma] = FIX_MEDIAN[type];
  const ttf = clamp(rng.logNormal(median, sigma), 10 * MINUTE, 6 * DAY);
  let resolvedAt = detectedAt + ttf;

  const remedy = pickRemedy(rng, type, severity, release !== null);
  let busyUntil = resolvedAt;
  // A rollback only makes sense while the release that brought the problem still runs, and needs a
  // recorded version to return to.
  if (remedy === 'rollback' && release && state.running === release.version && release.previousVersion !== state.initialVersion) {
    const rollbackAt = detectedAt + clamp(rng.logNormal(25 * MINUTE, 0.6), 5 * MINUTE, Math.max(5 * MINUTE, ttf * 0.8));
    const rollback = remediate(rng, ids, state, sink, 'rollback', rollbackAt, release.previousVersion);
    resolvedAt = rollback.finishedAt + rng.int(2, 15) * MINUTE;
    busyUntil = resolvedAt;
    if (type === 'regression' && rng.chance(0.6)) {
      const forward = remediate(rng, ids, state, sink, 'fix_forward', resolvedAt + clamp(rng.logNormal(22 * HOUR, 0.5), 2 * HOUR, 4 * DAY), null);
      busyUntil = forward.finishedAt;
    }
  } else if (remedy !== null) {
    const fix = remediate(rng, ids, state, sink, remedy === 'rollback' ? 'hotfix' : remedy, detectedAt + ttf * 0.92, null);
    resolvedAt = Math.max(resolvedAt, fix.finishedAt + rng.int(1, 10) * MINUTE);
    busyUntil = fix.finishedAt;
  }
  state.frozenUntil = Math.max(state.frozenUntil, busyUntil);

  const vendor = plan.vendors[0]!;
  const story: ProblemStory = {
    id,
    type,
    plan,
    scenarios,
    slots: problemSlots(rng, {
      service: plan.name,
      Service: plan.displayName,
      vendor: vendor.name,
      host: type === 'integration' || scenarios.some((s) => s.type === 'integration') ? vendor.host : `${plan.name}.acme.io`,
      version: release?.version ?? state.running,
      prev: release?.previousVersion ?? state.previous ?? state.running,
      peer,
    }),
    severity,
    impactStart,
    detectedAt,
    resolvedAt,
    detection: cause.detection.channel,
    version: release?.version ?? state.running,
    introduced: release !== null,
  };
  const signals = problemSignals(rng, ids, story);
  for (const signal of signals) sink.records.signals.push(signal);

  const refs = signals.map(refOf);
  if (rng.chance(0.4)) {
    // Hours are booked against the ticket people work from (Jira, else the incident, else any signal).
    const anchor = signals.find((s) => s.source === 'jira') ?? signals.find((s) => s.source === 'pagerduty') ?? signals[0]!;
    for (const entry of costEntries(rng, ids, scenarios, refOf(anchor), resolvedAt)) sink.records.cost_entries.push(entry);
  }
  sink.truth.problems.push({
    problem: id,
    type,
    service: plan.name,
    signals: refs,
    deployment: release?.ref ?? null,
    unattributed_reason: release ? null : unattributedReason(scenarios),
    impact_start: iso(impactStart),
    // What the pipeline will derive from these signals (the first one a person or pager saw).
    detected_at: detectedFrom(signals) ?? iso(detectedAt),
    resolved_at: iso(resolvedAt),
  });
}
