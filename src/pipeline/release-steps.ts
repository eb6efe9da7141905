// The attribute and cost steps of `escapement pipeline` (see run.ts): each loads what it needs once per
// run, then enriches every batch of problems through the pure stages; outcomes follow once all problems
// are written, since a deployment's outcome depends on every problem attributed to it.
import { type Attribution, attributeProblems, attributionOptions, indexDeployments, latestBySubject, type ProblemFacts } from './attribute.ts';
import { costProblems, indexCostEntries } from './cost.ts';
import type { DerivedProblem, PipelineStep } from './run.ts';
import {
  loadAttributionOverrides,
  loadChangeFacts,
  loadCostEntries,
  loadDeploymentFacts,
  refreshOutcomes,
} from '../store/attribution.ts';

/** What attribution reads of a problem being derived; labels with several values are joined by commas. */
export function problemFactsOf(problem: DerivedProblem): ProblemFacts {
  const { draft } = problem;
  const labels: Record<string, string> = {};
  for (const [k, values] of Object.entries(draft.labels)) if (values.length > 0) labels[k] = [...new Set(values)].join(',');
  return {
    id: 0,
    key: draft.key,
    service: draft.service,
    services: draft.services,
    environment: draft.environment,
    impact_start: draft.impact_start,
    resolved_at: draft.resolved_at,
    type: problem.classification?.type ?? null,
    links: draft.links,
    labels,
    texts: [draft.title, draft.summary],
  };
}

/** A problem set aside is no release's escape: it must not make a deployment failed nor count in EpR. */
const NOT_COUNTED: Attribution = {
  method: 'none',
  confidence: 0,
  deployment_ref: null,
  evidence: [],
  candidates: [],
  unattributed: { reason: 'not_counted', explanation: 'set aside: not an escaped problem, so no release let it through' },
  needs_review: false,
  decided_by: 'pipeline',
};

export const attributeStep: PipelineStep = {
  name: 'attribute',
  async prepare(ctx) {
    const db = ctx.store.db;
    const [deployments, changes, overrides] = await Promise.all([loadDeploymentFacts(db), loadChangeFacts(db), loadAttributionOverrides(db)]);
    const index = indexDeployments(deployments, changes);
    const options = attributionOptions(ctx.config);
    const decided = latestBySubject(overrides);
    return (all) => {
      for (const problem of all) {
        if (!problem.set_aside) continue;
        problem.columns.deployment_id = null;
        problem.columns.attribution = JSON.stringify(NOT_COUNTED);
      }
      const batch = all.filter((p) => !p.set_aside);
      const results = attributeProblems(batch.map((p) => problemFactsOf(p)), index, options, decided);
      results.forEach((r, i) => {
        const problem = batch[i] as DerivedProblem;
        problem.columns.deployment_id = r.deployment_id;
        problem.columns.attribution = JSON.stringify(r.attribution);
        // A doubt about the release sends the problem back to review, unless a person confirmed it:
        // their decision sticks across re-runs (the doubt stays visible in the attribution).
        if (r.attribution.needs_review && problem.classification?.review_state !== 'confirmed') problem.columns.review_state = 'to_verify';
      });
    };
  },
  finish: (ctx) => refreshOutcomes(ctx.store.db),
};

export const costStep: PipelineStep = {
  name: 'cost',
  async prepare(ctx) {
    const entries = indexCostEntries(await loadCostEntries(ctx.store.db));
    return (batch) => {
      const costs = costProblems(
        batch.map(({ draft, classification }) => {
          // Entries may name the problem by the id it had before this run.
          const previous = [...new Set(draft.previous_problem_ids.filter((id): id is number => id !== null))].sort((a, b) => a - b);
          return {
            id: previous[0] ?? 0,
            key: draft.key,
            type: classification?.type ?? null,
            signal_refs: [...draft.signal_refs, ...previous.map((id) => `problem:${id}`)],
            impact_start: draft.impact_start,
            detected_at: draft.detected_at,
            resolved_at: draft.resolved_at,
          };
        }),
        entries,
        ctx.config,
      );
      costs.forEach((cost, i) => {
        (batch[i] as DerivedProblem).columns.cost = JSON.stringify({ ...cost, problem_id: undefined });
      });
    };
  },
};
