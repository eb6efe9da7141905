// A demo load that fails part-way removes what it had stored, so the workspace is as it was and the
// load can simply be retried (before, a failed load left a half-loaded workspace the dashboard then
// refused to load into).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { importOrder } from '../../src/ingest/files.ts';
import { RECORD_FILES } from '../../src/generate/types.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { DemoLoadFailed, loadDemo } from '../../src/generate/load-demo.ts';
import { upsertRecords } from '../../src/store/upsert.ts';

const fail = vi.hoisted(() => ({ file: null as string | null, pipeline: false }));
vi.mock('../../src/ingest/files.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/ingest/files.ts')>();
  return {
    ...original,
    importFile: async (...args: Parameters<typeof original.importFile>) => {
      if (fail.file && args[1].endsWith(`/${fail.file}`)) throw new Error('disk full');
      return original.importFile(...args);
    },
  };
});
vi.mock('../../src/pipeline/run.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/pipeline/run.ts')>();
  return {
    ...original,
    runPipeline: async (...args: Parameters<typeof original.runPipeline>) => {
      const summary = await original.runPipeline(...args);
      if (fail.pipeline) throw new Error('out of memory');
      return summary;
    },
  };
});

const config = ConfigSchema.parse({});
const counts = async (store: Store) => {
  const out: Record<string, number> = {};
  for (const table of ['teams', 'services', 'signals', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries', 'problems'] as const) {
    out[table] = Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }
  return out;
};

describe('a demo load that fails', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ dbPath: ':memory:' });
    fail.file = null;
    fail.pipeline = false;
  });
  afterEach(async () => {
    await store.close();
  });

  it('while importing removes the files already imported and says the workspace is as it was', async () => {
    // A team the user had configured stays.
    await upsertRecords(store.db, 'team', [{ name: 'platform' }]);
    const before = await counts(store);
    const files = importOrder(RECORD_FILES.map((f) => `/x/${f}.jsonl`));
    fail.file = files.at(-1)!.slice(3);
    const error = await loadDemo(store, config, { scale: 'small', end: '2025-11-30' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoLoadFailed);
    expect((error as DemoLoadFailed).message).toMatch(/^loading the demo failed while importing the history: disk full\. The \d+ records it had stored were removed again; the workspace is as it was; try again\.$/);
    expect((error as DemoLoadFailed).removed).toBeGreaterThan(1000);
    expect(await counts(store)).toEqual(before);
  });

  it('in the pipeline removes the records and the problems written so far, and a retry then loads', async () => {
    fail.pipeline = true;
    await expect(loadDemo(store, config, { scale: 'small', end: '2025-11-30' })).rejects.toThrow(/while running the pipeline: out of memory\. The \d+ records it had stored were removed again; the workspace is as it was/);
    expect(Object.values(await counts(store)).every((n) => n === 0)).toBe(true);
    fail.pipeline = false;
    const summary = await loadDemo(store, config, { scale: 'small', end: '2025-11-30' });
    expect(summary.pipeline.problems).toBeGreaterThan(0);
    expect((await counts(store)).signals).toBe(summary.pipeline.signals);
  });
});
