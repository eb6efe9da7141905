// `escapement deploy` records a deployment through the generic body and the store path; a later call with
// the same --id updates it; bad flags fail with the flag's name and store nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/main.ts';
import { openStore } from '../../../src/store/connection.ts';
import { listRecords } from '../../../src/store/records.ts';

const db = join(mkdtempSync(join(tmpdir(), 'escapement-deploy-')), 'escapement.db');

async function deploy(...args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void (out += `${String(line)}\n`));
  process.exitCode = undefined;
  try {
    await runCli(['node', 'escapement', 'deploy', '--db', db, ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    log.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, err, code };
}

async function stored() {
  const store = await openStore({ dbPath: db });
  try {
    return (await listRecords(store.db, 'deployments', {})).data;
  } finally {
    await store.close();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('escapement deploy', () => {
  it('records a deployment, then updates it by id', async () => {
    const first = await deploy('--id', 'jenkins-991', '--service', 'checkout', '--version', '2.4.1', '--env', 'prod', '--sha', 'abc1234', '--status', 'in_progress', '--started', '2025-11-03T10:00:00Z', '--ref', 'hotfix/tax', '--json');
    expect(first.code).toBeUndefined();
    expect(JSON.parse(first.out)).toMatchObject({ deployment: { external_id: 'jenkins-991', environment: 'production', status: 'in_progress', kind: 'hotfix' }, totals: { inserted: 1 } });
    // The update names no kind: the hotfix found from --ref before stays.
    const second = await deploy('--id', 'jenkins-991', '--service', 'checkout', '--version', '2.4.1', '--status', 'success', '--finished', '2025-11-03T10:07:00Z');
    expect(second.out).toBe('deployment jenkins-991: checkout 2.4.1 → production, success, hotfix (named "hotfix/tax") — updated\n');
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: 'deployment', external_id: 'jenkins-991', service: 'checkout', version: '2.4.1', commit_sha: 'abc1234', environment: 'production',
      started_at: '2025-11-03T10:00:00.000Z', finished_at: '2025-11-03T10:07:00.000Z', status: 'success', kind: 'hotfix',
    });
    // A person overrides the kind; the reason says so.
    await deploy('--id', 'jenkins-991', '--service', 'checkout', '--version', '2.4.1', '--kind', 'fix-forward', '--finished', '2025-11-03T10:07:00Z', '--actor', 'dana');
    expect((await stored())[0]).toMatchObject({ kind: 'fix_forward', kind_reason: 'set by a person (escapement deploy --kind): fix-forward', status: 'success', started_at: '2025-11-03T10:00:00.000Z' });
    const store = await openStore({ dbPath: db });
    const decisions = await store.db.selectFrom('decisions').select(['action', 'subject', 'actor', 'payload']).execute();
    await store.close();
    expect(decisions.map((d) => [d.action, d.subject, d.actor])).toEqual([['deployment_kind', 'deployment:jenkins-991', 'dana']]);
  });

  it('names the flag that is wrong and stores nothing', async () => {
    const bad = await deploy('--service', 'checkout', '--version', '2.5.0', '--finished', 'tomorrow');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--finished: expected an ISO-8601 time');
    const noVersion = await deploy('--service', 'checkout');
    expect(noVersion.err).toContain('--version: is required when there is no id');
    expect(await stored()).toHaveLength(1);
  });

  it('stores a deployment and a person\'s kind together or not at all', async () => {
    // A store whose decisions table is gone: recording the kind fails, so the deployment must not be stored either.
    const broken = join(mkdtempSync(join(tmpdir(), 'escapement-deploy-')), 'escapement.db');
    const store = await openStore({ dbPath: broken });
    await store.db.schema.dropTable('decisions').execute();
    await store.close();
    await expect(runCli(['node', 'escapement', 'deploy', '--db', broken, '--id', 'run-7', '--service', 'checkout', '--version', '2.6.0', '--kind', 'hotfix', '--finished', '2025-11-04T10:00:00Z'])).rejects.toThrow(/decisions/);
    const after = await openStore({ dbPath: broken });
    try {
      expect((await listRecords(after.db, 'deployments', {})).data).toEqual([]);
    } finally {
      await after.close();
    }
  });
});
