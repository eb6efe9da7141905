// Deployment outcomes of metrics.md §7. A deployment *failed* when it needed intervention: it was rolled back,
// hot-fixed or fixed forward, or an escaped problem is attributed to it with enough confidence. A deployment
// is *rework* when it was unplanned and made to address a production problem (hotfix, rollback,
// fix-forward). Each outcome says why; a person's decision overrides either flag. Pure.
import {
  type AttributionResult,
  type ProblemFacts,
  canonicalEnvironment,
  type DeploymentFact,
  type DeploymentIndex,
  indexDeployments,
  isFix,
  isRollback,
  undoneBy,
  compareVersions,
} from './attribute.ts';

export { compareVersions };

/** A problem's attribution as outcomes need it. */
export interface AttributedProblem {
  problem_key: string;
  deployment_id: number | null;
  confidence: number;
  decided_by: 'pipeline' | 'person';
  impact_start: string;
  resolved_at: string | null;
}

/** Attribution results (in the order of the problems they came from) as outcomes read them. */
export function attributedProblems(results: readonly AttributionResult[], problems: readonly Pick<ProblemFacts, 'impact_start' | 'resolved_at'>[]): AttributedProblem[] {
  return results.map((r, i) => ({
    problem_key: r.problem_key,
    deployment_id: r.deployment_id,
    confidence: r.attribution.confidence,
    decided_by: r.attribution.decided_by,
    impact_start: (problems[i] as ProblemFacts).impact_start,
    resolved_at: (problems[i] as ProblemFacts).resolved_at,
  }));
}

/** A person's decision about a deployment (a `decisions` row with action `deployment_outcome`). */
export interface OutcomeOverride {
  /** The deployment as `source:external_id`. */
  subject: string;
  failed?: boolean;
  rework?: boolean;
  reason: string;
  actor: string;
  decided_at: string;
}

export interface OutcomeReason {
  kind: 'rolled_back' | 'hot_fixed' | 'fixed_forward' | 'escaped_problem' | 'rework_kind' | 'version_rollback' | 'person';
  detail: string;
  /** The deployment or problem behind it. */
  ref?: string;
}

/** What is stored in `deployments.outcome`. */
export interface DeploymentOutcome {
  deployment_id: number;
  /** null: not a production deployment that reached users, so it counts in no rate. */
  failed: boolean | null;
  rework: boolean | null;
  outcome: {
    failed_because: OutcomeReason[];
    rework_because: OutcomeReason[];
    /** Problems attributed to it, whatever their confidence. */
    problems: string[];
    note?: string;
    overridden_by?: { actor: string; decided_at: string; reason: string };
  };
}

export interface OutcomeOptions {
  /** An escaped problem attributed at or above this confidence makes its deployment failed. */
  failedConfidence: number;
  /** A hotfix repairs a deployment at most this long before it when no open problem says which. */
  fixLookbackHours: number;
}

export const DEFAULT_OUTCOME_OPTIONS: OutcomeOptions = { failedConfidence: 0.5, fixLookbackHours: 72 };

const HOUR = 3_600_000;

interface OpenProblem {
  p: AttributedProblem;
  d: DeploymentFact;
  start: number;
}

/** Derives the outcome of every deployment from the deployments themselves and the problems attributed to them. */
export function deploymentOutcomes(
  deployments: readonly DeploymentFact[],
  problems: readonly AttributedProblem[],
  overrides: ReadonlyMap<string, OutcomeOverride> = new Map(),
  options: OutcomeOptions = DEFAULT_OUTCOME_OPTIONS,
  index: DeploymentIndex = indexDeployments(deployments),
): DeploymentOutcome[] {
  const failed = new Map<number, OutcomeReason[]>();
  const rework = new Map<number, OutcomeReason[]>();
  const problemsOf = new Map<number, string[]>();
  const add = (map: Map<number, OutcomeReason[]>, id: number, reason: OutcomeReason) => {
    const list = map.get(id);
    if (list) list.push(reason);
    else map.set(id, [reason]);
  };

  for (const p of problems) {
    if (p.deployment_id === null) continue;
    const list = problemsOf.get(p.deployment_id);
    if (list) list.push(p.problem_key);
    else problemsOf.set(p.deployment_id, [p.problem_key]);
    if (p.decided_by === 'person' || p.confidence >= options.failedConfidence) {
      add(failed, p.deployment_id, {
        kind: 'escaped_problem',
        ref: p.problem_key,
        detail: `escaped problem ${p.problem_key} is attributed to it (${p.decided_by === 'person' ? 'by a person' : `confidence ${p.confidence}`})`,
      });
    }
  }
  // Attributed problems by service and impact start, to tell which deployment a hotfix repairs.
  const openByService = new Map<string, OpenProblem[]>();
  for (const p of problems) {
    const d = p.deployment_id === null ? undefined : index.byId.get(p.deployment_id);
    if (!d) continue;
    const k = `${d.service}\u0000${canonicalEnvironment(d.environment)}`;
    const entry = { p, d, start: Date.parse(p.impact_start) };
    const list = openByService.get(k);
    if (list) list.push(entry);
    else openByService.set(k, [entry]);
  }
  for (const list of openByService.values()) list.sort((a, b) => a.start - b.start || a.d.id - b.d.id);

  const timelines = new Map<string, true>();
  for (const d of deployments) timelines.set(`${d.service}\u0000${canonicalEnvironment(d.environment)}`, true);
  for (const k of [...timelines.keys()].sort()) {
    const [service, env] = k.split('\u0000') as [string, string];
    const line = index.timeline(service, env);
    if (!line) continue;
    const seenVersions = new Map<string, number>();
    for (let i = 0; i < line.deployments.length; i++) {
      const d = line.deployments[i] as DeploymentFact;
      const prev = i > 0 ? (line.deployments[i - 1] as DeploymentFact) : undefined;
      if (isRollback(d)) {
        add(rework, d.id, { kind: 'rework_kind', detail: `a rollback${d.rolls_back_to ? ` to ${d.rolls_back_to}` : ''}` });
        const undone = undoneBy(line, i);
        if (undone) add(failed, undone.id, { kind: 'rolled_back', ref: d.ref, detail: `rolled back by ${d.ref}` });
      } else if (isFix(d)) {
        const label = d.kind === 'hotfix' ? 'hotfix' : 'fix-forward';
        add(rework, d.id, { kind: 'rework_kind', detail: `a ${label}` });
        for (const repaired of repairedBy(d, line.times[i] as number, line.deployments.slice(Math.max(0, i - 20), i), openByService.get(k) ?? [], options)) {
          add(failed, repaired.id, { kind: d.kind === 'hotfix' ? 'hot_fixed' : 'fixed_forward', ref: d.ref, detail: `repaired by ${label} ${d.ref}` });
        }
      } else if (d.version && prev?.version && prev.version !== d.version && seenVersions.has(d.version) && compareVersions(d.version, prev.version) < 0) {
        // Redeploying an older version right after a newer one is a rollback, whatever the pipeline called it.
        add(rework, d.id, { kind: 'version_rollback', detail: `returns to ${d.version}, deployed before ${prev.version}` });
        add(failed, prev.id, { kind: 'rolled_back', ref: d.ref, detail: `${d.ref} returned to the earlier version ${d.version}` });
      }
      if (d.version) seenVersions.set(d.version, i);
    }
  }

  return deployments
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((d): DeploymentOutcome => {
      const production = d.status === 'success' && canonicalEnvironment(d.environment) === 'production';
      const failedBecause = failed.get(d.id) ?? [];
      const reworkBecause = rework.get(d.id) ?? [];
      const result: DeploymentOutcome = {
        deployment_id: d.id,
        failed: production ? failedBecause.length > 0 : null,
        rework: production ? reworkBecause.length > 0 : null,
        outcome: {
          failed_because: failedBecause,
          rework_because: reworkBecause,
          problems: (problemsOf.get(d.id) ?? []).sort(),
          ...(production ? {} : { note: d.status !== 'success' ? `status ${d.status}: never reached users` : `environment ${d.environment} is not production` }),
        },
      };
      const override = overrides.get(d.ref);
      if (!override) return result;
      const by = { actor: override.actor, decided_at: override.decided_at, reason: override.reason };
      const personal: OutcomeReason = { kind: 'person', detail: `${override.actor}: ${override.reason}` };
      return {
        ...result,
        failed: override.failed ?? result.failed,
        rework: override.rework ?? result.rework,
        outcome: {
          ...result.outcome,
          ...(override.failed !== undefined ? { failed_because: override.failed ? [personal] : [] } : {}),
          ...(override.rework !== undefined ? { rework_because: override.rework ? [personal] : [] } : {}),
          overridden_by: by,
        },
      };
    });
}

/**
 * Which deployment a hotfix repairs: those an open problem of the same service is attributed to
 * (the problem began before the fix and was not yet resolved), else the latest planned deployment before it.
 */
function repairedBy(
  fix: DeploymentFact,
  at: number,
  earlier: readonly DeploymentFact[],
  open: readonly OpenProblem[],
  options: OutcomeOptions,
): DeploymentFact[] {
  const lookback = options.fixLookbackHours * HOUR;
  const byProblem: OpenProblem[] = [];
  // Sorted by start: walk back from the last problem that began before the fix, within the lookback.
  let lo = 0;
  let hi = open.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((open[mid] as OpenProblem).start <= at) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0 && (open[i] as OpenProblem).start >= at - lookback; i--) {
    const { p, d, start } = open[i] as OpenProblem;
    const end = p.resolved_at ? Date.parse(p.resolved_at) + HOUR : start + lookback;
    if (d.id !== fix.id && at <= end && (d.at === null || Date.parse(d.at) < at)) byProblem.push(open[i] as OpenProblem);
  }
  if (byProblem.length > 0) {
    const unique = new Map(byProblem.map(({ d }) => [d.id, d]));
    return [...unique.values()].sort((a, b) => a.id - b.id);
  }
  for (let i = earlier.length - 1; i >= 0; i--) {
    const d = earlier[i] as DeploymentFact;
    if (isRollback(d)) continue;
    if (d.at !== null && at - Date.parse(d.at) > options.fixLookbackHours * HOUR) return [];
    return [d];
  }
  return [];
}

