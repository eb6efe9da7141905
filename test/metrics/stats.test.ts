// Percentiles as percentile_cont computes them: linear interpolation at (n−1)·p.
import { describe, expect, it } from 'vitest';
import { percentileCont, median, ratio } from '../../src/metrics/result.ts';

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
