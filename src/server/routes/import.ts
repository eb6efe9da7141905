// POST /api/v1/import: records as JSONL, a JSON array or CSV, stored all-or-nothing like `escapement import`.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { IMPORT_KINDS, isImportKind } from '../../domain/records.ts';
import { FileRejected, importStream } from '../../ingest/files.ts';
import type { ServerContext } from '../context.ts';
import { documentOperation } from '../openapi.ts';

const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];
const CSV_TYPES = ['text/csv'];

export async function importRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.addContentTypeParser([...JSONL_TYPES, ...CSV_TYPES], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  documentOperation({
    method: 'post',
    path: '/api/v1/import',
    summary: 'Import records (JSONL, a JSON array, or CSV); a bad record rejects the whole body unless skip_invalid=true',
    tags: ['import'],
    parameters: [
      { name: 'record', in: 'query', description: `the kind of every record when they carry no "record" field (${IMPORT_KINDS.join(', ')})` },
      { name: 'skip_invalid', in: 'query', description: '"true" stores the valid records and reports the invalid ones' },
    ],
    requestBody: {
      description: 'application/x-ndjson (one record per line), application/json (an array of records) or text/csv (with ?record=KIND)',
      schema: { type: 'array', items: { type: 'object' } },
    },
    responses: {
      '200': { description: 'stored: counts per kind (inserted, updated, unchanged, rejected) and the rejected records' },
      '400': { description: 'rejected: nothing stored; `errors` name the line (array index + 1), field and what was expected' },
      '415': { description: 'a content type other than JSONL, JSON or CSV' },
    },
  });

  app.post('/api/v1/import', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    if (query.record !== undefined && !isImportKind(query.record)) {
      return reply.code(400).send({ error: 'bad_request', message: `record: expected one of ${IMPORT_KINDS.join(', ')}, got ${JSON.stringify(query.record)}` });
    }
    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let format: 'jsonl' | 'csv';
    let text: string;
    if (type === 'application/json') {
      const body = request.body;
      const records = Array.isArray(body) ? body : [body];
      text = records.map((r) => JSON.stringify(r)).join('\n');
      format = 'jsonl';
    } else if (JSONL_TYPES.includes(type) || CSV_TYPES.includes(type)) {
      text = String(request.body ?? '');
      format = CSV_TYPES.includes(type) ? 'csv' : 'jsonl';
    } else {
      return reply.code(415).send({ error: 'unsupported_media_type', message: `content-type ${type || '(none)'}: expected application/x-ndjson, application/json or text/csv` });
    }
    try {
      const result = await importStream(ctx.store, 'body', format, Readable.from([text]), {
        skipInvalid: query.skip_invalid === 'true',
        ...(query.record && isImportKind(query.record) ? { kind: query.record } : {}),
      });
      return { stored: true, lines: result.lines, counts: result.counts, errors: result.errors, more_errors: result.moreErrors };
    } catch (error) {
      if (!(error instanceof FileRejected)) throw error;
      const { result } = error;
      const first = result.errors[0];
      return reply.code(400).send({
        error: 'invalid_records',
        message: `rejected, nothing stored: ${result.errors.length + result.moreErrors} invalid record(s); first at line ${first?.line}${first?.field ? `, field ${first.field}` : ''}: ${first?.message}`,
        errors: result.errors,
        more_errors: result.moreErrors,
      });
    }
  });
}
