// Classification rules: the defaults encode the taxonomy of metrics.md §1 as general domain
// vocabulary (never words of particular incidents); a workspace adds its own in the config file.
import type { ClassificationRule, ProblemType } from '../../domain/config.ts';
import type { ProblemFeatures } from './features.ts';

export const MAIN_TYPES = ['code', 'infra', 'integration', 'regression'] as const satisfies readonly ProblemType[];

const rule = (r: Omit<ClassificationRule, 'weight'> & { weight?: number }): ClassificationRule => ({ weight: 2, ...r });

/** The rule that names no evidence: with nothing else said, the most common type. */
export const PRIOR_RULE = 'most problems are code defects';

export const DEFAULT_RULES: readonly ClassificationRule[] = [
  // infra: the environment fails or differs; the code is right.
  rule({ name: 'certificates', type: 'infra', weight: 3, pattern: String.raw`\b(certificates?|certs?)\b.{0,30}\b(expir\w*|renew\w*|revok\w*)|\bx\.?509\b` }),
  rule({ name: 'dns', type: 'infra', weight: 3, pattern: String.raw`\bdns\b|name resolution|nxdomain|\bresolvers?\b` }),
  rule({
    name: 'capacity and resources',
    type: 'infra',
    weight: 2,
    pattern: String.raw`\b(capacity|out of (memory|disk|space)|oom\w*|disk (is )?(full|space|usage|pressure)|memory (pressure|limits?)|cpu (is )?(above|at|saturat\w*|starv\w*)|resource (requests?|limits?)|overcommit\w*|scale (out|up)|autoscal\w*|quota|used up|ran out of|running out of|exhaust\w*)\b`,
  }),
  rule({
    name: 'nodes and hosts',
    type: 'infra',
    weight: 2,
    pattern: String.raw`\b(not ?ready|nodes?|node (pool|image|group)|worker nodes?|hosts?|hypervisors?|vms?|virtual machines?|instances? (stuck|pending|terminated|unhealthy)|kernel|firmware|hardware|datacenter|data center|availability zone|region(s)? (down|outage))\b`,
  }),
  rule({
    name: 'network',
    type: 'infra',
    weight: 2,
    pattern: String.raw`\b(network (partition|connectivity|outage|component|routes?|rules?|config\w*)|routers?|routing|packet\w*|bgp|ddos|firewall|connectivity|load balancers?|failover|failed over|replication)\b`,
  }),
  rule({ name: 'operating system and platform', type: 'infra', weight: 2, pattern: String.raw`\b(systemd|unattended[- ]upgrades?|os (patch|upgrade|update)|container runtime|cluster (manager|upgrade)|kubernetes|k8s|eks|gke|aks|terraform|ansible|playbook)\b` }),

  // integration: an external API, a third party or a service boundary fails in production.
  rule({
    name: 'third party',
    type: 'integration',
    weight: 3,
    pattern: String.raw`\b(third[- ]party|3rd[- ]party|vendors?|(external|upstream|cloud|database|payment|email|sms|data|api|identity) (provider|vendor|service)s?|external (software|component|library|dependency|system|api)s?|providers?|partners?|supplier|saas)\b`,
  }),
  rule({
    name: 'contract or format change',
    type: 'integration',
    weight: 2,
    pattern: String.raw`\b(deprecat\w*|breaking change|contract|schema (change|mismatch)|(response|payload|data|date|time(stamp)?) format|unexpected (response|format|payload|field)|api (v\d|version|change\w*)|client library|sdk)\b`,
  }),
  rule({
    name: 'credentials between services',
    type: 'integration',
    weight: 2,
    pattern: String.raw`\b(api keys?|credentials?|unauthori[sz]ed|\b401\b|forbidden|\b403\b|oauth|expired token|invalid token|secret rotation|rotated (key|secret|credential)s?)\b`,
  }),
  rule({
    name: 'dependency boundary',
    type: 'integration',
    weight: 1.5,
    pattern: String.raw`\b(depend(s|ency|encies) on|downstream|upstream|shared (database|backend|service)|cascad\w*|calls? (to|from) (the |our )?\w+ (api|service|endpoint)|endpoints?)\b`,
  }),
  rule({ name: 'failing call to an external host', type: 'integration', weight: 2, facts: ['external_call'] }),

  // regression: worked before a deployment, broken after it.
  rule({ name: 'started in a post-deploy window', type: 'regression', weight: 2.5, facts: ['post_deploy'] }),
  rule({
    name: 'broke after a release',
    type: 'regression',
    weight: 2.5,
    pattern: String.raw`\b(after|since|following|right after|soon after)\b.{0,40}\b(deploy\w*|releases?|rollout|rolled out|roll-out|update|upgrade|patch|new version|change)\b|\b(deploy\w*|releases?|update|upgrade)\b.{0,12}\b(broke|caused|introduced)\b`,
  }),
  rule({ name: 'worked before', type: 'regression', weight: 2.5, pattern: String.raw`\b(worked before|used to work|no longer|stopped working|roll(ed)?[ -]?back|revert\w*|previous version|last release|latest (release|update|version)|recent (release|update|deploy\w*|change))\b` }),
  rule({ name: 'flags, migrations, caches and config', type: 'regression', weight: 1.5, pattern: String.raw`\b(feature flags?|flag (flip|rollout|targeting|switched)|toggles?|migrations?|cache\w*|config(uration)? (change|push|variable|value|flag)|default settings?)\b` }),

  // code: a defect in our application logic.
  rule({
    name: 'exception in our code',
    type: 'code',
    weight: 2,
    pattern: String.raw`\b(exception|stack ?trace|traceback|null ?pointer|nullreference|typeerror|segfault|panic|assertion|edge case|off[- ]by[- ]one|overflow|out of range|race condition|deadlock|memory leak|leak|infinite loop|crash(es|ed|ing)? (when|on|after)|bug in (our|the) (code|app|application|service|logic|editor|client)|logic error|validation)\b`,
  }),
  rule({
    name: 'wrong results',
    type: 'code',
    weight: 2,
    pattern: String.raw`\b(wrong|incorrect\w*|miscalculat\w*|duplicat\w*|deleted|data loss|corrupt\w*|can't|cannot|not saved|shows? .{0,30} instead|instead of|encoding)\b`,
  }),
  // With nothing else said, a problem in production is most often a code defect (~55%).
  rule({ name: PRIOR_RULE, type: 'code', weight: 0.5 }),
];

export interface RuleHit {
  rule: string;
  type: ProblemType;
  /** The rule's weight, grown by how many of the problem's texts say it (1 + ln n). */
  weight: number;
  /** What matched, for the rationale. */
  matched: string;
}

const compiled = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) compiled.set(source, (re = new RegExp(source, 'i')));
  return re;
}

/** The separate things a problem says: its signals' titles (the description rides with the last; see summariseProblem). */
function passages(text: string): string[] {
  // Every rule reads the same problem's passages in turn: split (and lower-case) once per problem.
  if (text !== passageCache.text) passageCache = { text, passages: split(text), lower: null };
  return passageCache.passages;
}

function lowerPassages(text: string): string[] {
  passages(text);
  return (passageCache.lower ??= split(text.toLowerCase()));
}

const split = (text: string) => text.split(' · ').filter((p) => p.trim());

let passageCache: { text: string | null; passages: string[]; lower: string[] | null } = { text: null, passages: [], lower: null };

const keywordRegexes = new WeakMap<readonly string[], { any: RegExp; each: RegExp[] }>();
/**
 * A rule's keywords as whole words in lower-cased text: one pattern for any of them (a test per passage,
 * not one per keyword and passage: the rules ran 5 s of the large history's first run), and one each
 * to name the keyword that matched.
 */
function keywordPatterns(keywords: readonly string[]): { any: RegExp; each: RegExp[] } {
  let patterns = keywordRegexes.get(keywords);
  if (!patterns) {
    const escaped = keywords.map((k) => k.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const word = (alternatives: string) => new RegExp(`(^|[^a-z0-9])(?:${alternatives})($|[^a-z0-9])`);
    keywordRegexes.set(keywords, (patterns = { any: word(escaped.join('|')), each: escaped.map(word) }));
  }
  return patterns;
}

/**
 * Whether the rule's conditions all hold: what matched, and in how many of the problem's passages
 * (so the theme most signals of a big problem share outweighs a word one of them mentions); or null.
 */
export function matchRule(r: ClassificationRule, f: ProblemFeatures): { matched: string; count: number } | null {
  const parts: string[] = [];
  let count = 1;
  if (r.sources && !r.sources.some((s) => f.sources.includes(s))) return null;
  if (r.kinds && !r.kinds.some((k) => f.kinds.includes(k))) return null;
  if (r.labels) {
    for (const [key, pattern] of Object.entries(r.labels)) {
      const value = (f.labels[key] ?? []).find((v) => regex(pattern).test(v));
      if (value === undefined) return null;
      parts.push(`${key}=${value}`);
    }
  }
  if (r.fields) {
    for (const [field, pattern] of Object.entries(r.fields)) {
      const m = regex(pattern).exec(f.fields[field] ?? '');
      if (!m) return null;
      parts.push(`${field} "${m[0]}"`);
    }
  }
  if (r.facts) {
    if (!r.facts.every((fact) => f.facts[fact])) return null;
    parts.push(r.facts.join(' + '));
  }
  if (r.keywords) {
    const words = keywordPatterns(r.keywords);
    const hits = lowerPassages(f.text).filter((p) => words.any.test(p));
    if (hits.length === 0) return null;
    const word = r.keywords.find((_, i) => words.each[i]!.test(hits[0]!));
    parts.push(`"${word}"`);
    count = Math.max(count, hits.length);
  }
  if (r.pattern) {
    const re = regex(r.pattern);
    let first: string | undefined;
    let hits = 0;
    for (const p of passages(f.text)) {
      const m = re.exec(p);
      if (!m) continue;
      hits++;
      first ??= m[0].trim();
    }
    if (hits === 0) return null;
    parts.push(`"${first}"${hits > 1 ? ` ×${hits}` : ''}`);
    count = Math.max(count, hits);
  }
  return { matched: parts.join(', '), count };
}

export function applyRules(rules: readonly ClassificationRule[], f: ProblemFeatures): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const r of rules) {
    const m = matchRule(r, f);
    if (m !== null) hits.push({ rule: r.name, type: r.type, weight: Math.round(r.weight * (1 + Math.log(m.count)) * 100) / 100, matched: m.matched });
  }
  return hits;
}

/** The rules' summed weight per type (0 for a type no rule scored). */
export function ruleScores(hits: readonly RuleHit[], types: readonly ProblemType[] = MAIN_TYPES): Record<string, number> {
  const score: Record<string, number> = Object.fromEntries(types.map((t) => [t, 0]));
  for (const h of hits) if (h.type in score) score[h.type]! += h.weight;
  return score;
}

/**
 * Rule scores as probabilities over the types: softmax of the summed weights divided by `temperature`
 * (1 untrained; fitted on confirmations by buildClassifier so the stated confidence is calibrated).
 */
export function ruleDistribution(hits: readonly RuleHit[], types: readonly ProblemType[] = MAIN_TYPES, temperature = 1): Record<string, number> {
  const score = ruleScores(hits, types);
  const max = Math.max(...Object.values(score));
  const exp = Object.fromEntries(Object.entries(score).map(([t, s]) => [t, Math.exp((s - max) / temperature)]));
  const sum = Object.values(exp).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(exp).map(([t, e]) => [t, e / sum]));
}
