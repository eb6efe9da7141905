// Attribution scenarios, each a small timeline of deployments and one problem.
import { describe, expect, it } from 'vitest';
import {
  attributeProblems,
  attributeToRelease,
  attributionOptions,
  indexDeployments,
  latestBySubject,
  type AttributionOverride,
  type DeploymentFact,
} from '../../src/pipeline/attribute.ts';
import { deploymentOutcomes } from '../../src/pipeline/outcomes.ts';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';
import { at, deploy, problem } from './attribute.timeline.ts';

const options = attributionOptions(DEFAULT_CONFIG);
const attribute = (deployments: DeploymentFact[], p: ReturnType<typeof problem>) => attributeToRelease(p, indexDeployments(deployments), options);

describe('attribution scenarios', () => {
  it('problem in service A shortly after deployments of A and B → A', () => {
    // 10:00 checkout 2.4.1 · 10:05 search 7.1.0 · 10:12 checkout errors begin
    const a = deploy('checkout', '10:00', { version: '2.4.1' });
    const b = deploy('search', '10:05', { version: '7.1.0' });
    const result = attribute([a, b], problem('P1', 'checkout', '10:12'));

    expect(result.deployment_ref).toBe(a.ref);
    expect(result.method).toBe('time_window');
    expect(result.confidence).toBe(0.75);
    expect(result.candidates.map((c) => c.service)).toEqual(['checkout']);
    expect(result.evidence[0]).toMatchObject({ kind: 'time_window', deployment_id: a.id, detail: 'the running checkout deployment, 12 min before the impact began' });
    expect(result.needs_review).toBe(false);
  });

  it('Sentry names the release → that release, even days later and after newer releases', () => {
    // -5d checkout 2.4.1 · -2d 2.4.2 · -1d 2.4.3 · today 09:00 Sentry error first seen in 2.4.1
    const v1 = deploy('checkout', '-5d 10:00', { version: '2.4.1' });
    const v2 = deploy('checkout', '-2d 10:00', { version: '2.4.2' });
    const v3 = deploy('checkout', '-1d 10:00', { version: '2.4.3' });
    const result = attribute([v1, v2, v3], problem('P2', 'checkout', '09:00', { labels: { first_release: 'checkout@2.4.1' } }));

    expect(result.deployment_ref).toBe(v1.ref);
    expect(result.method).toBe('explicit_reference');
    expect(result.confidence).toBeGreaterThanOrEqual(0.9);
    expect(result.evidence[0]).toMatchObject({ kind: 'version', deployment_id: v1.id, detail: 'label first_release=checkout@2.4.1 names checkout 2.4.1' });
  });

  it('a version link with a leading v names the release without it', () => {
    const v1 = deploy('checkout', '-3d 10:00', { version: '3.0.0' });
    const v2 = deploy('checkout', '-1d 10:00', { version: '3.1.0' });
    const result = attribute([v1, v2], problem('P3', 'checkout', '09:00', { links: ['version:v3.0.0'] }));
    expect(result.deployment_ref).toBe(v1.ref);
  });

  it('a commit named in a chat thread → the deployment that shipped it', () => {
    const d1 = deploy('billing', '-1d 10:00', { version: '1.0.0', commit_sha: 'aaaaaaa111' });
    const d2 = deploy('billing', '08:00', { version: '1.1.0', commit_sha: 'bbbbbbb222' });
    const index = indexDeployments([d1, d2], [{ sha: 'cccccccc99', pr_number: 42, repository: 'acme/billing', deployment_ref: d1.ref }]);
    const bySha = attributeToRelease(problem('P4', 'billing', '09:00', { links: ['sha:cccccccc'] }), index, options);
    expect(bySha.deployment_ref).toBe(d1.ref);
    expect(bySha.evidence[0]?.kind).toBe('sha');
    const byPr = attributeToRelease(problem('P5', 'billing', '09:00', { links: ['pr:acme/billing#42'] }), index, options);
    expect(byPr.deployment_ref).toBe(d1.ref);
    expect(byPr.evidence[0]?.kind).toBe('pr');
  });

  it('rollback right after a deployment → that deployment failed, the rollback is rework', () => {
    // 10:00 checkout 2.5.0 · 10:05 errors begin · 10:20 rollback to 2.4.9
    const before = deploy('checkout', '-1d 10:00', { version: '2.4.9' });
    const release = deploy('checkout', '10:00', { version: '2.5.0' });
    const rollback = deploy('checkout', '10:20', { version: '2.4.9', kind: 'rollback', rolls_back_to: '2.4.9' });
    const deployments = [before, release, rollback];
    const p = problem('P6', 'checkout', '10:05', { resolved_at: at('10:25') });
    const [result] = attributeProblems([p], indexDeployments(deployments), options);

    expect(result?.deployment_id).toBe(release.id);
    expect(result?.attribution.method).toBe('rollback');
    expect(result?.attribution.evidence[0]?.detail).toBe(`rolled back by ${rollback.ref} (to 2.4.9) 15 min after the impact began`);

    const outcomes = deploymentOutcomes(deployments, [
      { problem_key: p.key, deployment_id: result!.deployment_id, confidence: result!.attribution.confidence, decided_by: 'pipeline', impact_start: p.impact_start, resolved_at: p.resolved_at },
    ]);
    const of = (d: DeploymentFact) => outcomes.find((o) => o.deployment_id === d.id)!;
    expect(of(release)).toMatchObject({ failed: true, rework: false });
    expect(of(release).outcome.failed_because.map((r) => r.kind)).toEqual(['escaped_problem', 'rolled_back']);
    expect(of(rollback)).toMatchObject({ failed: false, rework: true });
    expect(of(rollback).outcome.rework_because).toEqual([{ kind: 'rework_kind', detail: 'a rollback to 2.4.9' }]);
    expect(of(before)).toMatchObject({ failed: false, rework: false });
  });

  it('a rollback to 2.4.9 blames the release that moved away from 2.4.9, not a later one that rode along', () => {
    const base = deploy('checkout', '-1d 10:00', { version: '2.4.9' });
    const culprit = deploy('checkout', '08:00', { version: '2.5.0' });
    const later = deploy('checkout', '09:30', { version: '2.6.0' });
    const rollback = deploy('checkout', '10:15', { version: '2.4.9', kind: 'rollback', rolls_back_to: '2.4.9' });
    const result = attribute([base, culprit, later, rollback], problem('P6b', 'checkout', '10:00', { type: 'regression' }));
    expect(result.deployment_ref).toBe(culprit.ref);
    expect(result.method).toBe('rollback');
  });

  it('vendor outage with no change → unattributed, with the reason', () => {
    // Nothing deployed to payments for a week; the card processor is down.
    const old = deploy('payments', '-7d 10:00', { version: '9.0.0' });
    const result = attribute([old], problem('P7', 'payments', '14:00', { type: 'integration', texts: ['Card processor vendor outage: status page red'] }));
    expect(result.deployment_ref).toBeNull();
    expect(result.method).toBe('none');
    expect(result.unattributed).toEqual({ reason: 'external_cause', explanation: 'a signal says "outage", and no signal names a change of payments' });
    expect(result.needs_review).toBe(false);
  });

  it('vendor outage shortly after an unrelated change of the same service → still unattributed, not forced onto it', () => {
    const recent = deploy('payments', '13:40', { version: '9.1.0' });
    const result = attribute([recent], problem('P8', 'payments', '14:00', { type: 'integration', labels: { cause: 'vendor outage' } }));
    expect(result.deployment_ref).toBeNull();
    expect(result.unattributed?.reason).toBe('external_cause');
    expect(result.unattributed?.explanation).toBe('a signal labels the cause cause=vendor outage, and no signal names a change of payments');
  });

  it('expired certificate with no change → unattributed with the reason', () => {
    const result = attribute([deploy('gateway', '-10d 10:00')], problem('P9', 'gateway', '03:00', { type: 'infra', texts: ['TLS certificate expired on api.example.com'] }));
    expect(result.deployment_ref).toBeNull();
    expect(result.unattributed).toEqual({ reason: 'external_cause', explanation: 'a signal says "certificate expired", and no signal names a change of gateway' });
  });

  it('nothing deployed in the window and no sign of the cause → unattributed: no deployment', () => {
    const result = attribute([deploy('gateway', '-10d 10:00')], problem('P9b', 'gateway', '03:00', { type: 'infra' }));
    expect(result.unattributed).toEqual({
      reason: 'no_deployment',
      explanation: 'no production deployment of gateway in the 72 h before the impact began (2025-11-10T03:00:00.000Z) and no signal names one',
    });
  });

  it('a problem no signal ties to a service is unattributed for that reason, never blamed on any deployment', () => {
    const result = attribute([deploy('checkout', '09:55')], problem('P9c', 'checkout', '10:00', { service: null, services: [] }));
    expect(result).toMatchObject({ deployment_ref: null, candidates: [], needs_review: false, unattributed: { reason: 'no_service', explanation: 'no signal of this problem names a service' } });
  });

  it('integration problem → the deployment on the other side of the boundary', () => {
    const own = deploy('orders', '-3d 10:00', { version: '5.0.0' });
    const peer = deploy('inventory', '09:50', { version: '1.8.0' });
    const unrelated = deploy('search', '09:55');
    const result = attribute([own, peer, unrelated], problem('P10', 'orders', '10:00', { type: 'integration', labels: { downstream: 'inventory' } }));
    expect(result.deployment_ref).toBe(peer.ref);
    expect(result.candidates.map((c) => c.service).sort()).toEqual(['inventory', 'orders']);
  });

  it("a person's override survives a re-run, and the pipeline's own answer is kept beside it", () => {
    const a1 = deploy('checkout', '09:00', { version: '2.6.0' });
    const a2 = deploy('checkout', '09:50', { version: '2.6.1' });
    const p = problem('P11', 'checkout', '10:00');
    const decisions: AttributionOverride[] = [
      { subject: p.key, deployment_ref: a2.ref, deployment_id: a2.id, reason: 'first guess', actor: 'ana', decided_at: '2025-11-11T09:00:00.000Z' },
      { subject: p.key, deployment_ref: a1.ref, deployment_id: a1.id, reason: 'the flag flip in 2.6.0 caused it', actor: 'ana', decided_at: '2025-11-11T10:00:00.000Z' },
    ];
    const overrides = latestBySubject(decisions);
    const first = attributeProblems([p], indexDeployments([a1, a2]), options, overrides);
    // Re-run after a new deployment arrives: the decision still stands.
    const later = deploy('checkout', '09:58', { version: '2.6.2' });
    const rerun = attributeProblems([p], indexDeployments([a1, a2, later]), options, overrides);
    for (const [r] of [first, rerun]) {
      expect(r?.deployment_id).toBe(a1.id);
      expect(r?.attribution).toMatchObject({ method: 'person', confidence: 1, decided_by: 'person', actor: 'ana', needs_review: false });
    }
    expect(first[0]?.attribution.pipeline).toEqual({ deployment_ref: a2.ref, confidence: 0.75, method: 'time_window' });
    expect(rerun[0]?.attribution.pipeline?.deployment_ref).toBe(later.ref);

    const none = attributeProblems([p], indexDeployments([a1, a2]), options, latestBySubject([
      { subject: p.key, deployment_ref: null, deployment_id: null, reason: 'DNS provider outage', actor: 'bo', decided_at: '2025-11-12T00:00:00.000Z' },
    ]));
    expect(none[0]?.deployment_id).toBeNull();
    expect(none[0]?.attribution.unattributed).toEqual({ reason: 'person', explanation: 'DNS provider outage' });
  });

  it('the same input always gives the same attribution, whatever the order', () => {
    // Two services of one problem deployed at the same minute: a tie, broken by id, and sent for review.
    const x = deploy('cart', '09:40', { id: 501 });
    const y = deploy('pricing', '09:40', { id: 502 });
    const z = deploy('cart', '-1d 09:40', { id: 503 });
    const p = problem('P12', 'cart', '10:00', { services: ['cart', 'pricing'], type: 'integration' });
    const runs = [
      [x, y, z],
      [z, y, x],
      [y, z, x],
    ].map((ds) => JSON.stringify(attributeProblems([p], indexDeployments(ds), options)));
    expect(new Set(runs).size).toBe(1);
    const [result] = JSON.parse(runs[0]!) as ReturnType<typeof attributeProblems>;
    expect(result?.deployment_id).toBe(501);
    expect(result?.attribution.needs_review).toBe(true);
    expect(result?.attribution.review_reason).toMatch(/scores almost as high/);
  });

  it('a deployment after the impact began, or in staging, or that failed, is never blamed', () => {
    const after = deploy('checkout', '10:30');
    const staging = deploy('checkout', '09:55', { environment: 'staging' });
    const failed = deploy('checkout', '09:58', { status: 'failure' });
    const result = attribute([after, staging, failed], problem('P13', 'checkout', '10:00'));
    expect(result.deployment_ref).toBeNull();
    expect(result.unattributed?.reason).toBe('no_deployment');
  });

  it('a deployment days before with nothing else → an infra problem stays unattributed, a code defect is named for review', () => {
    const old = deploy('checkout', '-2d 11:00');
    const infra = attribute([old], problem('P14', 'checkout', '10:00', { type: 'infra' }));
    expect(infra.deployment_ref).toBeNull();
    expect(infra.unattributed).toEqual({ reason: 'weak_evidence', explanation: `the nearest candidate, ${old.ref}, scores 0.2459 (below 0.35)` });
    expect(infra.needs_review).toBe(true);
    expect(infra.candidates[0]?.deployment_ref).toBe(old.ref);

    // A code defect came with some change: the running deployment, at low confidence, for a person to check.
    const code = attribute([old], problem('P14b', 'checkout', '10:00', { type: 'code' }));
    expect(code).toMatchObject({ deployment_ref: old.ref, method: 'time_window', confidence: 0.2893, needs_review: true, review_reason: "confidence 0.2893 is below 0.6" });
  });

  it('a hotfix that follows the problem strengthens the deployment it repairs', () => {
    const release = deploy('search', '07:00', { version: '4.0.0' });
    const hotfix = deploy('search', '10:30', { version: '4.0.1', kind: 'hotfix' });
    const result = attribute([release, hotfix], problem('P15', 'search', '10:00'));
    expect(result.deployment_ref).toBe(release.ref);
    // 3 h before the impact alone is weak (0.4464); the hotfix 30 min after it (0.5) makes it likely.
    expect(result.method).toBe('hotfix');
    expect(result.evidence.map((e) => [e.kind, e.weight])).toEqual([['hotfix', 0.5], ['time_window', 0.4464]]);
    expect(result.confidence).toBe(0.7232);
  });

  it('a version a signal names that no deployment of the service carries is reported, not guessed', () => {
    const d = deploy('checkout', '09:50', { version: '2.0.0' });
    const result = attribute([d, deploy('search', '09:00', { version: '9.9.9' })], problem('P16', 'checkout', '10:00', { links: ['version:9.9.9'] }));
    expect(result.deployment_ref).toBe(d.ref);
    expect(result.unresolved_references).toEqual(['version:9.9.9']);
  });
});
