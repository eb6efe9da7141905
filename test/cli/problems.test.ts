// `escapement problems` with the real binary: list what is set aside, set a problem aside with a
// reason, count it again; a bad id is a message, not a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/escapement.js');
const dir = mkdtempSync(join(tmpdir(), 'escapement-problems-'));
const db = join(dir, 'escapement.db');
const env = { ...process.env, DATABASE_URL: '', ESCAPEMENT_DB: '', ESCAPEMENT_ACTOR: 'cli-test' };
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });

const signals = [
  { record: 'signal', source: 'alertmanager', external_id: 'flap', kind: 'alert', occurred_at: '2025-11-03T09:55:00Z', resolved_at: '2025-11-03T10:03:00Z', severity: 'low', service: 'checkout', environment: 'production', title: 'CPUThrottlingHigh checkout' },
  { record: 'signal', source: 'pagerduty', external_id: 'PD1', kind: 'incident', occurred_at: '2025-11-03T14:00:00Z', resolved_at: '2025-11-03T16:00:00Z', severity: 'high', service: 'payments', environment: 'production', title: 'Payments failing: card processor timeouts' },
];

describe('escapement problems', { timeout: 120_000 }, () => {
  it('lists what is set aside, sets a problem aside, counts one again', () => {
    const file = join(dir, 'signals.jsonl');
    writeFileSync(file, signals.map((s) => JSON.stringify(s)).join('\n'));
    expect(run(['import', file]).status).toBe(0);
    expect(run(['pipeline', '--no-progress']).status).toBe(0);

    const aside = run(['problems', '--set-aside', '--period', '2025', '--json']);
    expect(aside.status).toBe(0);
    const listed = JSON.parse(aside.stdout) as { id: number; key: string }[];
    expect(listed.map((p) => p.key)).toEqual(['alertmanager:flap']);

    const all = JSON.parse(run(['problems', '--period', '2025', '--json']).stdout) as { id: number; key: string }[];
    expect(all.map((p) => p.key).sort()).toEqual(['alertmanager:flap', 'pagerduty:PD1']);

    const restored = run(['problems', 'restore', String(listed[0]!.id)]);
    expect(restored.stdout).toMatch(/^counted again: #\d+ +code .* checkout /);

    const pd = all.find((p) => p.key === 'pagerduty:PD1')!;
    const dismissed = run(['problems', 'dismiss', String(pd.id), '--reason', 'a game day drill', '--json']);
    expect(JSON.parse(dismissed.stdout)).toMatchObject({ review_state: 'dismissed', type_rationale: expect.stringMatching(/^not counted \(set aside by cli-test\): a game day drill\./) });

    const bad = run(['problems', 'dismiss', '99999']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/problem 99999 does not exist/);
  });

  it('runs the pipeline in worker threads when asked, and says so; a bad choice or a store without a file is a usage error', () => {
    const file = join(dir, 'signals.jsonl');
    writeFileSync(file, signals.map((s) => JSON.stringify(s)).join('\n'));
    expect(run(['import', file]).status).toBe(0);
    const threads = run(['pipeline', '--no-progress', '--workers', 'always', '--json']);
    expect(threads.status).toBe(0);
    expect(JSON.parse(threads.stdout)).toMatchObject({ signals: 2, problems: 2, workers: true });
    const one = run(['pipeline', '--no-progress', '--workers', 'never']);
    expect(one.stdout).not.toMatch(/worker threads/);
    const bad = run(['pipeline', '--workers', 'sometimes']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Allowed choices are auto, always, never/);
    const memory = spawnSync(process.execPath, [BIN, 'pipeline', '--workers', 'always', '--db', ':memory:'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    expect(memory.status).toBe(2);
    expect(memory.stderr).toMatch(/--workers always needs a SQLite database file; :memory: is not one/);
    // Refused before connecting: the PostgreSQL URL names nothing that answers.
    const postgres = spawnSync(process.execPath, [BIN, 'pipeline', '--workers', 'always'], { cwd: dir, env: { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, encoding: 'utf8', timeout: 60_000 });
    expect(postgres.status).toBe(2);
    expect(postgres.stderr).toMatch(/DATABASE_URL selects PostgreSQL/);
  });
});
