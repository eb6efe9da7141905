// Renderers: Markdown footnotes, HTML escaping and evidence links, JSON ids, PDF through Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { loadTemplate } from '../../src/report/templates.ts';
import { escapeHtml, renderHtml, renderSlideHtml } from '../../src/report/render-html.ts';
import { renderMarkdown } from '../../src/report/render-markdown.ts';
import { renderJson } from '../../src/report/render-json.ts';
import { chromiumAvailable, ChromiumMissingError, renderPdf } from '../../src/report/render-pdf.ts';
import { inputsFor } from './history.ts';

const doc = (audience: Parameters<typeof inputsFor>[0] = 'em', title?: string) => {
  const inputs = inputsFor(audience);
  if (title !== undefined) inputs.problems[0] = { ...inputs.problems[0]!, title };
  return buildReport(inputs, loadTemplate(audience), { dashboardUrl: 'http://localhost:7373' });
};

describe('HTML', () => {
  it('escapes titles and every piece of data', () => {
    const html = renderHtml(doc('em', '<script>alert("x")</script> & <b>bold</b>'));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(renderHtml(doc('sprint'))).toContain('Payment provider &lt;PSP&gt; times out');
  });

  it('is self-contained and links each number to the records behind it', () => {
    const html = renderHtml(doc('sprint'));
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('<a class="num" href="http://localhost:7373/evidence?title=escaped+problems&amp;problems=201%2C202%2C203%2C204%2C205%2C206%2C207%2C208" title="escaped problems, 2025-Q4">8</a><sup><a href="#c2">[2]</a></sup>');
    expect(html).toContain('<li id="c2">escaped problems, 2025-Q4: 8');
  });

  it('puts one decision and at most four numbers on the slide', () => {
    const html = renderSlideHtml(doc('board'));
    expect(html.match(/class="card"/g)).toHaveLength(4);
    expect(html).toContain('<div class="decision act"><div class="state">Act</div>');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('Markdown and JSON', () => {
  it('writes a footnote per citation with its work and records', () => {
    const md = renderMarkdown(doc('sprint'));
    expect(md).toContain('8[^c2] escaped problems — 5[^c3] code defects');
    expect(md).toContain('[^c10]: escaped problems per release, 2025-Q4: 1.3 = 8 ÷ 6, n = 14 (`current.epr.epr.value`;');
    expect(md).toContain('Records: problems 208, 201, 202, 203, 204, 205, 206, 207; deployments 101, 102, 103, 104, 105, 106.');
  });

  it('keeps the record ids in JSON', () => {
    const json = JSON.parse(renderJson(doc('sprint'))) as { citations: { id: string; path: string; evidence: { problems?: number[] } }[]; sections: { blocks: { sentences: { text: string; citations: string[] }[] }[] }[] };
    const total = json.citations.find((c) => c.path === 'current.escapes.total')!;
    expect(total.evidence.problems).toEqual([201, 202, 203, 204, 205, 206, 207, 208]);
    const sentence = json.sections[1]!.blocks[0]!.sentences[0]!;
    expect(sentence.text).toBe('8 escaped problems — 5 code defects, 2 configuration problems and 1 integration failure; total cost about 68 hours (5,545 EUR).');
    expect(sentence.citations[0]).toBe(total.id);
  });
});

describe('PDF', () => {
  const reason = chromiumAvailable() ? null : 'Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)';

  it.skipIf(reason !== null)('renders the report and the slide through headless Chromium', async () => {
    const pdf = await renderPdf(renderHtml(doc('em')));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const slide = await renderPdf(renderSlideHtml(doc('board')), { landscape: true });
    expect(slide.subarray(0, 5).toString()).toBe('%PDF-');
    if (!existsSync('/usr/bin/pdftoppm')) return;
    // One page to PNG: the page really has content (poppler-utils).
    const dir = mkdtempSync(join(tmpdir(), 'esc-pdf-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), pdf);
      execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', join(dir, 'r.pdf'), join(dir, 'page')]);
      expect(readdirSync(dir).some((f) => f.startsWith('page') && f.endsWith('.png'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('says clearly when Chromium is missing', async () => {
    await expect(renderPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' })).rejects.toThrow(ChromiumMissingError);
    await expect(renderPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' })).rejects.toThrow(/apt-get install -y chromium/);
  });
});
