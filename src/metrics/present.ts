// Plain-text tables of a metric result for the CLI: every Metric found in the result becomes a row
// with its value, its numerator/denominator, sample size and band; sentences and flags follow.
import type { Metric } from './result.ts';

const isMetric = (v: unknown): v is Metric =>
  typeof v === 'object' && v !== null && 'value' in v && 'method' in v && 'sample_size' in v && 'evidence' in v;

function formatValue(m: Metric): string {
  if (m.value === null) return 'N/A';
  if (m.unit === 'ratio' || m.unit === 'share of budget') return `${(m.value * 100).toFixed(1)}%`;
  if (m.unit === 'percent') return `${m.value.toFixed(1)}%`;
  if (m.unit === 'hours') return `${m.value.toFixed(2)} h`;
  if (m.unit === 'per day') return `${m.value.toFixed(3)}/day`;
  return Number.isInteger(m.value) ? String(m.value) : m.value.toFixed(2);
}

// Long series repeat per release; the table keeps the totals and leaves the series to --json.
const SKIP = new Set(['series', 'per_release', 'failed', 'by_type_detail', 'services']);

function collect(value: unknown, path: string, rows: string[][], notes: string[]): void {
  if (isMetric(value)) {
    const frac = value.numerator !== null && value.denominator !== null ? `${round(value.numerator)}/${round(value.denominator)}` : '';
    rows.push([path, formatValue(value), frac, String(value.sample_size), value.band ?? '']);
    return;
  }
  if (Array.isArray(value) || typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'sentence' || key === 'message' || key === 'recommendation') {
      if (typeof child === 'string' && child) notes.push(child);
      continue;
    }
    if (key === 'messages' && Array.isArray(child)) {
      for (const m of child) if (typeof m === 'string') notes.push(m);
      continue;
    }
    if (SKIP.has(key) && path !== '') continue;
    if (Array.isArray(child)) {
      child.forEach((item, i) => {
        const label = typeof item === 'object' && item !== null ? ((item as Record<string, unknown>).type ?? (item as Record<string, unknown>).service ?? (item as Record<string, unknown>).key ?? i) : i;
        collect(item, `${path ? `${path}.` : ''}${key}[${String(label)}]`, rows, notes);
      });
      continue;
    }
    collect(child, path ? `${path}.${key}` : key, rows, notes);
  }
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function renderTable(title: string, result: unknown): string {
  const rows: string[][] = [];
  const notes: string[] = [];
  collect(result, '', rows, notes);
  const header = ['metric', 'value', 'num/den', 'n', 'band'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const budgets = (result as { budgets?: unknown }).budgets;
  if (Array.isArray(budgets) && budgets.length === 0) notes.push('no SLOs configured: add them under `slos:` in the configuration');
  if (rows.length === 0) out.push('(no numbers: nothing in the selection)');
  if (notes.length > 0) out.push('', ...[...new Set(notes)].map((n) => `• ${n}`));
  return `${out.join('\n')}\n`;
}
