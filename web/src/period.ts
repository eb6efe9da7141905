// The reporting period every page reads: `?period=` in the URL, else the latest quarter with data.
import { createContext, useContext } from 'react';
import { quarterBefore, quarterOf } from './format.ts';

export const PeriodContext = createContext<{ period: string; latestQuarter: string | null }>({ period: 'all', latestQuarter: null });
export const usePeriod = () => useContext(PeriodContext).period;
/** The last quarter that has data (pages that show a series of quarters end there for "all"). */
export const useLatestQuarter = () => useContext(PeriodContext).latestQuarter;

/** Quarters and years the data covers (newest first), plus the current choice and "all". */
export function periodOptions(span: { first: string | null; last: string | null }, current: string): string[] {
  const out: string[] = [];
  if (span.first && span.last) {
    const firstQ = quarterOf(span.first);
    let q = quarterOf(span.last);
    for (let i = 0; i < 40; i++) {
      out.push(q);
      if (q === firstQ) break;
      q = quarterBefore(q);
    }
    const y0 = Number(span.first.slice(0, 4));
    for (let y = Number(span.last.slice(0, 4)); y >= y0; y--) out.push(String(y));
  }
  out.push('all');
  if (!out.includes(current)) out.unshift(current);
  return out;
}
