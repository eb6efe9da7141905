// `escapement ingest <source> <files…>`: saved payloads through the adapters and the store path, with a
// per-file summary; a bad payload rejects its file (naming file, line and field) and stores nothing of it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { openStore } from '../../src/store/connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'escapement-ingest-'));
const db = join(dir, 'escapement.db');
const fx = (vendor: string, file: string) => fileURLToPath(new URL(`../fixtures/${vendor}/${file}`, import.meta.url));

async function ingest(...args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void (out += `${String(line)}\n`));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void (err += `${String(line)}\n`));
  process.exitCode = undefined;
  try {
    await runCli(['node', 'escapement', 'ingest', '--db', db, ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, err, code };
}

async function signals() {
  const store = await openStore({ dbPath: db });
  try {
    return await store.db.selectFrom('signals').select(['source', 'external_id', 'status', 'resolved_at']).orderBy('id').execute();
  } finally {
    await store.close();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('escapement ingest', () => {
  it('replays firing then resolved, summarising each file, and is idempotent', async () => {
    const firing = fx('alertmanager', 'webhook.v4.firing.json');
    const resolved = fx('alertmanager', 'webhook.v4.resolved.json');
    const run = await ingest('alertmanager', firing, resolved);
    expect(run.code).toBeUndefined();
    expect(run.out).toBe(
      `${firing}: 1 payload — signal: 1 inserted, 0 updated, 0 unchanged\n${resolved}: 1 payload — signal: 0 inserted, 1 updated, 0 unchanged\n`,
    );
    const again = await ingest('alertmanager', resolved, '--json');
    expect(JSON.parse(again.out)).toMatchObject({ source: 'alertmanager', ok: true, files: [{ stored: true, payloads: 1, counts: { signal: { inserted: 0, updated: 0, unchanged: 1 } } }] });
    expect(await signals()).toEqual([{ source: 'alertmanager', external_id: expect.stringMatching(/^[0-9a-f]{16}$/), status: 'resolved', resolved_at: '2018-11-04T21:48:13.283Z' }]);
  });

  it('stores a history of thousands of payloads in one go on SQLite', async () => {
    // Each payload is a batch of its own; all of them share one transaction, written a record at a time.
    const history = join(dir, 'generic-history.jsonl');
    const at = (k: number) => new Date(Date.UTC(2025, 0, 1) + k * 60_000).toISOString();
    writeFileSync(history, Array.from({ length: 2000 }, (_, k) => JSON.stringify({ external_id: `bulk-${k}`, title: `Check ${k} failed`, occurred_at: at(k) })).join('\n'));
    // A database of its own (the last --db wins), so the other tests see theirs unchanged.
    const run = await ingest('generic', history, '--json', '--db', join(dir, 'bulk.db'));
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toMatchObject({ ok: true, files: [{ stored: true, payloads: 2000, counts: { signal: { inserted: 2000, updated: 0, unchanged: 0 } } }] });
  });

  it('reads .jsonl histories one payload per line, counts ignored events and handshakes', async () => {
    const history = join(dir, 'slack-history.jsonl');
    const lines = ['events_api.url_verification.json', 'events_api.event_callback.message_channels.json', 'events_api.event_callback.thread_reply.json']
      .map((f) => JSON.stringify(JSON.parse(readFileSync(fx('slack', f), 'utf8'))));
    writeFileSync(history, `${[...lines, JSON.stringify({ type: 'event_callback', event: { type: 'reaction_added' } })].join('\n')}\n`);
    const run = await ingest('slack', history, '--json');
    expect(JSON.parse(run.out).files[0]).toMatchObject({
      stored: true,
      payloads: 4,
      counts: { signal: { inserted: 1, updated: 1, unchanged: 0 } },
      ignored: 1,
      ignored_reasons: ['event reaction_added is not a message'],
      replies: [{ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' }],
    });
  });

  it('replays SNS envelopes whose signature cannot be checked here: SNS signatures are checked at the HTTP edge only', async () => {
    // The shared fixture is a real Lambda SNS event with Signature "EXAMPLE"; the default configuration verifies SNS over HTTP.
    const event = fx('cloudwatch', 'sns.alarm.single_metric.lambda_event.json');
    const run = await ingest('cloudwatch', event);
    expect(run.code).toBeUndefined();
    expect(run.out).toBe(`${event}: 1 payload — signal: 1 inserted, 0 updated, 0 unchanged\n`);
    expect((await signals()).filter((s) => s.source === 'cloudwatch')).toEqual([{ source: 'cloudwatch', external_id: 'arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE', status: 'open', resolved_at: null }]);
  });

  it('rejects a file with a bad payload, naming file, line and field, and stores nothing of it', async () => {
    const bad = join(dir, 'generic.jsonl');
    writeFileSync(bad, `${JSON.stringify({ external_id: 'ok-1', title: 'fine', occurred_at: '2025-11-03T14:05:00Z' })}\n${JSON.stringify({ external_id: 'bad', occurred_at: '2025-11-03T14:05:00Z' })}\n`);
    const run = await ingest('generic', bad);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`${bad}: rejected, nothing stored\n  ${bad}: line 2: title: is required\n`);
    expect((await signals()).filter((s) => s.source === 'generic')).toEqual([]);
  });

  it('names the sources when the source is unknown', async () => {
    const run = await ingest('nagios', fx('generic', 'signal.firing.json'));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^escapement: unknown source "nagios"; known sources: .*alertmanager.*generic/);
  });
});
