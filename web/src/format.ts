// How numbers and times read on the dashboard. A missing value is "N/A", never 0.

export const NA = 'N/A';

export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return NA;
  return value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A ratio read against thresholds (0.49 vs 0.5): always the same number of decimals. */
export function fixed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return NA;
  return value.toFixed(digits);
}

export function pct(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return NA;
  return `${(value * 100).toLocaleString('en', { maximumFractionDigits: digits })}%`;
}

export function hours(value: number | null | undefined): string {
  if (value === null || value === undefined) return NA;
  if (value < 1) return `${Math.round(value * 60)} min`;
  if (value >= 48) return `${num(value / 24, 1)} d`;
  return `${num(value, 1)} h`;
}

/** A sum of effort: always in hours, so totals compare at a glance. */
export function hoursTotal(value: number | null | undefined): string {
  if (value === null || value === undefined) return NA;
  return `${num(value, value < 10 ? 1 : 0)} h`;
}

export function money(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return NA;
  return value.toLocaleString('en', { style: 'currency', currency, maximumFractionDigits: 0 });
}

export function date(iso: string | null | undefined): string {
  if (!iso) return NA;
  return iso.slice(0, 10);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return NA;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function quarterOf(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The quarter n before a `YYYY-Qn` label. */
export function quarterBefore(label: string, n = 1): string {
  const m = /^(\d{4})-Q([1-4])$/.exec(label);
  if (!m) return label;
  const index = Number(m[1]) * 4 + Number(m[2]) - 1 - n;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** The period of equal length before a quarter or a year label; null for others. */
export function periodBefore(label: string): string | null {
  if (/^\d{4}-Q[1-4]$/.test(label)) return quarterBefore(label);
  if (/^\d{4}$/.test(label)) return String(Number(label) - 1);
  return null;
}

export function releaseName(r: { service: string; version: string | null; deployment_id?: number }): string {
  return `${r.service} ${r.version ?? `#${r.deployment_id ?? '?'}`}`;
}

export const TYPE_COLORS: Record<string, string> = {
  code: '#4e79a7',
  infra: '#f28e2b',
  integration: '#b07aa1',
  regression: '#e15759',
  mixed: '#76b7b2',
  unclassified: '#9c9c9c',
};

/** The review state of a problem set aside as not an escaped problem. */
export const SET_ASIDE = 'dismissed';

/** A review state in words. */
export function reviewWords(state: string): string {
  return state === SET_ASIDE ? 'set aside, not counted' : state.replace('_', ' ');
}

/** Who set a problem aside, in words. */
export function setAsideBy(note: { by: 'rule' | 'person'; actor?: string } | null | undefined): string {
  if (!note) return 'set aside';
  return note.by === 'person' ? `set aside by ${note.actor ?? 'a person'}` : 'set aside as noise';
}
