// The records behind a citation, as a short list and as a link to the dashboard's evidence page.
import type { EvidenceIds } from '../metrics/result.ts';

const KINDS = ['problems', 'deployments', 'defects', 'test_runs', 'changes'] as const;
/** Listing more ids than this in a footnote helps nobody; the link carries them all. */
const SHOWN = 12;

export function evidenceSummary(evidence: EvidenceIds): string {
  const out: string[] = [];
  for (const kind of KINDS) {
    const ids = evidence[kind] ?? [];
    if (ids.length === 0) continue;
    const shown = ids.slice(0, SHOWN).join(', ');
    out.push(`${kind} ${shown}${ids.length > SHOWN ? ` and ${ids.length - SHOWN} more` : ''}`);
  }
  return out.join('; ');
}

/** The dashboard's evidence page for these ids (`/evidence?title=…&problems=1,2`). */
export function evidenceHref(evidence: EvidenceIds, title: string, base = ''): string | null {
  const params = new URLSearchParams({ title });
  let any = false;
  for (const kind of KINDS) {
    const ids = evidence[kind] ?? [];
    if (ids.length === 0) continue;
    params.set(kind, ids.join(','));
    any = true;
  }
  return any ? `${base.replace(/\/$/, '')}/evidence?${params.toString()}` : null;
}
