// Attributes each escaped problem to the deployment that introduced it, from evidence weighed together:
// references a signal names (version, sha, PR, deployment), rollbacks and hotfixes that follow the impact,
// and production deployments of the problem's own services shortly before it. Pure: plain data in and out.
// Unlike "latest deployment of anything before the incident", only the problem's own services (and, for
// integration problems, the services on either side of the boundary) are ever candidates, and a problem with
// an outside cause and no explicit reference is left unattributed with that reason.
import type { Config } from '../domain/config.ts';
import { parseLink } from '../domain/fields.ts';

/** A deployment as attribution sees it. `at` is when it reached its environment (finished, else started). */
export interface DeploymentFact {
  id: number;
  /** `source:external_id` */
  ref: string;
  service: string;
  environment: string;
  version: string | null;
  commit_sha: string | null;
  at: string | null;
  status: string;
  kind: string;
  rolls_back_to: string | null;
}

/** A commit or PR that shipped in a deployment. */
export interface ChangeFact {
  sha: string | null;
  pr_number: number | null;
  repository: string | null;
  /** `source:external_id` of the deployment it shipped in. */
  deployment_ref: string | null;
}

/** A problem with what its signals say, merged. */
export interface ProblemFacts {
  id: number;
  key: string;
  service: string | null;
  services: readonly string[];
  environment: string | null;
  impact_start: string;
  resolved_at: string | null;
  type: string | null;
  /** The links of all its signals (`version:2.4.1`, `sha:…`, `pr:…`, `deployment:…`). */
  links: readonly string[];
  /** The labels of all its signals, merged. */
  labels: Readonly<Record<string, string>>;
  /** Signal titles, read only for signs of an outside cause (a vendor outage, an expired certificate). */
  texts?: readonly string[];
}

/** A person's decision about a problem's release (a `decisions` row with action `attribute`). */
export interface AttributionOverride {
  /** The problem key. */
  subject: string;
  /** The deployment as `source:external_id`, or null for "introduced by no deployment". */
  deployment_ref: string | null;
  deployment_id: number | null;
  reason: string;
  actor: string;
  decided_at: string;
}

export type AttributionMethod = 'person' | 'explicit_reference' | 'rollback' | 'hotfix' | 'time_window' | 'none';
export type EvidenceKind = 'deployment_link' | 'version' | 'sha' | 'pr' | 'rollback' | 'hotfix' | 'time_window';

export interface Evidence {
  kind: EvidenceKind;
  deployment_id: number;
  deployment_ref: string;
  /** How much this alone speaks for the deployment, in [0,1]. */
  weight: number;
  detail: string;
}

export interface Candidate {
  deployment_id: number;
  deployment_ref: string;
  service: string;
  version: string | null;
  at: string | null;
  score: number;
}

export type UnattributedReason = 'no_service' | 'no_deployment' | 'external_cause' | 'weak_evidence' | 'person' | 'not_counted';

/** What is stored in `problems.attribution`. */
export interface Attribution {
  method: AttributionMethod;
  confidence: number;
  deployment_ref: string | null;
  evidence: Evidence[];
  /** Up to three deployments considered, best first. */
  candidates: Candidate[];
  /** Why there is no deployment, when there is none. */
  unattributed?: { reason: UnattributedReason; explanation: string };
  /** References a signal named that match no deployment of the problem's services. */
  unresolved_references?: string[];
  /** References to deployments made after the impact began (a fix, not the cause). */
  later_references?: string[];
  needs_review: boolean;
  review_reason?: string;
  decided_by: 'pipeline' | 'person';
  actor?: string;
  decided_at?: string;
  /** With a person's decision: what the pipeline would have said. */
  pipeline?: { deployment_ref: string | null; confidence: number; method: AttributionMethod };
}

export interface AttributionResult {
  problem_id: number;
  problem_key: string;
  deployment_id: number | null;
  attribution: Attribution;
}

export interface AttributionOptions {
  regressionMinutes: number;
  watchMinutes: number;
  limitHours: number;
  /** Below this score the best candidate is not blamed. */
  minConfidence: number;
  /** Below this score, or with a close runner-up, the attribution goes to the review queue. */
  reviewBelow: number;
  /** A runner-up this close to the best makes the attribution ambiguous. */
  ambiguityMargin: number;
}

export const DEFAULT_ATTRIBUTION_THRESHOLDS = { minConfidence: 0.35, reviewBelow: 0.6, ambiguityMargin: 0.1 } as const;

export function attributionOptions(config: Pick<Config, 'windows'>): AttributionOptions {
  return {
    regressionMinutes: config.windows.regression_minutes,
    watchMinutes: config.windows.watch_minutes,
    limitHours: config.windows.attribution_limit_hours,
    ...DEFAULT_ATTRIBUTION_THRESHOLDS,
  };
}

const MINUTE = 60_000;
const PRODUCTION_NAMES = new Set(['production', 'prod', 'prd', 'live']);
const ROLLBACK_KINDS = new Set(['rollback']);
const FIX_KINDS = new Set(['hotfix', 'fix_forward']);

/** Environments go by several names; all production spellings compare equal. */
export function canonicalEnvironment(value: string | null | undefined): string {
  const env = (value ?? 'production').trim().toLowerCase();
  return PRODUCTION_NAMES.has(env) ? 'production' : env;
}

export function isRollback(d: Pick<DeploymentFact, 'kind' | 'rolls_back_to'>): boolean {
  return ROLLBACK_KINDS.has(d.kind) || (d.rolls_back_to !== null && d.rolls_back_to !== '');
}

export function isFix(d: Pick<DeploymentFact, 'kind'>): boolean {
  return FIX_KINDS.has(d.kind);
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;
const key2 = (a: string, b: string) => `${a}\u0000${b}`;
const SHA_PREFIX = 7;
/** Versions compare without a leading `v` and case: `v2.4.1` names release `2.4.1`. */
export const versionKey = (v: string) => v.trim().replace(/^v(?=\d)/i, '').toLowerCase();

export interface Timeline {
  deployments: DeploymentFact[];
  times: number[];
}

/** Deployments indexed by service, environment, time, version and sha; built once per run. */
export interface DeploymentIndex {
  byRef: ReadonlyMap<string, DeploymentFact>;
  byId: ReadonlyMap<number, DeploymentFact>;
  timeline(service: string, environment: string): Timeline | undefined;
  /** Deployments of a service carrying a version, earliest first. */
  withVersion(service: string, version: string): readonly DeploymentFact[];
  withSha(sha: string): readonly DeploymentFact[];
  changesWithSha(sha: string): readonly ChangeFact[];
  changesWithPr(pr: number): readonly ChangeFact[];
}

function byTimeThenId(a: { t: number; d: DeploymentFact }, b: { t: number; d: DeploymentFact }): number {
  return a.t - b.t || a.d.id - b.d.id;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Successful deployments only: a failed or cancelled pipeline run never reached users. */
export function indexDeployments(deployments: readonly DeploymentFact[], changes: readonly ChangeFact[] = []): DeploymentIndex {
  const byRef = new Map<string, DeploymentFact>();
  const byId = new Map<number, DeploymentFact>();
  const lines = new Map<string, { t: number; d: DeploymentFact }[]>();
  const versions = new Map<string, DeploymentFact[]>();
  const shas = new Map<string, DeploymentFact[]>();
  for (const d of deployments) {
    byRef.set(d.ref, d);
    byId.set(d.id, d);
    if (d.status !== 'success') continue;
    const t = d.at === null ? Number.NaN : Date.parse(d.at);
    if (!Number.isNaN(t)) push(lines, key2(d.service, canonicalEnvironment(d.environment)), { t, d });
    if (d.version) push(versions, key2(d.service, versionKey(d.version)), d);
    if (d.commit_sha && d.commit_sha.length >= SHA_PREFIX) push(shas, d.commit_sha.slice(0, SHA_PREFIX).toLowerCase(), d);
  }
  const timelines = new Map<string, Timeline>();
  for (const [k, list] of lines) {
    list.sort(byTimeThenId);
    timelines.set(k, { deployments: list.map((x) => x.d), times: list.map((x) => x.t) });
  }
  const earliest = (a: DeploymentFact, b: DeploymentFact) => (a.at ?? '\uffff').localeCompare(b.at ?? '\uffff') || a.id - b.id;
  for (const list of versions.values()) list.sort(earliest);
  for (const list of shas.values()) list.sort(earliest);
  // Few signals name a commit or PR: the change maps are built on the first lookup, not for every run.
  let changeMaps: { shas: Map<string, ChangeFact[]>; prs: Map<number, ChangeFact[]> } | undefined;
  const changeIndex = () => {
    if (changeMaps) return changeMaps;
    changeMaps = { shas: new Map(), prs: new Map() };
    for (const c of changes) {
      if (!c.deployment_ref) continue;
      if (c.sha && c.sha.length >= SHA_PREFIX) push(changeMaps.shas, c.sha.slice(0, SHA_PREFIX).toLowerCase(), c);
      if (c.pr_number !== null) push(changeMaps.prs, c.pr_number, c);
    }
    return changeMaps;
  };
  const bySha = <T>(map: Map<string, T[]>, sha: string, full: (x: T) => string | null): readonly T[] => {
    const s = sha.toLowerCase();
    if (s.length < SHA_PREFIX) return [];
    return (map.get(s.slice(0, SHA_PREFIX)) ?? []).filter((x) => (full(x) ?? '').toLowerCase().startsWith(s));
  };
  return {
    byRef,
    byId,
    timeline: (service, environment) => timelines.get(key2(service, canonicalEnvironment(environment))),
    withVersion: (service, version) => versions.get(key2(service, versionKey(version))) ?? [],
    withSha: (sha) => bySha(shas, sha, (d) => d.commit_sha),
    changesWithSha: (sha) => bySha(changeIndex().shas, sha, (c) => c.sha),
    changesWithPr: (pr) => changeIndex().prs.get(pr) ?? [],
  };
}

/** Index of the last entry at or before `t` (-1 when none). */
function lastAtOrBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

// Label keys through which sources name a release; a Jira affects-version or Sentry's first-seen release.
const RELEASE_LABELS = ['first_release', 'first_seen_release', 'sentry_release', 'release', 'affects_version', 'affects_versions', 'version', 'app_version'];
// Label keys that name the other side of a service boundary.
const BOUNDARY_LABELS = ['upstream', 'downstream', 'dependency', 'peer_service', 'peer.service', 'caller', 'callee', 'target_service', 'source_service', 'consumer', 'provider_service'];
const OUTSIDE_CAUSE_LABELS = /^(cause|root_cause|category|failure_cause|origin)$/i;
const OUTSIDE_CAUSE_VALUE = /vendor|third[-_ ]?party|provider|external|certificate|\bcert\b|cloud|outage|upstream[-_ ]?outage|\bdns\b|isp/i;
// Phrases with which alerts, tickets and chat describe a cause outside the team's changes.
const OUTSIDE_CAUSE_TEXT = new RegExp(
  [
    'certificate (has )?expired', 'expired (tls |ssl )?certificate', 'cert(ificate)? (renewal failed|expir)', 'x509: certificate has expired', 'ERR_CERT_DATE_INVALID',
    'no space left on device', 'disk full', 'NXDOMAIN', 'SERVFAIL', 'DNS resolution failing',
    '\\boutage\\b', 'status page', 'degraded performance', '\\bis down\\b',
    'credentials expired', 'key (was )?revoked', 'invalid api key', 'invalid_grant', 'token refresh fail',
  ].join('|'),
  'i',
);

/** Services the problem is about, strongest first: its own service, the others it names, then boundary peers. */
function relatedServices(problem: ProblemFacts): { service: string; weight: number; why: string }[] {
  const out: { service: string; weight: number; why: string }[] = [];
  const seen = new Set<string>();
  const add = (service: string | null | undefined, weight: number, why: string) => {
    const s = service?.trim();
    if (!s || seen.has(s)) return;
    seen.add(s);
    out.push({ service: s, weight, why });
  };
  const integration = problem.type === 'integration';
  add(problem.service, 1, 'the problem\'s service');
  for (const s of [...problem.services].sort()) add(s, integration ? 0.95 : 0.85, integration ? 'a side of the failing boundary' : 'a service the problem involves');
  for (const k of BOUNDARY_LABELS) {
    const v = problem.labels[k];
    if (v) for (const s of v.split(',')) add(s, integration ? 0.9 : 0.7, `named as ${k} by a signal`);
  }
  return out;
}

/** A sign in the signals that the cause lies outside the team's changes. */
function outsideCause(problem: ProblemFacts): string | null {
  for (const [k, v] of Object.entries(problem.labels).sort(([a], [b]) => a.localeCompare(b))) {
    if (OUTSIDE_CAUSE_LABELS.test(k) && OUTSIDE_CAUSE_VALUE.test(v)) return `a signal labels the cause ${k}=${v}`;
    if ((k === 'vendor' || k === 'provider' || k === 'external') && v) return `a signal names an outside party (${k}=${v})`;
  }
  // One pass over all the text: problems with alert storms carry hundreds of titles.
  const m = problem.texts && problem.texts.length > 0 ? problem.texts.join('\n').match(OUTSIDE_CAUSE_TEXT) : null;
  return m ? `a signal says "${m[0]}"` : null;
}

/** Multipliers on time-only evidence: a regression is by definition "broken after a deployment". */
const CHANGE_BORNE_TYPES = new Set(['code', 'regression']);
const TYPE_TIME_FACTOR: Record<string, number> = { regression: 1.15, code: 1, mixed: 1, infra: 0.85, integration: 0.85 };

/** How strongly being the running deployment `minutes` before the impact speaks for it. */
function timeWeight(minutes: number, o: AttributionOptions): number {
  if (minutes <= o.regressionMinutes) return 0.75;
  if (minutes <= o.watchMinutes) return 0.6;
  const limit = o.limitHours * 60;
  if (minutes > limit) return 0;
  return 0.45 - 0.25 * ((minutes - o.watchMinutes) / Math.max(1, limit - o.watchMinutes));
}

const fmtMinutes = (m: number) => (m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

interface Context {
  problem: ProblemFacts;
  index: DeploymentIndex;
  options: AttributionOptions;
  env: string;
  impact: number;
  services: Map<string, number>;
}

/** Deployments of related services named by a reference; others are reported as unresolved. */
function related(ctx: Context, list: readonly DeploymentFact[]): DeploymentFact[] {
  return list.filter((d) => ctx.services.has(d.service) && canonicalEnvironment(d.environment) === ctx.env && !after(ctx, d));
}

/** Made after the impact began: it cannot have introduced the problem (a fix version, a hotfix's sha). */
function after(ctx: Context, d: DeploymentFact): boolean {
  return d.at !== null && Date.parse(d.at) > ctx.impact;
}

/** The first deployment of a version in the problem's environment: the one that introduced it. */
function introducedVersion(ctx: Context, service: string, version: string): DeploymentFact | undefined {
  return related(ctx, ctx.index.withVersion(service, version)).find((d) => !isRollback(d));
}

function explicitEvidence(ctx: Context, unresolved: string[], later: string[]): Evidence[] {
  const { problem, index } = ctx;
  const out: Evidence[] = [];
  // A reference matching only deployments made after the impact began names a fix, not the cause.
  const unmatched = (raw: string, all: readonly (DeploymentFact | undefined)[]) =>
    (all.some((d) => d !== undefined && ctx.services.has(d.service) && after(ctx, d)) ? later : unresolved).push(raw);
  const ev = (kind: EvidenceKind, d: DeploymentFact, weight: number, detail: string) =>
    out.push({ kind, deployment_id: d.id, deployment_ref: d.ref, weight: round(weight), detail });

  const versionRefs: { version: string; weight: number; via: string }[] = [];
  for (const raw of [...new Set(problem.links)].sort()) {
    const { kind, value } = parseLink(raw);
    if (kind === 'deployment') {
      const d = index.byRef.get(value);
      if (d && ctx.services.has(d.service) && !after(ctx, d)) ev('deployment_link', d, 0.95, `a signal links deployment ${value}`);
      else unmatched(raw, [d]);
    } else if (kind === 'version') {
      versionRefs.push({ version: value, weight: 0.9, via: `link ${raw}` });
    } else if (kind === 'sha') {
      const viaChange = index
        .changesWithSha(value)
        .map((c) => (c.deployment_ref ? index.byRef.get(c.deployment_ref) : undefined))
        .filter((d): d is DeploymentFact => d !== undefined);
      const all = [...index.withSha(value), ...viaChange];
      const first = related(ctx, all).sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || a.id - b.id)[0];
      if (first) ev('sha', first, 0.85, `a signal names commit ${value}, shipped in ${first.service} ${first.version ?? first.ref}`);
      else unmatched(raw, all);
    } else if (kind === 'pr') {
      const m = value.match(/^(?:(.*)[#!])?(\d+)$/);
      const pr = m ? Number(m[2]) : Number.NaN;
      const repo = m?.[1];
      const all = Number.isInteger(pr)
        ? index
            .changesWithPr(pr)
            .filter((c) => !repo || !c.repository || c.repository === repo || repo.endsWith(`/${c.repository}`) || c.repository.endsWith(`/${repo}`))
            .map((c) => (c.deployment_ref ? index.byRef.get(c.deployment_ref) : undefined))
            .filter((d): d is DeploymentFact => d !== undefined)
        : [];
      const first = related(ctx, all).sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || a.id - b.id)[0];
      if (first) ev('pr', first, 0.85, `a signal names PR ${value}, shipped in ${first.service} ${first.version ?? first.ref}`);
      else unmatched(raw, all);
    }
  }
  for (const k of RELEASE_LABELS) {
    const v = problem.labels[k];
    if (!v) continue;
    for (const version of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      versionRefs.push({ version, weight: k.includes('first') || k === 'sentry_release' ? 0.9 : 0.85, via: `label ${k}=${version}` });
    }
  }
  const seenVersion = new Set<string>();
  for (const ref of versionRefs) {
    if (seenVersion.has(ref.version)) continue;
    seenVersion.add(ref.version);
    // Sentry releases are often `service@1.2.3` or `package@1.2.3+build`.
    const at = ref.version.lastIndexOf('@');
    const named = at > 0 ? { service: ref.version.slice(0, at), version: ref.version.slice(at + 1) } : null;
    let matched = false;
    for (const service of ctx.services.keys()) {
      const d =
        introducedVersion(ctx, service, ref.version) ??
        (named && (named.service === service || ctx.services.has(named.service)) ? introducedVersion(ctx, service, named.version) : undefined);
      if (d) {
        matched = true;
        ev('version', d, ref.weight, `${ref.via} names ${d.service} ${d.version ?? ''}`.trim());
      }
    }
    if (!matched) {
      const all = [...ctx.services.keys()].flatMap((service) => [...index.withVersion(service, ref.version), ...(named ? index.withVersion(service, named.version) : [])]);
      unmatched(`version:${ref.version}`, all);
    }
  }
  return out;
}

/** Rollbacks and hotfixes of a related service after the impact began point at what they undo or repair. */
function interventionEvidence(ctx: Context): Evidence[] {
  const { problem, options } = ctx;
  const out: Evidence[] = [];
  const resolved = problem.resolved_at ? Date.parse(problem.resolved_at) : Number.NaN;
  const limit = ctx.impact + options.limitHours * 60 * MINUTE;
  const until = Math.min(limit, Math.max(ctx.impact + options.watchMinutes * MINUTE, Number.isNaN(resolved) ? 0 : resolved + 15 * MINUTE));
  for (const service of ctx.services.keys()) {
    const line = ctx.index.timeline(service, ctx.env);
    if (!line) continue;
    const runningIdx = lastAtOrBefore(line.times, ctx.impact);
    for (let i = runningIdx + 1; i < line.deployments.length && (line.times[i] as number) <= until; i++) {
      const after = line.deployments[i] as DeploymentFact;
      const minutes = ((line.times[i] as number) - ctx.impact) / MINUTE;
      if (isRollback(after)) {
        const undone = undoneBy(line, i);
        if (undone && (undone.at === null || Date.parse(undone.at) <= ctx.impact)) {
          out.push({
            kind: 'rollback',
            deployment_id: undone.id,
            deployment_ref: undone.ref,
            weight: minutes <= options.watchMinutes ? 0.85 : 0.7,
            detail: `rolled back by ${after.ref}${after.rolls_back_to ? ` (to ${after.rolls_back_to})` : ''} ${fmtMinutes(minutes)} after the impact began`,
          });
        }
        break;
      }
      if (isFix(after)) {
        const fixed = lastIntroducer(line, runningIdx);
        if (fixed) {
          out.push({
            kind: 'hotfix',
            deployment_id: fixed.id,
            deployment_ref: fixed.ref,
            weight: minutes <= options.watchMinutes ? 0.5 : 0.4,
            detail: `followed by ${after.kind.replace('_', '-')} ${after.ref} ${fmtMinutes(minutes)} after the impact began`,
          });
        }
        break;
      }
    }
  }
  return out;
}

/** The latest deployment at or before `idx` that is not itself a rollback. */
function lastIntroducer(line: Timeline, idx: number): DeploymentFact | undefined {
  for (let i = idx; i >= 0 && i > idx - 20; i--) {
    const d = line.deployments[i] as DeploymentFact;
    if (!isRollback(d)) return d;
  }
  return undefined;
}

/** Compares dotted versions numerically where they are numeric (`2.10.0` > `2.9.1`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/i, '').split(/[.\-+]/);
  const pb = b.replace(/^v/i, '').split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const c = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * What rollback `line[idx]` undoes: the deployment that first moved away from the version it returns to
 * (the changes after it rode along) — the lowest version after it, as pipelines can finish out of order;
 * without a known target, the latest earlier deployment.
 */
export function undoneBy(line: Timeline, idx: number): DeploymentFact | undefined {
  const target = line.deployments[idx]?.rolls_back_to;
  const matches = (d: DeploymentFact) => !!target && (d.version === target || (d.commit_sha !== null && target.length >= SHA_PREFIX && d.commit_sha.startsWith(target)));
  let latest: DeploymentFact | undefined;
  const since: DeploymentFact[] = [];
  for (let i = idx - 1; i >= 0 && i > idx - 30; i--) {
    const d = line.deployments[i] as DeploymentFact;
    if (isRollback(d)) continue;
    if (matches(d)) {
      // Earliest first; a lower version wins over one that merely finished first.
      return since.reverse().reduce<DeploymentFact | undefined>((best, x) => (!best || (x.version && best.version && compareVersions(x.version, best.version) < 0) ? x : best), undefined);
    }
    latest ??= d;
    since.push(d);
  }
  return latest;
}

function timeEvidence(ctx: Context): Evidence[] {
  const out: Evidence[] = [];
  const factor = TYPE_TIME_FACTOR[ctx.problem.type ?? ''] ?? 1;
  const earliest = ctx.impact - ctx.options.limitHours * 60 * MINUTE;
  for (const [service, serviceWeight] of ctx.services) {
    const line = ctx.index.timeline(service, ctx.env);
    if (!line) continue;
    const idx = lastAtOrBefore(line.times, ctx.impact);
    // The running deployment counts fully; older ones still in production count for less.
    for (let i = idx, rank = 0; i >= 0 && rank < 3 && (line.times[i] as number) >= earliest; i--, rank++) {
      const d = line.deployments[i] as DeploymentFact;
      const minutes = (ctx.impact - (line.times[i] as number)) / MINUTE;
      const weight = Math.min(0.9, timeWeight(minutes, ctx.options) * factor * serviceWeight * (rank === 0 ? 1 : 0.4) * (isRollback(d) ? 0.5 : 1));
      if (weight <= 0.01) continue;
      out.push({
        kind: 'time_window',
        deployment_id: d.id,
        deployment_ref: d.ref,
        weight: round(weight),
        detail: `${rank === 0 ? 'the running' : 'an earlier'} ${d.service} deployment, ${fmtMinutes(minutes)} before the impact began`,
      });
    }
  }
  return out;
}

/** The deployment of each related service running when the impact began. */
function runningDeployments(ctx: Context): Set<number> {
  const out = new Set<number>();
  for (const service of ctx.services.keys()) {
    const line = ctx.index.timeline(service, ctx.env);
    const d = line?.deployments[lastAtOrBefore(line.times, ctx.impact)];
    if (d) out.add(d.id);
  }
  return out;
}

/** Infra and integration failures mostly come from outside; a release named only because it was running weighs less. */
const TYPE_RUNNING_VERSION_FACTOR: Record<string, number> = { infra: 0.3, integration: 0.25, mixed: 0.6 };
/** Circumstantial evidence for one deployment while a signal names another release. */
const NAMED_ELSEWHERE_FACTOR = 0.5;

const METHOD_RANK: Record<EvidenceKind, AttributionMethod> = {
  deployment_link: 'explicit_reference',
  version: 'explicit_reference',
  sha: 'explicit_reference',
  pr: 'explicit_reference',
  rollback: 'rollback',
  hotfix: 'hotfix',
  time_window: 'time_window',
};

/**
 * What attributing a problem reads of the deployments, so a store can load just that: the timelines of
 * its related services over [impact − limit, impact + limit] (plus the deployments just before, which
 * rollbacks and hotfixes look back to), and the deployments, versions, commits and pull requests its
 * signals name (any time).
 */
export interface AttributionNeeds {
  services: string[];
  /** The span of the timelines read, in ms since the epoch. */
  from: number;
  to: number;
  deploymentRefs: string[];
  /** Per service, the version keys (see `versionKey`) named. */
  versions: Map<string, Set<string>>;
  /** Commit ids named, lower-cased (7 characters or more). */
  shas: string[];
  prs: number[];
}

/** The deployments one problem's attribution can read (see `attributeToRelease`); several problems' needs merge. */
export function attributionNeeds(problem: ProblemFacts, options: AttributionOptions, needs?: AttributionNeeds): AttributionNeeds {
  const impact = Date.parse(problem.impact_start);
  const out: AttributionNeeds = needs ?? { services: [], from: Infinity, to: -Infinity, deploymentRefs: [], versions: new Map(), shas: [], prs: [] };
  const services = relatedServices(problem).map((s) => s.service);
  if (services.length === 0) return out;
  out.from = Math.min(out.from, impact - options.limitHours * 60 * MINUTE);
  out.to = Math.max(out.to, impact + options.limitHours * 60 * MINUTE);
  for (const s of services) if (!out.services.includes(s)) out.services.push(s);
  const versions: string[] = [];
  for (const raw of problem.links) {
    const { kind, value } = parseLink(raw);
    if (kind === 'deployment') out.deploymentRefs.push(value);
    else if (kind === 'version') versions.push(value);
    else if (kind === 'sha' && value.length >= SHA_PREFIX) out.shas.push(value.toLowerCase());
    else if (kind === 'pr') {
      const m = value.match(/^(?:(.*)[#!])?(\d+)$/);
      if (m) out.prs.push(Number(m[2]));
    }
  }
  for (const k of RELEASE_LABELS) for (const v of problem.labels[k]?.split(',') ?? []) if (v.trim()) versions.push(v.trim());
  for (const version of versions) {
    const at = version.lastIndexOf('@');
    const keys = at > 0 ? [versionKey(version), versionKey(version.slice(at + 1))] : [versionKey(version)];
    for (const service of services) {
      let set = out.versions.get(service);
      if (!set) out.versions.set(service, (set = new Set()));
      for (const key of keys) set.add(key);
    }
  }
  return out;
}

/** Attributes one problem. The index comes from `indexDeployments`; the same input gives the same output. */
export function attributeToRelease(problem: ProblemFacts, index: DeploymentIndex, options: AttributionOptions): Attribution {
  const env = canonicalEnvironment(problem.environment);
  const services = new Map(relatedServices(problem).map((s) => [s.service, s.weight]));
  const base = { needs_review: false, decided_by: 'pipeline' as const };
  if (services.size === 0) {
    // Missing data, not a doubt between releases: kept out of the review queue, which it would flood.
    return { ...base, method: 'none', confidence: 0, deployment_ref: null, evidence: [], candidates: [],
      unattributed: { reason: 'no_service', explanation: 'no signal of this problem names a service' } };
  }
  const ctx: Context = { problem, index, options, env, impact: Date.parse(problem.impact_start), services };
  const unresolved: string[] = [];
  const later: string[] = [];
  const explicit = explicitEvidence(ctx, unresolved, later);
  const interventions = interventionEvidence(ctx);
  // Error trackers report whatever release is running when an error is first seen: naming the running
  // release says little beyond timing, and nothing at all when the cause lies outside.
  const running = runningDeployments(ctx);
  const namesRunning = (e: Evidence) => e.kind === 'version' && running.has(e.deployment_id);
  const outside = explicit.every(namesRunning) ? outsideCause(problem) : null;
  const specific = outside ? explicit.filter((e) => !namesRunning(e)) : explicit.map((e) => (namesRunning(e) ? { ...e, weight: round(e.weight * (TYPE_RUNNING_VERSION_FACTOR[problem.type ?? ''] ?? 1)) } : e));
  // An outside cause with no reference to a change: a nearby deployment is coincidence, not evidence.
  const timed = outside ? [] : timeEvidence(ctx);
  // A reference to a release other than the running one is the strongest sign there is (the error was
  // first seen before the latest deployment); timing and interventions that point elsewhere count for less.
  const named = new Set(specific.filter((e) => !namesRunning(e)).map((e) => e.deployment_id));
  const circumstantial = [...interventions.filter((e) => !outside || e.kind === 'rollback'), ...timed].map((e) =>
    named.size > 0 && !named.has(e.deployment_id) ? { ...e, weight: round(e.weight * NAMED_ELSEWHERE_FACTOR) } : e,
  );
  const evidence = [...specific, ...circumstantial];

  const scores = new Map<number, number>();
  for (const e of evidence) scores.set(e.deployment_id, 1 - (1 - (scores.get(e.deployment_id) ?? 0)) * (1 - e.weight));
  const candidates: Candidate[] = [...scores]
    .map(([id, score]) => {
      const d = index.byId.get(id) as DeploymentFact;
      return { deployment_id: id, deployment_ref: d.ref, service: d.service, version: d.version, at: d.at, score: round(score) };
    })
    .sort((a, b) => b.score - a.score || (b.at ?? '').localeCompare(a.at ?? '') || a.deployment_id - b.deployment_id);
  const best = candidates[0];
  const runnerUp = candidates[1];
  const extra = { ...(unresolved.length > 0 ? { unresolved_references: unresolved } : {}), ...(later.length > 0 ? { later_references: later } : {}) };
  const services_ = [...services.keys()].join(', ');

  // A code defect or regression came with some change, so weaker evidence may name it (for review);
  // infra and integration failures often come with none.
  const minimum = options.minConfidence * (CHANGE_BORNE_TYPES.has(problem.type ?? '') ? 0.7 : 1);
  if (!best || best.score < minimum) {
    const unattributed = outside
      ? { reason: 'external_cause' as const, explanation: `${outside}, and no signal names a change of ${services_}` }
      : best
        ? { reason: 'weak_evidence' as const, explanation: `the nearest candidate, ${best.deployment_ref}, scores ${best.score} (below ${round(minimum)})` }
        : {
            reason: 'no_deployment' as const,
            explanation: `no ${env} deployment of ${services_} in the ${options.limitHours} h before the impact began (${problem.impact_start}) and no signal names one`,
          };
    const review = unresolved.length > 0 || unattributed.reason === 'weak_evidence';
    return {
      ...base,
      method: 'none',
      confidence: 0,
      deployment_ref: null,
      evidence,
      candidates: candidates.slice(0, 3),
      unattributed,
      ...extra,
      needs_review: review,
      ...(review ? { review_reason: unresolved.length > 0 ? `a signal names ${unresolved.join(', ')}, which matches no deployment` : 'only weak evidence' } : {}),
    };
  }
  const own = evidence.filter((e) => e.deployment_id === best.deployment_id).sort((a, b) => b.weight - a.weight);
  const method = METHOD_RANK[(own[0] as Evidence).kind];
  const ambiguous = runnerUp !== undefined && best.score - runnerUp.score < options.ambiguityMargin;
  const weak = best.score < options.reviewBelow;
  const conflicting = explicit.length > 0 && new Set(explicit.map((e) => e.deployment_id)).size > 1;
  const reviewReason = ambiguous
    ? `${runnerUp.deployment_ref} scores almost as high (${runnerUp.score} vs ${best.score})`
    : conflicting
      ? 'signals name different releases'
      : weak
        ? `confidence ${best.score} is below ${options.reviewBelow}`
        : undefined;
  return {
    ...base,
    method,
    confidence: best.score,
    deployment_ref: best.deployment_ref,
    evidence: [...own, ...evidence.filter((e) => e.deployment_id !== best.deployment_id)],
    candidates: candidates.slice(0, 3),
    ...extra,
    needs_review: reviewReason !== undefined,
    ...(reviewReason ? { review_reason: reviewReason } : {}),
  };
}

/** Applies a person's decision over what the pipeline found; the decision wins on every re-run. */
export function applyOverride(computed: Attribution, override: AttributionOverride, index: DeploymentIndex): { deployment_id: number | null; attribution: Attribution } {
  const d = override.deployment_ref ? index.byRef.get(override.deployment_ref) : override.deployment_id !== null ? index.byId.get(override.deployment_id) : undefined;
  const pipeline = { deployment_ref: computed.deployment_ref, confidence: computed.confidence, method: computed.method };
  const common = {
    method: 'person' as const,
    evidence: computed.evidence,
    candidates: computed.candidates,
    needs_review: false,
    decided_by: 'person' as const,
    actor: override.actor,
    decided_at: override.decided_at,
    pipeline,
  };
  if (!d) {
    return {
      deployment_id: null,
      attribution: { ...common, confidence: 1, deployment_ref: null, unattributed: { reason: 'person', explanation: override.reason || `${override.actor} decided no deployment introduced it` } },
    };
  }
  return { deployment_id: d.id, attribution: { ...common, confidence: 1, deployment_ref: d.ref, unattributed: undefined, review_reason: override.reason } };
}

/** Attributes every problem; a person's override (by problem key) replaces the computed answer. */
export function attributeProblems(
  problems: readonly ProblemFacts[],
  index: DeploymentIndex,
  options: AttributionOptions,
  overrides: ReadonlyMap<string, AttributionOverride> = new Map(),
): AttributionResult[] {
  return problems.map((problem) => {
    const computed = attributeToRelease(problem, index, options);
    const override = overrides.get(problem.key);
    if (override) {
      const applied = applyOverride(computed, override, index);
      return { problem_id: problem.id, problem_key: problem.key, ...applied };
    }
    const d = computed.deployment_ref ? index.byRef.get(computed.deployment_ref) : undefined;
    return { problem_id: problem.id, problem_key: problem.key, deployment_id: d?.id ?? null, attribution: computed };
  });
}

/** The latest decision per subject wins (decisions are replayed on every run, oldest first). */
export function latestBySubject<T extends { subject: string; decided_at: string }>(decisions: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const d of decisions) {
    const prev = out.get(d.subject);
    if (!prev || prev.decided_at <= d.decided_at) out.set(d.subject, d);
  }
  return out;
}
