// The rolling window of deployments the pipeline attributes with must answer exactly as an index of
// every deployment does: timelines cut to the window plus a margin, versions, commits, pull requests and
// deployments named at any time, people's overrides, undated deployments, and problems older than the
// window (loaded on their own). Both dialects, on a history several times longer than the window.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { ChangeSchema, DeploymentSchema } from '../../src/domain/records.ts';
import {
  type AttributionOptions,
  type AttributionOverride,
  attributeProblems,
  DEFAULT_ATTRIBUTION_THRESHOLDS,
  indexDeployments,
  type ProblemFacts,
} from '../../src/pipeline/attribute.ts';
import { loadChangeFacts, loadDeploymentFacts } from '../../src/store/attribution.ts';
import { deploymentWindow, TIMELINE_MARGIN, versionChunks } from '../../src/store/deployment-window.ts';
import { storeFactories } from '../helpers/stores.ts';

const factories = await storeFactories();
const options: AttributionOptions = { regressionMinutes: 30, watchMinutes: 120, limitHours: 12, ...DEFAULT_ATTRIBUTION_THRESHOLDS };

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const START = Date.parse('2025-01-01T00:00:00Z');
const DAYS = 40;
const SERVICES = ['checkout', 'search', 'billing', 'auth'];
const ENVIRONMENTS = ['production', 'prod', 'staging'];

function history(seed: number) {
  const rnd = random(seed);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const deployments = [];
  const changes = [];
  const versions: Record<string, number> = {};
  for (let k = 0; k < 700; k++) {
    const service = pick(SERVICES);
    const at = START + rnd() * DAYS * 24 * HOUR;
    const v = (versions[service] = (versions[service] ?? 0) + 1);
    const kind = rnd() < 0.25 ? 'rollback' : rnd() < 0.08 ? 'hotfix' : 'planned';
    const sha = `${(k * 7919).toString(16).padStart(7, 'a')}${k.toString(16)}`;
    const undated = rnd() < 0.02;
    deployments.push(
      DeploymentSchema.parse({
        source: 'ci',
        external_id: `d${k}`,
        service,
        environment: pick(ENVIRONMENTS),
        version: rnd() < 0.1 ? `V${Math.max(1, v - 3)}.0` : `${v}.0`,
        commit_sha: rnd() < 0.05 ? sha.toUpperCase() : sha,
        started_at: new Date(at - 10 * 60_000).toISOString(),
        ...(undated ? {} : { finished_at: new Date(at).toISOString() }),
        status: rnd() < 0.1 ? 'failure' : 'success',
        kind,
        // Rollbacks to versions far back make `undoneBy` look back deep into the timeline.
        ...(kind === 'rollback' ? { rolls_back_to: `${Math.max(1, v - 1 - Math.floor(rnd() * 25))}.0` } : {}),
      }),
    );
    if (rnd() < 0.5) {
      changes.push(ChangeSchema.parse({ source: 'gh', external_id: `c${k}`, sha: `${sha}beef`, pr_number: 100 + k, repository: 'acme/app', first_commit_at: new Date(at - 5 * HOUR).toISOString(), deployment_ref: `ci:d${k}` }));
    }
  }
  return { deployments, changes };
}

/** Problems in batches that move forward in time, with some much older ones mixed in. */
function problemBatches(seed: number): ProblemFacts[][] {
  const rnd = random(seed);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const batches: ProblemFacts[][] = [];
  let n = 0;
  for (let day = 1; day < DAYS; day += 3) {
    const batch: ProblemFacts[] = [];
    for (let k = 0; k < 25; k++) {
      const old = rnd() < 0.08;
      const at = START + (old ? rnd() * day : day + rnd() * 3) * 24 * HOUR;
      const service = rnd() < 0.05 ? null : pick(SERVICES);
      const links = [];
      const labels: Record<string, string> = {};
      if (rnd() < 0.3) links.push(`version:${Math.floor(rnd() * 200)}.0`);
      if (rnd() < 0.1) links.push(`deployment:ci:d${Math.floor(rnd() * 700)}`);
      const d = Math.floor(rnd() * 700);
      if (rnd() < 0.1) links.push(`sha:${(d * 7919).toString(16).padStart(7, 'a')}${d.toString(16)}`);
      if (rnd() < 0.1) links.push(`pr:acme/app#${100 + Math.floor(rnd() * 700)}`);
      if (rnd() < 0.15) labels.release = `${service ?? 'auth'}@v${Math.floor(rnd() * 200)}.0`;
      if (rnd() < 0.1) labels.upstream = pick(SERVICES);
      batch.push({
        id: 0,
        key: `p${n++}`,
        service,
        services: service ? [service] : [],
        environment: rnd() < 0.8 ? 'production' : 'staging',
        impact_start: new Date(at).toISOString(),
        resolved_at: rnd() < 0.7 ? new Date(at + rnd() * 6 * HOUR).toISOString() : null,
        type: pick(['code', 'regression', 'infra', 'integration', null]),
        links,
        labels,
        texts: ['errors rising'],
      });
    }
    batches.push(batch);
  }
  return batches;
}

for (const factory of factories) {
  describe.skipIf(factory.skip)(`deployment window on ${factory.dialect}${factory.skip ? ` (skipped: ${factory.skip})` : ''}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('attributes every batch exactly as an index of all deployments does, holding only a window', async () => {
      const { deployments, changes } = history(7);
      await upsertRecords(store.db, 'deployment', deployments);
      await upsertRecords(store.db, 'change', changes);
      const full = indexDeployments(await loadDeploymentFacts(store.db), await loadChangeFacts(store.db));
      const overrides = new Map<string, AttributionOverride>([
        ['p3', { subject: 'p3', deployment_ref: 'ci:d5', deployment_id: null, reason: 'known', actor: 'ana', decided_at: '2025-03-01T00:00:00.000Z' }],
        ['p40', { subject: 'p40', deployment_ref: null, deployment_id: (await loadDeploymentFacts(store.db))[650]!.id, reason: 'by id', actor: 'ana', decided_at: '2025-03-01T00:00:00.000Z' }],
      ]);
      const window = deploymentWindow(store.db, options);
      let strays = 0;
      let attributed = 0;
      let peak = 0;
      for (const batch of problemBatches(11)) {
        const expected = attributeProblems(batch, full, options, overrides);
        const groups = await window.indexesFor(batch, overrides);
        const got = new Array(batch.length);
        for (const group of groups) {
          if (group.problems.length === 1 && groups.length > 1 && group !== groups[0]) strays++;
          attributeProblems(group.problems.map((i) => batch[i]!), group.index, options, overrides).forEach((r, k) => (got[group.problems[k]!] = r));
        }
        expect(got).toEqual(expected);
        attributed += expected.filter((r) => r.deployment_id !== null).length;
        peak = Math.max(peak, window.size());
      }
      // The scenario exercises what it claims: problems older than the window, attributions, a window
      // much smaller than the history (4 services × 2 timelines × margin, plus a few days).
      expect(strays).toBeGreaterThan(5);
      expect(attributed).toBeGreaterThan(100);
      expect(peak).toBeLessThan(SERVICES.length * 3 * TIMELINE_MARGIN + 200);
      expect(peak).toBeLessThan(deployments.length);
    });

    it('finds versions named beyond one query\'s worth of bound values (several OR parts)', async () => {
      const { deployments, changes } = history(7);
      await upsertRecords(store.db, 'deployment', deployments);
      await upsertRecords(store.db, 'change', changes);
      const full = indexDeployments(await loadDeploymentFacts(store.db), await loadChangeFacts(store.db));
      // 2 services × 150 versions × 2 spellings = 600 values: more than one part of 500.
      const batch: ProblemFacts[] = Array.from({ length: 300 }, (_, k) => {
        const service = k % 2 === 0 ? 'checkout' : 'search';
        return {
          id: 0,
          key: `v${k}`,
          service,
          services: [service],
          environment: 'production',
          impact_start: new Date(START + (DAYS - 1) * 24 * HOUR).toISOString(),
          resolved_at: null,
          type: 'regression',
          links: [`version:${1 + Math.floor(k / 2)}.0`],
          labels: {},
          texts: ['errors rising'],
        };
      });
      const expected = attributeProblems(batch, full, options, new Map());
      const got = new Array(batch.length);
      for (const group of await deploymentWindow(store.db, options).indexesFor(batch, new Map())) {
        attributeProblems(group.problems.map((i) => batch[i]!), group.index, options, new Map()).forEach((r, k) => (got[group.problems[k]!] = r));
      }
      expect(got).toEqual(expected);
      // Versions late in the list (the second part) are found too.
      expect(expected.filter((r, k) => k >= 250 && JSON.stringify(r).includes('version')).length).toBeGreaterThan(5);
    });
  });
}

describe('versionChunks', () => {
  it('asks for every named version of every service in both spellings, each once, in parts of at most 500 bound values', () => {
    const versions = new Map<string, Set<string>>([
      ['checkout', new Set(['1.0', '2.0'])],
      ['search', new Set(Array.from({ length: 400 }, (_, k) => `${k}.0`))],
      ['billing', new Set()],
      ['auth', new Set(['7.1'])],
    ]);
    const parts = versionChunks(versions);
    const asked: string[] = [];
    for (const part of parts) {
      // One bound value per service term plus its versions: both dialects' limits are far above 500.
      expect(part.reduce((n, [, keys]) => n + 1 + keys.length, 0)).toBeLessThanOrEqual(500);
      for (const [service, keys] of part) for (const key of keys) asked.push(`${service} ${key}`);
    }
    const expected = [...versions].flatMap(([service, keys]) => [...keys].flatMap((k) => [`${service} ${k}`, `${service} v${k}`]));
    expect(asked.sort()).toEqual(expected.sort());
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat().some(([service]) => service === 'billing')).toBe(false);
  });
});
