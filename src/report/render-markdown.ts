// Markdown: every cited number carries a footnote; the footnotes name the metric, its period, its
// work (numerator/denominator, sample size) and the records behind it.
import type { Citation, Part, ReportDocument } from './document.ts';
import { evidenceSummary } from './evidence.ts';

const escapeMd = (text: string) => text.replace(/([\\`*_[\]<>#|])/g, '\\$1');

function parts(ps: readonly Part[]): string {
  return ps.map((p) => ('cite' in p ? `${p.text}[^${p.cite}]` : 'name' in p ? escapeMd(p.text) : p.text)).join('');
}

function footnote(c: Citation): string {
  const work = c.numerator !== null && c.denominator !== null ? ` = ${round(c.numerator)} ÷ ${round(c.denominator)}` : '';
  const sample = c.sample_size !== null ? `, n = ${c.sample_size}` : '';
  const where = c.kind === 'metric' ? `\`${c.path}\`` : 'reference';
  const period = c.period ? `, ${escapeMd(c.period)}` : '';
  const records = evidenceSummary(c.evidence);
  return `[^${c.id}]: ${escapeMd(c.label)}${period}: ${c.display}${work}${sample} (${where}; ${escapeMd(c.method)})${records ? `. Records: ${records}` : ''}.`;
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100));

export function renderMarkdown(doc: ReportDocument): string {
  const out: string[] = [`# ${escapeMd(doc.title)}`, ''];
  for (const section of doc.sections) {
    if (section.title) out.push(`## ${escapeMd(section.title)}`, '');
    for (const block of section.blocks) {
      if (block.kind === 'list') out.push(...block.sentences.map((s) => `- ${parts(s.parts)}`));
      else out.push(block.sentences.map((s) => parts(s.parts)).join(' '));
      out.push('');
    }
  }
  if (doc.citations.length > 0) out.push(...doc.citations.map(footnote), '');
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderSlideMarkdown(doc: ReportDocument): string {
  const s = doc.slide;
  const out = [`# ${escapeMd(s.title)}`, '', `**${s.decision.label}** — ${parts(s.decision.reason)}`, ''];
  for (const n of s.numbers) out.push(`- **${n.display}**[^${n.cite}] ${escapeMd(n.label)}${n.comparison.length ? ` (${parts(n.comparison)})` : ''}`);
  const used = new Set([...s.numbers.map((n) => n.cite), ...s.decision.reason.flatMap((p) => ('cite' in p ? [p.cite] : [])), ...s.numbers.flatMap((n) => n.comparison.flatMap((p) => ('cite' in p ? [p.cite] : [])))]);
  out.push('', ...doc.citations.filter((c) => used.has(c.id)).map(footnote));
  return `${out.join('\n').trimEnd()}\n`;
}
