// The generate and demo commands as a user runs them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { UserError } from '../../src/cli/common.ts';
import { openStore } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';

const dir = mkdtempSync(join(tmpdir(), 'escapement-gen-cli-'));
const run = (...args: string[]) => buildProgram().exitOverride().parseAsync(['node', 'escapement', ...args]);

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('escapement generate', () => {
  it('prints a JSON summary whose counts match the files', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const target = join(dir, 'small');
    await run('generate', '--scale', 'small', '--seed', '5', '--end', '2025-06-30', '--out', target, '--json');
    const summary = JSON.parse(out.join('')) as { scale: string; seed: number; from: string; to: string; files: Record<string, number>; truth: Record<string, number> };
    expect(summary.scale).toBe('small');
    expect(summary.seed).toBe(5);
    expect(summary.from).toBe('2025-04-01');
    expect(summary.to).toBe('2025-06-30');
    const lines = (file: string) => readFileSync(join(target, file), 'utf8').split('\n').filter(Boolean).length;
    expect(summary.files['signals.jsonl']).toBe(lines('signals.jsonl'));
    expect(summary.truth['ground-truth/problems.jsonl']).toBe(lines('ground-truth/problems.jsonl'));
    const first = JSON.parse(readFileSync(join(target, 'signals.jsonl'), 'utf8').split('\n')[0]!) as { occurred_at: string };
    expect(first.occurred_at >= '2025-04-01' && first.occurred_at < '2025-07-01').toBe(true);
  });

  it('rejects an unknown scale, a seed that is not a number and a malformed end date', async () => {
    await expect(run('generate', '--scale', 'huge', '--out', dir)).rejects.toThrow(/--scale: expected one of small, medium, large/);
    await expect(run('generate', '--seed', 'abc', '--out', dir)).rejects.toThrow(/--seed: expected an integer/);
    await expect(run('generate', '--end', '2025-13-45', '--out', dir)).rejects.toThrow(UserError);
  });
});

describe('escapement demo', () => {
  it('refuses a database that already holds signals', async () => {
    const dbPath = join(dir, 'busy.db');
    const store = await openStore({ dbPath });
    await upsertRecords(store.db, 'signal', [{ source: 'pagerduty', external_id: 'P1', kind: 'incident', occurred_at: '2025-11-01T10:00:00.000Z', title: 'Checkout down', labels: {}, links: [] }]);
    await store.close();
    // --db names the SQLite file only when DATABASE_URL does not select PostgreSQL.
    vi.stubEnv('DATABASE_URL', '');
    await expect(run('demo', '--db', dbPath)).rejects.toThrow(/already holds 1 signals.*--force/);
  });

  it('loads a small history ending now and runs the pipeline: problems are in the store, nothing in the future', async () => {
    const dbPath = join(dir, 'demo.db');
    vi.stubEnv('DATABASE_URL', '');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const before = new Date().toISOString();
    await run('demo', '--db', dbPath, '--scale', 'small', '--json');
    const after = new Date().toISOString();
    const summary = JSON.parse(out.join('')) as { scale: string; to: string; stored: Record<string, number>; pipeline: { signals: number; problems: number } };
    expect(summary.scale).toBe('small');
    expect(summary.to).toBe(after.slice(0, 10));
    const store = await openStore({ dbPath });
    try {
      const count = async (table: 'signals' | 'problems' | 'deployments') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('signals')).toBe(summary.stored.signals);
      expect(await count('deployments')).toBe(summary.stored.deployments);
      const problems = await count('problems');
      expect(problems).toBe(summary.pipeline.problems);
      expect(problems).toBeGreaterThan(50);
      const latest = await store.db.selectFrom('signals').select((eb) => [eb.fn.max('occurred_at').as('occurred'), eb.fn.max('detected_at').as('detected'), eb.fn.max('resolved_at').as('resolved')]).executeTakeFirstOrThrow();
      for (const value of Object.values(latest)) expect(new Date(String(value)).toISOString() <= after, String(value)).toBe(true);
      // The history ends now, not long ago (within two days: just after midnight UTC today has no signal yet).
      expect(Date.parse(String(latest.occurred))).toBeGreaterThan(Date.parse(before) - 2 * 86_400_000);
      // Time to detect is not zero: for problems of several signals (a lone support ticket or chat
      // message is seen as it is written) the pipeline's detected_at comes after the impact start.
      const rows = await store.db.selectFrom('problems').select(['impact_start', 'detected_at', 'signal_count']).where('signal_count', '>', 1).execute();
      expect(rows.length).toBeGreaterThan(30);
      const later = rows.filter((r) => r.detected_at !== null && new Date(String(r.detected_at)) > new Date(String(r.impact_start))).length;
      expect(later / rows.length).toBeGreaterThan(0.8);
    } finally {
      await store.close();
    }
  });
});
