// A store that cannot be set up or migrated lets go of what it opened: the SQLite file, the PostgreSQL
// pool (the server and the tests open stores in a long-lived process).
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/connection.ts';
import { PG_URL, postgresUnavailable } from '../helpers/stores.ts';

/** How many of this process's file descriptors point at `path` (Linux). */
const handlesOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

const linux = process.platform === 'linux';
const pgSkip = await postgresUnavailable();

describe.skipIf(!linux)('a SQLite store that fails to open', () => {
  it('closes a file that is not a database', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'esc-open-')), 'notes.db');
    writeFileSync(path, 'these are not the pages of a SQLite database, only some text long enough to be read as a header '.repeat(20));
    await expect(openStore({ dbPath: path })).rejects.toThrow(/not a database/);
    expect(handlesOn(path)).toBe(0);
  });

  it('closes a database that a later version migrated', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'esc-open-')), 'newer.db');
    await (await openStore({ dbPath: path })).close();
    const raw = new Database(path);
    raw.prepare(`insert into escapement_migrations (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`).run();
    raw.close();
    await expect(openStore({ dbPath: path })).rejects.toThrow(/9999_from_the_future/);
    expect(handlesOn(path)).toBe(0);
  });
});

describe.skipIf(pgSkip)(`a PostgreSQL store that fails to open${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  it('ends its pool when the schema cannot be created', async () => {
    const ended = vi.spyOn(pg.Pool.prototype, 'end');
    try {
      // A role that may not create schemas: the first query fails before any migration runs.
      await expect(openStore({ databaseUrl: PG_URL.replace('postgres@', 'escapement_nobody@'), pgSchema: 'esc_test_never' })).rejects.toThrow(/escapement_nobody/);
      expect(ended).toHaveBeenCalledTimes(1);
    } finally {
      ended.mockRestore();
    }
  });
});
