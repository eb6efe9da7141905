// A real Prometheus Alertmanager (Debian package `prometheus-alertmanager`) delivers a firing and then
// a resolved alert to a running Escapement over loopback; the signal opens, then closes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';

const BINARY_NAMES = ['prometheus-alertmanager', 'alertmanager'];
const binary = (process.env.PATH ?? '')
  .split(delimiter)
  .flatMap((dir) => BINARY_NAMES.map((name) => join(dir, name)))
  .find((path) => existsSync(path));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls until `check` returns a value, for at most `ms`; every wait in this file is bounded. */
async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

describe.skipIf(!binary)(`a real Alertmanager delivering to Escapement${binary ? '' : ' (skipped: prometheus-alertmanager is not installed)'}`, () => {
  let store: Store;
  let app: FastifyInstance;
  let alertmanager: ChildProcess | undefined;
  let amUrl = '';
  let dir = '';
  let amLog = '';

  beforeAll(async () => {
    store = await openStore({ dbPath: ':memory:' });
    app = await buildApp({ store, config: ConfigSchema.parse({}) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const escapementPort = typeof address === 'object' && address ? address.port : 0;

    dir = mkdtempSync(join(tmpdir(), 'escapement-am-'));
    const config = [
      'route:',
      '  receiver: escapement',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: escapement',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${escapementPort}/api/v1/webhooks/alertmanager`,
      '        send_resolved: true',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'alertmanager.yml'), config);
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    alertmanager = spawn(
      binary!,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    alertmanager.stdout?.on('data', (d: Buffer) => (amLog += d.toString()));
    alertmanager.stderr?.on('data', (d: Buffer) => (amLog += d.toString()));
    await waitFor('Alertmanager to be ready', 20_000, async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined)).catch((error: Error) => {
      throw new Error(`${error.message}\n${amLog}`);
    });
  }, 60_000);

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      const exited = new Promise((r) => alertmanager!.once('exit', r));
      alertmanager.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (alertmanager.exitCode === null) alertmanager.kill('SIGKILL');
    }
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const postAlert = async (endsAt: Date) => {
    const startsAt = new Date(Date.now() - 60_000);
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'CheckoutErrorRate', service: 'checkout-api', severity: 'critical', env: 'production' },
          annotations: { summary: 'Checkout 5xx above 5%', description: 'Since release v2.4.1; see PAY-123' },
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate',
        },
      ]),
    });
    expect(res.status).toBe(200);
  };

  const signalRow = () => store.db.selectFrom('signals').selectAll().where('source', '=', 'alertmanager').executeTakeFirst();

  it('opens a signal on the firing alert and closes it on the resolved one', async () => {
    await postAlert(new Date(Date.now() + 10 * 60_000));
    const firing = await waitFor('the firing webhook', 30_000, signalRow);
    expect(firing).toMatchObject({
      kind: 'alert',
      status: 'open',
      resolved_at: null,
      title: 'Checkout 5xx above 5%',
      body: 'Since release v2.4.1; see PAY-123',
      severity: 'critical',
      service: 'checkout-api',
      environment: 'production',
      url: 'http://prometheus.example:9090/graph?g0.expr=rate',
    });
    // Alertmanager's own fingerprint keys the signal.
    expect(firing.external_id).toMatch(/^[0-9a-f]{16}$/);

    await postAlert(new Date(Date.now() - 1000));
    const resolved = await waitFor('the resolved webhook', 30_000, async () => {
      const row = await signalRow();
      return row?.status === 'resolved' ? row : undefined;
    });
    expect(resolved.external_id).toBe(firing.external_id);
    expect(resolved.resolved_at).not.toBeNull();
    expect(resolved.occurred_at).toBe(firing.occurred_at);
    const all = await store.db.selectFrom('signals').select('id').execute();
    expect(all).toHaveLength(1);
  }, 90_000);
});
