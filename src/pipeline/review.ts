// What a person decides about problems: confirm a type, merge, split, set aside as not a problem or
// count again. Each is kept as a decision (who, when, what) that every pipeline run replays, and is
// applied at once to the stored problems. A confirmation also retrains the model and reclassifies the
// problems nobody has confirmed.
import type { Config, ProblemType } from '../domain/config.ts';
import { PROBLEM_TYPES } from '../domain/config.ts';
import type { Store } from '../store/connection.ts';
import { getProblem, loadDecisions, recordDecision, signalsOfProblem } from '../store/problems.ts';
import { refreshOutcomesOf } from '../store/attribution.ts';
import { fromJson, type ProblemRow } from '../store/schema.ts';
import { summariseProblem } from './assemble.ts';
import { signalRef } from './correlate.ts';
import { buildClassifier, classifyProblem } from './classify/index.ts';
import type { ProblemFeatures } from './classify/features.ts';
import { confirmationsFrom, deriveAndWrite, prepareSteps, type RunContext } from './run.ts';

/** A request a person can correct: unknown problem, bad type, signals that are not there. */
export class ReviewError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
  }
}

async function problemOrFail(store: Store, id: number): Promise<ProblemRow> {
  const p = await getProblem(store.db, id);
  if (!p) throw new ReviewError(`problem ${id} does not exist`, 404);
  return p;
}

/** The features a problem was last classified on (kept in its correlation column). */
export function storedFeatures(p: ProblemRow): ProblemFeatures {
  const c = fromJson<{ sources?: string[]; kinds?: string[]; labels?: Record<string, string[]>; facts?: ProblemFeatures['facts'] }>(p.correlation, {});
  const text = p.summary && p.summary.includes(p.title) ? p.summary : `${p.title}${p.summary ? ` · ${p.summary}` : ''}`;
  return {
    text,
    sources: c.sources ?? [],
    kinds: c.kinds ?? [],
    labels: c.labels ?? {},
    fields: { title: p.title, body: p.summary ?? '', service: p.service ?? '', environment: p.environment ?? '', severity: p.severity ?? '', source: (c.sources ?? []).join(' '), kind: (c.kinds ?? []).join(' ') },
    facts: c.facts ?? {},
  };
}

async function context(store: Store, config: Config): Promise<RunContext> {
  return { store, config, decisions: await loadDecisions(store.db), now: new Date().toISOString() };
}

/**
 * Re-derives and writes the given groups of signals as problems, through every pipeline step; their
 * releases may move, so deployment outcomes are refreshed too (on the timelines they left and joined).
 */
async function rewrite(store: Store, config: Config, groups: Awaited<ReturnType<typeof signalsOfProblem>>[]): Promise<ProblemRow[]> {
  const ctx = await context(store, config);
  const steps = await prepareSteps(ctx);
  const drafts = groups.map((signals) => summariseProblem(signals, [], {}));
  const previous = [...new Set(drafts.flatMap((d) => d.previous_problem_ids).filter((id): id is number => id !== null))];
  const left = previous.length === 0 ? [] : await store.db.selectFrom('problems').select('deployment_id').where('id', 'in', previous).execute();
  await deriveAndWrite(ctx, steps, drafts);
  const rows = await store.db.selectFrom('problems').selectAll().where('key', 'in', drafts.map((d) => d.key)).execute();
  // The problems the signals left with none of them (merged away, split from) go before the outcomes
  // are refreshed: a deployment's outcome would still count them.
  const kept = new Set(rows.map((r) => r.id));
  const emptied = previous.filter((id) => !kept.has(id));
  if (emptied.length > 0) {
    await store.db
      .deleteFrom('problems')
      .where('id', 'in', emptied)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('signal_problems').select('signal_id').whereRef('signal_problems.problem_id', '=', 'problems.id'))))
      .execute();
  }
  await refreshOutcomesOf(store.db, [...left, ...rows].map((r) => r.deployment_id), store.sqlite);
  return drafts.map((d) => rows.find((r) => r.key === d.key)!);
}

/** Retrains on every confirmation and reclassifies the problems no person has confirmed. */
export async function reclassifyUnconfirmed(store: Store, config: Config): Promise<number> {
  const { examples } = confirmationsFrom(await loadDecisions(store.db, ['confirm_type']));
  const classifier = buildClassifier(config, examples);
  let changed = 0;
  let after = 0;
  for (;;) {
    // Problems set aside keep their state: triage, not the classifier, decides whether they count.
    const page = await store.db.selectFrom('problems').selectAll().where('id', '>', after).where('type_decider', '!=', 'person').where('review_state', '!=', 'dismissed').orderBy('id').limit(1000).execute();
    if (page.length === 0) return changed;
    after = Number(page[page.length - 1]!.id);
    for (const p of page) {
      const c = classifyProblem(storedFeatures(p), classifier);
      // A doubt about the release keeps the problem to verify, as the pipeline's attribution step says.
      const attribution = fromJson<{ needs_review?: boolean; decided_by?: string } | null>(p.attribution, null);
      if (attribution?.needs_review === true && attribution.decided_by !== 'person') c.review_state = 'to_verify';
      if (c.type === p.type && c.confidence === p.type_confidence && c.decider === p.type_decider && c.review_state === p.review_state) continue;
      changed++;
      await store.db
        .updateTable('problems')
        .set({ type: c.type, type_confidence: c.confidence, type_decider: c.decider, type_rationale: c.rationale, review_state: c.review_state, updated_at: new Date().toISOString() })
        .where('id', '=', p.id)
        .execute();
    }
  }
}

export async function confirmProblemType(store: Store, config: Config, id: number, type: string, actor: string): Promise<ProblemRow> {
  if (!(PROBLEM_TYPES as readonly string[]).includes(type)) throw new ReviewError(`type: expected one of ${PROBLEM_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  if (!actor.trim()) throw new ReviewError('actor: say who decides (a name or e-mail)');
  const problem = await problemOrFail(store, id);
  const decision = await recordDecision(store.db, { action: 'confirm_type', subject: problem.key, payload: { type, features: storedFeatures(problem) }, actor });
  // A type confirmed for a problem set aside says it counts: it goes through every step again.
  if (problem.review_state === 'dismissed') await recount(store, config, id);
  await store.db
    .updateTable('problems')
    .set({ type, type_confidence: 1, type_decider: 'person', type_rationale: `confirmed by ${actor}`, review_state: 'confirmed', updated_at: decision.decided_at })
    .where('id', '=', id)
    .execute();
  await reclassifyUnconfirmed(store, config);
  return problemOrFail(store, id);
}

/** Re-derives one problem from its signals (the decisions just recorded apply). */
async function recount(store: Store, config: Config, id: number): Promise<ProblemRow> {
  const [row] = await rewrite(store, config, [await signalsOfProblem(store.db, id)]);
  return row!;
}

/** A person says a problem is not an escaped problem: kept and shown, no longer counted or attributed. */
export async function dismissProblem(store: Store, config: Config, id: number, actor: string, reason = ''): Promise<ProblemRow> {
  if (!actor.trim()) throw new ReviewError('actor: say who decides (a name or e-mail)');
  const problem = await problemOrFail(store, id);
  const signals = (await signalsOfProblem(store.db, id)).map((s) => signalRef(s));
  await recordDecision(store.db, { action: 'dismiss', subject: problem.key, payload: { reason: reason.trim(), signals }, actor });
  return recount(store, config, id);
}

/** A person says a problem set aside counts after all (whatever the noise rules say). */
export async function restoreProblem(store: Store, config: Config, id: number, actor: string): Promise<ProblemRow> {
  if (!actor.trim()) throw new ReviewError('actor: say who decides (a name or e-mail)');
  const problem = await problemOrFail(store, id);
  await recordDecision(store.db, { action: 'restore', subject: problem.key, payload: {}, actor });
  return recount(store, config, id);
}

export async function mergeProblems(store: Store, config: Config, ids: readonly number[], actor: string): Promise<ProblemRow> {
  const distinct = [...new Set(ids)];
  if (distinct.length < 2) throw new ReviewError('problem_ids: name at least two different problems to merge');
  if (!actor.trim()) throw new ReviewError('actor: say who decides (a name or e-mail)');
  const problems = await Promise.all(distinct.map((id) => problemOrFail(store, id)));
  const signals = (await Promise.all(distinct.map((id) => signalsOfProblem(store.db, id)))).flat();
  signals.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.id - b.id));
  await recordDecision(store.db, {
    action: 'merge',
    subject: signalRef(signals[0]!),
    payload: { problems: problems.map((p) => p.key), signals: signals.map((s) => signalRef(s)) },
    actor,
  });
  const [merged] = await rewrite(store, config, [signals]);
  return merged!;
}

export async function splitProblem(store: Store, config: Config, id: number, signalIds: readonly number[], actor: string): Promise<{ remaining: ProblemRow; split: ProblemRow }> {
  if (!actor.trim()) throw new ReviewError('actor: say who decides (a name or e-mail)');
  const problem = await problemOrFail(store, id);
  const signals = await signalsOfProblem(store.db, id);
  const chosen = new Set(signalIds);
  const foreign = [...chosen].filter((s) => !signals.some((x) => x.id === s));
  if (chosen.size === 0) throw new ReviewError('signal_ids: name the signals to split off');
  if (foreign.length > 0) throw new ReviewError(`signal_ids: ${foreign.join(', ')} ${foreign.length === 1 ? 'is not a signal' : 'are not signals'} of problem ${id}`);
  const split = signals.filter((s) => chosen.has(s.id));
  const remaining = signals.filter((s) => !chosen.has(s.id));
  if (remaining.length === 0) throw new ReviewError(`signal_ids: that is every signal of problem ${id}; nothing would remain`, 409);
  await recordDecision(store.db, { action: 'split', subject: problem.key, payload: { signals: split.map((s) => signalRef(s)) }, actor });
  // The old key may belong to neither part now (the anchor moved): rewrite then drops the old row.
  const [left, right] = await rewrite(store, config, [remaining, split]);
  return { remaining: left!, split: right! };
}

export type { ProblemType };
