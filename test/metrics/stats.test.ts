// Percentiles as percentile_cont computes them: linear interpolation at (n−1)·p.
import { describe, expect, it } from 'vitest';
import { percentileCont, median, ratio, isoMs, hoursBetween } from '../../src/metrics/result.ts';

describe('percentile_cont', () => {
  it('interpolates the median of an even sample', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('takes the middle value of an odd sample', () => {
    expect(median([5, 1, 9])).toBe(5);
  });
  it('interpolates p90 at index (n−1)·0.9', () => {
    // sorted 1..10, index 8.1 → 9 + 0.1·(10 − 9)
    expect(percentileCont([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
  });
  it('gives null on an empty sample, never 0', () => {
    expect(percentileCont([], 0.5)).toBeNull();
  });
  it('a ratio over an empty denominator is null, and shows its work', () => {
    const r = ratio(0, 0, 'm', { problems: [] });
    expect(r.value).toBeNull();
    expect(r.numerator).toBe(0);
    expect(r.denominator).toBe(0);
    expect(r.sample_size).toBe(0);
    expect(r.method).toBe('m');
  });
});

describe('isoMs reads stored timestamps as Date.parse does', () => {
  it('agrees on canonical timestamps across leap days, month ends, centuries and the epoch', () => {
    const samples = ['1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '2024-02-29T12:00:00.000Z', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z', '2100-03-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2025-11-10T10:07:33.120Z'];
    for (const s of samples) expect(isoMs(s)).toBe(Date.parse(s));
    for (let t = Date.UTC(2022, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000 * 7 + 3_723_456) expect(isoMs(new Date(t).toISOString())).toBe(t);
  });
  it('hands other spellings to Date.parse', () => {
    expect(isoMs('2025-11-10T10:00:00Z')).toBe(Date.parse('2025-11-10T10:00:00Z'));
    expect(isoMs('2025-11-10T10:00:00.000+02:00')).toBe(Date.parse('2025-11-10T10:00:00.000+02:00'));
    expect(isoMs('2025-13-10T10:00:00.000Z')).toBeNaN();
    expect(hoursBetween('2025-11-10T10:00:00.000Z', '2025-11-11T12:30:00.000Z')).toBe(26.5);
  });
});
