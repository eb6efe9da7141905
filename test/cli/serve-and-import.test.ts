// The real binary: `escapement import` then `escapement serve`, as a user runs them.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/escapement.js');
const dir = mkdtempSync(join(tmpdir(), 'escapement-cli-'));
const db = join(dir, 'escapement.db');
const env = { ...process.env, DATABASE_URL: '', ESCAPEMENT_DB: '' };
const children: ReturnType<typeof spawn>[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
}

// Each test spawns the real binary (node + tsx) several times: slow on a loaded 2-core machine.
describe('escapement CLI', { timeout: 120_000 }, () => {
  it('imports a CSV, reports a malformed line with its line and field, and leaves the database unchanged', () => {
    const good = join(dir, 'deployments.csv');
    writeFileSync(good, 'source,external_id,service,version,finished_at\nci,1,checkout,1.0.0,2025-11-03T10:00:00Z\n');
    const ok = run(['import', good, '--db', db, '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).totals.deployment).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 0 });

    const bad = join(dir, 'more-deployments.csv');
    writeFileSync(bad, 'source,external_id,service,version,finished_at\nci,2,checkout,1.0.1,2025-11-04T10:00:00Z\nci,3,,1.0.2,2025-11-05T10:00:00Z\n');
    const rejected = run(['import', bad, '--db', db]);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain('rejected, nothing stored');
    expect(rejected.stderr).toContain(`${bad}:3: deployment field service: is required`);

    const again = run(['import', good, bad, '--db', db, '--json', '--skip-invalid']);
    expect(JSON.parse(again.stdout).totals.deployment).toEqual({ inserted: 1, updated: 0, unchanged: 1, rejected: 1 });
  });

  it('rejects an unknown period, kind or file with a usage message', () => {
    const res = run(['import', join(dir, 'nope.jsonl'), '--db', db]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/nope\.jsonl: no such file or directory/);
    const kind = run(['import', join(dir, 'deployments.csv'), '--db', db, '--record', 'incident']);
    expect(kind.status).toBe(2);
    expect(kind.stderr).toMatch(/--record: expected one of/);
  });

  it('serves the API on the given port over the same database', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--db', db, '--log-level', 'warn'], { cwd: dir, env });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const deadline = Date.now() + 30_000;
    let health: Response | undefined;
    while (Date.now() < deadline) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (health) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health?.status, stderr).toBe(200);
    const deployments = (await (await fetch(`http://127.0.0.1:${port}/api/v1/deployments`)).json()) as { data: unknown[] };
    expect(deployments.data).toHaveLength(2);
    expect(stderr).toContain(`Escapement is running on http://localhost:${port}`);
    child.kill('SIGTERM');
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(0);
  });
});
