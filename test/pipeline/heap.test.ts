// A pipeline run turns V8's allocation-site pretenuring off (src/heap.ts), once per process: with it,
// some runs of the same history spent four times as long in young collections as others.
import { describe, expect, it, vi } from 'vitest';

const v8 = vi.hoisted(() => ({ flags: [] as string[] }));
vi.mock('node:v8', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:v8')>()),
  setFlagsFromString: (flags: string) => v8.flags.push(flags),
}));

const { openStore } = await import('../../src/store/connection.ts');
const { runPipeline } = await import('../../src/pipeline/run.ts');
const { DEFAULT_CONFIG } = await import('../../src/domain/config.ts');

describe('the heap a pipeline run works in', () => {
  it('has pretenuring turned off, once per process', async () => {
    const store = await openStore({ dbPath: ':memory:' });
    try {
      expect(v8.flags).toEqual([]);
      await runPipeline(store, DEFAULT_CONFIG);
      expect(v8.flags).toEqual(['--no-allocation-site-pretenuring']);
      await runPipeline(store, DEFAULT_CONFIG);
      expect(v8.flags).toEqual(['--no-allocation-site-pretenuring']);
    } finally {
      await store.close();
    }
  });
});
