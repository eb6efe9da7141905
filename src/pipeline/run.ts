// `escapement pipeline`: re-derives every problem from the stored signals, replaying people's
// decisions. The shell around the pure stages:
//
//   correlate (two streamed passes over the signals in time order: group, then summarise)
//     → the deployment that shipped each pushed or merged change (store/shipments.ts), once per run
//     → PROBLEM_STEPS, applied to each batch of finished problems: classify → triage → [attribute] → [cost]
//     → write (upsert by key, point signals at their problem) → delete problems whose key vanished
//
// A later stage is one more entry in PROBLEM_STEPS: `prepare` loads what it needs once per run and
// returns the function that enriches a batch (set `problem.columns.deployment_id`, `attribution`, …).
// What grows with the history is loaded per batch, not in `prepare`: the batches come in time order,
// so attribution reads the deployments of the batch's window and cost the entries naming its problems,
// and memory follows the rate of events, not how many years the store holds.
// Re-running with unchanged inputs writes nothing; a run that stops half-way is completed by the next.
// On a large SQLite file worker threads read the first pass (reader-thread.ts), do the second pass
// with classify and triage (assembly-thread.ts) and write (problem-writer.ts) while this thread
// correlates, attributes and costs: same batches, same order, same results.
import type { Config } from '../domain/config.ts';
import type { Store } from '../store/connection.ts';
import {
  countSignals,
  deleteOrphanProblems,
  deploymentWindows,
  type DerivedColumns,
  type ProblemWrite,
  loadDecisions,
  remapSignalServices,
  signalLinks,
  signalsInTimeOrder,
  type StoredDecision,
  writeProblems,
} from '../store/problems.ts';
import { loadServices, serviceResolver } from '../store/services.ts';
import { type AssemblySignal, createAssembler, type ProblemDraft } from './assemble.ts';
import { type CorrelationResult, type CorrelationSignal, createCorrelator, type GroupingDecision, linkTokens, TitleVocabulary } from './correlate.ts';
import { type AssembledPage, assembledInWorker, type AssemblyJob } from './assembly-thread.ts';
import { writerHere, writerInWorker } from './problem-writer.ts';
import { correlationReader, type ReaderPage } from './reader-thread.ts';
import type { PageWorker } from '../threads.ts';
import { buildClassifier, type Classification, classifyProblem, type ConfirmedExample, rulesFromConfig } from './classify/index.ts';
import { postDeployIndex, problemFeatures, type ProblemFeatures } from './classify/features.ts';
import { PROBLEM_TYPES, type ProblemType } from '../domain/config.ts';
import { attributeStep, costStep } from './release-steps.ts';
import { deriveShipments } from '../store/shipments.ts';
import { fewerCheckpoints } from '../store/bulk-load.ts';
import { withoutPretenuring } from '../heap.ts';
import { dispositionsFrom, setAsideRationale, type SetAside, type SetAsideNote, triage } from './triage.ts';

/** A problem on its way through the steps. */
export interface DerivedProblem {
  draft: ProblemDraft;
  /** What classify looked at; triage reads it too. Not handed over by the assembly worker (see `facts`). */
  features: ProblemFeatures | null;
  /** The facts among the features, which the row keeps: all that later steps need of them. */
  facts: ProblemFeatures['facts'];
  classification: Classification | null;
  /** Not an escaped problem (noise, or a person said so): kept and shown, not counted, not attributed. */
  set_aside: SetAside | null;
  /** Columns later steps own (deployment_id, attribution, resolution_kind, …); written as given. */
  columns: Partial<DerivedColumns>;
  /**
   * The `correlation` column, once serialised where the problem was triaged (the assembly worker, so that
   * its joins cross to this thread as one string, not up to fifty objects); else problemColumns writes it.
   */
  correlation_json?: string;
}

export interface RunContext {
  store: Store;
  config: Config;
  decisions: readonly StoredDecision[];
  now: string;
}

export interface PipelineStep {
  name: string;
  prepare(ctx: RunContext): Promise<(batch: DerivedProblem[]) => void | Promise<void>>;
  /** Runs once every problem is written (deployment outcomes read all of them). */
  finish?(ctx: RunContext): Promise<void>;
}

/** The latest confirmed type per subject (a signal ref), and the examples the model learns from. */
export function confirmationsFrom(decisions: readonly StoredDecision[]): { bySubject: Map<string, { type: ProblemType; actor: string; id: number }>; examples: ConfirmedExample[] } {
  const bySubject = new Map<string, { type: ProblemType; actor: string; id: number }>();
  const latest = new Map<string, ConfirmedExample>();
  for (const d of decisions) {
    if (d.action !== 'confirm_type') continue;
    const type = d.payload.type as ProblemType;
    if (!(PROBLEM_TYPES as readonly string[]).includes(type)) continue;
    bySubject.set(d.subject, { type, actor: d.actor, id: d.id });
    const features = d.payload.features as ProblemFeatures | undefined;
    if (features && typeof features.text === 'string') latest.set(d.subject, { type, features, key: d.subject });
  }
  return { bySubject, examples: [...latest.values()] };
}

/** The features a problem was classified on, kept in its correlation column so review can reuse them. */
export function featuresOf(draft: ProblemDraft, postDeploy: boolean): ProblemFeatures {
  return problemFeatures(draft, { post_deploy: postDeploy });
}

export const classifyStep: PipelineStep = {
  name: 'classify',
  async prepare(ctx) {
    const { bySubject, examples } = confirmationsFrom(ctx.decisions);
    const classifier = buildClassifier(ctx.config, examples);
    const postDeploy = postDeployIndex(await deploymentWindows(ctx.store.db), ctx.config.windows.regression_minutes);
    return (batch) => {
      for (const problem of batch) {
        const { draft } = problem;
        problem.features = featuresOf(draft, postDeploy(draft.services, draft.impact_start));
        problem.facts = problem.features.facts;
        let confirmed: { type: ProblemType; actor: string; id: number } | undefined;
        for (const ref of draft.signal_refs) {
          const c = bySubject.get(ref);
          if (c && (!confirmed || c.id > confirmed.id)) confirmed = c;
        }
        problem.classification = classifyProblem(problem.features, classifier, confirmed);
      }
    };
  },
};

/** Sets aside what is not an escaped problem (src/pipeline/triage.ts); needs the features classify found. */
export const triageStep: PipelineStep = {
  name: 'triage',
  async prepare(ctx) {
    const rules = rulesFromConfig(ctx.config);
    const dispositions = dispositionsFrom(ctx.decisions);
    return (batch) => {
      for (const problem of batch) {
        if (problem.features) problem.set_aside = triage(problem.draft, problem.features, rules, ctx.config.noise, dispositions);
      }
    };
  },
};

/** Applied in order to every batch of problems. Attribution and cost (issue 6) come after classify. */
export const PROBLEM_STEPS: PipelineStep[] = [classifyStep, triageStep, attributeStep, costStep];

/**
 * The first of PROBLEM_STEPS, which need nothing but a problem and the run's context: with worker
 * threads, the assembly worker applies them to each page's problems before handing them over.
 */
export const ASSEMBLY_STEPS: readonly PipelineStep[] = [classifyStep, triageStep];

/** The `correlation` column: how the signals were joined, where they came from, the facts classify found, why triage set it aside. */
export function correlationColumn({ draft, classification, facts, set_aside }: DerivedProblem): string {
  const rationale = classification?.rationale ?? null;
  return JSON.stringify({ ...draft.correlation, sources: draft.sources, kinds: draft.kinds, labels: draft.labels, facts, ...(set_aside ? { set_aside: { ...set_aside, if_counted: rationale ?? 'unclassified' } satisfies SetAsideNote } : {}) });
}

/** The row the pipeline writes for a problem. */
export function problemColumns(problem: DerivedProblem): DerivedColumns {
  const { draft, classification, set_aside } = problem;
  const rationale = classification?.rationale ?? null;
  return {
    key: draft.key,
    title: draft.title,
    summary: draft.summary,
    service: draft.service,
    services: JSON.stringify(draft.services),
    environment: draft.environment,
    impact_start: draft.impact_start,
    detected_at: draft.detected_at,
    resolved_at: draft.resolved_at,
    severity: draft.severity,
    signal_count: draft.signal_count,
    type: classification?.type ?? null,
    type_confidence: classification?.confidence ?? null,
    type_decider: classification?.decider ?? null,
    type_rationale: set_aside ? setAsideRationale(set_aside, rationale ?? 'unclassified') : rationale,
    review_state: set_aside ? 'dismissed' : (classification?.review_state ?? 'to_verify'),
    correlation: problem.correlation_json ?? correlationColumn(problem),
    ...problem.columns,
  };
}

/** A problem summarised and not yet through any step. */
export const derivedFrom = (draft: ProblemDraft): DerivedProblem => ({ draft, features: null, facts: {}, classification: null, set_aside: null, columns: {} });

/** Runs the steps over a batch: the rows to write. */
export async function deriveBatch(steps: readonly PreparedStep[], batch: DerivedProblem[]): Promise<ProblemWrite[]> {
  for (const step of steps) await step(batch);
  return batch.map((p) => ({ columns: problemColumns(p), signal_ids: p.draft.signal_ids, previous_problem_ids: p.draft.previous_problem_ids }));
}

/** Runs the steps over a batch and writes it. */
export async function deriveAndWrite(ctx: RunContext, steps: readonly PreparedStep[], drafts: readonly ProblemDraft[]) {
  return writeProblems(ctx.store.db, await deriveBatch(steps, drafts.map(derivedFrom)), ctx.now, ctx.store.sqlite);
}

/** A step ready for batches (what `prepare` returned). */
export type PreparedStep = (batch: DerivedProblem[]) => void | Promise<void>;

export async function prepareSteps(ctx: RunContext, steps: readonly PipelineStep[] = PROBLEM_STEPS) {
  const prepared: PreparedStep[] = [];
  for (const step of steps) prepared.push(await step.prepare(ctx));
  return prepared;
}

/** Merges and splits as the correlator replays them. */
export function groupingDecisions(decisions: readonly StoredDecision[]): GroupingDecision[] {
  const out: GroupingDecision[] = [];
  for (const d of decisions) {
    if (d.action !== 'merge' && d.action !== 'split') continue;
    const signals = Array.isArray(d.payload.signals) ? (d.payload.signals as unknown[]).filter((s): s is string => typeof s === 'string') : [];
    out.push({ id: d.id, action: d.action, signals });
  }
  return out;
}

export interface PipelineProgress {
  phase: 'correlate' | 'derive';
  done: number;
  total: number;
}

export interface PipelineSummary {
  signals: number;
  problems: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  signals_moved: number;
  /** Whether worker threads read, summarised, classified and wrote (a large run on a SQLite file). */
  workers: boolean;
  services_remapped: number;
  decisions_replayed: number;
  /** Pushed or merged changes without a deployment from their source, and how many the run placed. */
  changes_shipped: { unshipped: number; shipped: number };
  timings_ms: { remap: number; correlate: number; derive_and_write: number; cleanup: number };
}

export interface PipelineOptions {
  onProgress?: (progress: PipelineProgress) => void;
  now?: string;
  /** Problems per write transaction. */
  batchSize?: number;
  steps?: readonly PipelineStep[];
  /**
   * Whether worker threads read, summarise, classify and write while this one correlates, attributes
   * and costs (a SQLite file only): `auto` does from WORKER_SIGNALS signals on a SQLite file.
   */
  workers?: 'auto' | 'always' | 'never';
}

/**
 * From how many signals `auto` uses worker threads: starting them costs about half a second, and the
 * medium history (180,000 signals) ran no faster with them; the large one (1.9 million) took 55–66 s
 * with them against 91–95 s without (docs/performance/pipeline.md, fifth and sixth rounds).
 */
export const WORKER_SIGNALS = 500_000;

/** The SQLite file the run's workers open (`signals` stored), or undefined when the run stays on this thread. */
function workerFile(store: Store, signals: number, workers: PipelineOptions['workers'] = 'auto'): string | undefined {
  const file = store.sqlite && !store.sqlite.memory ? store.sqlite.name : undefined;
  if (workers === 'always' && file === undefined) throw new Error('worker threads need a SQLite file');
  return workers === 'always' || (workers === 'auto' && signals >= WORKER_SIGNALS) ? file : undefined;
}

/**
 * The problems, a page of signals at a time: summarised by a worker thread given a file (the
 * pipeline's thread meanwhile derives and writes), here otherwise.
 */
async function* assembledPages(store: Store, result: CorrelationResult, file: string | undefined, steps?: AssemblyJob['steps']): AsyncGenerator<AssembledPage> {
  if (file !== undefined) {
    yield* assembledInWorker(file, result.data, { steps });
    return;
  }
  yield* assembledProblems(signalsInTimeOrder(store.db, 'assembly', undefined, store.sqlite), result);
}

/**
 * Pages of signals (in the correlated order) to pages of the problems they finish, each through
 * `steps` (the assembly worker's classify and triage; none here), with how many signals were read.
 */
export async function* assembledProblems(pages: AsyncIterable<AssemblySignal[]> | Iterable<AssemblySignal[]>, result: CorrelationResult, steps: readonly PreparedStep[] = []): AsyncGenerator<AssembledPage> {
  const assembler = createAssembler(result);
  let done = 0;
  for await (const page of pages) {
    const problems: DerivedProblem[] = [];
    for (const s of page) {
      const draft = assembler.add(s);
      if (draft) problems.push(derivedFrom(draft));
    }
    for (const step of steps) await step(problems);
    done += page.length;
    yield { problems, done };
  }
}

/**
 * The first pass: every signal in time order through the correlator. Its own function, so that what
 * the correlator holds (link tokens, windows, every signal's id) is let go once it has finished.
 * Given a reader (a worker thread), it reads while this thread correlates.
 */
async function correlateStored(store: Store, config: Config, decisions: readonly StoredDecision[], services: Awaited<ReturnType<typeof loadServices>>, reader: PageWorker<ReaderPage> | undefined, onPage: (done: number) => void): Promise<CorrelationResult> {
  let targets: Set<string>;
  // The reader read the links while the services were settled: a signal stored since then whose link
  // names an older one may miss that join until the next run (as one stored during the run would).
  if (reader) targets = new Set(await reader.ready<string[]>());
  else {
    targets = new Set<string>();
    for await (const links of signalLinks(store.db, store.sqlite)) for (const link of links) for (const token of linkTokens(link)) targets.add(token);
  }
  const vocabulary = new TitleVocabulary();
  const correlator = createCorrelator(config.correlation, { targets, decisions: groupingDecisions(decisions), services, vocabulary });
  let done = 0;
  const add = (signals: readonly CorrelationSignal[]) => {
    for (const s of signals) correlator.add(s);
    done += signals.length;
    onPage(done);
  };
  if (reader) {
    // The reader numbered the titles' words: the vocabulary learns the words each page added.
    for await (const page of reader.pages()) {
      vocabulary.learn(page.words);
      add(page.signals);
    }
  } else for await (const page of signalsInTimeOrder(store.db, 'correlation', undefined, store.sqlite)) add(page as CorrelationSignal[]);
  return correlator.finish();
}

export async function runPipeline(store: Store, config: Config, options: PipelineOptions = {}): Promise<PipelineSummary> {
  withoutPretenuring();
  const restoreCheckpoints = store.sqlite ? fewerCheckpoints(store.sqlite) : () => {};
  try {
    return await runStages(store, config, options);
  } finally {
    restoreCheckpoints();
  }
}

async function runStages(store: Store, config: Config, options: PipelineOptions): Promise<PipelineSummary> {
  const now = options.now ?? new Date().toISOString();
  const batchSize = options.batchSize ?? 2000;
  const db = store.db;
  const clock = () => performance.now();
  let t = clock();

  const total = await countSignals(db);
  const file = workerFile(store, total, options.workers);
  // Given a file, the signal reader starts now: it reads what links name while services are settled.
  const reader = file !== undefined ? correlationReader(file) : undefined;
  let result: CorrelationResult;
  let remapMs: number;
  let services_remapped: number;
  let decisions: StoredDecision[];
  try {
    const services = await loadServices(db);
    services_remapped = await remapSignalServices(db, serviceResolver(services), store.sqlite);
    remapMs = clock() - t;
    t = clock();
    decisions = await loadDecisions(db);
    result = await correlateStored(store, config, decisions, services, reader, (done) => options.onProgress?.({ phase: 'correlate', done, total }));
  } finally {
    await reader?.stop();
  }
  const correlateMs = clock() - t;
  t = clock();

  // Before attribution reads the changes; once per run, not on every review operation's re-derivation.
  const shipments = await deriveShipments(db);
  const ctx: RunContext = { store, config, decisions, now };
  // With worker threads and the usual steps, the assembly worker classifies and triages.
  const offload = file !== undefined && options.steps === undefined;
  const steps = await prepareSteps(ctx, offload ? PROBLEM_STEPS.filter((step) => !ASSEMBLY_STEPS.includes(step)) : options.steps);
  const summary: PipelineSummary = {
    signals: result.count,
    problems: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    signals_moved: 0,
    workers: file !== undefined,
    services_remapped,
    decisions_replayed: decisions.length,
    changes_shipped: { unshipped: shipments.unshipped, shipped: shipments.shipped },
    timings_ms: { remap: remapMs, correlate: correlateMs, derive_and_write: 0, cleanup: 0 },
  };
  const writer = file !== undefined ? writerInWorker(file, now) : writerHere(store, now);
  let pending: DerivedProblem[] = [];
  const flush = async () => {
    await writer.write(await deriveBatch(steps, pending));
    summary.problems += pending.length;
    pending = [];
  };
  let done = 0;
  try {
    for await (const page of assembledPages(store, result, file, offload ? { config, decisions, now } : undefined)) {
      for (const problem of page.problems) pending.push(problem);
      if (pending.length >= batchSize) await flush();
      done = page.done;
      options.onProgress?.({ phase: 'derive', done, total });
    }
    if (done !== result.count) throw new Error(`signals changed during the run (${result.count} correlated, ${done} summarised); run the pipeline again`);
    await flush();
  } catch (error) {
    // The batches handed over are stored (each in a transaction of its own) before the failure is told.
    await writer.close().catch(() => {});
    throw error;
  }
  const counts = await writer.close();
  summary.inserted += counts.inserted;
  summary.updated += counts.updated;
  summary.unchanged += counts.unchanged;
  summary.signals_moved += counts.signals;
  summary.timings_ms.derive_and_write = clock() - t;
  t = clock();
  summary.deleted = await deleteOrphanProblems(db);
  for (const step of options.steps ?? PROBLEM_STEPS) await step.finish?.(ctx);
  summary.timings_ms.cleanup = clock() - t;
  for (const k of Object.keys(summary.timings_ms) as (keyof PipelineSummary['timings_ms'])[]) summary.timings_ms[k] = Math.round(summary.timings_ms[k]);
  return summary;
}
