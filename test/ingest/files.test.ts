// Importing JSONL and CSV files: validation with line and field, all-or-nothing per file, CSV cells.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/connection.ts';
import { FileRejected, importFile, importOrder } from '../../src/ingest/files.ts';
import { kindFromFileName } from '../../src/ingest/parse-record.ts';
import { countRecords, listRecords } from '../../src/store/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'escapement-import-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

let store: Store;
beforeEach(async () => {
  store = await openStore({ dbPath: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

const DEPLOYMENTS_CSV = [
  'source,external_id,service,environment,version,commit_sha,finished_at,kind,labels',
  'github,d1,checkout,production,2.4.0,abc1234,2025-11-03T10:00:00Z,planned,team=payments;region=eu',
  'github,d2,checkout,production,2.4.1,def5678,2025-11-04T10:00:00Z,hotfix,',
  'github,d3,checkout,production,2.4.0,abc1234,2025-11-04T11:00:00Z,rollback,',
].join('\n');

describe('importing CSV', () => {
  it('stores every row with cells converted to the record fields', async () => {
    const result = await importFile(store, write('deployments.csv', DEPLOYMENTS_CSV));
    expect(result.counts.deployment).toEqual({ inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    const page = await listRecords(store.db, 'deployments');
    const d1 = page.data.find((r) => r.external_id === 'd1');
    expect(d1).toMatchObject({ service: 'checkout', version: '2.4.0', kind: 'planned', status: 'success', labels: { team: 'payments', region: 'eu' } });
    expect(page.data.find((r) => r.external_id === 'd3')?.kind).toBe('rollback');
  });

  it('rejects a file with one malformed line, naming the line and field, and stores nothing of it', async () => {
    const bad = DEPLOYMENTS_CSV.replace('2025-11-04T10:00:00Z,hotfix', 'last tuesday,hotfix');
    const error = await importFile(store, write('deployments-bad.csv', bad)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileRejected);
    const result = (error as FileRejected).result;
    expect(result.stored).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 3, kind: 'deployment', field: 'finished_at', message: expect.stringContaining('ISO-8601') }),
    ]);
    expect((await countRecords(store.db)).deployments).toBe(0);
  });

  it('keeps the good lines with skipInvalid and reports the bad one', async () => {
    const bad = DEPLOYMENTS_CSV.replace('def5678,2025-11-04T10:00:00Z,hotfix', 'def5678,2025-11-04T10:00:00Z,sidegrade');
    const result = await importFile(store, write('deployments-skip.csv', bad), { skipInvalid: true });
    expect(result.stored).toBe(true);
    expect(result.counts.deployment).toEqual({ inserted: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(result.errors[0]).toMatchObject({ line: 3, field: 'kind' });
    expect((await countRecords(store.db)).deployments).toBe(2);
  });

  it('converts numbers, booleans and lists, and reports a number that is not one', async () => {
    const csv = [
      'record,source,external_id,release,suite,started_at,passed,failed,critical_total,critical_passed,failed_tests',
      'test_run,ci,r1,2.4.1,regression,2025-11-03T09:00:00Z,98,2,5,5,checkout pays;login works',
      'test_run,ci,r2,2.4.1,smoke,2025-11-03T09:00:00Z,lots,0,3,3,',
    ].join('\n');
    const error = (await importFile(store, write('runs.csv', csv)).catch((e: unknown) => e)) as FileRejected;
    expect(error.result.errors).toEqual([expect.objectContaining({ line: 3, field: 'passed' })]);
    const ok = await importFile(store, write('runs-ok.csv', csv.replace('lots', '12')));
    expect(ok.counts.test_run?.inserted).toBe(2);
    const r1 = (await listRecords(store.db, 'test_runs')).data.find((r) => r.external_id === 'r1');
    expect(r1).toMatchObject({ passed: 98, failed: 2, critical_total: 5, failed_tests: ['checkout pays', 'login works'] });
  });

  it('reports CSV that does not parse (a ragged row) without storing anything', async () => {
    const ragged = `${DEPLOYMENTS_CSV}\ngithub,d4,checkout`;
    const error = (await importFile(store, write('deployments-ragged.csv', ragged)).catch((e: unknown) => e)) as FileRejected;
    expect(error).toBeInstanceOf(FileRejected);
    expect(error.result.errors[0]?.message).toMatch(/not valid CSV/);
    expect((await countRecords(store.db)).deployments).toBe(0);
  });
});

describe('importing JSONL', () => {
  const lines = [
    { record: 'service', name: 'checkout-api', aliases: ['checkout'] },
    { record: 'signal', source: 'zendesk', external_id: '35436', kind: 'support', occurred_at: '2025-11-03T10:12:00Z', title: 'Cannot pay with card', service: 'checkout' },
    { record: 'defect', external_id: 'QA-9', title: 'Coupon applied twice', severity: 'high', found_at: '2025-11-01T09:00:00Z', release: '2.4.1' },
    { record: 'cost_entry', external_id: 'c1', problem_ref: 'zendesk:35436', role: 'Dev', hours: 2.5 },
  ];

  it('stores mixed kinds, and a second import changes nothing', async () => {
    const file = write('history.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
    const first = await importFile(store, file);
    expect(first.counts).toEqual({
      service: { inserted: 1, updated: 0, unchanged: 0, rejected: 0 },
      signal: { inserted: 1, updated: 0, unchanged: 0, rejected: 0 },
      defect: { inserted: 1, updated: 0, unchanged: 0, rejected: 0 },
      cost_entry: { inserted: 1, updated: 0, unchanged: 0, rejected: 0 },
    });
    const second = await importFile(store, file);
    for (const counts of Object.values(second.counts)) expect(counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const cost = (await listRecords(store.db, 'cost_entries')).data[0];
    expect(cost).toMatchObject({ source: 'import', role: 'dev', hours: 2.5 });
    const defect = (await listRecords(store.db, 'defects')).data[0];
    expect(defect).toMatchObject({ severity: 'high', category: 'functional', blocker: false, found_in: 'qa' });
  });

  it('names the line of invalid JSON, of an unknown field and of a missing one', async () => {
    const text = [
      JSON.stringify(lines[1]),
      '{"record":"signal", "source":',
      JSON.stringify({ ...lines[1], external_id: 'x2', colour: 'red' }),
      JSON.stringify({ record: 'signal', source: 'zendesk', external_id: 'x3', kind: 'support', title: 'No time' }),
      JSON.stringify({ record: 'incident', external_id: 'x4' }),
    ].join('\n');
    const error = (await importFile(store, write('bad.jsonl', text)).catch((e: unknown) => e)) as FileRejected;
    expect(error.result.errors).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringMatching(/^not valid JSON/) }),
      expect.objectContaining({ line: 3, kind: 'signal', message: 'unknown field "colour"' }),
      expect.objectContaining({ line: 4, kind: 'signal', field: 'occurred_at', message: 'is required' }),
      expect.objectContaining({ line: 5, field: 'record', message: expect.stringContaining('got "incident"') }),
    ]);
    expect((await countRecords(store.db)).signals).toBe(0);
  });

  it('takes the kind from the file name when lines do not carry it', async () => {
    const file = write('2025_signals.jsonl', JSON.stringify({ ...lines[1], record: undefined }));
    const result = await importFile(store, file);
    expect(result.counts.signal?.inserted).toBe(1);
  });
});

describe('file names', () => {
  it('recognise kinds in singular, plural, dashed and prefixed forms', () => {
    expect(kindFromFileName('signals.jsonl')).toBe('signal');
    expect(kindFromFileName('/x/y/test-runs.csv')).toBe('test_run');
    expect(kindFromFileName('cost_entries.csv')).toBe('cost_entry');
    expect(kindFromFileName('2025_deployments.csv')).toBe('deployment');
    expect(kindFromFileName('history.jsonl')).toBeUndefined();
  });

  it('import teams and services first so later files map their aliases', () => {
    expect(importOrder(['a/signals.jsonl', 'a/services.jsonl', 'a/history.jsonl', 'a/teams.csv'])).toEqual([
      'a/teams.csv',
      'a/services.jsonl',
      'a/signals.jsonl',
      'a/history.jsonl',
    ]);
  });
});
