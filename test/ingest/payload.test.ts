import { describe, expect, it } from 'vitest';
import { optionalTime, severityOf, signalRecord, stableId } from '../../src/ingest/payload.ts';
import { PayloadError } from '../../src/ingest/adapter.ts';
import { SignalSchema } from '../../src/domain/records.ts';
import { parseJsonText } from '../../src/ingest/json-text.ts';

describe('payload helpers', () => {
  it('reads the time shapes vendors send', () => {
    expect(optionalTime('2018-11-04T22:43:58.283995108+01:00')).toBe('2018-11-04T21:43:58.283Z');
    expect(optionalTime('2013-12-03 17:15:43 UTC')).toBe('2013-12-03T17:15:43.000Z');
    expect(optionalTime('2015-06-03T17:43:27.123+0000')).toBe('2015-06-03T17:43:27.123Z');
    expect(optionalTime('1355517523.000005')).toBe('2012-12-14T20:38:43.000Z');
    expect(optionalTime(1420452191104)).toBe('2015-01-05T10:03:11.104Z');
    expect(optionalTime('1420452224764002246')).toBe('2015-01-05T10:03:44.764Z');
    expect(optionalTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(optionalTime('2025-11-03T14:05:00')).toBeUndefined();
  });

  it('maps vendor severity words and priorities onto four steps', () => {
    expect(['P1', 'sev1', 'Highest', 'fatal', 'urgent', 'Blocker'].map(severityOf)).toEqual(Array(6).fill('critical'));
    expect(['P2', 'High', 'major', 'error'].map(severityOf)).toEqual(Array(4).fill('high'));
    expect(['P3', 'normal', 'warning', 'Medium'].map(severityOf)).toEqual(Array(4).fill('medium'));
    expect(['P5', 'minor', 'info', 'Lowest'].map(severityOf)).toEqual(Array(4).fill('low'));
    expect(severityOf('unknown')).toBeUndefined();
  });

  it('hashes labels independently of key order', () => {
    expect(stableId({ a: '1', b: '2' })).toBe(stableId({ b: '2', a: '1' }));
    expect(stableId({ a: '1' })).not.toBe(stableId({ a: '2' }));
  });

  it('parses JSON keeping integers beyond 2^53 as digits, and only those', () => {
    expect(parseJsonText('{"n":1420452224764002246,"s":"9999999999999999999","x":12,"f":1.5e300,"neg":-12345678901234567890}')).toEqual({
      n: '1420452224764002246',
      s: '9999999999999999999',
      x: 12,
      f: 1.5e300,
      neg: '-12345678901234567890',
    });
    expect(() => parseJsonText('{"a":')).toThrow();
  });
});

describe('signalRecord', () => {
  const fields = {
    source: 'alertmanager',
    external_id: ' fp1 ',
    kind: 'alert' as const,
    occurred_at: '2025-11-03T16:05:00+02:00',
    title: ' checkout 502s ',
    severity: 'high' as const,
    service: 'checkout',
    labels: { team: 'payments' },
    links: ['jira:PAY-1'],
    url: undefined,
    raw: { any: ['thing'] },
  };

  it('gives what the schema gives, whether or not the shortcut takes the record', () => {
    const { url: _left, ...defined } = fields;
    expect(signalRecord(fields).record).toEqual(SignalSchema.parse(defined));
    // Labels without a prototype are left to the schema.
    const bare = { ...defined, labels: Object.assign(Object.create(null) as Record<string, string>, { team: 'payments' }) };
    expect(signalRecord(bare).record).toEqual(SignalSchema.parse(bare));
  });

  it('names the field the schema rejects', () => {
    expect(() => signalRecord({ ...fields, title: '  ' })).toThrow(PayloadError);
    expect(() => signalRecord({ ...fields, occurred_at: 'yesterday' })).toThrow(/^occurred_at: /);
  });
});
