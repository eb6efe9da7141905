// GET /api/v1/readiness: the implementation checklist computed from the stored records, plus the
// span of the data (the dashboard opens on the data's latest quarter, not on today).
import type { FastifyInstance } from 'fastify';
import { readinessChecklist, type ReadinessFacts } from '../../metrics/readiness.ts';
import { toProductionSql } from '../../store/production.ts';
import { countRecords } from '../../store/records.ts';
import { fromJson } from '../../store/schema.ts';
import type { Store } from '../../store/connection.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

const ALERT_KINDS = ['alert', 'incident', 'log'];

async function gatherFacts(store: Store): Promise<ReadinessFacts> {
  const db = store.db;
  const count = (n: unknown) => Number(n ?? 0);

  // One pass over the signals, grouped by kind and source, answers both the tagging and the alert items.
  const bySource = await db
    .selectFrom('signals')
    .select((eb) => [
      'kind',
      'source',
      eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when(toProductionSql('environment')).then(1).else(0).end()).as('production'),
      eb.fn.max('occurred_at').as('last_at'),
    ])
    .groupBy(['kind', 'source'])
    .execute();
  const tickets = bySource.filter((r) => r.kind === 'ticket');
  const alerts = bySource.filter((r) => ALERT_KINDS.includes(r.kind));

  // A support request is linked when it names other records or was grouped with other signals.
  const support = await db
    .selectFrom('signals')
    .leftJoin('signal_problems', 'signal_problems.signal_id', 'signals.id')
    .leftJoin('problems', 'problems.id', 'signal_problems.problem_id')
    .select(['signals.links', 'problems.signal_count'])
    .where('signals.kind', '=', 'support')
    .execute();
  const linked = support.filter((s) => fromJson<unknown[]>(s.links, []).length > 0 || (s.signal_count ?? 0) > 1).length;

  const deployments = await db
    .selectFrom('deployments')
    .select(['service', 'version', 'finished_at', 'status'])
    .where(toProductionSql('environment'))
    .execute();
  const smokeRuns = await db.selectFrom('test_runs').select(['service', 'release']).where('suite_kind', '=', 'smoke').execute();
  const smokeFor = new Set(smokeRuns.map((r) => `${r.service ?? ''}\u0000${r.release}`));
  const smokeAny = new Set(smokeRuns.map((r) => r.release));
  const releases = deployments.filter((d) => d.status === 'success' && d.version !== null);
  const withSmoke = releases.filter((d) => smokeFor.has(`${d.service}\u0000${d.version}`) || smokeAny.has(d.version!)).length;

  const reviews = await db
    .selectFrom('reviews')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('completed_at').as('last')])
    .where('completed_at', 'is not', null)
    .executeTakeFirstOrThrow();
  const span = await dataSpan(store);

  return {
    tickets: { total: tickets.reduce((s, t) => s + count(t.n), 0), production: tickets.reduce((s, t) => s + count(t.production), 0) },
    alerts: {
      total: alerts.reduce((s, a) => s + count(a.n), 0),
      sources: [...new Set(alerts.map((a) => a.source))].sort(),
      last_at: alerts.map((a) => String(a.last_at)).sort().at(-1) ?? null,
    },
    support: { total: support.length, linked },
    deployments: { production: deployments.length, exact_times: deployments.filter((d) => d.finished_at !== null).length },
    smoke: { releases: releases.length, with_smoke: withSmoke, runs: smokeRuns.length },
    reviews: { completed: count(reviews.n), last_completed_at: (reviews.last as string | null) ?? null, data_last_at: span.last },
  };
}

/** The first and last time the data covers (signals and deployments); both indexed, so cheap. */
export async function dataSpan(store: Store): Promise<{ first: string | null; last: string | null }> {
  const db = store.db;
  const span = await db
    .selectFrom('signals')
    .select((eb) => [eb.fn.min('occurred_at').as('first'), eb.fn.max('occurred_at').as('last')])
    .executeTakeFirstOrThrow();
  const deploySpan = await db
    .selectFrom('deployments')
    .select((eb) => [eb.fn.min('finished_at').as('first'), eb.fn.max('finished_at').as('last')])
    .executeTakeFirstOrThrow();
  const pick = (a: unknown, b: unknown, fn: (x: string, y: string) => string) =>
    typeof a === 'string' && typeof b === 'string' ? fn(a, b) : typeof a === 'string' ? a : typeof b === 'string' ? b : null;

  return {
    first: pick(span.first, deploySpan.first, (x, y) => (x < y ? x : y)),
    last: pick(span.last, deploySpan.last, (x, y) => (x > y ? x : y)),
  };
}

export async function readinessRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  documentOperation({
    method: 'get',
    path: '/api/v1/readiness',
    summary: 'The implementation checklist computed from the stored records, each item with its evidence and what to do if missing',
    tags: ['settings'],
    responses: {
      '200': {
        description: 'items (key, title, status ready|partial|missing, share, evidence, todo), counts per collection, and the span of the data',
      },
    },
  });
  documentOperation({
    method: 'get',
    path: '/api/v1/readiness/summary',
    summary: 'What the dashboard needs first: whether the workspace is empty, and the span of the data',
    tags: ['settings'],
    responses: { '200': { description: '{ empty, span: { first, last } }' } },
  });
  // The shell asks on every page load: a first row per collection says "empty", where counting would scan.
  const summary = async () => {
    const db = ctx.store.db;
    const any = await Promise.all((['signals', 'deployments', 'problems', 'defects', 'test_runs'] as const).map((t) => db.selectFrom(t).select('id').limit(1).executeTakeFirst()));
    return { empty: any.every((row) => row === undefined), span: await dataSpan(ctx.store) };
  };
  app.get('/api/v1/readiness/summary', summary);
  app.get('/api/v1/readiness', async () => {
    const facts = await gatherFacts(ctx.store);
    return { items: readinessChecklist(facts), facts, counts: await countRecords(ctx.store.db), ...(await summary()) };
  });
}
