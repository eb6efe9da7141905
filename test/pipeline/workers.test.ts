// A large run on a SQLite file summarises and writes problems in worker threads. That must give
// exactly what one thread gives: the same problems, the same signals in each, the same deployment
// outcomes, after a person's merge too; and a failure in either worker must reach the caller.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/cli/commands/generate.ts';
import { RECORD_FILES } from '../../src/generate/types.ts';
import { importFile, importOrder } from '../../src/ingest/files.ts';
import { ConfigSchema, DEFAULT_CONFIG } from '../../src/domain/config.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { type PipelineStep, PROBLEM_STEPS, runPipeline } from '../../src/pipeline/run.ts';
import { confirmProblemType, dismissProblem, mergeProblems } from '../../src/pipeline/review.ts';
import { assembledInWorker } from '../../src/pipeline/assembly-thread.ts';
import { writerInWorker } from '../../src/pipeline/problem-writer.ts';
import { correlationReader } from '../../src/pipeline/reader-thread.ts';
import type { ProblemWrite } from '../../src/store/problems.ts';
import { fromJson } from '../../src/store/schema.ts';
import { refreshOutcomes } from '../../src/store/attribution.ts';
import { createCorrelator } from '../../src/pipeline/correlate.ts';

let dir: string;

/** Rules of the team's own, a model trained on a handful of confirmations, a wider post-deploy window. */
const config = ConfigSchema.parse({
  classification: {
    min_training_examples: 4,
    rules: [
      { name: 'checkout tickets', type: 'code', weight: 5, sources: ['zendesk'], fields: { service: '^checkout' } },
      { name: 'certificates', type: 'infra', weight: 4, keywords: ['certificate'] },
    ],
  },
  windows: { regression_minutes: 240 },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'escapement-assembly-'));
  await writeHistory({ scale: 'small', seed: 5 }, join(dir, 'history'));
  const store = await openStore({ dbPath: join(dir, 'imported.db') });
  try {
    for (const file of importOrder(RECORD_FILES.map((f) => join(dir, 'history', `${f}.jsonl`)))) await importFile(store, file);
  } finally {
    await store.close();
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything the pipeline derives, by stable names (problem keys, signal refs), not by row ids. */
async function derived(store: Store) {
  const problems = await store.db.selectFrom('problems').selectAll().orderBy('key').execute();
  const pointers = await store.db
    .selectFrom('signal_problems as sp')
    .innerJoin('signals as s', 's.id', 'sp.signal_id')
    .innerJoin('problems as p', 'p.id', 'sp.problem_id')
    .select(['s.source', 's.external_id', 'p.key'])
    .orderBy('s.id')
    .execute();
  const outcomes = await store.db.selectFrom('deployments').select(['id', 'failed', 'rework', 'outcome']).orderBy('id').execute();
  return { problems: problems.map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest), pointers, outcomes };
}

async function runOn(name: string, assembly: 'here' | 'worker') {
  copyFileSync(join(dir, 'imported.db'), join(dir, name));
  const store = await openStore({ dbPath: join(dir, name) });
  try {
    // A team's alias moves one source's most common service name to another service: the run settles
    // the signals' services before correlation reads them (the reader thread starts before that).
    const raw = await store.db.selectFrom('signals').select(['source', 'service_raw']).where('service_raw', 'is not', null).execute();
    const counts = new Map<string, number>();
    for (const r of raw) counts.set(`${r.source}:${r.service_raw}`, (counts.get(`${r.source}:${r.service_raw}`) ?? 0) + 1);
    const [alias] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const target = await store.db.selectFrom('services').select(['name', 'aliases']).where('name', '!=', alias.slice(alias.indexOf(':') + 1)).orderBy('name').executeTakeFirstOrThrow();
    await store.db.updateTable('services').set({ aliases: JSON.stringify([...fromJson<string[]>(target.aliases, []), alias]) }).where('name', '=', target.name).execute();
    const first = await runPipeline(store, config, { workers: assembly === 'worker' ? 'always' : 'never', batchSize: 50, now: '2026-01-01T00:00:00Z' });
    expect(first.services_remapped).toBeGreaterThan(0);
    // Batches of 50: many batches in flight to the writer. A person merges two problems of different services: the merge's reason travels to the worker too.
    const two = await store.db.selectFrom('problems').select(['id', 'service', 'deployment_id']).orderBy('impact_start').limit(40).execute();
    // Both attributed to a release, so the merge moves a problem off a deployment's timeline.
    const one = two.find((p) => p.deployment_id !== null)!;
    const other = two.find((p) => p.deployment_id !== null && p.service !== one.service)!;
    await mergeProblems(store, config, [one.id, other.id], 'ana@example.com');
    // The merge refreshed the outcomes of the timelines the problems left and joined: as a full refresh would.
    const outcomes = () => store.db.selectFrom('deployments').select(['id', 'failed', 'rework', 'outcome']).orderBy('id').execute();
    const merged = await outcomes();
    await refreshOutcomes(store.db, store.sqlite);
    expect(await outcomes()).toEqual(merged);
    // Confirmed types (enough to train the model) and a problem set aside: decisions the worker's
    // classify and triage replay.
    const types = ['integration', 'infra', 'code', 'regression', 'integration', 'code'];
    for (const [k, type] of types.entries()) await confirmProblemType(store, config, two[10 + k]!.id, type, 'ana@example.com');
    await dismissProblem(store, config, two[7]!.id, 'ana@example.com', 'a drill');
    const again = await runPipeline(store, config, { workers: assembly === 'worker' ? 'always' : 'never', batchSize: 50, now: '2026-01-01T00:00:00Z' });
    return { first, again, derived: await derived(store) };
  } finally {
    await store.close();
  }
}

describe('worker threads of a pipeline run', () => {
  it('derive exactly what one thread derives, on a first run and after a merge', { timeout: 120_000 }, async () => {
    const here = await runOn('here.db', 'here');
    const worker = await runOn('worker.db', 'worker');
    expect(here.first.problems).toBeGreaterThan(200);
    expect(here.derived.problems.some((p) => String(p.correlation).includes('"merge"'))).toBe(true);
    expect(here.derived.problems.some((p) => p.type === 'integration' && p.type_decider === 'person')).toBe(true);
    expect(here.derived.problems.some((p) => String(p.type_rationale).includes('checkout tickets') || String(p.type_rationale).includes('certificates →'))).toBe(true);
    expect(here.derived.problems.some((p) => String(p.type_rationale).includes('a drill'))).toBe(true);
    // The facts classify found are kept with each problem (review trains on them), though the worker does not hand its features over.
    expect(here.derived.problems.some((p) => JSON.parse(String(p.correlation)).facts?.post_deploy === true)).toBe(true);
    // The comparison is between the two paths: the workers ran in one and not in the other.
    expect([here.first.workers, here.again.workers, worker.first.workers, worker.again.workers]).toEqual([false, false, true, true]);
    expect(worker.first.problems).toBe(here.first.problems);
    expect(worker.again.problems).toBe(here.again.problems);
    expect(worker.again.signals_moved).toBe(here.again.signals_moved);
    expect(worker.derived).toEqual(here.derived);
  });

  it('derive exactly what one thread derives when the steps are given (all run on the pipeline\'s thread)', { timeout: 60_000 }, async () => {
    const results = [];
    for (const workers of ['never', 'always'] as const) {
      copyFileSync(join(dir, 'imported.db'), join(dir, `steps-${workers}.db`));
      const store = await openStore({ dbPath: join(dir, `steps-${workers}.db`) });
      try {
        const summary = await runPipeline(store, config, { workers, steps: PROBLEM_STEPS, batchSize: 50, now: '2026-01-01T00:00:00Z' });
        results.push({ workers: summary.workers, derived: await derived(store) });
      } finally {
        await store.close();
      }
    }
    const [here, worker] = results as [(typeof results)[0], (typeof results)[0]];
    expect([here.workers, worker.workers]).toEqual([false, true]);
    expect(here.derived.problems.some((p) => JSON.parse(String(p.correlation)).facts?.post_deploy === true)).toBe(true);
    expect(worker.derived).toEqual(here.derived);
  });

  it('hands a failure in the worker to the caller (signals no longer in the correlated order)', { timeout: 60_000 }, async () => {
    // A correlation of other signals than the file holds: the worker's first signal is out of order.
    const correlator = createCorrelator();
    correlator.add({ id: 999_999_999, source: 'x', external_id: '1', kind: 'alert', url: null, occurred_at: '2020-01-01T00:00:00Z', resolved_at: null, title: 't', service: null, links: [] });
    const pages = assembledInWorker(join(dir, 'imported.db'), correlator.finish().data);
    await expect(async () => {
      for await (const _ of pages) void _;
    }).rejects.toThrow(/out of the correlated order/);
  });

  it('hands a failed write to the caller, after the batches before it are stored', { timeout: 60_000 }, async () => {
    copyFileSync(join(dir, 'imported.db'), join(dir, 'writer.db'));
    const row = (key: string, title: string | null): ProblemWrite => ({
      columns: { key, title: title as string, summary: null, service: null, services: '[]', environment: null, impact_start: '2026-01-01T00:00:00Z', detected_at: null, resolved_at: null, severity: null, signal_count: 0, type: null, type_confidence: null, type_decider: null, type_rationale: null, review_state: 'to_verify', correlation: null },
      signal_ids: [],
      previous_problem_ids: [],
    });
    const writer = writerInWorker(join(dir, 'writer.db'), '2026-01-01T00:00:00Z');
    await writer.write([row('ok:1', 'stored')]);
    await writer.write([row('bad:1', null)]);
    await expect(writer.close()).rejects.toThrow(/the problem writer failed: NOT NULL constraint failed: problems.title/);
    const store = await openStore({ dbPath: join(dir, 'writer.db') });
    try {
      expect((await store.db.selectFrom('problems').select('key').execute()).map((p) => p.key)).toEqual(['ok:1']);
    } finally {
      await store.close();
    }
  });

  it('stops with a failing step\'s error, after the batches handed to the writer are stored', { timeout: 60_000 }, async () => {
    copyFileSync(join(dir, 'imported.db'), join(dir, 'step.db'));
    const store = await openStore({ dbPath: join(dir, 'step.db') });
    try {
      const sizes: number[] = [];
      const failing: PipelineStep = {
        name: 'fails on the fourth batch',
        prepare: async () => (batch) => {
          if (sizes.push(batch.length) === 4) throw new Error('step failed');
        },
      };
      await expect(runPipeline(store, DEFAULT_CONFIG, { workers: 'always', batchSize: 50, steps: [failing] })).rejects.toThrow('step failed');
      const stored = await store.db.selectFrom('problems').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      // Three whole batches, each in its own transaction; nothing of the fourth.
      expect(sizes).toHaveLength(4);
      expect(Number(stored.n)).toBe(sizes[0]! + sizes[1]! + sizes[2]!);
      const pointed = await store.db.selectFrom('signal_problems').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(pointed.n)).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('stops the signal reader when the run fails before reading the signals', { timeout: 60_000 }, async () => {
    copyFileSync(join(dir, 'imported.db'), join(dir, 'early.db'));
    const store = await openStore({ dbPath: join(dir, 'early.db') });
    // A live worker keeps a port open in this thread. The reader starts before the services are
    // settled and has sent what links name when the correlator, made next, fails here.
    const ports = () => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().filter((h) => h?.constructor?.name === 'MessagePort').length;
    const before = ports();
    const failing = Object.defineProperty({ ...DEFAULT_CONFIG }, 'correlation', {
      get() {
        throw new Error('no correlation settings');
      },
    });
    try {
      await expect(runPipeline(store, failing, { workers: 'always' })).rejects.toThrow('no correlation settings');
      expect(ports()).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('has the signal reader read the signals only when asked, after the run has settled their services', { timeout: 60_000 }, async () => {
    copyFileSync(join(dir, 'imported.db'), join(dir, 'reader.db'));
    const reader = correlationReader(join(dir, 'reader.db'));
    try {
      expect((await reader.ready<string[]>()).length).toBeGreaterThan(0);
      // Time enough for a reader that did not wait to read every page ahead.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const store = await openStore({ dbPath: join(dir, 'reader.db') });
      await store.db.updateTable('signals').set({ service: 'settled' }).execute();
      await store.close();
      const services = new Set<string | null>();
      for await (const page of reader.pages()) for (const s of page.signals) services.add(s.service);
      expect([...services]).toEqual(['settled']);
    } finally {
      await reader.stop();
    }
  });

  it('hands a failure of the signal reader to the caller', { timeout: 60_000 }, async () => {
    await expect(async () => {
      for await (const _ of correlationReader(join(dir, 'missing.db')).pages()) void _;
    }).rejects.toThrow(/unable to open database file|does not exist/);
  });

  it('refuses workers for a store without a file', async () => {
    const store = await openStore({ dbPath: ':memory:' });
    try {
      await expect(runPipeline(store, DEFAULT_CONFIG, { workers: 'always' })).rejects.toThrow('worker threads need a SQLite file');
    } finally {
      await store.close();
    }
  });
});
