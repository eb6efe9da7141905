// HTML: one self-contained page (inline style, no scripts, no external assets). Every cited number
// links to the dashboard's evidence page for its records and to its note; all text is escaped.
import type { Citation, Part, ReportDocument } from './document.ts';
import { evidenceHref, evidenceSummary } from './evidence.ts';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
  :root { color-scheme: light; }
  body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; max-width: 46rem; margin: 2.5rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
  .meta { color: #57606a; margin: 0 0 1.5rem; font-size: .9rem; }
  h2 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid #d8dee4; padding-bottom: .2rem; }
  p, li { margin: .35rem 0; }
  a.num, span.num { white-space: nowrap; }
  a.num { color: #0550ae; font-weight: 600; text-decoration: none; border-bottom: 1px dotted #0550ae; }
  sup a { color: #57606a; text-decoration: none; font-size: .7rem; margin-left: 1px; }
  .nowrap { white-space: nowrap; }
  .notes-title { font-size: .85rem; color: #57606a; margin-top: 2rem; }
  .notes { margin-top: .5rem; font-size: .78rem; color: #57606a; }
  .notes li { margin: .2rem 0; }
  @page { size: A4; margin: 16mm 14mm; }
  @media print { body { margin: 0 auto; } a.num { border-bottom: none; } }
`;

const SLIDE_STYLE = `
  body { font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; margin: 0; }
  .slide { box-sizing: border-box; width: 100%; min-height: 100vh; padding: 3rem 3.5rem; display: flex; flex-direction: column; gap: 2rem; }
  h1 { font-size: 1.7rem; margin: 0; }
  .decision { border-radius: 12px; padding: 1.4rem 1.8rem; color: #fff; }
  .decision .state { font-size: 2.6rem; font-weight: 700; letter-spacing: .02em; }
  .decision .reason { font-size: 1.2rem; margin-top: .3rem; }
  .decision a.num { color: #fff; border-bottom-color: #fff; }
  .act { background: #b42318; } .watch { background: #b54708; } .on_track { background: #1a7f37; } .no_data { background: #57606a; }
  .numbers { display: grid; grid-template-columns: repeat(2, 1fr); gap: 1.2rem; }
  .card { border: 1px solid #d8dee4; border-radius: 10px; padding: 1rem 1.2rem; }
  .card .value { font-size: 2.2rem; font-weight: 700; }
  .card .value a { color: inherit; text-decoration: none; }
  .card .label { color: #57606a; }
  .card .cmp { font-size: .9rem; color: #57606a; margin-top: .2rem; }
  a.num { color: inherit; text-decoration: none; border-bottom: 1px dotted currentColor; }
  .nowrap { white-space: nowrap; }
  .foot { font-size: .75rem; color: #57606a; margin-top: auto; }
  @page { size: A4 landscape; margin: 0; }
`;

function link(c: Citation | undefined, text: string, base: string, note = true): string {
  if (!c) return escapeHtml(text);
  const href = evidenceHref(c.evidence, c.label, base);
  const title = escapeHtml(`${c.label}${c.period ? `, ${c.period}` : ''}`);
  const num = href ? `<a class="num" href="${escapeHtml(href)}" title="${title}">${escapeHtml(text)}</a>` : `<span class="num" title="${title}">${escapeHtml(text)}</span>`;
  // Bracketed, so a note mark beside a number never reads as a power (8² is not 8).
  return note ? `${num}<sup><a href="#${c.id}">[${c.id.slice(1)}]</a></sup>` : num;
}

function parts(ps: readonly Part[], byId: ReadonlyMap<string, Citation>, base: string, note = true): string {
  return ps.map((p) => ('cite' in p ? link(byId.get(p.cite), p.text, base, note) : escapeHtml(p.text))).join('');
}

function note(c: Citation): string {
  const work = c.numerator !== null && c.denominator !== null ? ` = ${fmt(c.numerator)} ÷ ${fmt(c.denominator)}` : '';
  const sample = c.sample_size !== null ? `, n = ${c.sample_size}` : '';
  const records = evidenceSummary(c.evidence);
  return `<li id="${c.id}">${escapeHtml(`${c.label}${c.period ? `, ${c.period}` : ''}: ${c.display}${work}${sample} — ${c.method}`)}${records ? ` · <span>${escapeHtml(records)}</span>` : ''}</li>`;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100));

/** The period after the dash stays on one line ("2025-Q4" must not break at its hyphen). */
function titleHtml(title: string): string {
  const at = title.lastIndexOf(' — ');
  return at < 0 ? escapeHtml(title) : `${escapeHtml(title.slice(0, at))} — <span class="nowrap">${escapeHtml(title.slice(at + 3))}</span>`;
}

const page = (title: string, style: string, body: string) =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(title)}</title>\n<style>${style}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

export function renderHtml(doc: ReportDocument): string {
  const byId = new Map(doc.citations.map((c) => [c.id, c]));
  const base = doc.dashboard_url;
  const body: string[] = [`<h1>${titleHtml(doc.title)}</h1>`, `<p class="meta">${escapeHtml(`${doc.service ?? 'All services'} · ${doc.period.start.slice(0, 10)} to ${doc.period.end.slice(0, 10)} (end exclusive)`)}</p>`];
  for (const section of doc.sections) {
    if (section.title) body.push(`<h2>${escapeHtml(section.title)}</h2>`);
    for (const block of section.blocks) {
      if (block.kind === 'list') body.push(`<ul>${block.sentences.map((s) => `<li>${parts(s.parts, byId, base)}</li>`).join('')}</ul>`);
      else body.push(`<p>${block.sentences.map((s) => parts(s.parts, byId, base)).join(' ')}</p>`);
    }
  }
  if (doc.citations.length > 0) body.push(`<h2 class="notes-title">Where each number comes from</h2>`, `<ol class="notes">${doc.citations.map(note).join('\n')}</ol>`);
  return page(doc.title, STYLE, body.join('\n'));
}

export function renderSlideHtml(doc: ReportDocument): string {
  const byId = new Map(doc.citations.map((c) => [c.id, c]));
  const base = doc.dashboard_url;
  const s = doc.slide;
  const cards = s.numbers
    .map((n) => `<div class="card"><div class="value">${link(byId.get(n.cite), n.display, base, false)}</div><div class="label">${escapeHtml(n.label)}</div>${n.comparison.length ? `<div class="cmp">${parts(n.comparison, byId, base, false)}</div>` : ''}</div>`)
    .join('\n');
  const body = `<div class="slide">
<h1>${titleHtml(s.title)}</h1>
<div class="decision ${s.decision.state}"><div class="state">${escapeHtml(s.decision.label)}</div><div class="reason">${parts(s.decision.reason, byId, base, false)}</div></div>
${s.numbers.length ? `<div class="numbers">${cards}</div>` : ''}
<div class="foot">${escapeHtml(`${doc.service ?? 'All services'} · ${doc.period.label}`)} · every number links to the records behind it</div>
</div>`;
  return page(s.title, SLIDE_STYLE, body);
}
