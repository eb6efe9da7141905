// The workspace configuration (`escapement.config.yaml` or `.json`): its schema and defaults.
// Every threshold here is a default of docs/metrics.md that a workspace may override.
import { z } from 'zod';
import { ServiceSchema, TeamSchema } from './records.ts';
import { SEVERITIES, timestamp } from './fields.ts';

export const PROBLEM_TYPES = ['code', 'infra', 'integration', 'regression', 'mixed'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];
/** Facts other stages know about a problem, usable in rules. */
export const CLASSIFICATION_FACTS = ['post_deploy', 'external_call', 'from_support'] as const;
export type ClassificationFact = (typeof CLASSIFICATION_FACTS)[number];

const validRegex = z.string().refine((value) => {
  try {
    new RegExp(value, 'i');
    return true;
  } catch {
    return false;
  }
}, { message: 'expected a valid regular expression' });

/** One classification rule: every condition given must hold; `keywords` match when any one appears. */
export const ClassificationRuleSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(PROBLEM_TYPES),
  /** How much the rule counts towards its type (default rules use 1–3). */
  weight: z.number().positive().default(2),
  sources: z.array(z.string()).optional(),
  kinds: z.array(z.string()).optional(),
  /** Label values the problem's signals must carry (a value is a case-insensitive regular expression). */
  labels: z.record(z.string(), validRegex).optional(),
  /** Signal fields (title, body, service, environment, severity, source, kind) matched by regular expression. */
  fields: z.record(z.string(), validRegex).optional(),
  keywords: z.array(z.string().min(1)).optional(),
  pattern: validRegex.optional(),
  facts: z.array(z.enum(CLASSIFICATION_FACTS)).optional(),
});
export type ClassificationRule = z.output<typeof ClassificationRuleSchema>;

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
  /** How signals group into problems (src/pipeline/correlate.ts). */
  correlation: z
    .strictObject({
      /** Signals of one service within this many minutes of an open group join it (alert storms, tickets during an alert). */
      service_gap_minutes: z.number().positive().default(30),
      /** How long a firing alert or incident with no resolution is taken to stay open. */
      open_signal_hours: z.number().positive().default(4),
      /** A problem stops growing by time alone this many hours after its impact start (flapping services). */
      max_problem_hours: z.number().positive().default(24),
      /** Window and cosine threshold for grouping by similar titles. */
      text_window_minutes: z.number().positive().default(120),
      text_similarity: z.number().min(0).max(1).default(0.6),
    })
    .prefault({}),
  /**
   * Which problems are not escaped problems (src/pipeline/triage.ts): set aside, shown, not counted.
   * A person's "not a problem" / "count it" decision always wins.
   */
  noise: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A lone alert (nothing else reported it) that resolved itself within this many minutes is a flap. */
      flap_minutes: z.number().nonnegative().default(15),
      /** …when its severity is at most this. */
      flap_max_severity: z.enum(SEVERITIES).default('medium'),
      /** A lone support request at most this severe that names no failure (no failure word, no classification rule matched) is a request, not a problem. */
      request_max_severity: z.enum(SEVERITIES).default('low'),
      /** A lone chat message that names no failure and no link is chatter. */
      chatter: z.boolean().default(true),
    })
    .prefault({}),
  /** How problems get their type (src/pipeline/classify/); rules here come before the default rules. */
  classification: z
    .strictObject({
      use_default_rules: z.boolean().default(true),
      rules: z.array(ClassificationRuleSchema).default([]),
      /** Types confirmed by people needed before the learned model takes part. */
      min_training_examples: z.number().int().nonnegative().default(10),
    })
    .prefault({}),
  slos: z
    .array(z.strictObject({ service: z.string().min(1), objective: z.number().gt(0).lt(100), window_days: z.number().int().positive().default(30) }))
    .default([]),
  /** Webhook secrets, by the name of the environment variable that holds each (never the secret itself). */
  secrets: z.record(z.string(), z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')).default({}),
  /** Webhook signature settings beyond the secrets (docs/sources.md): SNS message signatures, Grafana's HMAC header names. */
  signatures: z
    .strictObject({
      sns: z
        .strictObject({
          /** Check Amazon SNS's own signature on `cloudwatch` webhooks (certificate from sns.<region>.amazonaws.com); off only to replay saved payloads over HTTP. */
          verify: z.boolean().default(true),
          /** Topic ARNs allowed to post; empty allows any topic. */
          topics: z.array(z.string().min(1)).default([]),
        })
        .prefault({}),
      grafana: z
        .strictObject({
          /** The contact point's HMAC *Header*. */
          signature_header: z.string().min(1).default('X-Grafana-Alerting-Signature'),
          /** The contact point's HMAC *Timestamp Header* (no default in Grafana); unset: X-Grafana-Alerting-Signature-Timestamp or X-Grafana-Alerting-Timestamp when sent. */
          timestamp_header: z.string().min(1).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Test reports (JUnit XML): which tests are critical paths, and how a report names its release candidate. */
  test_reports: z
    .strictObject({
      /** Tests whose `classname › name` matches one of these globs (`*checkout*`) or `/regexes/` are critical paths. */
      critical_paths: z.array(z.string().min(1)).default([]),
      /** Tags (`@smoke` or `[critical]` in a test name, or a `tag(s)` property) that mark a critical path. */
      critical_tags: z.array(z.string().min(1)).default(['critical', 'smoke']),
      suite_kind: z.string().min(1).default('regression'),
      /** Reads the release from a report's file name when nothing else names it: a regex whose first group is the release. */
      release_from_file: z.string().min(1).default('(\\d+\\.\\d+(?:\\.\\d+)?(?:-[0-9A-Za-z.]+)?)'),
    })
    .prefault({}),
  /** What a release is, per service (metrics.md §5): every successful production deployment, or tagged releases only. */
  releases: z
    .strictObject({
      default: z.enum(['production_deployments', 'tagged_releases']).default('production_deployments'),
      services: z.record(z.string(), z.enum(['production_deployments', 'tagged_releases'])).default({}),
    })
    .prefault({}),
  /** Which tracker issues (Jira, GitHub, GitLab) are production problems (signals) and which pre-release bugs (defects). Case-insensitive. */
  trackers: z
    .strictObject({
      /** A label (or a component, or the issue type) equal to one of these makes an issue a production problem. */
      production_labels: z.array(z.string()).default(['production', 'prod', 'incident']),
      /** The environment field containing one of these makes it a production problem. */
      production_environments: z.array(z.string()).default(['prod']),
      production_components: z.array(z.string()).default([]),
      production_issue_types: z.array(z.string()).default(['incident']),
      /** Otherwise, an issue of one of these types or with one of these labels is a pre-release defect. */
      defect_issue_types: z.array(z.string()).default(['bug', 'defect']),
      defect_labels: z.array(z.string()).default(['bug', 'defect', 'regression']),
      /** What any other issue (stories, tasks) is: not read (`ignore`), or taken as a defect or a signal. */
      otherwise: z.enum(['ignore', 'defect', 'signal']).default('ignore'),
    })
    .prefault({}),
  /** Reports (docs/reports.md): a folder of the team's own audience templates (`<audience>.md`; missing ones fall back to the bundled), and the dashboard's address for evidence links in exported files. */
  reports: z
    .strictObject({
      templates: z.string().min(1).optional(),
      dashboard_url: z.string().default(''),
    })
    .prefault({}),
  /** Chat sources: Slack channel ids (or Teams channel names) whose messages are signals; empty reads every channel the app is in. */
  chat: z.strictObject({ channels: z.array(z.string()).default([]) }).prefault({}),
  /** Metric thresholds and counting choices; every default is the figure of metrics.md. */
  metrics: z
    .strictObject({
      ddr: z
        .strictObject({
          weights: z.strictObject({ critical: hours.default(4), high: hours.default(2), medium: hours.default(1), low: hours.default(0.5) }).prefault({}),
          /** Lower bounds (inclusive) of the bands; below `average` is alarm. */
          bands: z.strictObject({ average: z.number().default(0.7), solid: z.number().default(0.85), excellent: z.number().default(0.95) }).prefault({}),
        })
        .prefault({}),
      ipr: z
        .strictObject({
          /** Lower bounds (inclusive): below `solid` is mature. */
          bands: z.strictObject({ solid: z.number().default(6), needs_work: z.number().default(12), alarm: z.number().default(20) }).prefault({}),
          trend_delta: z.number().nonnegative().default(2),
          /** Categories that always count; others count when the defect has the label `ipr: count`. */
          counted_categories: z.array(z.string()).default(['functional', 'requirement']),
        })
        .prefault({}),
      epr: z
        .strictObject({
          /** Upper bounds: below `elite_below` elite, below `good_below` good, up to `attention_max` (included) needs attention. */
          bands: z.strictObject({ elite_below: z.number().default(0.5), good_below: z.number().default(1.5), attention_max: z.number().default(3) }).prefault({}),
          tukey_k: z.number().positive().default(1.5),
          min_releases: z.number().int().positive().default(4),
          /** With IQR = 0 the spike threshold is max(2·median, this). */
          iqr_zero_floor: z.number().nonnegative().default(0.5),
          canary_above: z.number().nonnegative().default(1.5),
        })
        .prefault({}),
      /** Which production deployments count as releases (metrics.md §5); the choice is shown with every count. */
      releases: z.strictObject({ count_hotfixes: z.boolean().default(true), count_rollbacks: z.boolean().default(false) }).prefault({}),
      rcs: z
        .strictObject({
          model: z.enum(['traffic_light', 'weighted', 'disqualifier']).default('disqualifier'),
          weights: z.strictObject({ blockers: z.number().default(0.4), regression: z.number().default(0.35), critical_paths: z.number().default(0.25) }).prefault({}),
          go: z.number().default(90),
          conditional: z.number().default(75),
          blocker_cap: z.number().default(50),
          regression_min: z.number().default(90),
        })
        .prefault({}),
      budgets: z
        .strictObject({
          burn_windows: z
            .array(z.strictObject({ long_minutes: z.number().positive(), short_minutes: z.number().positive(), burn_rate: z.number().positive(), action: z.enum(['page', 'ticket']) }))
            .default([
              { long_minutes: 60, short_minutes: 5, burn_rate: 14.4, action: 'page' },
              { long_minutes: 360, short_minutes: 30, burn_rate: 6, action: 'page' },
              { long_minutes: 4320, short_minutes: 360, burn_rate: 1, action: 'ticket' },
            ]),
          postmortem_share: z.number().gt(0).max(1).default(0.2),
        })
        .prefault({}),
      patterns: z.strictObject({ min_releases: z.number().int().min(2).default(2), flat_tolerance: z.number().nonnegative().default(0.2) }).prefault({}),
    })
    .prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});
