// Numbers and names enter a report only through this registry: each becomes a token (⟦n3⟧, ⟦v2⟧) in
// the text a template produces, and the token keeps the citation (metric path, evidence) or the
// verbatim name. Template text never carries data, so nothing in the data can be read as template.
import type { Metric } from '../metrics/result.ts';
import type { Citation, NumberFormat, Part, Sentence } from './document.ts';

const grouped = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** How each kind of number is written; deterministic and locale-independent. */
export function formatNumber(value: number, format: NumberFormat, currency = ''): string {
  switch (format) {
    case 'count':
      return grouped(value);
    case 'hours':
    case 'duration':
      // "about 68 hours": whole hours from ten up, one decimal below.
      return value >= 10 ? grouped(Math.round(value)) : String(Math.round(value * 10) / 10);
    case 'percent':
      return `${Math.round(value * 100)}%`;
    case 'decimal':
      return Math.abs(value) >= 10 ? String(Math.round(value)) : Math.abs(value) >= 1 ? String(Math.round(value * 10) / 10) : String(Math.round(value * 100) / 100);
    case 'money':
      return `${grouped(Math.round(value))}${currency ? ` ${currency}` : ''}`;
  }
}

export interface CiteOptions {
  label: string;
  format: NumberFormat;
  period?: string | null;
  metric?: Metric;
  method?: string;
  evidence?: Citation['evidence'];
  currency?: string;
  kind?: Citation['kind'];
}

const TOKEN = /⟦([nv])(\d+)⟧/g;

export class CitationRegistry {
  readonly citations: Citation[] = [];
  private readonly names: string[] = [];
  private readonly byKey = new Map<string, Citation>();

  /** A cited number: `path` is where the value sits in the report inputs (or a reference name). */
  cite(path: string, value: number, options: CiteOptions): string {
    const display = formatNumber(value, options.format, options.currency);
    const key = `${options.kind ?? 'metric'}\u0000${path}\u0000${options.format}`;
    let citation = this.byKey.get(key);
    if (!citation) {
      const m = options.metric;
      citation = {
        id: `c${this.citations.length + 1}`,
        kind: options.kind ?? 'metric',
        path,
        label: options.label,
        value,
        display,
        format: options.format,
        period: options.period ?? null,
        method: options.method ?? m?.method ?? '',
        numerator: m?.numerator ?? null,
        denominator: m?.denominator ?? null,
        sample_size: m?.sample_size ?? null,
        evidence: options.evidence ?? m?.evidence ?? {},
      };
      this.citations.push(citation);
      this.byKey.set(key, citation);
    }
    return `⟦n${this.citations.indexOf(citation)}⟧`;
  }

  /** A name taken from the data (a service, a title, a version): shown verbatim, never read as a number or template. */
  name(text: string): string {
    this.names.push(text);
    return `⟦v${this.names.length - 1}⟧`;
  }

  /** The numeric value behind a number token, for plural forms. */
  valueOf(token: string): number | null {
    const m = /^⟦n(\d+)⟧$/.exec(token.trim());
    return m ? this.citations[Number(m[1])]!.value : null;
  }

  /** Splits rendered template text into parts. */
  sentence(text: string): Sentence {
    const parts: Part[] = [];
    const citations: string[] = [];
    let last = 0;
    for (const m of text.matchAll(TOKEN)) {
      if (m.index > last) parts.push({ text: text.slice(last, m.index) });
      if (m[1] === 'n') {
        const c = this.citations[Number(m[2])]!;
        parts.push({ cite: c.id, text: c.display });
        if (!citations.includes(c.id)) citations.push(c.id);
      } else {
        const name = this.names[Number(m[2])]!;
        parts.push({ name, text: name });
      }
      last = m.index + m[0].length;
    }
    if (last < text.length) parts.push({ text: text.slice(last) });
    return { parts: mergeText(parts), citations };
  }

  /** Citations in use, renumbered in order of first appearance (unused ones dropped). */
  used(sentences: readonly Sentence[]): { citations: Citation[]; rename: Map<string, string> } {
    const rename = new Map<string, string>();
    const out: Citation[] = [];
    for (const s of sentences) {
      for (const id of s.citations) {
        if (rename.has(id)) continue;
        const c = this.citations.find((x) => x.id === id)!;
        const next = `c${out.length + 1}`;
        rename.set(id, next);
        out.push({ ...c, id: next });
      }
    }
    return { citations: out, rename };
  }
}

function mergeText(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev && !('cite' in prev) && !('name' in prev) && !('cite' in p) && !('name' in p)) out[out.length - 1] = { text: prev.text + p.text };
    else out.push(p);
  }
  return out;
}

export function renameSentence(s: Sentence, rename: ReadonlyMap<string, string>): Sentence {
  return {
    parts: s.parts.map((p) => ('cite' in p ? { cite: rename.get(p.cite) ?? p.cite, text: p.text } : p)),
    citations: s.citations.map((id) => rename.get(id) ?? id),
  };
}

/** "a, b and c" */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
