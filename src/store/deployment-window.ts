// The deployments attribution reads, loaded a time window at a time rather than the whole history: the
// pipeline hands over problems roughly in time order, so a rolling window of successful deployments (the
// span the batch's problems look at, plus the last few before it on every timeline, which rollbacks and
// hotfixes look back to) and per-batch lookups of what signals name (deployments, versions, commits, pull
// requests, at any time) give `attributeToRelease` the same answers as an index of every deployment.
// Memory follows the deployment rate, not the length of the history.
import { type Kysely, sql } from 'kysely';
import {
  type AttributionNeeds,
  type AttributionOptions,
  type AttributionOverride,
  attributionNeeds,
  canonicalEnvironment,
  type ChangeFact,
  type DeploymentFact,
  type DeploymentIndex,
  type Timeline,
  indexDeployments,
  type ProblemFacts,
  versionKey,
} from '../pipeline/attribute.ts';
import { changeFactsQuery, DEPLOYMENT_FACT_COLUMNS, deploymentFact } from './attribution.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/**
 * Deployments kept on every timeline before the window: `undoneBy` looks back 29, `lastIntroducer` 19
 * from the running deployment, which may itself lie just before the window.
 */
export const TIMELINE_MARGIN = 32;
/** Values per `in (…)` list: well under both dialects' limits on bound parameters. */
const CHUNK = 500;

const iso = (ms: number) => new Date(ms).toISOString();
const lineKey = (d: DeploymentFact) => `${d.service}\u0000${canonicalEnvironment(d.environment)}`;
const byTime = (a: DeploymentFact, b: DeploymentFact) => Date.parse(a.at!) - Date.parse(b.at!) || a.id - b.id;

function chunks<T>(values: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/**
 * The versions named per service, as the spellings stored versions may have (`1.2.3`, `v1.2.3`),
 * in parts of at most CHUNK bound values (a service that names more is split across parts).
 */
export function versionChunks(versions: ReadonlyMap<string, ReadonlySet<string>>): [string, string[]][][] {
  const parts: [string, string[]][][] = [];
  let part: [string, string[]][] = [];
  let size = 0;
  for (const [service, keys] of versions) {
    for (const spellings of chunks([...keys].flatMap((k) => [k, `v${k}`]), CHUNK - 1)) {
      if (size > 0 && size + 1 + spellings.length > CHUNK) {
        parts.push(part);
        [part, size] = [[], 0];
      }
      part.push([service, spellings]);
      size += 1 + spellings.length;
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** A group of problems (positions in the batch) and the index that attributes them. */
export interface IndexedGroup {
  problems: number[];
  index: DeploymentIndex;
}

export interface DeploymentWindow {
  /** Indexes for a batch: usually one group; a problem older than the window gets its own loads. */
  indexesFor(problems: readonly ProblemFacts[], overrides: ReadonlyMap<string, AttributionOverride>): Promise<IndexedGroup[]>;
  /** Deployments held between batches (for tests). */
  size(): number;
}

export function deploymentWindow(db: Db, options: AttributionOptions): DeploymentWindow {
  // Successful deployments by timeline, sorted by time then id; all with `at` ≥ horizon are here, and
  // the TIMELINE_MARGIN before it on every timeline. Kept from batch to batch: only what enters or
  // leaves the window is touched, and byRef/byId follow the timelines.
  const lines = new Map<string, Timeline>();
  const byRef = new Map<string, DeploymentFact>();
  const byId = new Map<number, DeploymentFact>();
  const onLines = new Set<number>();
  let horizon = -Infinity;
  let nextHorizon = -Infinity;
  let loadedTo = -Infinity;
  let started = false;
  // What the last batch named, added to byRef/byId for that batch only.
  let named: DeploymentFact[] = [];
  // Successful deployments without a finish time are placed by their start: too few to window.
  let undated: DeploymentFact[] | undefined;

  const successful = () => db.selectFrom('deployments').select([...DEPLOYMENT_FACT_COLUMNS]).where('status', '=', 'success');

  async function undatedDeployments(): Promise<DeploymentFact[]> {
    undated ??= (await successful().where('finished_at', 'is', null).where('started_at', 'is not', null).orderBy('id').execute()).map(deploymentFact);
    return undated;
  }

  /** The TIMELINE_MARGIN successful deployments of each (service, environment) before `before`. */
  async function margins(before: number, services?: readonly string[]): Promise<DeploymentFact[]> {
    let pairs = db.selectFrom('deployments').select(['service', 'environment']).distinct();
    if (services) pairs = pairs.where('service', 'in', [...services]);
    const out: DeploymentFact[] = [];
    for (const { service, environment } of await pairs.execute()) {
      const rows = await successful()
        .where('service', '=', service)
        .where('environment', '=', environment)
        .where('finished_at', '<', iso(before))
        .orderBy('finished_at', 'desc')
        .orderBy('id', 'desc')
        .limit(TIMELINE_MARGIN)
        .execute();
      for (const r of rows) out.push(deploymentFact(r));
    }
    return out;
  }

  async function range(from: number, to: number, services?: readonly string[]): Promise<DeploymentFact[]> {
    let q = successful().where('finished_at', '>=', iso(from)).where('finished_at', '<=', iso(to));
    if (services) q = q.where('service', 'in', [...services]);
    return (await q.orderBy('finished_at').orderBy('id').execute()).map(deploymentFact);
  }

  function addToLines(deployments: readonly DeploymentFact[]): void {
    const unsorted = new Set<Timeline>();
    for (const d of deployments) {
      const key = lineKey(d);
      let line = lines.get(key);
      if (!line) lines.set(key, (line = { deployments: [], times: [] }));
      const t = Date.parse(d.at!);
      const last = line.deployments.length - 1;
      if (last >= 0 && (line.times[last]! > t || (line.times[last] === t && line.deployments[last]!.id > d.id))) unsorted.add(line);
      line.deployments.push(d);
      line.times.push(t);
      byRef.set(d.ref, d);
      byId.set(d.id, d);
      onLines.add(d.id);
    }
    for (const line of unsorted) {
      line.deployments.sort(byTime);
      line.times = line.deployments.map((d) => Date.parse(d.at!));
    }
  }

  /** Drops what lies before the horizon, but the last TIMELINE_MARGIN before it. */
  function evict(): void {
    for (const [key, line] of lines) {
      let first = 0;
      while (first < line.times.length && line.times[first]! < horizon) first++;
      const drop = Math.max(0, first - TIMELINE_MARGIN);
      if (drop === 0) continue;
      for (const d of line.deployments.slice(0, drop)) {
        byRef.delete(d.ref);
        byId.delete(d.id);
        onLines.delete(d.id);
      }
      if (drop === line.deployments.length) lines.delete(key);
      else {
        line.deployments.splice(0, drop);
        line.times.splice(0, drop);
      }
    }
  }

  /** byRef/byId hold the timelines plus what this batch named. */
  function nameForBatch(deployments: readonly DeploymentFact[]): void {
    for (const d of named) {
      if (byId.get(d.id) !== d || onLines.has(d.id)) continue;
      byRef.delete(d.ref);
      byId.delete(d.id);
    }
    named = [];
    for (const d of deployments) {
      if (byId.has(d.id)) continue;
      byRef.set(d.ref, d);
      byId.set(d.id, d);
      named.push(d);
    }
  }

  /** Deployments, versions, commits and pull requests the batch's signals (and people) name, at any time. */
  async function lookups(needs: AttributionNeeds, overrides: readonly AttributionOverride[]): Promise<{ deployments: DeploymentFact[]; changes: ChangeFact[] }> {
    const deployments: DeploymentFact[] = [];
    const refs = new Set([...needs.deploymentRefs, ...overrides.flatMap((o) => (o.deployment_ref ? [o.deployment_ref] : []))]);
    const ids = overrides.flatMap((o) => (o.deployment_id !== null ? [o.deployment_id] : []));
    for (const part of chunks(ids)) deployments.push(...(await db.selectFrom('deployments').select([...DEPLOYMENT_FACT_COLUMNS]).where('id', 'in', part).execute()).map(deploymentFact));
    // Every service's versions in one query per few hundred (a batch names versions of dozens of
    // services: a query each was 14,000 queries per large run), as one `service = ? and
    // lower(trim(version)) in (…)` term per service, which both dialects look up in the index on
    // (service, lower(trim(version))) (migration 0005). A list of services crossed with a list of
    // versions probed every pair instead: 19.5 of a large first run's 111 s. versionKey decides.
    for (const part of versionChunks(needs.versions)) {
      const rows = await successful()
        .where((eb) => eb.or(part.map(([service, keys]) => eb.and([eb('service', '=', service), eb(sql<string>`lower(trim(version))`, 'in', keys)]))))
        .execute();
      for (const r of rows) if (r.version !== null && needs.versions.get(r.service)?.has(versionKey(r.version))) deployments.push(deploymentFact(r));
    }
    // By the first 7 characters (indexed, migration 0005); the index filters by the whole id named.
    const shas = [...new Set(needs.shas.map((s) => s.slice(0, 7)))];
    for (const part of chunks(shas)) {
      const rows = await successful().where(sql<string>`lower(substr(commit_sha, 1, 7))`, 'in', part).execute();
      for (const r of rows) deployments.push(deploymentFact(r));
    }
    const changes: ChangeFact[] = [];
    for (const part of chunks(shas)) changes.push(...(await changeFactsQuery(db).where(sql<string>`lower(substr(c.sha, 1, 7))`, 'in', part).execute()));
    for (const part of chunks([...new Set(needs.prs)])) changes.push(...(await changeFactsQuery(db).where('c.pr_number', 'in', part).execute()));
    for (const c of changes) if (c.deployment_ref) refs.add(c.deployment_ref);
    const bySource = new Map<string, string[]>();
    for (const ref of refs) {
      const colon = ref.indexOf(':');
      if (colon <= 0) continue;
      const list = bySource.get(ref.slice(0, colon)) ?? [];
      list.push(ref.slice(colon + 1));
      bySource.set(ref.slice(0, colon), list);
    }
    for (const [source, externalIds] of bySource) {
      for (const part of chunks(externalIds)) {
        const rows = await db.selectFrom('deployments').select([...DEPLOYMENT_FACT_COLUMNS]).where('source', '=', source).where('external_id', 'in', part).execute();
        for (const r of rows) deployments.push(deploymentFact(r));
      }
    }
    return { deployments, changes };
  }

  /** One index over several lists of deployments, each deployment once. */
  function index(lists: readonly (readonly DeploymentFact[])[], changes: readonly ChangeFact[]): DeploymentIndex {
    const seen = new Set<number>();
    const all: DeploymentFact[] = [];
    for (const list of lists) for (const d of list) if (!seen.has(d.id)) (seen.add(d.id), all.push(d));
    return indexDeployments(all, changes);
  }

  return {
    size: () => {
      let n = 0;
      for (const line of lines.values()) n += line.deployments.length;
      return n;
    },
    async indexesFor(problems, overrides) {
      // The previous batch's problems mostly begin after its earliest: older ones are loaded on their own.
      if (nextHorizon > horizon) {
        horizon = nextHorizon;
        evict();
      }
      const needs = problems.map((p) => attributionNeeds(p, options));
      const all: AttributionNeeds = { services: [], from: Infinity, to: -Infinity, deploymentRefs: [], versions: new Map(), shas: [], prs: [] };
      const batchOverrides = problems.flatMap((p) => overrides.get(p.key) ?? []);
      for (const p of problems) attributionNeeds(p, options, all);
      const [extra, undatedList] = await Promise.all([lookups(all, batchOverrides), undatedDeployments()]);
      const windowed: number[] = [];
      const strays: number[] = [];
      needs.forEach((n, i) => (n.from >= horizon || n.services.length === 0 ? windowed : strays).push(i));
      const groups: IndexedGroup[] = [];
      if (windowed.length > 0) {
        let from = Infinity;
        let to = -Infinity;
        for (const i of windowed) {
          from = Math.min(from, needs[i]!.from);
          to = Math.max(to, needs[i]!.to);
        }
        if (Number.isFinite(from)) {
          if (!started) {
            started = true;
            horizon = from;
            addToLines([...(await margins(from)), ...(await range(from, to)), ...undatedList]);
            loadedTo = to;
          } else if (to > loadedTo) {
            addToLines((await range(loadedTo, to)).filter((d) => Date.parse(d.at!) > loadedTo));
            loadedTo = to;
          }
          nextHorizon = Math.max(nextHorizon, from);
        }
        nameForBatch(extra.deployments);
        // What signals name comes complete from the lookups; the timelines from the window.
        const lookedUp = index([extra.deployments], extra.changes);
        groups.push({
          problems: windowed,
          index: { ...lookedUp, byRef, byId, timeline: (service, environment) => lines.get(`${service}\u0000${canonicalEnvironment(environment)}`) },
        });
      }
      for (const i of strays) {
        const n = needs[i]!;
        const own = [...(await margins(n.from, n.services)), ...(await range(n.from, n.to, n.services))];
        groups.push({ problems: [i], index: index([own, undatedList, extra.deployments], extra.changes) });
      }
      return groups;
    },
  };
}
