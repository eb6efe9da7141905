// One entry for every output: Markdown, HTML, JSON or PDF, the full report or its one-slide view.
import type { ReportDocument } from './document.ts';
import { renderHtml, renderSlideHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { renderMarkdown, renderSlideMarkdown } from './render-markdown.ts';
import { renderPdf } from './render-pdf.ts';

export const FORMATS = ['md', 'html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof FORMATS)[number];
export const isFormat = (value: string): value is ReportFormat => (FORMATS as readonly string[]).includes(value);

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
};

export async function renderReport(doc: ReportDocument, format: ReportFormat, options: { slide?: boolean } = {}): Promise<string | Buffer> {
  const slide = options.slide ?? false;
  switch (format) {
    case 'md':
      return slide ? renderSlideMarkdown(doc) : renderMarkdown(doc);
    case 'html':
      return slide ? renderSlideHtml(doc) : renderHtml(doc);
    case 'json':
      return slide ? `${JSON.stringify({ audience: doc.audience, period: doc.period, service: doc.service, empty: doc.empty, slide: doc.slide, citations: doc.citations }, null, 2)}\n` : renderJson(doc);
    case 'pdf':
      return renderPdf(slide ? renderSlideHtml(doc) : renderHtml(doc), { landscape: slide });
  }
}
