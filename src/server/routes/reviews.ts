// The weekly review as a record: POST /api/v1/reviews opens one over a week and fixes its queue
// (the problems that need a person: type to confirm, release to confirm, cost to enter);
// GET shows the queue with what each item still needs; PATCH records progress and completion.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { costEntriesNaming } from '../../store/cost-entries.ts';
import { fromJson } from '../../store/schema.ts';
import type { Store } from '../../store/connection.ts';
import { presentRow, presentReview } from '../../store/records.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';
import { zodMessage } from '../zod-message.ts';
import type { SetAsideNote } from '../../pipeline/triage.ts';

const WEEK = 7 * 86_400_000;
/** A queue longer than this is not a 15-minute review; the oldest items wait for the next one. */
export const MAX_QUEUE = 60;

export type ReviewNeed = 'type' | 'release' | 'cost';
const SET_ASIDE = 'dismissed';

const isoTime = z.iso.datetime({ offset: true });
const OpenReviewBody = z.strictObject({
  period_start: isoTime.optional(),
  period_end: isoTime.optional(),
  actor: z.string().min(1).max(200).optional(),
});
const PatchReviewBody = z.strictObject({
  completed: z.boolean().optional(),
  /** What the session did so far (counts, keys handled); kept as given. */
  summary: z.record(z.string(), z.unknown()).optional(),
});

/** What each problem still needs from a person. */
async function needsOf(store: Store, problems: readonly { id: number; key: string; review_state: string; deployment_id: number | null; attribution: unknown }[]) {
  const costed = new Set((await costEntriesNaming(store.db, problems)).map((e) => e.problem_id));
  return new Map(
    problems.map((p) => {
      const needs: ReviewNeed[] = [];
      // Set aside as not an escaped problem: nothing to confirm (the review lists them apart).
      if (p.review_state === SET_ASIDE) return [p.id, needs] as const;
      const attribution = fromJson<{ decided_by?: string; needs_review?: boolean } | null>(p.attribution, null);
      if (p.review_state !== 'confirmed') needs.push('type');
      // The pipeline asks for a person when its evidence is weak; a person's decision settles it.
      if (attribution === null || (attribution.needs_review === true && attribution.decided_by !== 'person')) needs.push('release');
      if (!costed.has(p.id)) needs.push('cost');
      return [p.id, needs] as const;
    }),
  );
}

async function latestImpact(store: Store): Promise<string | null> {
  const row = await store.db.selectFrom('problems').select((eb) => eb.fn.max('impact_start').as('last')).executeTakeFirst();
  return (row?.last as string | null | undefined) ?? null;
}

async function reviewView(store: Store, id: number) {
  const review = await store.db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
  if (!review) return null;
  const keys = fromJson<string[]>(review.problem_keys, []);
  const rows = keys.length === 0 ? [] : await store.db.selectFrom('problems').selectAll().where('key', 'in', keys).execute();
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const needs = await needsOf(store, rows);
  const items = keys.flatMap((key) => {
    const row = byKey.get(key);
    // A problem merged away since the review opened is gone from the queue.
    if (!row) return [];
    const need = needs.get(row.id) ?? [];
    return [{ problem: presentRow(row), needs: need }];
  });
  // What the pipeline set aside in the week, so a person can check it is noise.
  const setAside = await store.db
    .selectFrom('problems')
    .select(['id', 'title', 'impact_start', 'service', 'type_rationale', 'correlation'])
    .where('review_state', '=', SET_ASIDE)
    .where('impact_start', '>=', review.period_start)
    .where('impact_start', '<', review.period_end)
    .orderBy('impact_start', 'desc')
    .execute();
  return {
    ...presentReview(review),
    items,
    progress: { total: items.length, resolved: items.filter((i) => i.needs.length === 0).length },
    set_aside: {
      count: setAside.length,
      problems: setAside.slice(0, MAX_QUEUE).map(({ correlation, ...p }) => ({ ...p, set_aside: fromJson<{ set_aside?: SetAsideNote }>(correlation, {}).set_aside ?? null })),
    },
  };
}

export async function reviewRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const reviewSchema = { type: 'object', properties: { id: { type: 'integer' }, period_start: { type: 'string' }, period_end: { type: 'string' }, started_at: { type: 'string' }, completed_at: { type: ['string', 'null'] }, problem_keys: { type: 'array', items: { type: 'string' } }, summary: { type: ['object', 'null'] }, items: { type: 'array', items: { type: 'object', properties: { problem: { type: 'object' }, needs: { type: 'array', items: { enum: ['type', 'release', 'cost'] } } } } }, progress: { type: 'object' }, set_aside: { type: 'object', description: 'problems of the period set aside as not escaped problems: count, and the newest (id, title, impact_start, service, type_rationale, set_aside: by, actor, reason, if_counted)' } } };

  documentOperation({
    method: 'post',
    path: '/api/v1/reviews',
    summary: 'Open a weekly review: its queue is the problems of the week that need a person (type, release or cost)',
    tags: ['review'],
    requestBody: {
      description: 'period_start / period_end (ISO; default: the 7 days up to now, or up to the latest problem when the data ends earlier), actor',
      schema: { type: 'object', properties: { period_start: { type: 'string' }, period_end: { type: 'string' }, actor: { type: 'string' } } },
    },
    responses: { '201': { description: 'the review with its queue', schema: reviewSchema }, '400': { description: 'a field that is not understood; the message names it' } },
  });
  documentOperation({
    method: 'get',
    path: '/api/v1/reviews',
    summary: 'Reviews, newest first (without their queues)',
    tags: ['review'],
    responses: { '200': { description: '{ data: reviews }' } },
  });
  documentOperation({
    method: 'get',
    path: '/api/v1/reviews/:id',
    summary: 'One review with its queue and what each problem still needs',
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'review id', required: true }],
    responses: { '200': { description: 'the review', schema: reviewSchema }, '404': { description: 'no such review' } },
  });
  documentOperation({
    method: 'patch',
    path: '/api/v1/reviews/:id',
    summary: 'Record a review’s progress (summary) or complete it',
    tags: ['review'],
    parameters: [{ name: 'id', in: 'path', description: 'review id', required: true }],
    requestBody: { description: '{ completed?: boolean, summary?: object }', schema: { type: 'object', properties: { completed: { type: 'boolean' }, summary: { type: 'object' } } } },
    responses: { '200': { description: 'the review', schema: reviewSchema }, '400': { description: 'a field that is not understood' }, '404': { description: 'no such review' } },
  });

  app.post('/api/v1/reviews', async (request, reply) => {
    const parsed = OpenReviewBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(parsed.error) });
    const body = parsed.data;
    let end = body.period_end ? new Date(body.period_end).toISOString() : null;
    if (!end) {
      const now = new Date().toISOString();
      const last = await latestImpact(ctx.store);
      end = last !== null && last < now ? new Date(Date.parse(last) + 1).toISOString() : now;
    }
    const start = body.period_start ? new Date(body.period_start).toISOString() : new Date(Date.parse(end) - WEEK).toISOString();
    if (start >= end) return reply.code(400).send({ error: 'bad_request', message: 'period_start: must be before period_end' });

    const candidates = await ctx.store.db
      .selectFrom('problems')
      .select(['id', 'key', 'review_state', 'deployment_id', 'attribution', 'impact_start'])
      .where('impact_start', '>=', start)
      .where('impact_start', '<', end)
      .orderBy('impact_start', 'desc')
      .execute();
    const needs = await needsOf(ctx.store, candidates);
    const queue = candidates.filter((p) => (needs.get(p.id) ?? []).length > 0).slice(0, MAX_QUEUE).reverse();
    const now = new Date().toISOString();
    const inserted = await ctx.store.db
      .insertInto('reviews')
      .values({ period_start: start, period_end: end, started_at: now, completed_at: null, actor: body.actor ?? null, problem_keys: JSON.stringify(queue.map((p) => p.key)), summary: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return reply.code(201).send(await reviewView(ctx.store, inserted.id));
  });

  app.get('/api/v1/reviews', async () => {
    const rows = await ctx.store.db.selectFrom('reviews').selectAll().orderBy('id', 'desc').limit(100).execute();
    return { data: rows.map((r) => presentReview(r)) };
  });

  app.get('/api/v1/reviews/:id', async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const view = Number.isInteger(id) ? await reviewView(ctx.store, id) : null;
    if (!view) return reply.code(404).send({ error: 'not_found', message: `no review ${(request.params as { id: string }).id}` });
    return view;
  });

  app.patch('/api/v1/reviews/:id', async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const parsed = PatchReviewBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'bad_request', message: zodMessage(parsed.error) });
    const existing = Number.isInteger(id) ? await ctx.store.db.selectFrom('reviews').select('id').where('id', '=', id).executeTakeFirst() : undefined;
    if (!existing) return reply.code(404).send({ error: 'not_found', message: `no review ${(request.params as { id: string }).id}` });
    const { completed, summary } = parsed.data;
    const update: { completed_at?: string | null; summary?: string } = {};
    if (completed !== undefined) update.completed_at = completed ? new Date().toISOString() : null;
    if (summary !== undefined) update.summary = JSON.stringify(summary);
    if (Object.keys(update).length > 0) await ctx.store.db.updateTable('reviews').set(update).where('id', '=', id).execute();
    return reviewView(ctx.store, id);
  });
}
