// Reading delivery fixtures and running an adapter over them as the webhook route would.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterOutput, SourceAdapter } from '../../../src/ingest/adapter.ts';
import { ConfigSchema, type Config } from '../../../src/domain/config.ts';
import type { ImportRecord } from '../../../src/domain/records.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export const RECEIVED_AT = '2026-01-02T03:04:05.000Z';

export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export function fixture(path: string): Record<string, unknown> {
  return JSON.parse(fixtureText(path)) as Record<string, unknown>;
}

export function run(adapter: SourceAdapter, payload: unknown, headers: Record<string, string> = {}, config: Config = ConfigSchema.parse({})): AdapterOutput {
  return adapter.toRecords({ payload, headers, receivedAt: RECEIVED_AT, config });
}

/** The records of an output that must have them. */
export function recordsOf(output: AdapterOutput): ImportRecord[] {
  if (output.status !== 'records') throw new Error(`expected records, got ${JSON.stringify(output)}`);
  return output.records;
}

type RecordOf<K extends ImportRecord['kind']> = Extract<ImportRecord, { kind: K }>['record'];

export function only<K extends ImportRecord['kind']>(output: AdapterOutput, kind: K): RecordOf<K> {
  const records = recordsOf(output);
  if (records.length !== 1 || records[0]!.kind !== kind) throw new Error(`expected one ${kind}, got ${JSON.stringify(records.map((r) => r.kind))}`);
  return records[0]!.record as RecordOf<K>;
}
