// The organisation a history happens in: teams, their services, and the names each source uses for
// a service (a PagerDuty service id, a Sentry project, a Jira component, an alert label).
import { base32 } from './ids.ts';
import { type Random, scramble32 } from './random.ts';
import type { Scale } from './scales.ts';
import type { ServiceLine, TeamLine } from './types.ts';

const TEAM_NAMES = [
  'payments', 'identity', 'platform', 'growth', 'search', 'fulfillment', 'catalog', 'billing',
  'notifications', 'data', 'mobile', 'partners', 'risk', 'pricing', 'loyalty', 'onboarding',
  'ledger', 'messaging', 'integrations', 'storage', 'networking', 'observability', 'security', 'ml',
  'ads', 'experiments', 'content', 'media', 'marketplace', 'logistics', 'compliance', 'accounts',
  'support-tools', 'checkout', 'subscriptions', 'tax', 'reporting', 'devex', 'edge', 'core',
] as const;

const DOMAINS = [
  'checkout', 'payments', 'billing', 'invoicing', 'catalog', 'search', 'recommendations', 'cart',
  'orders', 'inventory', 'shipping', 'notifications', 'email', 'auth', 'accounts', 'profile',
  'gateway', 'pricing', 'promotions', 'reviews', 'media', 'ledger', 'fraud', 'reporting',
  'analytics', 'onboarding', 'subscriptions', 'tax', 'refunds', 'loyalty', 'sessions', 'documents',
  'returns', 'wallet', 'payouts', 'kyc', 'webhooks', 'scheduler', 'exports', 'feeds',
] as const;
const SUFFIXES = ['api', 'service', 'worker', 'web', 'sync', 'gateway'] as const;

/** Third parties a service talks to; integration problems name them. */
export const VENDORS = [
  { name: 'Stripe', host: 'api.stripe.com' },
  { name: 'Adyen', host: 'checkout-live.adyen.com' },
  { name: 'PayPal', host: 'api-m.paypal.com' },
  { name: 'Twilio', host: 'api.twilio.com' },
  { name: 'SendGrid', host: 'api.sendgrid.com' },
  { name: 'Salesforce', host: 'acme.my.salesforce.com' },
  { name: 'DHL', host: 'api-eu.dhl.com' },
  { name: 'FedEx', host: 'apis.fedex.com' },
  { name: 'Auth0', host: 'acme.eu.auth0.com' },
  { name: 'Avalara', host: 'rest.avatax.com' },
  { name: 'Segment', host: 'api.segment.io' },
  { name: 'HubSpot', host: 'api.hubapi.com' },
  { name: 'Okta', host: 'acme.okta.com' },
  { name: 'Plaid', host: 'production.plaid.com' },
  { name: 'Algolia', host: 'acme-dsn.algolia.net' },
  { name: 'Google Maps', host: 'maps.googleapis.com' },
] as const;
export type Vendor = (typeof VENDORS)[number];

export interface ServicePlan {
  name: string;
  team: string;
  /** The Jira project of the owning team. */
  jiraKey: string;
  slackChannel: string;
  slackChannelId: string;
  pagerdutyId: string;
  sentryProject: string;
  /** How the alert labels spell it (`checkout` for `checkout-api`). */
  alertLabel: string;
  /** How people write it in Jira components and support forms. */
  displayName: string;
  repository: string;
  tier: string;
  namespace: string;
  vendors: Vendor[];
  /** Planned releases per day, averaged over the week. */
  releaseRate: number;
  /** How many problems a release of this service introduces, relative to the average. */
  bugginess: number;
  /** Whether releases go through a staging deployment first. */
  usesStaging: boolean;
  regressionSuiteSize: number;
  criticalPaths: number;
}

export interface Catalog {
  teams: TeamLine[];
  services: ServicePlan[];
}

function jiraKeyFor(team: string, taken: Set<string>): string {
  const letters = team.replace(/[^a-z]/g, '').toUpperCase();
  const candidates = [letters.slice(0, 3), letters.slice(0, 4), `${letters[0]}${letters.slice(-2)}`, `${letters.slice(0, 2)}X`];
  for (const key of candidates) {
    if (!taken.has(key)) {
      taken.add(key);
      return key;
    }
  }
  let n = 2;
  while (taken.has(`${letters.slice(0, 3)}${n}`)) n++;
  taken.add(`${letters.slice(0, 3)}${n}`);
  return `${letters.slice(0, 3)}${n}`;
}

function titleCase(name: string): string {
  return name.split('-').map((part) => (part === 'api' ? 'API' : part[0]!.toUpperCase() + part.slice(1))).join(' ');
}

export function buildCatalog(rng: Random, scale: Scale): Catalog {
  const teamNames = TEAM_NAMES.slice(0, scale.teams);
  const teams: TeamLine[] = teamNames.map((name) => ({ name, description: `${titleCase(name)} team` }));
  const keys = new Set<string>();
  const jiraKeys = new Map(teamNames.map((t) => [t, jiraKeyFor(t, keys)]));

  const names: string[] = [];
  for (let i = 0; names.length < scale.services; i++) {
    const domain = DOMAINS[i % DOMAINS.length]!;
    const suffix = SUFFIXES[Math.floor(i / DOMAINS.length) % SUFFIXES.length]!;
    names.push(`${domain}-${suffix}`);
  }
  const services = names.map((name, index): ServicePlan => {
    const team = teamNames[index % teamNames.length]!;
    const domain = name.slice(0, name.lastIndexOf('-'));
    return {
      name,
      team,
      jiraKey: jiraKeys.get(team)!,
      slackChannel: rng.chance(0.5) ? `#team-${team}` : `#${domain}-alerts`,
      slackChannelId: `C0${base32(scramble32(index + 7919), 8)}`,
      pagerdutyId: `P${base32(scramble32(index * 2654435761 + 17), 6)}`,
      sentryProject: `${name}-prod`,
      // A bare domain is only unambiguous while one service has it.
      alertLabel: rng.chance(0.6) && index < DOMAINS.length ? domain : name.replace(/-/g, '_'),
      displayName: titleCase(name),
      repository: `acme/${name}`,
      tier: rng.weighted([['1', 0.25], ['2', 0.5], ['3', 0.25]]),
      namespace: rng.chance(0.7) ? team : domain,
      vendors: rng.sample(VENDORS, rng.int(1, 3)),
      releaseRate: scale.releasesPerServiceDay * Math.min(4, rng.logNormal(0.83, 0.6)),
      bugginess: Math.min(3, rng.logNormal(0.9, 0.45)),
      usesStaging: rng.chance(0.45),
      regressionSuiteSize: rng.int(150, 2400),
      criticalPaths: rng.int(3, 6),
    };
  });
  return { teams, services };
}

/** The services file line: every spelling the sources use is an alias, scoped where it is a source's own id. */
export function serviceLine(plan: ServicePlan): ServiceLine {
  const aliases = [plan.alertLabel, plan.displayName, `pagerduty:${plan.pagerdutyId}`, `sentry:${plan.sentryProject}`];
  return { name: plan.name, team: plan.team, aliases: [...new Set(aliases.filter((a) => a !== plan.name))], repository: plan.repository, tier: plan.tier };
}
