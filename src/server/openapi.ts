// The OpenAPI document at /api/v1/openapi.json, assembled from what each route module declares.
import { z } from 'zod';
import { IMPORT_SCHEMAS } from '../domain/records.ts';

export interface OperationDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tags: string[];
  parameters?: { name: string; in: 'query' | 'path' | 'header'; description: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { description: string; schema: Record<string, unknown>; contentType?: string };
  responses: Record<string, { description: string; schema?: Record<string, unknown> }>;
}

const operations: OperationDoc[] = [];

export function documentOperation(doc: OperationDoc): void {
  if (!operations.some((o) => o.method === doc.method && o.path === doc.path)) operations.push(doc);
}

export function recordSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(IMPORT_SCHEMAS).map(([kind, schema]) => [kind, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })]),
  );
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations].sort((a, b) => a.path.localeCompare(b.path))) {
    const responses = Object.fromEntries(
      Object.entries(op.responses).map(([status, r]) => [
        status,
        { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}) },
      ]),
    );
    (paths[op.path.replace(/:(\w+)/g, '{$1}')] ??= {})[op.method] = {
      summary: op.summary,
      tags: op.tags,
      ...(op.parameters ? { parameters: op.parameters.map((p) => ({ ...p, schema: p.schema ?? { type: 'string' } })) } : {}),
      ...(op.requestBody
        ? { requestBody: { description: op.requestBody.description, required: true, content: { [op.requestBody.contentType ?? 'application/json']: { schema: op.requestBody.schema } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Escapement API', version, description: 'Escaped problems, the releases that let them through, and what they cost.' },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: recordSchemas() },
  };
}
