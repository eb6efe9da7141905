// Report inputs + an audience template → the report document. The template (Handlebars, no HTML
// escaping: it writes Markdown-like text) reads the view; its output is split into sections (`## `),
// blocks (blank lines) and sentences (one per line; `- ` lines are list items). Pure.
import Handlebars from 'handlebars';
import { CitationRegistry, renameSentence } from './cite.ts';
import { type Block, PLAIN_AUDIENCES, type ReportDocument, type Section, type Sentence, type Slide } from './document.ts';
import { plural } from './recommend.ts';
import type { ReportInputs } from './inputs.ts';
import { buildView } from './view.ts';

export class TemplateError extends Error {}

export interface ReportTemplate {
  /** Where it was read from, for error messages. */
  source: string;
  text: string;
}

export function buildReport(inputs: ReportInputs, template: ReportTemplate, options: { dashboardUrl?: string } = {}): ReportDocument {
  const reg = new CitationRegistry();
  const view = buildView(inputs, reg);
  const { title, body } = splitFrontMatter(template);
  const hb = Handlebars.create();
  hb.registerHelper('plural', (token: unknown, one: unknown, many: unknown) => plural(reg, String(token), String(one), String(many)));
  hb.registerHelper('take', (list: unknown, n: unknown) => (Array.isArray(list) ? list.slice(0, Number(n)) : []));
  let rendered: string;
  let renderedTitle: string;
  try {
    rendered = hb.compile(body, { noEscape: true })(view);
    renderedTitle = hb.compile(title, { noEscape: true })(view);
  } catch (error) {
    throw new TemplateError(`${template.source}: ${(error as Error).message}`);
  }
  const sections = parseSections(rendered, reg);
  const all = sections.flatMap((s) => s.blocks.flatMap((b) => b.sentences));
  const slideSentences = [decisionReason(view, reg), ...view.slide_numbers.map((n) => reg.sentence(`${n.value} ${n.comparison}`))];
  const { citations, rename } = reg.used([...all, ...slideSentences]);
  const renamed = sections.map((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, sentences: b.sentences.map((x) => renameSentence(x, rename)) })) }));
  const plainTitle = reg.sentence(renderedTitle.trim()).parts.map((p) => p.text).join('');
  return {
    audience: inputs.audience,
    title: plainTitle,
    period: { label: inputs.period.label, start: inputs.period.start, end: inputs.period.end },
    service: inputs.service,
    empty: view.empty,
    sections: renamed,
    citations,
    slide: slide(view, reg, rename, plainTitle),
    dashboard_url: options.dashboardUrl ?? '',
  };
}

function splitFrontMatter(template: ReportTemplate): { title: string; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(template.text);
  if (!m) return { title: '{{audience_name}} — {{period}}', body: template.text };
  const titleLine = m[1]!.split(/\r?\n/).find((l) => /^title\s*:/.test(l));
  return { title: titleLine ? titleLine.replace(/^title\s*:\s*/, '') : '{{audience_name}} — {{period}}', body: template.text.slice(m[0].length) };
}

function parseSections(text: string, reg: CitationRegistry): Section[] {
  const sections: Section[] = [];
  let section: Section | null = null;
  let block: Block | null = null;
  const close = () => {
    if (block && block.sentences.length > 0 && section) section.blocks.push(block);
    block = null;
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('## ')) {
      close();
      section = { title: reg.sentence(line.slice(3).trim()).parts.map((p) => p.text).join(''), blocks: [] };
      sections.push(section);
      continue;
    }
    if (line === '') {
      close();
      continue;
    }
    if (!section) {
      section = { title: '', blocks: [] };
      sections.push(section);
    }
    const item = /^[-*] /.test(line);
    const kind = item ? 'list' : 'paragraph';
    if (block && block.kind !== kind) close();
    block ??= { kind, sentences: [] };
    block.sentences.push(reg.sentence(item ? line.slice(2).trim() : line));
  }
  close();
  // A section whose conditions left nothing in it is dropped rather than shown with a bare heading.
  return sections.filter((s) => s.blocks.length > 0);
}

function decisionReason(view: ReturnType<typeof buildView>, reg: CitationRegistry): Sentence {
  return reg.sentence(PLAIN_AUDIENCES.has(view.audience) ? view.decision.reason_plain : view.decision.reason);
}

function slide(view: ReturnType<typeof buildView>, reg: CitationRegistry, rename: ReadonlyMap<string, string>, title: string): Slide {
  const reason = renameSentence(decisionReason(view, reg), rename);
  return {
    title,
    decision: { state: view.decision.state, label: view.decision.label, reason: reason.parts },
    numbers: view.slide_numbers.map((n) => {
      const value = renameSentence(reg.sentence(n.value), rename);
      const cite = value.citations[0]!;
      return { label: reg.sentence(n.label).parts.map((p) => p.text).join(''), cite, display: value.parts.map((p) => p.text).join(''), comparison: renameSentence(reg.sentence(n.comparison), rename).parts };
    }),
  };
}
