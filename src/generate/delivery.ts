// The delivery side of a history: releases of a service with their commits, the defects QA found
// before them, the test runs of the release candidate, staging and production deployments, and the
// unplanned deployments (hotfix, rollback, fix-forward) that problems cause.
import type { ServicePlan } from './catalog.ts';
import type { IdSource } from './ids.ts';
import type { Random } from './random.ts';
import { DAY, HOUR, MINUTE, clamp, iso } from './time.ts';
import type { DeploymentLine, DeploymentTruth, RecordLines, TruthLines } from './types.ts';

export interface ServiceState {
  plan: ServicePlan;
  /** Highest version released so far; new versions count up from it. */
  latest: [number, number, number];
  /** The version production runs now, and the one before it (what a rollback returns to). */
  running: string;
  previous: string | null;
  /** What ran before the history starts: no deployment record shows it, so nothing rolls back to it. */
  initialVersion: string;
  lastReleaseAt: number;
  /** No planned release before this time: the team is busy fixing production. */
  frozenUntil: number;
  /**
   * When the last production deployment emitted so far finishes. The next one starts after it, so
   * versions reach production in the order they were numbered and the newest one runs last.
   */
  deployedUntil: number;
}

export function initialState(rng: Random, plan: ServicePlan, startMs: number): ServiceState {
  const latest: [number, number, number] = [rng.int(1, 4), rng.int(0, 30), 0];
  return { plan, latest, running: latest.join('.'), previous: null, initialVersion: latest.join('.'), lastReleaseAt: startMs - rng.int(1, 7) * DAY, frozenUntil: 0, deployedUntil: 0 };
}

export interface Sink {
  records: RecordLines;
  truth: TruthLines;
}

export interface Release {
  deploymentRef: string;
  version: string;
  /** What production ran before it. */
  previousVersion: string;
  finishedAt: number;
  /** > 1 when the release candidate looked weak (open blockers, failing tests): it introduces more problems. */
  risk: number;
  truth: DeploymentTruth;
}

const CHANGE_TITLES = [
  'Add retry with backoff to {vendor} client', 'Refactor {thing} validation', 'Bump dependencies', 'Fix typo in error message',
  'Add {thing} endpoint', 'Migrate {thing} table to new schema', 'Enable {flag} for 10% of users', 'Remove dead code in {thing} module',
  'Improve logging around {thing}', 'Cache {thing} lookups', 'Handle empty {thing} list', 'Update {vendor} SDK to latest',
  'Split {thing} service class', 'Add metrics for {thing} latency', 'Tighten input validation on {thing}', 'Paginate {thing} listing',
];
const THINGS = ['order', 'invoice', 'payment', 'cart', 'customer', 'address', 'refund', 'session', 'discount', 'shipment'];
const FLAGS = ['new-checkout-flow', 'async-invoicing', 'search-v2', 'smart-retries', 'one-click-pay'];
const DEFECT_TITLES = [
  '{Thing} form accepts an empty {field}', 'Wrong error message when {thing} is missing', 'Layout broken on mobile for {thing} page',
  '{Thing} list does not refresh after save', 'Timeout when exporting large {thing} list', 'Translation missing on {thing} screen',
  '{Thing} total off by one cent', 'Staging config points at the sandbox of {vendor}', 'Sorting by date wrong in {thing} history',
  'Double submit creates two {thing}s', '{Thing} not saved when {field} has an accent', 'Acceptance criterion not met: {thing} filter',
];
const FIELDS = ['name', 'email', 'amount', 'postcode', 'IBAN', 'phone number', 'VAT id'];
const PEOPLE = ['alice', 'bob', 'chen', 'dana', 'emeka', 'fatima', 'goran', 'hana', 'ivan', 'julia', 'kofi', 'lena', 'mateo', 'nora', 'omar', 'priya'];

function fillDelivery(rng: Random, template: string, plan: ServicePlan): string {
  const thing = rng.pick(THINGS);
  return template
    .replace('{vendor}', plan.vendors[0]?.name ?? 'partner')
    .replace('{Thing}', thing[0]!.toUpperCase() + thing.slice(1))
    .replace(/\{thing\}/g, thing)
    .replace('{flag}', rng.pick(FLAGS))
    .replace('{field}', rng.pick(FIELDS));
}

export function person(rng: Random): string {
  return rng.pick(PEOPLE);
}

function bump(state: ServiceState, part: 'major' | 'minor' | 'patch'): string {
  const v = state.latest;
  if (part === 'major') state.latest = [v[0] + 1, 0, 0];
  else if (part === 'minor') state.latest = [v[0], v[1] + 1, 0];
  else state.latest = [v[0], v[1], v[2] + 1];
  return state.latest.join('.');
}

function deploymentLine(
  ids: IdSource,
  plan: ServicePlan,
  fields: { environment: string; version: string; sha: string; startedAt: number; finishedAt: number; status: 'success' | 'failure'; kind: DeploymentLine['kind']; kindReason: string; rollsBackTo?: string; actor: string },
): DeploymentLine {
  const id = ids.deployment();
  return {
    source: 'github',
    external_id: id,
    service: plan.name,
    environment: fields.environment,
    version: fields.version,
    commit_sha: fields.sha,
    started_at: iso(fields.startedAt),
    finished_at: iso(fields.finishedAt),
    status: fields.status,
    kind: fields.kind,
    kind_reason: fields.kindReason,
    ...(fields.rollsBackTo ? { rolls_back_to: fields.rollsBackTo } : {}),
    url: `https://github.com/${plan.repository}/deployments/${id}`,
    labels: { workflow: fields.environment === 'production' ? 'deploy-prod' : 'deploy-staging', actor: fields.actor },
  };
}

export const refOf = (line: { source?: string | undefined; external_id: string }) => `${line.source ?? 'import'}:${line.external_id}`;

function addChanges(rng: Random, ids: IdSource, plan: ServicePlan, sink: Sink, deploymentRef: string, deployAt: number, count: number, hurried: boolean): void {
  for (let i = 0; i < count; i++) {
    const mergedAt = deployAt - clamp(rng.logNormal(hurried ? 40 * MINUTE : 5 * HOUR, 0.9), 5 * MINUTE, 10 * DAY);
    const firstCommitAt = mergedAt - clamp(rng.logNormal(hurried ? 1 * HOUR : 20 * HOUR, 1.0), 3 * MINUTE, 40 * DAY);
    const pr = ids.pullRequest(plan.repository);
    sink.records.changes.push({
      source: 'github',
      external_id: `${plan.repository}#${pr}`,
      service: plan.name,
      repository: plan.repository,
      sha: rng.hex(40),
      pr_number: pr,
      title: hurried ? `Fix: ${fillDelivery(rng, rng.pick(CHANGE_TITLES), plan).toLowerCase()}` : fillDelivery(rng, rng.pick(CHANGE_TITLES), plan),
      first_commit_at: iso(firstCommitAt),
      merged_at: iso(mergedAt),
      deployment_ref: deploymentRef,
    });
  }
}

/** Defects QA found in this release candidate; returns how many blockers were still open at release. */
function addDefects(rng: Random, ids: IdSource, plan: ServicePlan, sink: Sink, version: string, windowStart: number, releaseAt: number): number {
  const count = rng.poisson(1.6 * plan.bugginess);
  const start = Math.max(windowStart, releaseAt - 14 * DAY);
  let openBlockers = 0;
  for (let i = 0; i < count; i++) {
    const foundAt = rng.between(start, releaseAt - 30 * MINUTE);
    const severity = rng.weighted([['critical', 0.05], ['high', 0.2], ['medium', 0.5], ['low', 0.25]] as const);
    const blocker = severity === 'critical' ? rng.chance(0.6) : severity === 'high' ? rng.chance(0.1) : false;
    const resolved = blocker ? rng.chance(0.85) : rng.chance(0.7);
    if (blocker && !resolved) openBlockers++;
    const resolvedAt = resolved ? Math.min(releaseAt - 10 * MINUTE, foundAt + rng.logNormal(6 * HOUR, 1)) : undefined;
    const key = ids.jiraKey(plan.jiraKey);
    sink.records.defects.push({
      source: 'jira',
      external_id: key,
      title: fillDelivery(rng, rng.pick(DEFECT_TITLES), plan),
      service: plan.name,
      severity,
      category: rng.weighted([['functional', 0.55], ['requirement', 0.15], ['ux', 0.12], ['performance', 0.08], ['environment', 0.07], ['other', 0.03]] as const),
      found_at: iso(foundAt),
      found_in: rng.weighted([['qa', 0.5], ['test', 0.25], ['staging', plan.usesStaging ? 0.15 : 0.02], ['review', 0.1]] as const),
      release: version,
      blocker,
      status: resolved ? 'resolved' : 'open',
      ...(resolvedAt !== undefined && resolvedAt > foundAt ? { resolved_at: iso(resolvedAt) } : {}),
      url: `https://acme.atlassian.net/browse/${key}`,
      labels: { component: plan.displayName },
    });
  }
  return openBlockers;
}

const TEST_NAMES = ['checkout_happy_path', 'login_with_sso', 'refund_partial', 'invoice_pdf', 'search_filters', 'cart_merge', 'address_validation', 'currency_switch', 'password_reset', 'export_csv'];

/** Regression suite and critical paths of a release candidate; returns how weak they looked (0 = all green). */
function addTestRuns(rng: Random, ids: IdSource, plan: ServicePlan, sink: Sink, version: string, releaseAt: number): number {
  const total = plan.regressionSuiteSize + rng.int(-20, 20);
  const failRate = rng.chance(0.1) ? rng.between(0.05, 0.2) : rng.between(0, 0.02);
  const failed = Math.round(total * failRate);
  const skipped = rng.int(0, Math.round(total * 0.02));
  const started = releaseAt - clamp(rng.logNormal(3 * HOUR, 0.6), 40 * MINUTE, 2 * DAY);
  const criticalPassed = rng.chance(0.08) ? plan.criticalPaths - rng.int(1, 2) : plan.criticalPaths;
  const failedTests = (n: number) => rng.sample(TEST_NAMES, Math.min(n, 4)).map((t) => `${plan.name.replace(/-/g, '_')}.${t}`);
  sink.records.test_runs.push({
    source: 'github-actions',
    external_id: ids.testRun(),
    service: plan.name,
    release: version,
    suite: `${plan.name}-regression`,
    suite_kind: 'regression',
    started_at: iso(started),
    finished_at: iso(started + rng.int(12, 55) * MINUTE),
    passed: total - failed - skipped,
    failed,
    skipped,
    failed_tests: failedTests(failed),
  });
  const smokeStart = started + rng.int(60, 100) * MINUTE;
  sink.records.test_runs.push({
    source: 'github-actions',
    external_id: ids.testRun(),
    service: plan.name,
    release: version,
    suite: 'smoke',
    suite_kind: 'smoke',
    started_at: iso(smokeStart),
    finished_at: iso(smokeStart + rng.int(2, 9) * MINUTE),
    passed: criticalPassed,
    failed: plan.criticalPaths - criticalPassed,
    critical_total: plan.criticalPaths,
    critical_passed: Math.max(0, criticalPassed),
    failed_tests: failedTests(plan.criticalPaths - criticalPassed),
  });
  return failRate * 5 + (plan.criticalPaths - criticalPassed) * 0.3;
}

/** A planned release at `at`: staging (for some services), QA, tests, the production deployment and its commits. */
export function planRelease(rng: Random, ids: IdSource, state: ServiceState, sink: Sink, at: number): Release {
  const { plan } = state;
  const version = bump(state, rng.chance(0.004) ? 'major' : rng.chance(0.3) ? 'patch' : 'minor');
  const sha = rng.hex(40);
  const actor = person(rng);
  const openBlockers = addDefects(rng, ids, plan, sink, version, state.lastReleaseAt, at);
  const testWeakness = addTestRuns(rng, ids, plan, sink, version, at);

  if (plan.usesStaging) {
    const stagedAt = at - clamp(rng.logNormal(5 * HOUR, 0.8), 30 * MINUTE, 3 * DAY);
    sink.records.deployments.push(deploymentLine(ids, plan, { environment: 'staging', version, sha, startedAt: stagedAt, finishedAt: stagedAt + rng.int(3, 12) * MINUTE, status: 'success', kind: 'planned', kindReason: 'release branch pipeline', actor }));
  }

  let startedAt = at;
  if (rng.chance(0.02)) {
    // The pipeline fails its health check and is retried a little later.
    const failedLine = deploymentLine(ids, plan, { environment: 'production', version, sha, startedAt, finishedAt: startedAt + rng.int(4, 15) * MINUTE, status: 'failure', kind: 'planned', kindReason: 'main branch pipeline', actor });
    sink.records.deployments.push(failedLine);
    sink.truth.deployments.push({ deployment: refOf(failedLine), failed: false, rework: false });
    startedAt += rng.int(25, 120) * MINUTE;
  }
  const finishedAt = startedAt + clamp(rng.logNormal(7 * MINUTE, 0.5), 2 * MINUTE, 45 * MINUTE);
  const line = deploymentLine(ids, plan, { environment: 'production', version, sha, startedAt, finishedAt, status: 'success', kind: 'planned', kindReason: 'main branch pipeline', actor });
  sink.records.deployments.push(line);
  const truth: DeploymentTruth = { deployment: refOf(line), failed: false, rework: false };
  sink.truth.deployments.push(truth);
  addChanges(rng, ids, plan, sink, truth.deployment, startedAt, 1 + rng.poisson(2.2), false);

  const previousVersion = state.running;
  state.previous = state.running;
  state.running = version;
  state.lastReleaseAt = finishedAt;
  state.deployedUntil = finishedAt;
  return { deploymentRef: truth.deployment, version, previousVersion, finishedAt, risk: 1 + openBlockers * 0.8 + testWeakness, truth };
}

export type Remedy = 'hotfix' | 'rollback' | 'fix_forward';

/** An unplanned production deployment made because of a problem. Returns its ref and when it finished. */
export function remediate(rng: Random, ids: IdSource, state: ServiceState, sink: Sink, remedy: Remedy, at: number, rollBackTo: string | null): { ref: string; finishedAt: number } {
  const { plan } = state;
  const actor = person(rng);
  // Wait for a deployment still rolling out (another problem's fix, say).
  if (at < state.deployedUntil) at = state.deployedUntil + rng.int(2, 10) * MINUTE;
  const finishedAt = at + clamp(rng.logNormal(remedy === 'rollback' ? 4 * MINUTE : 8 * MINUTE, 0.5), 1 * MINUTE, 40 * MINUTE);
  let line: DeploymentLine;
  if (remedy === 'rollback' && rollBackTo) {
    line = deploymentLine(ids, plan, { environment: 'production', version: rollBackTo, sha: rng.hex(40), startedAt: at, finishedAt, status: 'success', kind: 'rollback', kindReason: `rolls back to ${rollBackTo}`, rollsBackTo: rollBackTo, actor });
    state.previous = state.running;
    state.running = rollBackTo;
  } else {
    const version = bump(state, 'patch');
    const reason = remedy === 'hotfix' ? `hotfix/${plan.name.split('-')[0]}-${rng.int(100, 999)} branch` : 'fix-forward release';
    line = deploymentLine(ids, plan, { environment: 'production', version, sha: rng.hex(40), startedAt: at, finishedAt, status: 'success', kind: remedy === 'rollback' ? 'hotfix' : remedy, kindReason: reason, actor });
    state.previous = state.running;
    state.running = version;
  }
  sink.records.deployments.push(line);
  state.deployedUntil = finishedAt;
  const ref = refOf(line);
  sink.truth.deployments.push({ deployment: ref, failed: false, rework: true });
  if (line.kind !== 'rollback') addChanges(rng, ids, plan, sink, ref, at, 1 + rng.poisson(0.3), true);
  return { ref, finishedAt };
}
