// The report shell over real stores: GET /api/v1/reports/:audience on SQLite and PostgreSQL, and
// `escapement report` writing Markdown and HTML files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { DeploymentSchema } from '../../src/domain/records.ts';
import { ConfigSchema } from '../../src/domain/config.ts';
import { runCli } from '../../src/cli/main.ts';
import { storeFactories } from '../helpers/stores.ts';

const TITLE = '<img src=x onerror=alert(1)> checkout 500s';

async function seed(store: Store) {
  await upsertRecords(store.db, 'deployment', [
    DeploymentSchema.parse({ source: 'github', external_id: 'd1', service: 'checkout', version: '1.0', finished_at: '2025-11-05T10:00:00Z' }),
    DeploymentSchema.parse({ source: 'github', external_id: 'd2', service: 'checkout', version: '1.1', finished_at: '2025-11-15T10:00:00Z' }),
  ]);
  const d2 = await store.db.selectFrom('deployments').select('id').where('external_id', '=', 'd2').executeTakeFirstOrThrow();
  await store.db
    .insertInto('problems')
    .values({ key: 'pd:1', title: TITLE, service: 'checkout', services: '["checkout"]', impact_start: '2025-11-16T10:00:00.000Z', signal_count: 1, type: 'code', review_state: 'confirmed', deployment_id: d2.id, created_at: '2025-11-16T10:00:00.000Z', updated_at: '2025-11-16T10:00:00.000Z' })
    .execute();
}

for (const factory of await storeFactories()) {
  describe.skipIf(factory.skip !== null)(`GET /api/v1/reports/:audience (${factory.dialect}${factory.skip ? `: ${factory.skip}` : ''})`, () => {
    let store: Store;
    let app: FastifyInstance;
    beforeAll(async () => {
      store = await factory.open();
      await seed(store);
      app = await buildApp({ store, config: ConfigSchema.parse({}) }, { webDist: '/nonexistent' });
    });
    afterAll(async () => {
      await app?.close();
      await store?.close();
    });

    it('writes the report from the stored data, as Markdown by default', async () => {
      const res = await app.inject({ url: '/api/v1/reports/sprint?period=2025-11' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expect(res.body).toContain('# Sprint review — 2025-11');
      expect(res.body).toContain('1[^c2] escaped problem — 1[^c3] code defect; total cost about 5[^c4] hours.');
      expect(res.body).toContain('Per release: 0.5[^c5] escaped problems (good) and about 2.5[^c6] hours of rework over 2[^c7] releases.');
    });

    it('escapes stored titles in HTML and links the numbers to the evidence pages', async () => {
      const res = await app.inject({ url: '/api/v1/reports/em?period=2025-11&format=html' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).not.toContain('<img');
      expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt; checkout 500s');
      expect(res.body).toMatch(/<a class="num" href="\/evidence\?title=escaped\+problems&amp;problems=\d+"/);
    });

    it('gives JSON with the record ids and a slide', async () => {
      const res = await app.inject({ url: '/api/v1/reports/board?period=2025-11&format=json&slide=true' });
      const body = res.json() as { slide: { decision: { label: string; reason: { text: string }[] }; numbers: unknown[] }; citations: { path: string; evidence: { deployments?: number[] } }[] };
      // No pre-release defect is recorded against the one escape: DDR 0 of 1, the alarm band.
      expect(body.slide.decision.label).toBe('Act');
      expect(body.slide.decision.reason.map((p) => p.text).join('')).toBe('testing caught only 0% of defects before customers saw them');
      expect(body.slide.numbers).toHaveLength(4);
      expect(body.citations.find((c) => c.path === 'current.epr.releases.count')?.evidence.deployments).toHaveLength(2);
    });

    it('says plainly when the period has no data', async () => {
      const res = await app.inject({ url: '/api/v1/reports/board?period=2024-03' });
      expect(res.body).toContain('No data for 2024-03: no problems reaching customers and no releases were recorded');
      expect(res.body).not.toContain('[^');
    });

    it('names what is wrong in a request', async () => {
      expect((await app.inject({ url: '/api/v1/reports/cfo' })).statusCode).toBe(404);
      const format = await app.inject({ url: '/api/v1/reports/em?format=docx' });
      expect(format.statusCode).toBe(400);
      expect(format.json()).toEqual({ error: 'bad_request', message: 'format: expected one of md, html, pdf, json, got "docx"' });
      expect((await app.inject({ url: '/api/v1/reports/em?period=2025-13' })).json()).toMatchObject({ message: 'period: period "2025-13": month must be 01–12' });
      const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
      expect(doc.paths['/api/v1/reports/{audience}']).toBeDefined();
    });
  });
}

describe('escapement report', () => {
  it('writes Markdown to standard output and HTML to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-report-'));
    const db = join(dir, 'test.db');
    const store = await openStore({ dbPath: db });
    await seed(store);
    await store.close();
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await runCli(['node', 'escapement', 'report', '--db', db, '--audience', 'weekly', '--period', '2025-11']);
      await runCli(['node', 'escapement', 'report', '--db', db, '--audience', 'em', '--period', '2025-11', '--format', 'html', '--out', join(dir, 'em.html')]);
      const html = readFileSync(join(dir, 'em.html'), 'utf8');
      expect(html).toContain('href="http://localhost:7373/evidence?title=');
      expect(html).toContain('&lt;img src=x');
      await runCli(['node', 'escapement', 'report', '--db', db, '--audience', 'cfo', '--period', '2025-11']);
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out.join('')).toContain('# Weekly status — 2025-11');
    expect(out.join('')).toContain('1[^c2] escaped problem (1[^c3] code defect), about 5[^c4] hours.');
  });
});
