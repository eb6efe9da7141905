// The HTTP API over stored records: health, listings with filters and pages, OpenAPI, the home page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';
import { upsertRecords } from '../../src/store/upsert.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';

let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  store = await openStore({ dbPath: ':memory:' });
  const signals = Array.from({ length: 30 }, (_, i) =>
    SignalSchema.parse({
      source: 'alertmanager',
      external_id: `fp-${i}`,
      kind: 'alert',
      occurred_at: `2025-${i < 15 ? '10' : '11'}-${String((i % 15) + 1).padStart(2, '0')}T08:00:00Z`,
      title: i === 0 ? '<script>alert(1)</script> disk full' : `Disk usage high on node-${i}`,
      service: i % 3 === 0 ? 'search' : 'checkout',
      raw: { fingerprint: `fp-${i}` },
    }),
  );
  await upsertRecords(store.db, 'signal', signals);
  app = await buildApp({ store, config: DEFAULT_CONFIG }, { webDist: '/nonexistent' });
});

afterAll(async () => {
  await app.close();
  await store.close();
});

describe('HTTP API', () => {
  it('answers health with the store kind', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', store: 'sqlite' });
  });

  it('lists signals newest first, filtered by service and period, page by page', async () => {
    const first = await app.inject('/api/v1/signals?service=checkout&period=2025-11&limit=5');
    expect(first.statusCode).toBe(200);
    const body = first.json() as { data: Record<string, unknown>[]; next_cursor: string | null };
    expect(body.data).toHaveLength(5);
    expect(body.data.every((s) => s.service === 'checkout' && String(s.occurred_at).startsWith('2025-11'))).toBe(true);
    expect(body.data[0]).not.toHaveProperty('raw');
    const ids = body.data.map((s) => s.external_id);
    const second = (await app.inject(`/api/v1/signals?service=checkout&period=2025-11&limit=5&cursor=${body.next_cursor}`)).json() as typeof body;
    expect(second.data.length).toBe(5);
    expect(second.next_cursor).toBeNull();
    expect(second.data.some((s) => ids.includes(s.external_id))).toBe(false);
  });

  it("gives each signal the problem it belongs to, and lists a problem's signals", async () => {
    const ids = await store.db.selectFrom('signals').select('id').where('external_id', 'in', ['fp-3', 'fp-4']).execute();
    await store.db.insertInto('signal_problems').values(ids.map((s) => ({ signal_id: s.id, problem_id: 77 }))).execute();
    try {
      const pointed = (await app.inject('/api/v1/signals?problem_id=77')).json() as { data: Record<string, unknown>[] };
      expect(pointed.data.map((s) => [s.external_id, s.problem_id])).toEqual([['fp-4', 77], ['fp-3', 77]]);
      const filtered = (await app.inject('/api/v1/signals?problem_id=77&service=search')).json() as { data: Record<string, unknown>[] };
      expect(filtered.data.map((s) => s.external_id)).toEqual(['fp-3']);
      const unplaced = (await app.inject('/api/v1/signals?service=checkout&limit=1')).json() as { data: Record<string, unknown>[] };
      expect(unplaced.data[0]).toMatchObject({ problem_id: null, service: 'checkout' });
    } finally {
      await store.db.deleteFrom('signal_problems').execute();
    }
  });

  it('includes the raw payload only when asked', async () => {
    const res = (await app.inject('/api/v1/signals?limit=1&include=raw')).json() as { data: { raw: unknown }[] };
    expect(res.data[0]?.raw).toMatchObject({ fingerprint: expect.stringMatching(/^fp-/) });
  });

  it.each([
    ['/api/v1/signals?colour=red', /colour: not a filter of signals/],
    ['/api/v1/signals?period=next-year', /period "next-year" not understood/],
    ['/api/v1/signals?limit=0', /limit: expected an integer from 1 to 1000/],
    ['/api/v1/signals?cursor=abc', /cursor: not a cursor/],
    ['/api/v1/teams?period=2025-Q1', /teams have no time/],
  ])('answers %s with 400 and a message naming the parameter', async (url, message) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('answers an unknown route with 404 naming it', async () => {
    const res = await app.inject('/api/v1/unicorns');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('no route GET /api/v1/unicorns');
  });

  it('publishes an OpenAPI document describing the listings and the record schemas', async () => {
    const doc = (await app.inject('/api/v1/openapi.json')).json() as { openapi: string; paths: Record<string, { get?: { parameters?: { name: string }[] } }>; components: { schemas: Record<string, { required?: string[] }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/signals']?.get?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['service', 'period', 'cursor', 'limit']));
    expect(doc.components.schemas.signal?.required).toEqual(expect.arrayContaining(['external_id', 'kind', 'occurred_at', 'title']));
  });

  it('shows record counts on the home page, with titles and names escaped', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('<td>30</td>');
    expect(res.body).not.toContain('<script>');
  });
});

describe('POST /api/v1/import', () => {
  const deployment = { record: 'deployment', source: 'ci', external_id: 'imp-1', service: 'checkout', version: '3.0.0', finished_at: '2025-11-20T10:00:00Z' };

  it('stores a JSON array and reports counts; the same body again is unchanged', async () => {
    const first = await app.inject({ method: 'POST', url: '/api/v1/import', payload: [deployment] });
    expect(first.statusCode).toBe(200);
    expect(first.json().counts.deployment).toEqual({ inserted: 1, updated: 0, unchanged: 0, rejected: 0 });
    const again = await app.inject({ method: 'POST', url: '/api/v1/import', payload: [deployment] });
    expect(again.json().counts.deployment).toMatchObject({ inserted: 0, unchanged: 1 });
  });

  it('rejects a body with one bad record, naming it, and stores nothing', async () => {
    const body = [JSON.stringify({ ...deployment, external_id: 'imp-2' }), JSON.stringify({ ...deployment, external_id: 'imp-3', kind: 'sidegrade' })].join('\n');
    const res = await app.inject({ method: 'POST', url: '/api/v1/import', payload: body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/line 2, field kind/);
    const stored = (await app.inject('/api/v1/deployments?source=ci')).json() as { data: { external_id: string }[] };
    expect(stored.data.map((d) => d.external_id)).toEqual(['imp-1']);
  });

  it('takes CSV with the kind in the query, and refuses other content types', async () => {
    const csv = 'source,external_id,service,finished_at\nci,imp-4,search,2025-11-21T10:00:00Z\n';
    const res = await app.inject({ method: 'POST', url: '/api/v1/import?record=deployment', payload: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts.deployment.inserted).toBe(1);
    const xml = await app.inject({ method: 'POST', url: '/api/v1/import', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(415);
  });
});
