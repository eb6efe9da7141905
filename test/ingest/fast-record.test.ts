// The import shortcut past zod (src/ingest/fast-record.ts) must accept only what the schemas accept
// and give the same record; everything else is left to the schema, whose errors users see.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/cli/commands/generate.ts';
import { IMPORT_SCHEMAS, type ImportKind } from '../../src/domain/records.ts';
import { fastKinds, fastRecord } from '../../src/ingest/fast-record.ts';
import { kindFromFileName, parseRecordObject } from '../../src/ingest/parse-record.ts';
import { RECORD_FILES } from '../../src/generate/types.ts';

let dir: string;
const samples = new Map<ImportKind, Record<string, unknown>[]>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'escapement-fast-'));
  await writeHistory({ scale: 'small', seed: 7 }, dir);
  for (const file of RECORD_FILES) {
    const kind = kindFromFileName(`${file}.jsonl`)!;
    const lines = readFileSync(join(dir, `${file}.jsonl`), 'utf8').split('\n').filter(Boolean);
    samples.set(kind, lines.map((l) => JSON.parse(l) as Record<string, unknown>));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fast and schema agree: the shortcut gives the schema's record, or declines. */
function expectAgreement(kind: ImportKind, input: Record<string, unknown>): 'fast' | 'declined' {
  const fast = fastRecord(kind, structuredClone(input));
  const schema = IMPORT_SCHEMAS[kind].safeParse(structuredClone(input));
  if (fast === undefined) return 'declined';
  expect(schema.success, `${kind} ${JSON.stringify(input)} accepted by the shortcut, rejected by the schema`).toBe(true);
  expect(fast).toStrictEqual(schema.data);
  return 'fast';
}

const ODD_VALUES: unknown[] = [
  null, '', '   ', ' padded ', 'x', 'UPPER', 0, -1, 1.5, 2 ** 53, 10_000, 10_001, true, false, [], ['x'], ['jira:PAY-1'], ['jira:'], [':x'], ['nope:1'], [1],
  {}, { a: 'b' }, { a: 1 }, '2025-11-03T14:05:00Z', '2025-11-03T14:05:00.123Z', '2025-02-30T00:00:00Z', '2025-11-03T14:05:00+01:00', '2025-11-03 14:05Z',
  1762178700000, 'github:1', 'Github:1', 'github:', 'critical', 'alert', 'resolved', 'rollback', 'functional', 'staging', 'pagerduty', 'Page-Duty',
];

describe('fastRecord', () => {
  it('covers exactly the fields of each schema it shortcuts', () => {
    for (const [kind, fields] of fastKinds()) expect(fields.sort()).toEqual(Object.keys(IMPORT_SCHEMAS[kind].shape).sort());
  });

  it('takes every generated line itself, giving what the schema gives', () => {
    for (const [kind, lines] of samples) {
      if (!fastKinds().has(kind)) continue;
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(expectAgreement(kind, line)).toBe('fast');
    }
  });

  it('never accepts a changed, missing or unknown field the schema rejects', () => {
    let declined = 0;
    for (const kind of fastKinds().keys()) {
      const base = samples.get(kind)![0]!;
      const fields = Object.keys(IMPORT_SCHEMAS[kind].shape);
      for (const field of fields) {
        const { [field]: _removed, ...without } = base;
        if (expectAgreement(kind, without) === 'declined') declined++;
        for (const value of ODD_VALUES) if (expectAgreement(kind, { ...base, [field]: value }) === 'declined') declined++;
      }
      expect(expectAgreement(kind, { ...base, unknown_field: 'x' })).toBe('declined');
      expect(expectAgreement(kind, JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(base).slice(1)}`) as Record<string, unknown>)).toBe('declined');
      if ('labels' in IMPORT_SCHEMAS[kind].shape) {
        expect(expectAgreement(kind, { ...base, labels: JSON.parse('{"__proto__": "x"}') as Record<string, unknown> })).toBe('declined');
      }
    }
    expect(declined).toBeGreaterThan(100);
  });

  it('leaves errors to the schema: a bad line reads as it did', () => {
    const base = samples.get('signal')![0]!;
    expect(parseRecordObject({ ...base, occurred_at: 'yesterday' }, 'signal')).toEqual({
      ok: false,
      error: { kind: 'signal', field: 'occurred_at', message: 'expected an ISO-8601 timestamp with a time zone (e.g. 2025-11-03T14:05:00Z), got "yesterday"' },
    });
    expect(parseRecordObject({ ...base, record: 'signal', colour: 'red' }, undefined)).toEqual({
      ok: false,
      error: { kind: 'signal', field: 'colour', message: 'unknown field "colour"' },
    });
    const { title: _title, ...untitled } = base;
    expect(parseRecordObject(untitled, 'signal')).toEqual({ ok: false, error: { kind: 'signal', field: 'title', message: 'is required' } });
  });

  it('reads the record field as the kind and leaves it out of the record', () => {
    const base = samples.get('deployment')![0]!;
    const parsed = parseRecordObject({ record: 'deployment', ...base }, 'signal');
    expect(parsed).toEqual({ ok: true, value: { kind: 'deployment', record: IMPORT_SCHEMAS.deployment.parse(base) } });
  });
});
