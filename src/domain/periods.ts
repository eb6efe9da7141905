// Reporting periods: `2025-Q4`, `2025-11`, `2025`, `last-90d`, `last-12w`, `sprint:<name>`,
// `2025-01-01..2025-03-31`, `all`. A period is [start, end): start inclusive, end exclusive, UTC.

export interface Period {
  label: string;
  /** Inclusive, ISO UTC. */
  start: string;
  /** Exclusive, ISO UTC. */
  end: string;
}

export interface Sprint {
  name: string;
  start: string;
  end: string;
}

export class PeriodError extends Error {}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const utc = (y: number, m: number, d = 1) => Date.UTC(y, m, d);

export const PERIOD_FORMATS = '2025-Q4, 2025-11, 2025, last-90d, last-12w, sprint:<name>, 2025-01-01..2025-03-31 or all';

export function parsePeriod(text: string, context: { now?: Date; sprints?: readonly Sprint[] } = {}): Period {
  const value = text.trim();
  const now = (context.now ?? new Date()).getTime();
  let m: RegExpMatchArray | null;
  if (value === 'all') return { label: 'all time', start: '0000-01-01T00:00:00.000Z', end: '9999-12-31T00:00:00.000Z' };
  if ((m = value.match(/^(\d{4})-Q([1-4])$/i))) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return { label: `${y}-Q${q}`, start: iso(utc(y, (q - 1) * 3)), end: iso(utc(y, q * 3)) };
  }
  if ((m = value.match(/^(\d{4})-(\d{2})$/))) {
    const y = Number(m[1]);
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw new PeriodError(`period "${text}": month must be 01–12`);
    return { label: value, start: iso(utc(y, month - 1)), end: iso(utc(y, month)) };
  }
  if ((m = value.match(/^(\d{4})$/))) {
    const y = Number(m[1]);
    return { label: value, start: iso(utc(y, 0)), end: iso(utc(y + 1, 0)) };
  }
  if ((m = value.match(/^last-(\d+)([dw])$/))) {
    const days = Number(m[1]) * (m[2] === 'w' ? 7 : 1);
    if (days === 0) throw new PeriodError(`period "${text}": needs at least one day`);
    return { label: `last ${m[1]}${m[2] === 'w' ? ' weeks' : ' days'}`, start: iso(now - days * DAY), end: iso(now) };
  }
  if ((m = value.match(/^sprint:(.+)$/))) {
    const sprint = context.sprints?.find((s) => s.name === m![1]);
    if (!sprint) {
      const known = context.sprints?.map((s) => s.name).join(', ');
      throw new PeriodError(`period "${text}": no sprint named "${m[1]}" in the configuration${known ? ` (known: ${known})` : ' (define sprints under "sprints:")'}`);
    }
    return { label: `sprint ${sprint.name}`, start: sprint.start, end: sprint.end };
  }
  if ((m = value.match(/^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/))) {
    const start = Date.parse(`${m[1]}T00:00:00Z`);
    const endInclusive = Date.parse(`${m[2]}T00:00:00Z`);
    if (Number.isNaN(start) || Number.isNaN(endInclusive) || endInclusive < start) {
      throw new PeriodError(`period "${text}": expected a valid date range with the start before the end`);
    }
    return { label: `${m[1]} – ${m[2]}`, start: iso(start), end: iso(endInclusive + DAY) };
  }
  throw new PeriodError(`period "${text}" not understood; expected ${PERIOD_FORMATS}`);
}

/** The period of the same length just before this one (for trends). */
export function previousPeriod(period: Period): Period {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  return { label: `before ${period.label}`, start: iso(start - (end - start)), end: period.start };
}

export function quarterOf(timestamp: string): string {
  const d = new Date(timestamp);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

export function monthOf(timestamp: string): string {
  return timestamp.slice(0, 7);
}
