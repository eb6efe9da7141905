// The attribute and cost steps of `escapement pipeline` (see run.ts): each loads what it needs for a batch
// (the deployments of its time window, the cost entries naming its problems), then enriches the batch
// through the pure stages; outcomes follow once all problems are written, since a deployment's outcome
// depends on every problem attributed to it.
import { type Attribution, attributeProblems, attributionOptions, latestBySubject, type ProblemFacts } from './attribute.ts';
import { costProblems, indexCostEntries, problemRefs } from './cost.ts';
import type { DerivedProblem, PipelineStep } from './run.ts';
import { costEntryRefs, loadAttributionOverrides, loadCostEntries, refreshOutcomes } from '../store/attribution.ts';
import { deploymentWindow } from '../store/deployment-window.ts';

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
    const options = attributionOptions(ctx.config);
    const decided = latestBySubject(await loadAttributionOverrides(ctx.store.db));
    // Deployments a time window at a time (store/deployment-window.ts), not the whole history.
    const window = deploymentWindow(ctx.store.db, options);
    return async (all) => {
      for (const problem of all) {
        if (!problem.set_aside) continue;
        problem.columns.deployment_id = null;
        problem.columns.attribution = JSON.stringify(NOT_COUNTED);
      }
      const batch = all.filter((p) => !p.set_aside);
      const facts = batch.map((p) => problemFactsOf(p));
      for (const group of await window.indexesFor(facts, decided)) {
        const results = attributeProblems(group.problems.map((i) => facts[i]!), group.index, options, decided);
        results.forEach((r, k) => {
          const problem = batch[group.problems[k]!] as DerivedProblem;
          problem.columns.deployment_id = r.deployment_id;
          problem.columns.attribution = JSON.stringify(r.attribution);
          // A doubt about the release sends the problem back to review, unless a person confirmed it:
          // their decision sticks across re-runs (the doubt stays visible in the attribution).
          if (r.attribution.needs_review && problem.classification?.review_state !== 'confirmed') problem.columns.review_state = 'to_verify';
        });
      }
    };
  },
  finish: (ctx) => refreshOutcomes(ctx.store.db, ctx.store.sqlite),
};

export const costStep: PipelineStep = {
  name: 'cost',
  async prepare(ctx) {
    // Which refs any entry names (a few per costed problem); a batch loads only the entries naming its problems.
    const named = await costEntryRefs(ctx.store.db);
    return async (batch) => {
      const problems = batch.map(({ draft, classification }) => {
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
      });
      const refs = new Set<string>();
      for (const p of problems) for (const ref of problemRefs(p)) if (named.has(ref)) refs.add(ref);
      const entries = refs.size > 0 ? await loadCostEntries(ctx.store.db, [...refs]) : [];
      costProblems(problems, indexCostEntries(entries), ctx.config).forEach((cost, i) => {
        (batch[i] as DerivedProblem).columns.cost = JSON.stringify({ ...cost, problem_id: undefined });
      });
    };
  },
};
