// A plain page at / with what the store holds, until the dashboard is built.
import type { FastifyInstance } from 'fastify';
import { countRecords } from '../../store/records.ts';
import type { ServerContext } from '../context.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function homeRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/', async (_request, reply) => {
    const counts = await countRecords(ctx.store.db);
    const empty = Object.values(counts).every((n) => n === 0);
    const rows = Object.entries(counts)
      .map(([name, n]) => `<tr><th scope="row"><a href="/api/v1/${name}">${escapeHtml(name.replace('_', ' '))}</a></th><td>${n.toLocaleString('en')}</td></tr>`)
      .join('');
    const hint = empty
      ? '<p>The database is empty. Load a demo history with <code>npx escapement demo</code>, or import your own records with <code>npx escapement import FILE…</code> (see docs/import.md).</p>'
      : '';
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Escapement</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
@media (prefers-color-scheme: dark){body{color:#e6e6e6;background:#16181b}a{color:#8ab4f8}}
table{border-collapse:collapse}th,td{padding:.25rem 1rem .25rem 0;text-align:left}td{text-align:right}</style></head>
<body><h1>Escapement</h1><p>Store: ${escapeHtml(ctx.store.dialect)} — ${escapeHtml(ctx.store.location)}</p>${hint}
<table aria-label="Records stored"><tbody>${rows}</tbody></table>
<p><a href="/api/v1/openapi.json">API (OpenAPI)</a> · <a href="/healthz">health</a></p></body></html>`);
  });
}
