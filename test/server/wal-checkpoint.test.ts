// WAL checkpoints in a worker thread while the server runs (src/ingest/wal-checkpoint.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { WalCheckpointer } from '../../src/ingest/wal-checkpoint.ts';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';

const signal = (i: number) => ({ source: 'generic', external_id: `s${i}`, kind: 'alert' as const, occurred_at: '2025-11-03T14:05:00.000Z', title: `signal ${i} ${'x'.repeat(500)}`, labels: {}, links: [] });

describe('WAL checkpoints off the server connection', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'escapement-wal-'));
    store = await openStore({ dbPath: join(dir, 'wal.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const autocheckpoint = () => store.sqlite!.pragma('wal_autocheckpoint', { simple: true });

  it('copies the log into the database from a worker while the connection itself does not', async () => {
    expect(autocheckpoint()).toBe(1000);
    const checkpointer = WalCheckpointer.start(store.sqlite!, { intervalMs: 10 })!;
    expect(checkpointer).toBeDefined();
    try {
      expect(autocheckpoint()).toBe(0);
      const copied = checkpointer.nextCheckpoint();
      for (let batch = 0; batch < 5; batch++) {
        await upsertRecords(store.db, 'signal', Array.from({ length: 200 }, (_, i) => signal(batch * 200 + i)), { sqlite: store.sqlite! });
      }
      const result = await copied;
      expect(result.checkpointed).toBeGreaterThan(0);
      expect(checkpointer.checkpoints).toBeGreaterThan(0);
    } finally {
      await checkpointer.stop();
    }
    expect(autocheckpoint()).toBe(1000);
    expect(store.sqlite!.prepare('select count(*) as n from signals').get()).toEqual({ n: 1000 });
  });

  it('runs while a server on a database file is up, and not for an in-memory database', async () => {
    const app = await buildApp({ store, config: ConfigSchema.parse({}) });
    expect(autocheckpoint()).toBe(0);
    await app.close();
    expect(autocheckpoint()).toBe(1000);
    const memory = await openStore({ dbPath: ':memory:' });
    try {
      expect(WalCheckpointer.start(memory.sqlite!)).toBeUndefined();
    } finally {
      await memory.close();
    }
  });
});
