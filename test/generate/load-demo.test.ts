// A demo load that fails part-way removes what it had stored, so the workspace is as it was and the
// load can simply be retried (before, a failed load left a half-loaded workspace the dashboard then
// refused to load into).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { importOrder } from '../../src/ingest/files.ts';
import { RECORD_FILES } from '../../src/generate/types.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { DEMO_SEED, DemoLoadFailed, loadDemo } from '../../src/generate/load-demo.ts';
import { writeHistory } from '../../src/generate/write-history.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upsertRecords } from '../../src/store/upsert.ts';

const fail = vi.hoisted(() => ({ file: null as string | null, pipeline: false, rollback: false, meanwhile: null as null | ((store: Store) => Promise<void>) }));
vi.mock('../../src/ingest/files.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/ingest/files.ts')>();
  return {
    ...original,
    importFile: async (...args: Parameters<typeof original.importFile>) => {
      if (fail.file && args[1].endsWith(`/${fail.file}`)) {
        await fail.meanwhile?.(args[0]);
        throw new Error('disk full');
      }
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

vi.mock('../../src/store/rollback.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/store/rollback.ts')>();
  return {
    ...original,
    removeLoaded: async (...args: Parameters<typeof original.removeLoaded>) => {
      if (fail.rollback) throw new Error('database is locked');
      return original.removeLoaded(...args);
    },
  };
});

const config = ConfigSchema.parse({});
const END = '2025-11-30';
const counts = async (store: Store) => {
  const out: Record<string, number> = {};
  for (const table of ['teams', 'services', 'signals', 'signal_problems', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries', 'problems'] as const) {
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
    fail.rollback = false;
    fail.meanwhile = null;
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
    const error = await loadDemo(store, config, { scale: 'small', end: END }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoLoadFailed);
    expect((error as DemoLoadFailed).message).toMatch(/^loading the demo failed while importing the history: disk full\. The \d+ records it had stored were removed again, so the workspace is as it was; try again\.$/);
    expect((error as DemoLoadFailed).removed).toBeGreaterThan(1000);
    expect(await counts(store)).toEqual(before);
  });

  it('in the pipeline removes the records and the problems written so far, and a retry then loads', async () => {
    fail.pipeline = true;
    await expect(loadDemo(store, config, { scale: 'small', end: END })).rejects.toThrow(/while running the pipeline: out of memory\. The \d+ records it had stored were removed again, so the workspace is as it was/);
    expect(Object.values(await counts(store)).every((n) => n === 0)).toBe(true);
    fail.pipeline = false;
    const summary = await loadDemo(store, config, { scale: 'small', end: END });
    expect(summary.pipeline.problems).toBeGreaterThan(0);
    expect((await counts(store)).signals).toBe(summary.pipeline.signals);
  });

  it('keeps what was there and what others wrote meanwhile: a user\'s service of a demo name gets its own row back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'escapement-demo-names-'));
    await writeHistory({ scale: 'small', seed: DEMO_SEED, end: END }, dir);
    const demoService = JSON.parse(readFileSync(join(dir, 'services.jsonl'), 'utf8').split('\n')[0]!).name as string;
    rmSync(dir, { recursive: true, force: true });
    await upsertRecords(store.db, 'team', [{ name: 'mine' }]);
    await upsertRecords(store.db, 'service', [{ name: demoService, team: 'mine', aliases: ['my-alias'] }]);
    const mine = await store.db.selectFrom('services').selectAll().where('name', '=', demoService).executeTakeFirstOrThrow();
    const before = await counts(store);
    fail.file = importOrder(RECORD_FILES.map((f) => `/x/${f}.jsonl`)).at(-1)!.slice(3);
    // A webhook stores a signal while the demo loads.
    fail.meanwhile = async (s) => {
      await upsertRecords(s.db, 'signal', [SignalSchema.parse({ source: 'sentry', external_id: 'meanwhile-1', kind: 'alert', occurred_at: '2025-11-29T10:00:00Z', title: 'TypeError' })]);
    };
    await expect(loadDemo(store, config, { scale: 'small', end: END })).rejects.toThrow(/the workspace is as it was/);
    expect(await store.db.selectFrom('services').selectAll().where('name', '=', demoService).executeTakeFirstOrThrow()).toEqual(mine);
    expect(await counts(store)).toEqual({ ...before, signals: 1 });
    expect(await store.db.selectFrom('signals').select('external_id').execute()).toEqual([{ external_id: 'meanwhile-1' }]);
  });

  it('after a forced load whose pipeline failed, asks for a pipeline run for the data that was there', async () => {
    await upsertRecords(store.db, 'signal', [SignalSchema.parse({ source: 'sentry', external_id: 'mine-1', kind: 'alert', occurred_at: '2025-11-29T10:00:00Z', title: 'TypeError' })]);
    fail.pipeline = true;
    await expect(loadDemo(store, config, { scale: 'small', end: END })).rejects.toThrow(/were removed again; run `escapement pipeline` to derive the problems, releases and outcomes of the data that was there before\.$/);
    expect((await counts(store)).signals).toBe(1);
  });

  it('says so when removing what it stored fails too', async () => {
    fail.pipeline = true;
    fail.rollback = true;
    await expect(loadDemo(store, config, { scale: 'small', end: END })).rejects.toThrow(/out of memory\. Removing what it had stored failed as well \(database is locked\): the workspace may hold part of the demo\.$/);
  });
});
