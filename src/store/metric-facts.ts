// Loads the plain rows the metric families read (src/metrics/rows.ts) for a period, service or team.
// Selects only the columns metrics need and pushes the period and service filters into SQL, so the
// same queries serve SQLite and PostgreSQL at 200k deployments / 2M signals.
import { type Kysely, sql } from 'kysely';
import type { Severity } from '../domain/fields.ts';
import type { Period } from '../domain/periods.ts';
import type { CostFact, DefectFact, DeploymentFact, MetricFacts, ProblemFact, ProblemType, TestRunFact, ChangeFact } from '../metrics/rows.ts';
import { computeFamily, factsSpan, type Family, type MetricContext } from '../metrics/overview.ts';
import type { Config } from '../domain/config.ts';
import type { FirstDeployment } from '../pipeline/lead-time-scope.ts';
import type { Store } from './connection.ts';
import { costEntriesNaming } from './cost-entries.ts';
import { toProductionSql } from './production.ts';
import type { Database, DeploymentTable, ProblemTable } from './schema.ts';
import { fromJson } from './schema.ts';

// The pipeline's derived columns (deployment outcomes, problem cost; migration 0002), declared here so
// these queries do not depend on when that migration's types land.
type FactsDatabase = Omit<Database, 'deployments' | 'problems'> & {
  deployments: DeploymentTable & { failed: number | null; rework: number | null };
  problems: ProblemTable & { cost: unknown };
};

export interface FactsSelection {
  period: Period;
  service?: string | null;
  team?: string | null;
}

// PostgreSQL has no year 0; nothing in the store predates 1970 anyway.
const EPOCH = '1970-01-01T00:00:00.000Z';
const clampStart = (iso: string) => (iso < EPOCH ? EPOCH : iso);
/** A deployment (alias `d`) to production. */
const toProduction = toProductionSql('d.environment');

/** The services a selection narrows to; null = all. A team without services selects none. */
export async function servicesOf(db: Kysely<Database>, selection: FactsSelection): Promise<string[] | null> {
  if (selection.service) return [selection.service];
  if (!selection.team) return null;
  const rows = await db.selectFrom('services').select('name').where('team', '=', selection.team).execute();
  return rows.map((r) => r.name);
}

const bool = (v: number | boolean | null | undefined): boolean | null => (v === null || v === undefined ? null : v === true || v === 1);

export async function loadMetricFacts(store: Kysely<Database>, selection: FactsSelection): Promise<MetricFacts> {
  const db = store as unknown as Kysely<FactsDatabase>;
  const span = factsSpan(selection.period);
  const start = clampStart(span.start);
  const end = span.end;
  const services = await servicesOf(store, selection);
  if (services !== null && services.length === 0) return { problems: [], deployments: [], defects: [], testRuns: [], changes: [], costs: [] };

  const deployments = await loadDeployments(db, start, end, services);
  const earliestRelease = deployments.reduce((min, d) => (d.finished_at !== null && d.finished_at < min ? d.finished_at : min), start);
  const [problemRows, defects, testRuns, changes] = await Promise.all([
    loadProblems(db, start, end, services),
    loadDefects(db, earliestRelease, end, services),
    loadTestRuns(db, start, end, services),
    loadChanges(db, start, end, services),
  ]);
  // What is set aside is reported beside the counts and nowhere else.
  const counted = problemRows.filter((r) => r.fact.review_state !== SET_ASIDE);
  const problems = counted.map((r) => r.fact);
  const set_aside = problemRows.filter((r) => r.fact.review_state === SET_ASIDE).map((r) => r.fact);
  const [costs, firstDeployments] = await Promise.all([loadCosts(store, counted), loadFirstDeployments(db, changes)]);
  return { problems, set_aside, deployments, defects, testRuns, changes, costs, ...(firstDeployments ? { firstDeployments } : {}) };
}

/** Production deployments finished in [start, end), plus the last successful `production` deployment before `start` of each service (defects found before the first release of the span belong to it). */
async function loadDeployments(db: Kysely<FactsDatabase>, start: string, end: string, services: string[] | null): Promise<DeploymentFact[]> {
  const columns = ['d.id', 'd.service', 'd.environment', 'd.version', 'd.finished_at', 'd.status', 'd.kind', 'd.failed', 'd.rework'] as const;
  let inSpan = db.selectFrom('deployments as d').select(columns).where(toProduction).where('d.finished_at', '>=', start).where('d.finished_at', '<', end);
  if (services) inSpan = inSpan.where('d.service', 'in', services);
  const before = releasePerService(db, services, { before: start }).select(columns);
  const [a, b] = await Promise.all([inSpan.execute(), before.execute()]);
  const seen = new Set<number>();
  const out: DeploymentFact[] = [];
  for (const r of [...b, ...a]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({ id: r.id, service: r.service, environment: r.environment, version: r.version, finished_at: r.finished_at, status: r.status, kind: r.kind, failed: bool(r.failed), rework: bool(r.rework) });
  }
  return out;
}

/**
 * One successful production deployment per service (of `services`, or every service): the latest before
 * a time, or the first ever. One index walk per service (service, environment, finished_at) instead of
 * grouping every deployment.
 */
function releasePerService(db: Kysely<FactsDatabase>, services: string[] | null, pick: { before: string } | 'first') {
  let names = db.selectFrom('deployments').select('service').distinct();
  if (services) names = names.where('service', 'in', services);
  return db.selectFrom('deployments as d').where('d.id', 'in', (eb) =>
    eb.selectFrom(names.as('s')).select((inner) => {
      const candidates = inner.selectFrom('deployments as d2').select('d2.id').whereRef('d2.service', '=', 's.service').where('d2.environment', '=', 'production').where('d2.status', '=', 'success');
      const one = pick === 'first' ? candidates.where('d2.finished_at', 'is not', null).orderBy('d2.finished_at').orderBy('d2.id') : candidates.where('d2.finished_at', '<', pick.before).orderBy('d2.finished_at', 'desc');
      return one.limit(1).as('id');
    }),
  );
}

/** The review state of a problem set aside (src/pipeline/triage.ts). */
const SET_ASIDE = 'dismissed';

interface ProblemRowWithCost {
  fact: ProblemFact;
  cost: unknown;
}

/** Problems whose impact started in the span, and problems found later that a release of the span introduced. */
async function loadProblems(db: Kysely<FactsDatabase>, start: string, end: string, services: string[] | null): Promise<ProblemRowWithCost[]> {
  const columns = ['p.id', 'p.key', 'p.type', 'p.service', 'p.severity', 'p.impact_start', 'p.detected_at', 'p.resolved_at', 'p.downtime_minutes', 'p.deployment_id', 'p.review_state', 'p.pattern_key', 'p.cost'] as const;
  let inSpan = db.selectFrom('problems as p').select(columns).where('p.impact_start', '>=', start).where('p.impact_start', '<', end);
  if (services) inSpan = inSpan.where('p.service', 'in', services);
  let later = db
    .selectFrom('problems as p')
    .innerJoin('deployments as d', 'd.id', 'p.deployment_id')
    .select(columns)
    .where('p.impact_start', '>=', end)
    .where(toProduction)
    .where('d.finished_at', '>=', start)
    .where('d.finished_at', '<', end);
  if (services) later = later.where('p.service', 'in', services);
  const rows = [...(await inSpan.execute()), ...(await later.execute())];
  return rows.map((r) => ({
    fact: {
      id: r.id,
      key: r.key,
      type: (r.type as ProblemType | null) ?? null,
      service: r.service,
      severity: (r.severity as Severity | null) ?? null,
      impact_start: r.impact_start,
      detected_at: r.detected_at,
      resolved_at: r.resolved_at,
      downtime_minutes: r.downtime_minutes,
      deployment_id: r.deployment_id,
      review_state: r.review_state,
      pattern_key: r.pattern_key,
    },
    cost: r.cost,
  }));
}

/** Defects found since the earliest release loaded, plus every open blocker (they feed the Release Confidence Score whenever found). */
async function loadDefects(db: Kysely<FactsDatabase>, start: string, end: string, services: string[] | null): Promise<DefectFact[]> {
  const columns = ['id', 'service', 'severity', 'category', 'found_at', 'release', 'blocker', 'status', 'labels'] as const;
  // In id order whichever index answers (found_at or service), so evidence lists do not depend on the plan.
  let found = db.selectFrom('defects').select(columns).where('found_at', '>=', start).where('found_at', '<', end).orderBy('id');
  let blockers = db.selectFrom('defects').select(columns).where('blocker', '=', 1).where('status', '=', 'open').orderBy('id');
  if (services) {
    found = found.where('service', 'in', services);
    blockers = blockers.where('service', 'in', services);
  }
  const seen = new Set<number>();
  const out: DefectFact[] = [];
  // Trackers repeat a handful of label sets across tens of thousands of defects: parse each once (facts are read-only).
  const labelSets = new Map<string, Record<string, string>>();
  const labelsOf = (raw: unknown) => {
    if (typeof raw !== 'string') return fromJson<Record<string, string>>(raw, {});
    let labels = labelSets.get(raw);
    if (!labels) labelSets.set(raw, (labels = fromJson<Record<string, string>>(raw, {})));
    return labels;
  };
  for (const r of [...(await found.execute()), ...(await blockers.execute())]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({
      id: r.id,
      service: r.service,
      severity: r.severity as Severity,
      category: r.category,
      found_at: r.found_at,
      release: r.release,
      blocker: r.blocker === 1 || (r.blocker as unknown) === true,
      status: r.status,
      labels: labelsOf(r.labels),
    });
  }
  return out;
}

async function loadTestRuns(db: Kysely<FactsDatabase>, start: string, end: string, services: string[] | null): Promise<TestRunFact[]> {
  let q = db
    .selectFrom('test_runs')
    .select(['id', 'service', 'release', 'suite', 'suite_kind', 'started_at', 'passed', 'failed', 'critical_total', 'critical_passed'])
    .where('started_at', '>=', start)
    .where('started_at', '<', end)
    .orderBy('id');
  if (services) q = q.where('service', 'in', services);
  return q.execute();
}

/**
 * Changes shipped by production deployments of the span: joined through the `deployment_ref` their
 * source gave (`source:external_id`), else through the one the pipeline derived (`change_shipments`:
 * pushes and merged pull requests, which arrive before any deployment).
 */
async function loadChanges(db: Kysely<FactsDatabase>, start: string, end: string, services: string[] | null): Promise<ChangeFact[]> {
  const deploymentRef = sql<string>`${sql.ref('d.source')} || ':' || ${sql.ref('d.external_id')}`;
  const columns = ['c.id', 'd.service', 'c.first_commit_at', 'd.id as deployment_id', 'd.finished_at as deployed_at'] as const;
  const shippedInSpan = sql<boolean>`${toProduction} and ${sql.ref('d.status')} = 'success' and ${sql.ref('d.finished_at')} >= ${start} and ${sql.ref('d.finished_at')} < ${end}`;
  let bySource = db
    .selectFrom('deployments as d')
    .innerJoin('changes as c', (join) => join.on('c.deployment_ref', '=', deploymentRef))
    .select(columns)
    .where(shippedInSpan);
  let derived = db
    .selectFrom('deployments as d')
    .innerJoin('change_shipments as s', (join) => join.on('s.deployment_ref', '=', deploymentRef))
    .innerJoin('changes as c', 'c.id', 's.change_id')
    .select(columns)
    .where(shippedInSpan)
    // Written so that no index on changes.deployment_ref answers it: the plan must start from the
    // span's deployments, not walk every change that has no deployment_ref.
    .where(sql<boolean>`coalesce(${sql.ref('c.deployment_ref')}, '') = ''`);
  if (services) {
    bySource = bySource.where('d.service', 'in', services);
    derived = derived.where('d.service', 'in', services);
  }
  const [a, b] = await Promise.all([bySource.execute(), derived.execute()]);
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b].sort((x, y) => x.id - y.id);
}

/** The first successful production deployment of each service the changes name, over all history (the lead-time scope rule). */
async function loadFirstDeployments(db: Kysely<FactsDatabase>, changes: readonly ChangeFact[]): Promise<Record<string, FirstDeployment> | null> {
  const services = [...new Set(changes.map((c) => c.service).filter((s): s is string => s !== null))];
  if (services.length === 0) return null;
  const rows = await releasePerService(db, services, 'first').select(['d.service', 'd.id', 'd.finished_at']).execute();
  const out: Record<string, FirstDeployment> = {};
  for (const r of rows) if (r.finished_at !== null) out[r.service] = { id: r.id, finished_at: r.finished_at };
  return out;
}

interface StoredCost {
  hours_by_role?: Record<string, number>;
  estimated?: boolean;
}

/**
 * Hours per role: the pipeline's cost of each problem (`problems.cost`) when it has run; else the entries
 * naming the problem (src/store/cost-entries.ts). Problems with neither get the type defaults in
 * src/metrics/cost.ts.
 */
async function loadCosts(db: Kysely<Database>, problems: readonly ProblemRowWithCost[]): Promise<CostFact[]> {
  const out: CostFact[] = [];
  const missing: ProblemFact[] = [];
  for (const { fact, cost } of problems) {
    const stored = fromJson<StoredCost | null>(cost, null);
    if (stored?.hours_by_role) {
      for (const [role, hours] of Object.entries(stored.hours_by_role)) out.push({ problem_id: fact.id, role, hours, estimated: stored.estimated === true });
    } else missing.push(fact);
  }
  for (const r of await costEntriesNaming(db, missing)) out.push({ ...r, estimated: false });
  return out;
}

/**
 * A token that changes whenever the data may have changed: on SQLite `PRAGMA data_version` (commits by
 * other connections) with `total_changes()` (this connection's writes); on PostgreSQL the change counters
 * that statement triggers on the metric source tables bump (migration 0003): transactional, so a write
 * moves them exactly when it commits, and writes elsewhere in the cluster leave them alone. Read before
 * the facts, so a write committing in between costs a recomputation, never a stale answer.
 * null when it cannot be read: no caching.
 */
export async function dataVersion(store: Store): Promise<string | null> {
  try {
    if (store.dialect === 'sqlite') {
      const [dv, tc] = await Promise.all([
        sql<{ data_version: number }>`pragma data_version`.execute(store.db),
        sql<{ c: number }>`select total_changes() as c`.execute(store.db),
      ]);
      return `${dv.rows[0]?.data_version}:${tc.rows[0]?.c}`;
    }
    const versions = await sql<{ v: string | null }>`select string_agg(table_name || '=' || version, ',' order by table_name) as v from escapement_data_versions`.execute(store.db);
    return versions.rows[0]?.v ?? null;
  } catch {
    return null;
  }
}

export interface MetricsRequest extends Omit<MetricContext, 'period'> {
  family: Family;
  period: Period;
}

const MAX_CACHED = 24;
const caches = new WeakMap<Kysely<Database>, Map<string, { version: string; value: unknown }>>();
// The families of one selection (overview, then ddr, then dora…) share the facts loaded once.
const MAX_FACTS = 2;
const factCaches = new WeakMap<Kysely<Database>, Map<string, { version: string; facts: MetricFacts }>>();

async function factsFor(store: Store, selection: FactsSelection, version: string | null): Promise<MetricFacts> {
  const key = JSON.stringify([selection.period.start, selection.period.end, selection.service ?? null, selection.team ?? null]);
  let cache = factCaches.get(store.db);
  if (!cache) factCaches.set(store.db, (cache = new Map()));
  const hit = version === null ? undefined : cache.get(key);
  if (hit && hit.version === version) return hit.facts;
  const facts = await loadMetricFacts(store.db, selection);
  if (version !== null) {
    cache.delete(key);
    cache.set(key, { version, facts });
    while (cache.size > MAX_FACTS) cache.delete(cache.keys().next().value!);
  }
  return facts;
}
const configKeys = new WeakMap<Config, string>();

const configKey = (config: Config) => {
  let key = configKeys.get(config);
  if (key === undefined) configKeys.set(config, (key = JSON.stringify(config)));
  return key;
};

/**
 * Loads the facts and computes a family, remembering the result until the data changes (see
 * dataVersion), the configuration differs, or — for a period reaching past now — the minute turns.
 */
export async function computeMetrics(store: Store, request: MetricsRequest): Promise<unknown> {
  const now = request.now ?? new Date();
  const { family, period, config, definitions } = request;
  const nowIso = now.toISOString();
  const key = JSON.stringify([family, period.start, period.end, request.service ?? null, request.team ?? null, definitions, request.release ?? null, configKey(config), period.end > nowIso ? nowIso.slice(0, 16) : '']);
  const version = await dataVersion(store);
  let cache = caches.get(store.db);
  if (!cache) caches.set(store.db, (cache = new Map()));
  const hit = version === null ? undefined : cache.get(key);
  if (hit && hit.version === version) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.value;
  }
  const facts = await factsFor(store, { period, service: request.service ?? null, team: request.team ?? null }, version);
  const value = computeFamily(family, facts, { ...request, period, now });
  if (version !== null) {
    cache.set(key, { version, value });
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return value;
}
