// Reports from a fixed history: one golden file per audience (wording and numbers), the reference
// sentence of metrics.md, every number against the metric it cites, an empty period, determinism
// and a team's own templates.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReport, TemplateError } from '../../src/report/build.ts';
import { AUDIENCES, sentenceText, type ReportDocument } from '../../src/report/document.ts';
import { renderMarkdown, renderSlideMarkdown } from '../../src/report/render-markdown.ts';
import { loadTemplate } from '../../src/report/templates.ts';
import { inputsFor } from './history.ts';
import { allSentences, checkCitations } from './check.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  // UPDATE_GOLDEN=1 rewrites the files after a deliberate change; review the diff before committing.
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const report = (audience: (typeof AUDIENCES)[number], period = '2025-Q4') => {
  const inputs = inputsFor(audience, period);
  return { inputs, doc: buildReport(inputs, loadTemplate(audience), { dashboardUrl: 'http://localhost:7373' }) };
};

const text = (doc: ReportDocument) => allSentences(doc).map(sentenceText).join('\n');

describe('reports on the fixed history', () => {
  for (const audience of AUDIENCES) {
    it(`${audience}: matches its golden report and slide`, () => {
      const { doc } = report(audience);
      golden(`${audience}.md`, renderMarkdown(doc));
      golden(`${audience}.slide.md`, renderSlideMarkdown(doc));
    });

    it(`${audience}: every number equals the metric it cites`, () => {
      const { doc, inputs } = report(audience);
      const checked = checkCitations(doc, inputs);
      expect(checked).toBeGreaterThanOrEqual(6);
    });
  }

  it('produces the reference sentence of metrics.md from the data', () => {
    for (const audience of ['sprint', 'em'] as const) {
      const { doc } = report(audience);
      expect(text(doc)).toContain('8 escaped problems — 5 code defects, 2 configuration problems and 1 integration failure; total cost about 68 hours');
    }
  });

  it('puts the conclusion first and follows it with numbers, a case and a recommendation', () => {
    const { doc } = report('em');
    expect(doc.sections.map((s) => s.title)).toEqual(['Conclusion', 'Trend by type', 'Per release', 'One case', 'The ask']);
    expect(sentenceText(doc.sections[0]!.blocks[0]!.sentences[0]!)).toBe('We need to act: 1 release spiked above the usual escape level.');
    const ask = doc.sections[4]!.blocks[0]!.sentences.map(sentenceText);
    expect(ask[0]).toBe('Hold a blameless post-mortem on release checkout 3.2.0 within 48 hours: 5 escaped problems against a spike threshold of 2.1.');
    expect(ask.some((s) => s.startsWith('Add contract tests at the service and partner boundaries of checkout: 1 integration failure cost about 14 hours'))).toBe(true);
    expect(ask.some((s) => s.startsWith('Work on environment parity for checkout and search'))).toBe(true);
  });

  it('compares with the period before and the same quarter last year', () => {
    const { doc, inputs } = report('quarterly');
    expect(inputs.previous_period.label).toBe('2025-Q3');
    expect(inputs.year_ago_period?.label).toBe('2024-Q4');
    const all = text(doc);
    expect(all).toContain('against 39 hours in 2025-Q3');
    expect(all).toContain('Same quarter last year (2024-Q4): 10 problems');
    expect(all).toContain('Per release: 1.3 problems reached customers on average over 6 releases, about 11 hours each.');
  });

  it('gives the board consequences, not jargon', () => {
    const { doc } = report('board');
    const all = text(doc);
    for (const jargon of ['DDR', 'EpR', 'Tukey', 'regression', 'post-mortem', 'integration failure', 'canary']) expect(all).not.toContain(jargon);
    expect(all).toContain('They took about 68 hours of engineering time, about 5,545 EUR, against 39 hours in 2025-Q3.');
  });

  it('cites the records behind each number', () => {
    const { doc } = report('sprint');
    const total = doc.citations.find((c) => c.path === 'current.escapes.total')!;
    expect(total.evidence.problems).toEqual([201, 202, 203, 204, 205, 206, 207, 208]);
    const theCase = doc.citations.find((c) => c.path === 'problems[0].hours')!;
    expect(theCase.value).toBe(14);
    expect(theCase.evidence).toEqual({ problems: [205], deployments: [104] });
  });

  it('says plainly that a period without data has none, printing no zeros', () => {
    for (const audience of AUDIENCES) {
      const { doc } = report(audience, '2026-Q2');
      expect(doc.empty).toBe(true);
      expect(doc.citations).toEqual([]);
      expect(text(doc)).toMatch(/^No data for 2026-Q2: /);
      expect(text(doc)).not.toMatch(/\b0\b/);
      expect(doc.slide.decision.state).toBe('no_data');
      expect(doc.slide.numbers).toEqual([]);
    }
  });

  it('keeps the slide to one decision and at most four numbers', () => {
    const { doc } = report('board');
    expect(doc.slide.decision.label).toBe('Act');
    expect(doc.slide.numbers.map((n) => `${n.display} ${n.label}`)).toEqual([
      '8 problems that reached customers',
      '5,545 EUR what they cost',
      '1.3 problems per release',
      '74% defects caught before customers saw them',
    ]);
  });

  it('words the same data the same way every time', () => {
    expect(JSON.stringify(report('em').doc)).toBe(JSON.stringify(report('em').doc));
  });
});

describe('templates a team can edit', () => {
  it('reads the team folder first and falls back to the bundled templates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-templates-'));
    try {
      writeFileSync(join(dir, 'sprint.md'), '---\ntitle: Our sprint {{period}}\n---\n## Headline\n{{plural escapes.total "escape" "escapes"}}, {{cost.hours}} hours.\n');
      const custom = buildReport(inputsFor('sprint'), loadTemplate('sprint', dir));
      expect(custom.title).toBe('Our sprint 2025-Q4');
      expect(custom.sections.map((s) => s.title)).toEqual(['Headline']);
      expect(sentenceText(custom.sections[0]!.blocks[0]!.sentences[0]!)).toBe('8 escapes, 68 hours.');
      expect(loadTemplate('board', dir).source).toMatch(/templates\/reports\/board\.md$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a template folder that does not exist', () => {
    expect(() => loadTemplate('sprint', '/nonexistent/templates')).toThrow('reports.templates: the folder /nonexistent/templates does not exist');
  });

  it('names the template file when it does not compile', () => {
    expect(() => buildReport(inputsFor('sprint'), { source: 'team/sprint.md', text: '{{#if empty}}never closed' })).toThrow(TemplateError);
    expect(() => buildReport(inputsFor('sprint'), { source: 'team/sprint.md', text: '{{#if empty}}never closed' })).toThrow(/team\/sprint\.md/);
  });

  it('shows data verbatim: a title that looks like a template stays text', () => {
    const inputs = inputsFor('sprint');
    inputs.problems[0] = { ...inputs.problems[0]!, title: '{{cost.hours}} 42 ⟦n0⟧' };
    const doc = buildReport(inputs, loadTemplate('sprint'));
    expect(text(doc)).toContain('“{{cost.hours}} 42 ⟦n0⟧” in checkout');
  });
});
