// The report document: what a narrative is once generated, before any format. Every number in it
// is a citation part pointing at the metric it came from and the records behind that metric, so a
// renderer can link it and a test can check it.
import type { EvidenceIds } from '../metrics/result.ts';

export const AUDIENCES = ['sprint', 'em', 'board', 'weekly', 'quarterly', 'investment', 'crisis'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const isAudience = (value: string): value is Audience => (AUDIENCES as readonly string[]).includes(value);
/** Readers who need the consequence, not the mechanism: the plain words (src/report/words.ts). */
export const PLAIN_AUDIENCES: ReadonlySet<string> = new Set<Audience>(['board', 'investment', 'quarterly']);

export const AUDIENCE_NAMES: Record<Audience, string> = {
  sprint: 'Sprint review',
  em: '1:1 with the engineering manager',
  board: 'Board summary',
  weekly: 'Weekly status',
  quarterly: 'Quarterly summary',
  investment: 'Investment request',
  crisis: 'Crisis communication',
};

/** How a cited value is written: the same formatter renders and checks it. */
export type NumberFormat = 'count' | 'hours' | 'duration' | 'percent' | 'decimal' | 'money';

export interface Citation {
  id: string;
  /**
   * `metric`: a path into the metric results the report was built from (ReportInputs), e.g.
   * `current.escapes.total`; `reference`: a figure of docs/metrics.md or the configuration.
   */
  kind: 'metric' | 'reference';
  path: string;
  /** What the number is, in words. */
  label: string;
  value: number;
  display: string;
  format: NumberFormat;
  period: string | null;
  method: string;
  numerator: number | null;
  denominator: number | null;
  sample_size: number | null;
  evidence: EvidenceIds;
}

/** A piece of a sentence: template text, a cited number, or a name taken verbatim from the data. */
export type Part = { text: string } | { cite: string; text: string } | { name: string; text: string };

export interface Sentence {
  parts: Part[];
  /** Citation ids of the numbers in this sentence, in order. */
  citations: string[];
}

export interface Block {
  kind: 'paragraph' | 'list';
  sentences: Sentence[];
}

export interface Section {
  title: string;
  blocks: Block[];
}

export interface SlideNumber {
  label: string;
  cite: string;
  display: string;
  /** The comparison anchor, e.g. "from 6 before 2025-Q4". */
  comparison: Part[];
}

export interface Slide {
  title: string;
  /** The decision indicator: act, watch, on track, or no data. */
  decision: { state: 'act' | 'watch' | 'on_track' | 'no_data'; label: string; reason: Part[] };
  numbers: SlideNumber[];
}

export interface ReportDocument {
  audience: Audience;
  title: string;
  period: { label: string; start: string; end: string };
  service: string | null;
  /** True when the period has no escaped problems and no releases: the report says so instead of printing zeros. */
  empty: boolean;
  sections: Section[];
  citations: Citation[];
  slide: Slide;
  /** Where the dashboard's evidence pages live, for links (empty: relative links). */
  dashboard_url: string;
}

export const sentenceText = (s: Sentence): string => s.parts.map((p) => p.text).join('');
