// Long writes on the write-ahead log let it grow before a commit copies it back, and put the setting back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/connection.ts';
import { fewerCheckpoints, LONG_WRITE_LOG_BYTES } from '../../src/store/bulk-load.ts';
import { runPipeline, type PipelineStep } from '../../src/pipeline/run.ts';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'escapement-bulk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const autocheckpoint = (sqlite: { pragma(source: string, options: { simple: true }): unknown }) => Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));

describe('fewerCheckpoints', () => {
  it("raises the log's checkpoint size to 64 MB of pages, and puts it back", async () => {
    const store = await openStore({ dbPath: join(dir, 'a.db') });
    try {
      const sqlite = store.sqlite!;
      expect(autocheckpoint(sqlite)).toBe(1000);
      const restore = fewerCheckpoints(sqlite);
      expect(autocheckpoint(sqlite)).toBe(LONG_WRITE_LOG_BYTES / 16384);
      restore();
      expect(autocheckpoint(sqlite)).toBe(1000);
    } finally {
      await store.close();
    }
  });

  it('leaves alone a connection that does not checkpoint by itself, or checkpoints less often already, or has no log', async () => {
    const store = await openStore({ dbPath: join(dir, 'b.db') });
    const memory = await openStore({ dbPath: ':memory:' });
    try {
      for (const pages of [0, 10_000]) {
        store.sqlite!.pragma(`wal_autocheckpoint = ${pages}`);
        fewerCheckpoints(store.sqlite!)();
        expect(autocheckpoint(store.sqlite!)).toBe(pages);
        fewerCheckpoints(store.sqlite!);
        expect(autocheckpoint(store.sqlite!)).toBe(pages);
      }
      const before = autocheckpoint(memory.sqlite!);
      fewerCheckpoints(memory.sqlite!);
      expect(autocheckpoint(memory.sqlite!)).toBe(before);
    } finally {
      await store.close();
      await memory.close();
    }
  });

  it('is what a pipeline run writes under, also when a step fails', async () => {
    const store = await openStore({ dbPath: join(dir, 'c.db') });
    try {
      const seen: number[] = [];
      const watch = (fail: boolean): PipelineStep => ({
        name: 'watch',
        async prepare() {
          seen.push(autocheckpoint(store.sqlite!));
          if (fail) throw new Error('step failed');
          return () => {};
        },
      });
      await runPipeline(store, DEFAULT_CONFIG, { steps: [watch(false)] });
      await expect(runPipeline(store, DEFAULT_CONFIG, { steps: [watch(true)] })).rejects.toThrow('step failed');
      expect(seen).toEqual([4096, 4096]);
      expect(autocheckpoint(store.sqlite!)).toBe(1000);
    } finally {
      await store.close();
    }
  });
});
