// The metrics shell end to end over a real (in-memory) store: the HTTP routes and the CLI command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { DefectSchema, DeploymentSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runCli } from '../../src/cli/main.ts';

async function seed(store: Store) {
  await upsertRecords(store.db, 'deployment', [
    DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '1.0', finished_at: '2025-11-05T10:00:00Z' }),
    DeploymentSchema.parse({ source: 'github', external_id: 'd2', service: 'checkout', version: '1.1', finished_at: '2025-11-15T10:00:00Z' }),
  ]);
  await upsertRecords(store.db, 'defect', [DefectSchema.parse({ source: 'jira', external_id: 'QA-1', title: 'bug', service: 'checkout', found_at: '2025-11-10T10:00:00Z' })]);
  const d2 = await store.db.selectFrom('deployments').select('id').where('external_id', '=', 'd2').executeTakeFirstOrThrow();
  await store.db
    .insertInto('problems')
    .values({ key: 'pd:1', title: 'errors', service: 'checkout', services: '["checkout"]', impact_start: '2025-11-16T10:00:00.000Z', signal_count: 1, type: 'code', review_state: 'confirmed', deployment_id: d2.id, created_at: '2025-11-16T10:00:00.000Z', updated_at: '2025-11-16T10:00:00.000Z' })
    .execute();
}

describe('GET /api/v1/metrics', () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await openStore({ dbPath: ':memory:' });
    await seed(store);
    app = await buildApp({ store, config: ConfigSchema.parse({ slos: [{ service: 'checkout', objective: 99.9 }] }) }, { webDist: '/nonexistent' });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('bundles the overview with every number showing its work', async () => {
    const res = await app.inject('/api/v1/metrics/overview?period=2025-11');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.selection.period.label).toBe('2025-11');
    expect(body.ddr.ddr).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(body.ddr.releases).toBe(2);
    expect(body.epr.epr).toMatchObject({ value: 0.5, band: 'good' });
    expect(body.dora.change_fail_rate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(body.budgets[0].service).toBe('checkout');
  });

  it('serves each family, narrows by service, and explains bad input', async () => {
    const ddr = (await app.inject('/api/v1/metrics/ddr?period=2025-11&service=checkout')).json();
    expect(ddr.per_release.map((r: { version: string }) => r.version)).toEqual(['1.0', '1.1']);
    const none = (await app.inject('/api/v1/metrics/epr?period=2025-11&service=search')).json();
    expect(none.epr.value).toBeNull();
    expect((await app.inject('/api/v1/metrics/dora?definitions=2021')).json().all.recovery_time.name).toBe('time to restore service');
    const unknown = await app.inject('/api/v1/metrics/velocity');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('overview');
    const badDefinitions = await app.inject('/api/v1/metrics/dora?definitions=2019');
    expect(badDefinitions.statusCode).toBe(400);
    expect(badDefinitions.json().message).toContain('definitions');
    const badPeriod = await app.inject('/api/v1/metrics/ddr?period=someday');
    expect(badPeriod.statusCode).toBe(400);
    expect(badPeriod.json().message).toContain('period');
  });

  it('documents every family in the OpenAPI document', async () => {
    const doc = (await app.inject('/api/v1/openapi.json')).json();
    for (const family of ['overview', 'escapes', 'cost', 'ddr', 'ipr', 'epr', 'rcs', 'dora', 'budgets', 'patterns']) {
      expect(doc.paths[`/api/v1/metrics/${family}`].get.tags).toEqual(['metrics']);
    }
  });
});

describe('escapement metrics', () => {
  it('prints a table by default and JSON with --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-metrics-'));
    const db = join(dir, 'test.db');
    const store = await openStore({ dbPath: db });
    await seed(store);
    await store.close();
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await runCli(['node', 'escapement', 'metrics', 'ddr', '--db', db, '--period', '2025-11']);
      await runCli(['node', 'escapement', 'metrics', 'epr', '--db', db, '--period', '2025-11', '--json']);
    } finally {
      process.stdout.write = write;
      rmSync(dir, { recursive: true, force: true });
    }
    const table = out[0]!;
    expect(table).toContain('ddr — 2025-11, all services');
    expect(table).toMatch(/ddr\s+50\.0%\s+1\/2\s+2\s+alarm/);
    const json = JSON.parse(out.slice(1).join(''));
    expect(json.epr).toMatchObject({ numerator: 1, denominator: 2, band: 'good' });
  });
});
