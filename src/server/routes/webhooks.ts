// POST /api/v1/webhooks/:source — verify the signature over the raw body, let the source's adapter
// read the payload, store what it gives in one transaction. GET /api/v1/webhooks/stats counts them.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdapterInput, SourceAdapter } from '../../ingest/adapter.ts';
import { PayloadError } from '../../ingest/adapter.ts';
import { parseJsonText } from '../../ingest/json-text.ts';
import { SOURCES, sourceAdapter } from '../../ingest/sources/index.ts';
import { GENERIC_SIGNAL_JSON_SCHEMA } from '../../ingest/sources/generic.ts';
import { GENERIC_DEPLOYMENT_JSON_SCHEMA } from '../../ingest/sources/deployment.ts';
import type { SnsCertificates } from '../../ingest/sns-signature.ts';
import { GroupWriter, totalWrites } from '../../ingest/store-records.ts';
import { schemeOf, verifyWebhook } from '../../ingest/verify.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookOptions {
  /** Largest webhook body in bytes (413 beyond it). */
  bodyLimit?: number;
  /** Where secrets are looked up (tests pass their own). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Unix seconds, for replay windows (tests pass their own). */
  nowSeconds?: () => number;
  /** SNS signing certificates (tests pass their own fetcher); default: fetched from AWS, kept in memory. */
  snsCertificates?: SnsCertificates;
}

interface SourceStats {
  received: number;
  stored: number;
  ignored: number;
  rejected: number;
  replied: number;
  last_ignored_reason?: string;
}

// Content types each body format accepts. SNS posts JSON as text/plain.
const JSON_TYPES = new Set(['application/json', 'text/json']);
const EXTRA_TYPES: Readonly<Record<string, readonly string[]>> = { cloudwatch: ['text/plain'] };
const TEXT_TYPES = new Set(['text/csv', 'text/plain', 'application/csv']);
const XML_TYPES = new Set(['application/xml', 'text/xml']);

function acceptsType(adapter: SourceAdapter, type: string): boolean {
  if (EXTRA_TYPES[adapter.name]?.includes(type)) return true;
  switch (adapter.format) {
    case 'json':
      return JSON_TYPES.has(type) || /^application\/[\w.+-]+\+json$/.test(type);
    case 'xml':
      return XML_TYPES.has(type) || /\+xml$/.test(type);
    default:
      return TEXT_TYPES.has(type);
  }
}

function expectedTypes(adapter: SourceAdapter): string {
  const base = adapter.format === 'json' ? ['application/json'] : adapter.format === 'xml' ? [...XML_TYPES] : [...TEXT_TYPES];
  return [...base, ...(EXTRA_TYPES[adapter.name] ?? [])].join(' or ');
}

/** Teams shows the webhook's answer in the thread: it must be a message activity. */
const ACKNOWLEDGEMENTS: Readonly<Record<string, (recorded: number) => unknown>> = {
  teams: (recorded) => ({ type: 'message', text: recorded > 0 ? 'Recorded in Escapement.' : 'Nothing to record.' }),
};

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export async function webhookRoutes(app: FastifyInstance, ctx: ServerContext, options: WebhookOptions = {}): Promise<void> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  const stats = new Map<string, SourceStats>();
  const warnedUnsigned = new Set<string>();
  const writer = new GroupWriter(ctx.store.db, ctx.store.sqlite);
  const statsOf = (source: string) => {
    let s = stats.get(source);
    if (!s) stats.set(source, (s = { received: 0, stored: 0, ignored: 0, rejected: 0, replied: 0 }));
    return s;
  };
  const reject = (reply: FastifyReply, source: string | undefined, status: number, body: Record<string, unknown>) => {
    if (source) statsOf(source).rejected++;
    return reply.code(status).send(body);
  };

  // Signatures are computed over the bytes as sent, so this plugin reads every body raw.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const source = (request.params as { source?: string } | undefined)?.source;
    const known = source !== undefined && SOURCES.has(source) ? source : undefined;
    if (error.statusCode === 413) {
      return reject(reply, known, 413, { error: 'payload_too_large', message: `the body is larger than the webhook limit of ${bodyLimit} bytes` });
    }
    if (error.statusCode === 415) return reject(reply, known, 415, { error: 'unsupported_media_type', message: error.message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reject(reply, known, error.statusCode, { error: 'bad_request', message: error.message });
    request.log.error({ err: error }, 'webhook failed');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error; see the server log' });
  });

  const names = [...SOURCES.keys()].sort();
  documentOperation({
    method: 'post',
    path: '/api/v1/webhooks/:source',
    summary: 'Receive a vendor webhook (alerting, incidents, trackers, support, chat, logs, deliveries); see docs/sources.md',
    tags: ['webhooks'],
    parameters: [
      { name: 'source', in: 'path', required: true, description: `the vendor format: ${names.join(', ')}`, schema: { type: 'string', enum: names } },
      { name: 'X-Escapement-Token', in: 'header', description: 'the shared secret, for sources without a signature scheme of their own (when secrets: names one)' },
    ],
    requestBody: { description: "the vendor's payload as it sends it (JSON; text/csv for jira-csv; text/plain JSON for SNS)", schema: { type: 'object' } },
    responses: {
      '200': { description: 'stored: counts per record kind (inserted, updated, unchanged); or the handshake answer (Slack url_verification, SNS subscription, Teams message)' },
      '202': { description: 'an event kind Escapement does not use: `{ignored: reason}`, counted in /api/v1/webhooks/stats' },
      '400': { description: 'malformed body: `field` names what is missing or wrong; nothing stored' },
      '401': { description: 'missing or wrong signature/token: the message says which' },
      '404': { description: 'unknown source: `sources` lists the known ones' },
      '413': { description: 'body larger than the webhook limit' },
      '415': { description: 'a content type the source does not send' },
    },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/webhooks/generic',
    summary: 'Receive a signal from any tool in the generic JSON body (one object or an array)',
    tags: ['webhooks'],
    requestBody: { description: 'a generic signal; the same external_id again updates it', schema: GENERIC_SIGNAL_JSON_SCHEMA },
    responses: {
      '200': { description: 'stored: counts (inserted, updated, unchanged)' },
      '400': { description: 'a missing or invalid field, named in `field`' },
      '401': { description: 'missing or wrong X-Escapement-Token when secrets.generic is set' },
    },
  });
  documentOperation({
    method: 'post',
    path: '/api/v1/webhooks/deployment',
    summary: 'Receive a deployment from any pipeline in the generic JSON body (one object or an array); see docs/delivery-sources.md',
    tags: ['webhooks'],
    requestBody: { description: 'a generic deployment; the same id again updates it', schema: GENERIC_DEPLOYMENT_JSON_SCHEMA },
    responses: {
      '200': { description: 'stored: counts per record kind (inserted, updated, unchanged)' },
      '400': { description: 'a missing, invalid or unknown field, named in `field`' },
      '401': { description: 'missing or wrong X-Escapement-Token when secrets.deployment is set' },
    },
  });
  documentOperation({
    method: 'get',
    path: '/api/v1/webhooks/stats',
    summary: 'Webhook requests per source since the server started: received, stored, ignored, rejected, replied',
    tags: ['webhooks'],
    responses: { '200': { description: 'counts by source', schema: { type: 'object' } } },
  });

  app.get('/api/v1/webhooks/stats', async () => ({ since_start: Object.fromEntries([...stats].sort(([a], [b]) => a.localeCompare(b))) }));

  app.post('/api/v1/webhooks/:source', { bodyLimit }, async (request, reply) => {
    const { source } = request.params as { source: string };
    const adapter = sourceAdapter(source);
    if (!adapter) {
      return reply.code(404).send({ error: 'unknown_source', message: `no webhook source "${source}"; known sources: ${names.join(', ')}`, sources: names });
    }
    const counters = statsOf(source);
    counters.received++;

    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!acceptsType(adapter, type)) {
      return reject(reply, source, 415, { error: 'unsupported_media_type', message: `content-type ${type || '(none)'}: ${adapter.title} sends ${expectedTypes(adapter)}` });
    }
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const verification = await verifyWebhook({
      source,
      headers: request.headers,
      rawBody,
      config: ctx.config,
      ...(options.env ? { env: options.env } : {}),
      ...(options.nowSeconds ? { nowSeconds: options.nowSeconds() } : {}),
      ...(options.snsCertificates ? { snsCertificates: options.snsCertificates } : {}),
    });
    if (!verification.ok) return reject(reply, source, 401, { error: 'unauthorized', message: verification.reason });
    if (!verification.signed && !warnedUnsigned.has(source)) {
      warnedUnsigned.add(source);
      request.log.warn(`webhook source ${source} has no secret configured (secrets.${source}): accepting unsigned requests; expected ${schemeOf(source).describe}`);
    }

    let payload: unknown;
    const text = rawBody.toString('utf8');
    if (adapter.format === 'json') {
      if (text.trim() === '') return reject(reply, source, 400, { error: 'bad_request', field: '(body)', message: '(body): is empty; expected a JSON document' });
      try {
        payload = parseJsonText(text);
      } catch (error) {
        return reject(reply, source, 400, { error: 'bad_request', field: '(body)', message: `(body): not valid JSON (${(error as Error).message})` });
      }
    } else {
      payload = text;
    }

    const input: AdapterInput = { payload, headers: flatHeaders(request.headers), receivedAt: new Date().toISOString(), config: ctx.config };
    let output;
    try {
      output = adapter.toRecords(input);
    } catch (error) {
      if (error instanceof PayloadError) return reject(reply, source, 400, { error: 'bad_request', field: error.field, message: error.message });
      throw error;
    }

    switch (output.status) {
      case 'ignored':
        counters.ignored++;
        counters.last_ignored_reason = output.reason;
        return reply.code(202).send({ ignored: output.reason, ignored_total: counters.ignored });
      case 'reply':
        counters.replied++;
        if (source === 'cloudwatch') request.log.warn({ reply: output.body }, 'SNS subscription confirmation received: open its subscribe_url to confirm');
        if (output.contentType) reply.type(output.contentType);
        return reply.code(200).send(output.body);
      default: {
        const counts = await writer.write({ records: output.records, merge: output.merge ?? false });
        counters.stored += output.records.length;
        const acknowledge = ACKNOWLEDGEMENTS[source];
        if (acknowledge) return reply.code(200).send(acknowledge(output.records.length));
        return reply.code(200).send({ source, records: output.records.length, stored: counts, totals: totalWrites(counts) });
      }
    }
  });
}
