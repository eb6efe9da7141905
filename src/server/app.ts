// The HTTP server: API under /api/v1, health, and the dashboard's static files at /.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WalCheckpointer } from '../ingest/wal-checkpoint.ts';
import type { ServerContext } from './context.ts';
import { openApiDocument } from './openapi.ts';
import { recordRoutes } from './routes/records.ts';
import { problemRoutes } from './routes/problems.ts';
import { homeRoutes } from './routes/home.ts';
import { costRoutes } from './routes/cost.ts';
import { attributionRoutes } from './routes/attribution.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { metricRoutes } from './routes/metrics.ts';
import { reportRoutes } from './routes/reports.ts';
import { importRoutes } from './routes/import.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { readinessRoutes } from './routes/readiness.ts';
import { configRoutes } from './routes/config.ts';
import { evidenceRoutes } from './routes/evidence.ts';
import { demoRoutes } from './routes/demo.ts';

export const VERSION = '0.1.0';
export const DEFAULT_PORT = 7373;

/** The built dashboard, when `web/` has been built. */
export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body in bytes (webhooks, imports). */
  bodyLimit?: number;
  webDist?: string;
}

/**
 * Fastify logs two lines a request, one as it comes in and one as it completes. This logs only the
 * second, carrying what the first said (method, URL, client address): the same facts at info level
 * for about half the logging cost. A request that fails is still logged at error level.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Fastify's `req` serializer reads method, url and ip (logged as remoteAddress).
    const req = { method: request.method, url: request.url, ip: request.ip };
    if (error) reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024,
    logController: new OneLinePerRequest(),
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(status).send({
      error: status === 413 ? 'payload_too_large' : status >= 500 ? 'internal_error' : 'bad_request',
      message: status >= 500 ? 'internal error; see the server log' : error.message,
    });
  });
  // On SQLite, WAL checkpoints run in a worker thread rather than inside a request's commit.
  const checkpointer = ctx.store.sqlite ? WalCheckpointer.start(ctx.store.sqlite, { onError: (error) => app.log.warn({ err: error }, 'WAL checkpoints are back on the server connection') }) : undefined;
  if (checkpointer) app.addHook('onClose', () => checkpointer.stop());
  const webDist = options.webDist ?? WEB_DIST;
  const dashboard = existsSync(join(webDist, 'index.html'));
  app.setNotFoundHandler((request, reply) => {
    // Client-side routes of the dashboard (/problems/12, /review) load its index.html.
    const path = request.url.split('?')[0]!;
    if (dashboard && request.method === 'GET' && !path.startsWith('/api/') && path !== '/healthz' && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/healthz', async () => {
    await ctx.store.db.selectFrom('teams').select('name').limit(1).execute();
    return { status: 'ok', version: VERSION, store: ctx.store.dialect };
  });
  app.get('/api/v1/openapi.json', async () => openApiDocument(VERSION));

  await app.register(async (api) => recordRoutes(api, ctx));
  await app.register(async (api) => costRoutes(api, ctx));
  await app.register(async (api) => attributionRoutes(api, ctx));
  await app.register(async (api) => problemRoutes(api, ctx));
  await app.register(async (api) => webhookRoutes(api, ctx, options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}));
  await app.register(async (api) => metricRoutes(api, ctx));
  await app.register(async (api) => reportRoutes(api, ctx));
  await app.register(async (api) => importRoutes(api, ctx));
  await app.register(async (api) => reviewRoutes(api, ctx));
  await app.register(async (api) => readinessRoutes(api, ctx));
  await app.register(async (api) => configRoutes(api, ctx));
  await app.register(async (api) => evidenceRoutes(api, ctx));
  await app.register(async (api) => demoRoutes(api, ctx));

  if (dashboard) {
    // wildcard: files are looked up per request, so a rebuild (npm install runs one) needs no restart;
    // a path with no file falls through to the not-found handler, which answers dashboard routes.
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: true });
  } else {
    await app.register(async (home) => homeRoutes(home, ctx));
  }
  return app;
}
