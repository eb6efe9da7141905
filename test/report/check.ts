// Checks a report's numbers against the metric results it cites: every digit in the text sits in a
// cited number, and every cited number is the value at its path in the report inputs.
import { expect } from 'vitest';
import type { Citation, ReportDocument, Sentence } from '../../src/report/document.ts';
import { formatNumber } from '../../src/report/cite.ts';
import type { ReportInputs } from '../../src/report/inputs.ts';

/** Figures of docs/metrics.md a report may quote. */
const REFERENCES: Record<string, number> = { postmortem_within_hours: 48, canary_share_low: 5, canary_share_high: 10 };

export function resolvePath(root: unknown, path: string): unknown {
  let at: unknown = root;
  for (const step of path.match(/[^.[\]]+/g) ?? []) {
    if (at === null || at === undefined) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** The number a display string states, back in the unit of the value (percent → ratio). */
function parseDisplay(c: Citation): number {
  const n = Number(c.display.replace(/[^0-9.-]/g, ''));
  return c.format === 'percent' ? n / 100 : n;
}

const TOLERANCE: Record<Citation['format'], number> = { count: 0, hours: 0.5, duration: 0.5, percent: 0.005, decimal: 0.05, money: 0.5 };

export function allSentences(doc: ReportDocument): Sentence[] {
  const body = doc.sections.flatMap((s) => s.blocks.flatMap((b) => b.sentences));
  const slide = [doc.slide.decision.reason, ...doc.slide.numbers.map((n) => n.comparison)].map((parts) => ({ parts, citations: parts.flatMap((p) => ('cite' in p ? [p.cite] : [])) }));
  return [...body, ...slide];
}

export function checkCitations(doc: ReportDocument, inputs: ReportInputs): number {
  const byId = new Map(doc.citations.map((c) => [c.id, c]));
  let checked = 0;
  for (const sentence of allSentences(doc)) {
    for (const part of sentence.parts) {
      if ('cite' in part) {
        const c = byId.get(part.cite);
        expect(c, `citation ${part.cite}`).toBeDefined();
        expect(part.text).toBe(c!.display);
        expect(sentence.citations).toContain(part.cite);
        const expected = c!.kind === 'reference' ? (REFERENCES[c!.path] ?? resolvePath(inputs, c!.path)) : resolvePath(inputs, c!.path);
        expect(expected, `${c!.path} in the inputs`).toBeTypeOf('number');
        expect(c!.value, c!.path).toBe(expected);
        expect(c!.display).toBe(formatNumber(expected as number, c!.format, c!.format === 'money' ? inputs.derived.currency : ''));
        expect(Math.abs(parseDisplay(c!) - (expected as number)), `${c!.display} states ${c!.path}`).toBeLessThanOrEqual(TOLERANCE[c!.format]);
        checked++;
      } else if (!('name' in part)) {
        // Template text never states a number of its own.
        expect(part.text, `uncited number in "${part.text}"`).not.toMatch(/\d/);
      }
    }
  }
  for (const title of doc.slide.numbers) expect(byId.get(title.cite)?.display).toBe(title.display);
  return checked;
}
