// The workspace configuration (`escapement.config.yaml` or `.json`): its schema and defaults.
// Every threshold here is a default of docs/metrics.md that a workspace may override.
import { z } from 'zod';
import { ServiceSchema, TeamSchema } from './records.ts';
import { timestamp } from './fields.ts';

const hours = z.number().nonnegative();
const roleHours = z.record(z.string(), hours);

export const ConfigSchema = z.strictObject({
  /** Metric definitions version: `2024` (default) or `2021` for the older DORA wording. */
  definitions: z.enum(['2021', '2024']).default('2024'),
  teams: z.array(TeamSchema).default([]),
  services: z.array(ServiceSchema).default([]),
  sprints: z
    .array(z.strictObject({ name: z.string().min(1), start: timestamp, end: timestamp }))
    .default([]),
  windows: z
    .strictObject({
      /** Post-deploy regression window (metrics.md, design.md: 30 min by default). */
      regression_minutes: z.number().positive().default(30),
      /** Watch window after a deployment. */
      watch_minutes: z.number().positive().default(120),
      /** The longest a deployment can be blamed by time alone. */
      attribution_limit_hours: z.number().positive().default(72),
    })
    .prefault({}),
  cost: z
    .strictObject({
      currency: z.string().default('EUR'),
      /** Money per hour per role; no rates means cost in hours only. */
      rates: z.record(z.string(), z.number().nonnegative()).default({}),
      /** Default role hours per type when a problem has no entries (midpoints of metrics.md §1). */
      defaults: z.record(z.string(), roleHours).optional(),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      /** Below this confidence a problem's type stays to_verify. */
      classification_confidence: z.number().min(0).max(1).default(0.7),
    })
    .prefault({}),
  slos: z
    .array(z.strictObject({ service: z.string().min(1), objective: z.number().gt(0).lt(100), window_days: z.number().int().positive().default(30) }))
    .default([]),
  /** Webhook secrets, by the name of the environment variable that holds each (never the secret itself). */
  secrets: z.record(z.string(), z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')).default({}),
});

export type Config = z.output<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});
