// The file import's two ways of reading (in the importing thread, or in a worker thread while the
// importing thread writes) store the same rows and report the same counts and errors; a large load
// into SQLite rebuilds the table's secondary indexes once, and they exist after it whatever happens.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/cli/commands/generate.ts';
import { FileRejected, importFile, importOrder } from '../../src/ingest/files.ts';
import { bundledWorker, bundleWorkers, idleWorkerExitListeners } from '../../src/ingest/import-rows.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { preferRollbackJournal, suspendSecondaryIndexes } from '../../src/store/bulk-load.ts';
import Database from 'better-sqlite3';
import { upsertRecords } from '../../src/store/upsert.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { storeFactories } from '../helpers/stores.ts';

let dir: string;
let history: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'escapement-paths-'));
  await writeHistory({ scale: 'small', seed: 3 }, join(dir, 'history'));
  history = importOrder(readdirSync(join(dir, 'history')).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, 'history', f)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TABLES = ['teams', 'services', 'signals', 'deployments', 'changes', 'defects', 'test_runs', 'cost_entries'];

/** Every stored row but its id and bookkeeping times, in key order. */
async function contents(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = (await store.db.selectFrom(table as 'signals').selectAll().execute()) as Record<string, unknown>[];
    out[table] = rows
      .map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest)
      .sort((a, b) => JSON.stringify([a.source, a.external_id, a.name]).localeCompare(JSON.stringify([b.source, b.external_id, b.name])));
  }
  return out;
}

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const signal = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ source: 'alertmanager', external_id: `a${i}`, kind: 'alert', occurred_at: `2025-11-03T10:${String(i % 60).padStart(2, '0')}:00Z`, title: `alert ${i}`, service: `svc-${i % 7}`, ...extra });

describe.each(await storeFactories())('file import through a worker thread ($dialect)', (factory) => {
  it.skipIf(factory.skip)('stores what the importing thread stores, with the same counts, first and second time', async () => {
    const inline = await factory.open();
    const worker = await factory.open();
    try {
      for (const round of ['first', 'second']) {
        for (const file of history) {
          const a = await importFile(inline, file, { worker: false });
          // Small pieces: a JSONL file is cut into many, read by two workers.
          const b = await importFile(worker, file, { worker: true, readers: { readers: 2, pieceBytes: 4096 } });
          expect(b, `${round} import of ${file}`).toEqual(a);
          if (round === 'second') for (const counts of Object.values(b.counts)) expect(counts.inserted + counts.updated).toBe(0);
        }
      }
      expect(await contents(worker)).toEqual(await contents(inline));
    } finally {
      await inline.close();
      await worker.close();
    }
  });

  it.skipIf(factory.skip)('one worker serves many files without piling up listeners on it', async () => {
    const store = await factory.open();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const lines = readFileSync(history.find((f) => f.endsWith('signals.jsonl'))!, 'utf8').split('\n');
      for (let k = 0; k < 12; k++) {
        const file = write(`many-${factory.dialect}-${k}_signals.jsonl`, lines.slice(k * 5, k * 5 + 5).join('\n'));
        expect((await importFile(store, file, { worker: true })).counts.signal?.inserted).toBe(5);
      }
      const listeners = idleWorkerExitListeners();
      expect(listeners.length).toBeGreaterThan(0);
      expect(listeners.every((n) => n === 1)).toBe(true);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await store.close();
    }
  });

  it.skipIf(factory.skip)('reads a file in pieces as one thread reads it: line numbers, blank lines, line ends, repeated keys, services brought on midway', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      // A service line midway maps the names of the lines after it (and of none before it).
      if (i === 150) lines.push(JSON.stringify({ record: 'service', name: 'payments', aliases: ['svc-3', 'alertmanager:svc-4'] }));
      if (i % 37 === 0) lines.push('');
      if (i % 97 === 5) lines.push(JSON.stringify({ record: 'signal', source: 'alertmanager', kind: 'alert', title: 'no id', occurred_at: '2025-11-03T10:00:00Z' }));
      // Repeated keys: the last line with a key wins, as counted and stored by one thread.
      lines.push(signal(i % 300, { title: `alërt ${i}`, record: 'signal' }));
    }
    const file = write(`pieces-${factory.dialect}.jsonl`, `${lines.join('\r\n')}\n`);
    for (const skipInvalid of [false, true]) {
      const inline = await factory.open();
      const pieces = await factory.open();
      try {
        const a = await importFile(inline, file, { worker: false, skipInvalid }).catch((e: unknown) => (e as FileRejected).result);
        const b = await importFile(pieces, file, { worker: true, skipInvalid, readers: { readers: 2, pieceBytes: 1000 } }).catch((e: unknown) => (e as FileRejected).result);
        expect(b).toEqual(a);
        expect(a.errors.length).toBe(5);
        expect(a.stored).toBe(skipInvalid);
        expect(await contents(pieces)).toEqual(await contents(inline));
        if (skipInvalid) {
          const services = (await pieces.db.selectFrom('signals').select('service').execute()).map((r) => r.service);
          expect(services).toContain('payments');
          expect(services).toContain('svc-3');
        }
      } finally {
        await inline.close();
        await pieces.close();
      }
    }
  });

  it.skipIf(factory.skip)('reads the same through workers that load the sources through tsx (when esbuild cannot bundle them)', async () => {
    // Workers start from the bundle where esbuild is there, as it is here.
    expect(await bundledWorker()).toContain('function pieceRows(');
    const file = history.find((f) => f.endsWith('signals.jsonl'))!;
    const inline = await factory.open();
    const viaTsx = await factory.open();
    try {
      await bundleWorkers(false);
      const b = await importFile(viaTsx, file, { worker: true, readers: { readers: 2, pieceBytes: 4096 } });
      expect(b).toEqual(await importFile(inline, file, { worker: false }));
      expect(await contents(viaTsx)).toEqual(await contents(inline));
    } finally {
      await bundleWorkers(true);
      await inline.close();
      await viaTsx.close();
    }
  });

  it.skipIf(factory.skip)('fingerprints rows as upsertRecords does: records stored either way are unchanged the other way', async () => {
    const store = await factory.open();
    try {
      const lines = history.find((f) => f.endsWith('signals.jsonl'))!;
      const file = write(`few-${factory.dialect}_signals.jsonl`, readFileSync(lines, 'utf8').split('\n').slice(0, 50).join('\n'));
      const records = readFileSync(file, 'utf8').split('\n').map((l) => SignalSchema.parse(JSON.parse(l)));
      expect((await importFile(store, file, { worker: true })).counts.signal?.inserted).toBe(50);
      expect(await upsertRecords(store.db, 'signal', records)).toEqual({ inserted: 0, updated: 0, unchanged: 50 });
      expect(await upsertRecords(store.db, 'signal', records.slice(0, 10).map((r) => ({ ...r, title: `${r.title}!` })))).toEqual({ inserted: 0, updated: 10, unchanged: 0 });
      expect((await importFile(store, file, { worker: false })).counts.signal).toEqual({ inserted: 0, updated: 10, unchanged: 40, rejected: 0 });
    } finally {
      await store.close();
    }
  });

  it.skipIf(factory.skip)('rejects a file with a bad line with the same errors, storing nothing; --skip-invalid keeps the good lines', async () => {
    const store = await factory.open();
    try {
      const file = write(`bad-${factory.dialect}_signals.jsonl`, [signal(1), '{"title":', signal(2, { occurred_at: 'soon' }), signal(3)].join('\n'));
      const inline = (await importFile(store, file, { worker: false }).catch((e: unknown) => e)) as FileRejected;
      const viaWorker = (await importFile(store, file, { worker: true }).catch((e: unknown) => e)) as FileRejected;
      expect(viaWorker).toBeInstanceOf(FileRejected);
      expect(viaWorker.result).toEqual(inline.result);
      expect(viaWorker.result.errors.map((e) => [e.line, e.field])).toEqual([[2, undefined], [3, 'occurred_at']]);
      expect(await store.db.selectFrom('signals').select('id').execute()).toEqual([]);
      const skipped = await importFile(store, file, { worker: true, skipInvalid: true });
      expect(skipped.counts.signal).toEqual({ inserted: 2, updated: 0, unchanged: 0, rejected: 1 });
    } finally {
      await store.close();
    }
  });
});

describe('bulk loads into SQLite', () => {
  const indexesOf = (store: Store, table: string) =>
    store.sqlite!.prepare("select name from sqlite_master where type = 'index' and tbl_name = ? and sql is not null order by name").pluck().all(table);

  it('builds the secondary indexes once after a large load into an empty table, and they are there after it', async () => {
    const store = await openStore({ dbPath: join(dir, 'bulk.db') });
    try {
      const before = indexesOf(store, 'signals');
      expect(before.length).toBeGreaterThan(0);
      const file = write('bulk_signals.jsonl', Array.from({ length: 12_000 }, (_, i) => signal(i)).join('\n'));
      const during: unknown[][] = [];
      const result = await importFile(store, file, { onProgress: () => during.push(indexesOf(store, 'signals')) });
      expect(result.counts.signal?.inserted).toBe(12_000);
      expect(during.at(-1)).toEqual([]);
      expect(indexesOf(store, 'signals')).toEqual(before);
      // Index builds sorted in temporary files during the import; the store's own setting is back.
      expect(store.sqlite!.pragma('temp_store', { simple: true })).toBe(2);
      // The table now holds more than half as many rows as the file brings: a second load keeps the indexes up row by row.
      const again: unknown[][] = [];
      expect((await importFile(store, file, { onProgress: () => again.push(indexesOf(store, 'signals')) })).counts.signal?.unchanged).toBe(12_000);
      expect(again.at(-1)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('leaves the indexes in place when a large file is rejected', async () => {
    const store = await openStore({ dbPath: join(dir, 'bulk-rejected.db') });
    try {
      const before = indexesOf(store, 'signals');
      const file = write('bulk-bad_signals.jsonl', [...Array.from({ length: 12_000 }, (_, i) => signal(i)), '{"nope": 1}'].join('\n'));
      await expect(importFile(store, file)).rejects.toBeInstanceOf(FileRejected);
      expect(indexesOf(store, 'signals')).toEqual(before);
      expect(store.sqlite!.prepare('select count(*) from signals').pluck().get()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('restores the indexes with a rollback, and rebuilds them as they were', async () => {
    const store = await openStore({ dbPath: ':memory:' });
    try {
      const sqlite = store.sqlite!;
      const sqlOf = () => sqlite.prepare("select sql from sqlite_master where type = 'index' and tbl_name = 'deployments' and sql is not null order by name").pluck().all();
      const before = sqlOf();
      expect(() => suspendSecondaryIndexes(sqlite, 'deployments')).toThrow(/inside a transaction/);
      sqlite.exec('begin');
      suspendSecondaryIndexes(sqlite, 'deployments');
      expect(sqlOf()).toEqual([]);
      sqlite.exec('rollback');
      expect(sqlOf()).toEqual(before);
      sqlite.exec('begin');
      const rebuild = suspendSecondaryIndexes(sqlite, 'deployments');
      rebuild();
      sqlite.exec('commit');
      expect(sqlOf()).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('writes a large file through the rollback journal when the database is its own, and is on the log again after', async () => {
    const store = await openStore({ dbPath: join(dir, 'journal.db') });
    try {
      const sqlite = store.sqlite!;
      const file = write('journal_signals.jsonl', Array.from({ length: 40_000 }, (_, i) => signal(i, { body: 'x'.repeat(100) })).join('\n'));
      const modes: unknown[] = [];
      const result = await importFile(store, file, { onProgress: () => modes.push(sqlite.pragma('journal_mode', { simple: true })) });
      expect(result.counts.signal?.inserted).toBe(40_000);
      expect(new Set(modes)).toEqual(new Set(['delete']));
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('stays on the log, without waiting, when another connection has the database open', async () => {
    const store = await openStore({ dbPath: join(dir, 'journal-shared.db') });
    const other = new Database(join(dir, 'journal-shared.db'));
    try {
      other.prepare('select count(*) from signals').get();
      const started = performance.now();
      const restore = preferRollbackJournal(store.sqlite!);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(store.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
      restore();
      // The busy timeout the store set is back.
      expect(store.sqlite!.pragma('busy_timeout', { simple: true })).toBe(5000);
      const file = write('journal-shared_signals.jsonl', Array.from({ length: 40_000 }, (_, i) => signal(i, { body: 'x'.repeat(100) })).join('\n'));
      expect((await importFile(store, file)).counts.signal?.inserted).toBe(40_000);
      expect(other.prepare('select count(*) as n from signals').get()).toEqual({ n: 40_000 });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('puts the log back when the file is rejected', async () => {
    const store = await openStore({ dbPath: join(dir, 'journal-rejected.db') });
    try {
      const file = write('journal-bad_signals.jsonl', [...Array.from({ length: 40_000 }, (_, i) => signal(i, { body: 'x'.repeat(100) })), '{"nope": 1}'].join('\n'));
      await expect(importFile(store, file)).rejects.toBeInstanceOf(FileRejected);
      expect(store.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.sqlite!.prepare('select count(*) from signals').pluck().get()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
