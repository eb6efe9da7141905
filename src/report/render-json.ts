// JSON: the document as it is — sections, sentences with their parts, and the citations with the
// ids of the records behind each number.
import type { ReportDocument } from './document.ts';
import { sentenceText } from './document.ts';

export function renderJson(doc: ReportDocument): string {
  const withText = {
    ...doc,
    sections: doc.sections.map((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, sentences: b.sentences.map((x) => ({ text: sentenceText(x), ...x })) })) })),
  };
  return `${JSON.stringify(withText, null, 2)}\n`;
}
