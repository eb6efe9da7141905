// The shell around attribution, outcomes and cost: reads the rows they need, writes their answers back,
// and records people's decisions (which every later run replays).
import { type Kysely, sql } from 'kysely';
import type { Config } from '../domain/config.ts';
import {
  applyOverride,
  attributeToRelease,
  attributionOptions,
  type Attribution,
  type AttributionOverride,
  type ChangeFact,
  type DeploymentFact,
  latestBySubject,
  type ProblemFacts,
} from '../pipeline/attribute.ts';
import { type AttributedProblem, type DeploymentOutcome, deploymentOutcomes, type OutcomeOverride } from '../pipeline/outcomes.ts';
import { type CostedProblem, type CostEntryFact, costProblems, type ProblemCost, problemRefs } from '../pipeline/cost.ts';
import { CostEntrySchema, type CostEntry } from '../domain/records.ts';
import { dialectOf, upsertRecords } from './upsert.ts';
import { randomUUID } from 'node:crypto';
import type { Database, DeploymentRow } from './schema.ts';
import type { SqliteConnection } from './connection.ts';
import { fromJson } from './schema.ts';
import { sameJson } from './problems.ts';
import { deploymentWindow } from './deployment-window.ts';

export const ATTRIBUTE_ACTION = 'attribute';
export const OUTCOME_ACTION = 'deployment_outcome';

type Db = Kysely<Database>;

/** The columns a `DeploymentFact` is made of. */
export const DEPLOYMENT_FACT_COLUMNS = ['id', 'source', 'external_id', 'service', 'environment', 'version', 'commit_sha', 'started_at', 'finished_at', 'status', 'kind', 'rolls_back_to'] as const;

export function deploymentFact(r: Pick<DeploymentRow, (typeof DEPLOYMENT_FACT_COLUMNS)[number]>): DeploymentFact {
  return {
    id: Number(r.id),
    ref: `${r.source}:${r.external_id}`,
    service: r.service,
    environment: r.environment,
    version: r.version,
    commit_sha: r.commit_sha,
    at: r.finished_at ?? r.started_at,
    status: r.status,
    kind: r.kind,
    rolls_back_to: r.rolls_back_to,
  };
}

/** Every deployment as attribution and outcomes see it. */
export async function loadDeploymentFacts(db: Db): Promise<DeploymentFact[]> {
  return (await db.selectFrom('deployments').select([...DEPLOYMENT_FACT_COLUMNS]).orderBy('id').execute()).map(deploymentFact);
}

/** Changes with the deployment that shipped them: their source's, else the one the pipeline derived (change_shipments). */
export function changeFactsQuery(db: Db) {
  return db
    .selectFrom('changes as c')
    .leftJoin('change_shipments as s', 's.change_id', 'c.id')
    .select((eb) => ['c.sha', 'c.pr_number', 'c.repository', eb.fn.coalesce('c.deployment_ref', 's.deployment_ref').as('deployment_ref')])
    .where((eb) => eb.or([eb('c.deployment_ref', 'is not', null), eb('s.deployment_ref', 'is not', null)]));
}

export async function loadChangeFacts(db: Db): Promise<ChangeFact[]> {
  return changeFactsQuery(db).execute();
}

/** Problems with the links, labels and titles of their signals, merged. */
export async function loadProblemFacts(db: Db, problemIds?: readonly number[]): Promise<(ProblemFacts & CostedProblem & { review_state: string })[]> {
  let pq = db.selectFrom('problems').select(['id', 'key', 'service', 'services', 'environment', 'impact_start', 'detected_at', 'resolved_at', 'type', 'review_state']);
  let sq = db.selectFrom('signal_problems as sp').innerJoin('signals as s', 's.id', 'sp.signal_id').select(['sp.problem_id', 's.source', 's.external_id', 's.title', 's.links', 's.labels']);
  if (problemIds) {
    if (problemIds.length === 0) return [];
    pq = pq.where('id', 'in', [...problemIds]);
    sq = sq.where('sp.problem_id', 'in', [...problemIds]);
  }
  const [problems, signals] = await Promise.all([pq.orderBy('id').execute(), sq.orderBy('sp.signal_id').execute()]);
  const bySignal = new Map<number, { refs: string[]; links: Set<string>; labels: Record<string, string>; texts: string[] }>();
  for (const s of signals) {
    const id = s.problem_id;
    let acc = bySignal.get(id);
    if (!acc) bySignal.set(id, (acc = { refs: [], links: new Set(), labels: {}, texts: [] }));
    acc.refs.push(`${s.source}:${s.external_id}`);
    for (const l of fromJson<string[]>(s.links, [])) acc.links.add(l);
    // First signal wins a label: the anchor signal speaks for the problem.
    for (const [k, v] of Object.entries(fromJson<Record<string, string>>(s.labels, {}))) if (!(k in acc.labels)) acc.labels[k] = v;
    acc.texts.push(s.title);
  }
  return problems.map((p) => {
    const acc = bySignal.get(p.id);
    return {
      id: p.id,
      key: p.key,
      service: p.service,
      services: fromJson<string[]>(p.services, []),
      environment: p.environment,
      impact_start: p.impact_start,
      detected_at: p.detected_at,
      resolved_at: p.resolved_at,
      type: p.type,
      review_state: p.review_state,
      links: acc ? [...acc.links] : [],
      labels: acc?.labels ?? {},
      texts: acc?.texts ?? [],
      signal_refs: acc?.refs ?? [],
    };
  });
}

async function loadDecisions<T>(db: Db, action: string, read: (row: { subject: string; payload: Record<string, unknown>; actor: string; decided_at: string }) => T): Promise<T[]> {
  const rows = await db.selectFrom('decisions').select(['subject', 'payload', 'actor', 'decided_at']).where('action', '=', action).orderBy('decided_at').orderBy('id').execute();
  return rows.map((r) => read({ ...r, payload: fromJson<Record<string, unknown>>(r.payload, {}) }));
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

export function loadAttributionOverrides(db: Db): Promise<AttributionOverride[]> {
  return loadDecisions(db, ATTRIBUTE_ACTION, (r) => ({
    subject: r.subject,
    deployment_ref: str(r.payload.deployment_ref),
    deployment_id: num(r.payload.deployment_id),
    reason: str(r.payload.reason) ?? '',
    actor: r.actor,
    decided_at: r.decided_at,
  }));
}

export function loadOutcomeOverrides(db: Db): Promise<OutcomeOverride[]> {
  return loadDecisions(db, OUTCOME_ACTION, (r) => {
    const failed = bool(r.payload.failed);
    const rework = bool(r.payload.rework);
    return { subject: r.subject, ...(failed !== undefined ? { failed } : {}), ...(rework !== undefined ? { rework } : {}), reason: str(r.payload.reason) ?? '', actor: r.actor, decided_at: r.decided_at };
  });
}

async function writeAttribution(db: Db, id: number, deploymentId: number | null, attribution: Attribution, reviewState: string): Promise<void> {
  // Only a doubt sends a problem back to review, and never one a person confirmed.
  const review = attribution.needs_review && reviewState === 'classified' && attribution.decided_by !== 'person' ? { review_state: 'to_verify' } : {};
  await db
    .updateTable('problems')
    .set({ deployment_id: deploymentId, attribution: JSON.stringify(attribution), ...review })
    .where('id', '=', id)
    .execute();
}

/** Outcomes held before they are written, at most (on SQLite every one, which the update compares; a first run of the large history changes 216,000). */
const OUTCOME_WRITES = 100_000;

/**
 * Derives every deployment's outcome from the deployments and the problems attributed to them, as stored,
 * a service at a time: an outcome depends only on its service's deployments (rollbacks, hotfixes) and the
 * problems attributed to them, so memory holds one service's deployments, not the whole store's (every
 * attributed problem is read at once, on SQLite only its few fields: one query, not one per service). The changed
 * ones (on SQLite: all, which the update compares) are written in id order, up to OUTCOME_WRITES at a time: a service's deployments lie on pages
 * all over the table, and writing them a service at a time wrote most of the table's pages once per
 * service (about 3 GB through the write-ahead log on the large history's first run, for a 126 MB table).
 */
export async function refreshOutcomes(db: Db, sqlite?: SqliteConnection, onlyServices?: readonly string[]): Promise<void> {
  const [services, decisions] = await Promise.all([
    onlyServices ? [...new Set(onlyServices)].sort().map((service) => ({ service })) : db.selectFrom('deployments').select('service').distinct().orderBy('service').execute(),
    loadOutcomeOverrides(db),
  ]);
  const overrides = latestBySubject(decisions);
  // Every service's attributed problems in one query rather than one per service (the large history:
  // 57,000 rows; SQLite 1.0 -> 0.4 s).
  const attributed = onlyServices ? undefined : sqlite ? attributedByService(sqlite) : await attributedByServiceIn(db);
  let pending: OutcomeWrite[] = [];
  for (const { service } of services) {
    pending.push(...(await serviceOutcomeWrites(db, service, overrides, sqlite, attributed)));
    if (pending.length >= OUTCOME_WRITES) {
      await writeOutcomes(db, pending, sqlite);
      pending = [];
    }
  }
  await writeOutcomes(db, pending, sqlite);
}

interface OutcomeWrite {
  id: number;
  failed: number | null;
  rework: number | null;
  outcome: string;
}

/**
 * Writes outcomes in id order, in transactions of a few thousand: each covers a run of the table's
 * pages. On SQLite one prepared statement writes each outcome that differs from the stored one (a
 * first run changes them all, a re-run usually none): SQLite compares, so the stored text is never read.
 * On PostgreSQL one statement writes a transaction's outcomes (updateOutcomesAtOnce).
 */
async function writeOutcomes(db: Db, writes: OutcomeWrite[], sqlite?: SqliteConnection): Promise<void> {
  writes.sort((a, b) => a.id - b.id);
  const update = sqlite?.prepare('update deployments set failed = ?, rework = ?, outcome = ? where id = ? and (failed is not ? or rework is not ? or outcome is not ?)');
  const atOnce = !sqlite && writes.length > 0 && dialectOf(db) === 'postgres';
  for (let i = 0; i < writes.length; i += 5000) {
    const part = writes.slice(i, i + 5000);
    await db.transaction().execute(async (trx) => {
      if (atOnce) return updateOutcomesAtOnce(trx, part);
      for (const w of part) {
        if (update) update.run(w.failed, w.rework, w.outcome, w.id, w.failed, w.rework, w.outcome);
        else await trx.updateTable('deployments').set({ failed: w.failed, rework: w.rework, outcome: w.outcome }).where('id', '=', w.id).execute();
      }
    });
  }
}

/**
 * On PostgreSQL, outcomes in one statement, an array per column through unnest: a statement per
 * deployment was a third of a first run (the medium history's 20,848 deployments: 8.2-8.4 s of 23-25 s).
 */
async function updateOutcomesAtOnce(db: Db, writes: readonly OutcomeWrite[]): Promise<void> {
  const column = <K extends keyof OutcomeWrite>(key: K) => sql.val(writes.map((w) => w[key]));
  await sql`update deployments as d set failed = w.failed, rework = w.rework, outcome = cast(w.outcome as jsonb)
    from unnest(${column('id')}::integer[], ${column('failed')}::integer[], ${column('rework')}::integer[], ${column('outcome')}::text[]) as w(id, failed, rework, outcome)
    where d.id = w.id`.execute(db);
}

/** What outcomes read of a problem's attribution. */
function attributedProblem(p: { key: string; deployment_id: number | null; impact_start: string; resolved_at: string | null }, a: { confidence?: unknown; decided_by?: unknown }): AttributedProblem {
  return {
    problem_key: p.key,
    deployment_id: p.deployment_id,
    confidence: typeof a.confidence === 'number' ? a.confidence : 0,
    decided_by: a.decided_by === 'person' ? 'person' : 'pipeline',
    impact_start: p.impact_start,
    resolved_at: p.resolved_at,
  };
}

/**
 * On SQLite, the attributed problems by the service of their deployment (of `service` only, given
 * one), each service's in problem id order. Two fields of a kilobyte of JSON: SQLite extracts them
 * rather than handing the text over to be parsed.
 */
function attributedByService(sqlite: SqliteConnection, service?: string): Map<string, AttributedProblem[]> {
  const query = `select d.service, p.key, p.deployment_id, p.impact_start, p.resolved_at, json_extract(p.attribution, '$.confidence') as confidence, json_extract(p.attribution, '$.decided_by') as decided_by
    from problems p join deployments d on d.id = p.deployment_id ${service === undefined ? '' : 'where d.service = ?'} order by p.id`;
  const rows = sqlite.prepare(query).all(...(service === undefined ? [] : [service])) as { service: string; key: string; deployment_id: number; impact_start: string; resolved_at: string | null; confidence: unknown; decided_by: unknown }[];
  return byService(rows.map((r) => [r.service, attributedProblem(r, r)]));
}

/**
 * Elsewhere, the same with the attribution read whole. One query for every service: one per service
 * took PostgreSQL a scan of the problems each (the large history's 200 services: most of a minute).
 */
async function attributedByServiceIn(db: Db, service?: string): Promise<Map<string, AttributedProblem[]>> {
  let query = db.selectFrom('problems as p').innerJoin('deployments as d', 'd.id', 'p.deployment_id').select(['d.service', 'p.key', 'p.deployment_id', 'p.impact_start', 'p.resolved_at', 'p.attribution']);
  if (service !== undefined) query = query.where('d.service', '=', service);
  const rows = await query.orderBy('p.id').execute();
  return byService(rows.map((r) => [r.service, attributedProblem(r, fromJson<Partial<Attribution>>(r.attribution, {}))]));
}

function byService(problems: readonly [string, AttributedProblem][]): Map<string, AttributedProblem[]> {
  const out = new Map<string, AttributedProblem[]>();
  for (const [service, problem] of problems) {
    const list = out.get(service);
    if (list) list.push(problem);
    else out.set(service, [problem]);
  }
  return out;
}

/**
 * The outcomes of a service's deployments to write: on SQLite all of them (writeOutcomes skips the
 * unchanged), elsewhere those that differ from the stored ones. `attributed`: every service's
 * attributed problems, read once for the whole run.
 */
async function serviceOutcomeWrites(db: Db, service: string, overrides: ReadonlyMap<string, OutcomeOverride>, sqlite?: SqliteConnection, attributed?: ReadonlyMap<string, AttributedProblem[]>): Promise<OutcomeWrite[]> {
  const write = (o: DeploymentOutcome): OutcomeWrite => ({ id: o.deployment_id, failed: flag(o.failed), rework: flag(o.rework), outcome: JSON.stringify(o.outcome) });
  if (sqlite) {
    const facts = (sqlite.prepare(`select ${DEPLOYMENT_FACT_COLUMNS.join(', ')} from deployments where service = ? order by id`).all(service) as DeploymentRow[]).map(deploymentFact);
    const problems = (attributed ?? attributedByService(sqlite, service)).get(service) ?? [];
    return deploymentOutcomes(facts, problems, overrides).map(write);
  }
  // The service's deployments once: as facts for the outcomes, and with the outcomes stored last time.
  const [stored, problems] = await Promise.all([
    db.selectFrom('deployments').select([...DEPLOYMENT_FACT_COLUMNS, 'failed', 'rework', 'outcome']).where('service', '=', service).orderBy('id').execute(),
    attributed ? (attributed.get(service) ?? []) : attributedByServiceIn(db, service).then((found) => found.get(service) ?? []),
  ]);
  const before = new Map(stored.map((r) => [r.id, r]));
  // Most deployments keep their outcome from one run to the next: write only the ones that changed.
  const changed: OutcomeWrite[] = [];
  for (const o of deploymentOutcomes(stored.map(deploymentFact), problems, overrides)) {
    const row = before.get(o.deployment_id);
    const w = write(o);
    const same = row && row.failed === w.failed && row.rework === w.rework && (row.outcome === w.outcome || sameJson(fromJson<unknown>(row.outcome, null), o.outcome));
    if (!same) changed.push(w);
  }
  return changed;
}

const flag = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);

export class NotFound extends Error {}
/** A decision that the problem's state does not allow (e.g. a release for a problem set aside). */
export class Conflict extends Error {}

/** A problem by numeric id or by key. */
export async function findProblem(db: Db, idOrKey: string): Promise<{ id: number; key: string; review_state: string; deployment_id: number | null }> {
  const q = db.selectFrom('problems').select(['id', 'key', 'review_state', 'deployment_id']);
  const row = /^\d+$/.test(idOrKey) ? await q.where('id', '=', Number(idOrKey)).executeTakeFirst() : await q.where('key', '=', idOrKey).executeTakeFirst();
  if (!row) throw new NotFound(`no problem ${JSON.stringify(idOrKey)} (give its id or its key)`);
  return row;
}

/** A deployment by numeric id or by `source:external_id`. */
export async function findDeployment(db: Db, idOrRef: string | number): Promise<{ id: number; ref: string }> {
  const q = db.selectFrom('deployments').select(['id', 'source', 'external_id']);
  const text = String(idOrRef);
  let row;
  if (/^\d+$/.test(text)) row = await q.where('id', '=', Number(text)).executeTakeFirst();
  else {
    const colon = text.indexOf(':');
    row = colon > 0 ? await q.where('source', '=', text.slice(0, colon)).where('external_id', '=', text.slice(colon + 1)).executeTakeFirst() : undefined;
  }
  if (!row) throw new NotFound(`no deployment ${JSON.stringify(text)} (give its id or source:external_id)`);
  return { id: row.id, ref: `${row.source}:${row.external_id}` };
}

/** Records a person's release decision for a problem and applies it now; later runs replay it. */
export async function decideAttribution(
  db: Db,
  config: Config,
  problemIdOrKey: string,
  deployment: string | number | null,
  reason: string,
  actor: string,
  now = new Date().toISOString(),
): Promise<{ problem_id: number; deployment_id: number | null; attribution: Attribution }> {
  const problem = await findProblem(db, problemIdOrKey);
  if (problem.review_state === 'dismissed' && deployment !== null) {
    throw new Conflict(`problem ${problem.id} is set aside (not an escaped problem), so no release let it through; count it again first (restore)`);
  }
  const target = deployment === null ? null : await findDeployment(db, deployment);
  const override: AttributionOverride = { subject: problem.key, deployment_ref: target?.ref ?? null, deployment_id: target?.id ?? null, reason, actor, decided_at: now };
  const result = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('decisions')
      .values({ action: ATTRIBUTE_ACTION, subject: problem.key, payload: JSON.stringify({ deployment_id: override.deployment_id, deployment_ref: override.deployment_ref, reason }), actor, decided_at: now })
      .execute();
    const [facts] = await loadProblemFacts(trx, [problem.id]);
    const options = attributionOptions(config);
    // The deployments around the problem and those it names or the person chose, as the pipeline reads them.
    const [group] = await deploymentWindow(trx, options).indexesFor([facts as ProblemFacts], new Map([[problem.key, override]]));
    const index = group!.index;
    const computed = attributeToRelease(facts as ProblemFacts, index, options);
    const applied = applyOverride(computed, override, index);
    await writeAttribution(trx, problem.id, applied.deployment_id, applied.attribution, problem.review_state);
    return { problem_id: problem.id, ...applied };
  });
  // Outcomes change only on the timelines of the deployment it leaves and the one it goes to.
  await refreshOutcomesOf(db, [problem.deployment_id, result.deployment_id]);
  return result;
}

/**
 * Refreshes outcomes on the timelines of the given deployments' services only: after problems moved
 * from some deployments to others (the ones they left and joined), nothing else changed.
 */
export async function refreshOutcomesOf(db: Db, deploymentIds: readonly (number | null)[], sqlite?: SqliteConnection): Promise<void> {
  const ids = [...new Set(deploymentIds.filter((id): id is number => id !== null))];
  if (ids.length === 0) return;
  const rows = await db.selectFrom('deployments').select('service').distinct().where('id', 'in', ids).execute();
  if (rows.length > 0) await refreshOutcomes(db, sqlite, rows.map((r) => r.service));
}

/** Records a person's decision on a deployment's outcome; the next pipeline run (and this one) apply it. */
export async function decideOutcome(
  db: Db,
  deployment: string | number,
  decision: { failed?: boolean; rework?: boolean },
  reason: string,
  actor: string,
  now = new Date().toISOString(),
): Promise<{ deployment_id: number; failed: boolean | null; rework: boolean | null }> {
  const target = await findDeployment(db, deployment);
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('decisions').values({ action: OUTCOME_ACTION, subject: target.ref, payload: JSON.stringify({ ...decision, reason }), actor, decided_at: now }).execute();
    const row = await trx.selectFrom('deployments').select(['failed', 'rework', 'outcome']).where('id', '=', target.id).executeTakeFirstOrThrow();
    const failed = decision.failed ?? (row.failed === null ? null : row.failed === 1);
    const rework = decision.rework ?? (row.rework === null ? null : row.rework === 1);
    // Keep the derived reasons beside the person's word.
    const outcome = { ...fromJson<Record<string, unknown>>(row.outcome, {}), overridden_by: { actor, decided_at: now, reason } };
    await trx
      .updateTable('deployments')
      .set({ failed: flag(failed), rework: flag(rework), outcome: JSON.stringify(outcome) })
      .where('id', '=', target.id)
      .execute();
    return { deployment_id: target.id, failed, rework };
  });
}

export async function loadCostEntries(db: Db, refs?: readonly string[]): Promise<CostEntryFact[]> {
  const q = db.selectFrom('cost_entries').select(['id', 'source', 'external_id', 'problem_ref', 'role', 'hours', 'person', 'note', 'entered_at']);
  const rows = [];
  if (!refs) rows.push(...(await q.orderBy('id').execute()));
  // In lists of 500: a batch of problems names thousands of refs.
  else for (let i = 0; i < refs.length; i += 500) rows.push(...(await q.where('problem_ref', 'in', refs.slice(i, i + 500)).execute()));
  if (refs) rows.sort((a, b) => a.id - b.id);
  return rows.map(({ id: _id, source, external_id, ...r }) => ({ ref: `${source}:${external_id}`, ...r }));
}

/** The distinct refs cost entries name: a few per costed problem, so a batch queries only refs that have entries. */
export async function costEntryRefs(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('cost_entries').select('problem_ref').distinct().execute();
  return new Set(rows.map((r) => r.problem_ref));
}

/** One problem's cost, computed from the stored entries now. */
export async function problemCost(db: Db, config: Config, idOrKey: string): Promise<ProblemCost> {
  const found = await findProblem(db, idOrKey);
  const [problem] = await loadProblemFacts(db, [found.id]);
  const p = problem as CostedProblem;
  const entries = await loadCostEntries(db, problemRefs(p));
  const [cost] = costProblems([p], entries, config);
  return cost as ProblemCost;
}

export interface NewCostEntry {
  role: string;
  hours: number;
  person?: string | undefined;
  note?: string | undefined;
}

/** Stores hours a person spent on a problem, keyed to the problem's anchor signal (stable across re-runs). */
export async function addCostEntry(db: Db, config: Config, idOrKey: string, entry: NewCostEntry, now = new Date().toISOString()): Promise<{ entry: CostEntry; cost: ProblemCost }> {
  const problem = await findProblem(db, idOrKey);
  const parsed = CostEntrySchema.safeParse({
    source: 'escapement',
    external_id: randomUUID(),
    problem_ref: problem.key,
    role: entry.role,
    hours: entry.hours,
    ...(entry.person ? { person: entry.person } : {}),
    ...(entry.note ? { note: entry.note } : {}),
    entered_at: now,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidCostEntry(`${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`);
  }
  await upsertRecords(db, 'cost_entry', [parsed.data]);
  const cost = await problemCost(db, config, String(problem.id));
  // Keep the stored summary in step until the next pipeline run recomputes it.
  await db.updateTable('problems').set({ cost: JSON.stringify({ ...cost, problem_id: undefined }) }).where('id', '=', problem.id).execute();
  return { entry: parsed.data, cost };
}

export class InvalidCostEntry extends Error {}
