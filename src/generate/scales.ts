// How big each generated history is. Rates are tuned so the totals land near the documented sizes
// (docs/generate.md): small ≈ a few hundred deployments, medium ≈ 20k / 200k signals, large ≈ 200k / 2M.

export const SCALE_NAMES = ['small', 'medium', 'large'] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface Scale {
  days: number;
  services: number;
  teams: number;
  /** Planned production releases per service and day, averaged over the week. */
  releasesPerServiceDay: number;
}

export const SCALES: Record<ScaleName, Scale> = {
  small: { days: 91, services: 8, teams: 3, releasesPerServiceDay: 0.3 },
  medium: { days: 365, services: 40, teams: 8, releasesPerServiceDay: 1.15 },
  large: { days: 1095, services: 200, teams: 40, releasesPerServiceDay: 0.66 },
};

/** Escaped problems a planned release introduces, on average, before the service's own bugginess. */
export const PROBLEMS_PER_RELEASE = 0.44;

/**
 * Target type shares (metrics.md §1: ~55 / 20 / 15 / 10, a few percent mixed), and the part of each
 * type that a deployment introduces; the rest (vendor outages, expiring certificates, full disks)
 * arrive on their own.
 */
export const TYPE_SHARES = { code: 0.535, infra: 0.195, integration: 0.145, regression: 0.095, mixed: 0.03 } as const;
export const FROM_DEPLOYMENT = { code: 1, infra: 0.35, integration: 0.2, regression: 1, mixed: 0.6 } as const;

export const DEFAULT_END = '2025-12-31';
