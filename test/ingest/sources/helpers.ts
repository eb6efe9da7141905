// Runs an adapter over a fixture the way the webhook route does (raw text → JSON with big integers
// kept), with the default configuration unless a test gives its own.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AdapterOutput, SourceAdapter } from '../../../src/ingest/adapter.ts';
import { ConfigSchema, type Config } from '../../../src/domain/config.ts';
import { parseJsonText } from '../../../src/ingest/json-text.ts';
import type { ImportRecord } from '../../../src/domain/records.ts';

export const RECEIVED_AT = '2026-01-01T00:00:00.000Z';

export function fixtureText(vendor: string, file: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/${vendor}/${file}`, import.meta.url)), 'utf8');
}

export function fixture(vendor: string, file: string): unknown {
  return parseJsonText(fixtureText(vendor, file));
}

export function config(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse(overrides);
}

export function run(adapter: SourceAdapter, payload: unknown, options: { config?: Config; headers?: Record<string, string> } = {}): AdapterOutput {
  return adapter.toRecords({ payload, headers: options.headers ?? {}, receivedAt: RECEIVED_AT, config: options.config ?? config() });
}

/** The records of an output (failing the test when it is not records), without `raw`, and the raws. */
export function recordsOf(output: AdapterOutput): { records: ImportRecord[]; fields: Record<string, unknown>[]; raws: unknown[]; merge: boolean } {
  expect(output.status).toBe('records');
  if (output.status !== 'records') throw new Error('not records');
  const fields = output.records.map((r) => {
    const { raw: _raw, ...rest } = r.record as Record<string, unknown>;
    return { kind_of_record: r.kind, ...rest };
  });
  return { records: output.records, fields, raws: output.records.map((r) => (r.record as { raw?: unknown }).raw), merge: output.merge ?? false };
}

export function ignoredReason(output: AdapterOutput): string {
  expect(output.status).toBe('ignored');
  return output.status === 'ignored' ? output.reason : '';
}
