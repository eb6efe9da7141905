// The release a pre-release defect belongs to (metrics.md §2): the release its tracker names, else by
// time — a defect created between release A and release B went live is pre-release for B. A defect
// found at the very moment a release went live counts for that release, as src/metrics/releases.ts does.
export interface ReleasePoint {
  service: string;
  version: string | null;
  /** When it went live (the deployment's finish). */
  released_at: string;
}

export interface DefectFacts {
  service?: string | null | undefined;
  found_at: string;
  /** The release the tracker names (a fix version, a label), if any. */
  release?: string | null | undefined;
}

export interface DefectRelease<R extends ReleasePoint> {
  release: R;
  method: 'named' | 'time';
  reason: string;
}

/**
 * Releases must be of one timeline sorted by released_at (all services mixed is fine: the defect's
 * service filters them). Returns null when no release went live after the defect was found yet: it
 * belongs to the next release, which is not known.
 */
export function releaseForDefect<R extends ReleasePoint>(defect: DefectFacts, releases: readonly R[]): DefectRelease<R> | null {
  const service = defect.service ?? null;
  const ofService = service === null ? releases : releases.filter((r) => r.service === service);
  const named = defect.release ?? null;
  if (named !== null) {
    const match = ofService.find((r) => r.version === named || r.version === `v${named}` || `v${r.version}` === named);
    if (match) return { release: match, method: 'named', reason: `the tracker names release ${named}` };
  }
  const next = ofService.find((r) => r.released_at >= defect.found_at);
  if (!next) return null;
  const before = [...ofService].reverse().find((r) => r.released_at < defect.found_at);
  const between = before ? `after ${before.version ?? before.released_at} went live and before ${next.version ?? next.released_at}` : `before ${next.version ?? next.released_at}, the first release known`;
  const unmatched = named !== null ? `release ${named} is not a known release; ` : '';
  return { release: next, method: 'time', reason: `${unmatched}found ${between}` };
}
