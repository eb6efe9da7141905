import { describe, expect, it } from 'vitest';
import { ConfigSchema, type ProblemType } from '../../src/domain/config.ts';
import { buildClassifier, classifyProblem, rulesFromConfig } from '../../src/pipeline/classify/index.ts';
import { applyRules, DEFAULT_RULES, ruleDistribution } from '../../src/pipeline/classify/rules.ts';
import { mentionsExternalHost, modelTokens, postDeployIndex, spellTokens, stem, type ProblemFeatures } from '../../src/pipeline/classify/features.ts';
import { foldsOf, PENALTIES, predictType, trainModel, VALIDATION_CAP, type TrainingExample } from '../../src/pipeline/classify/model.ts';

const config = ConfigSchema.parse({});

function features(text: string, extra: Partial<ProblemFeatures> = {}): ProblemFeatures {
  return { text, sources: ['prometheus'], kinds: ['alert'], labels: {}, fields: { title: text }, facts: {}, ...extra };
}

const rulesOnly = buildClassifier(config, []);
const typeOf = (f: ProblemFeatures) => classifyProblem(f, rulesOnly).type;

describe('default rules (metrics.md §1)', () => {
  it.each<[string, ProblemType, Partial<ProblemFeatures>?]>([
    ['TLS certificate expired on api.example.internal', 'infra'],
    ['DNS resolution failing for payments-db: NXDOMAIN', 'infra'],
    ['Disk full on postgres-3, writes failing', 'infra'],
    ['Worker nodes NotReady after OOM kills', 'infra'],
    ['Payment provider returning 502 for card authorisations', 'integration'],
    ['Partner API deprecated the v1 endpoint; our client library now gets 410', 'integration'],
    ['Calls to the billing service rejected: 401 Unauthorized after credentials rotation', 'integration'],
    ['Checkout broke right after the 2.4.0 release; rolling back', 'regression'],
    ['Search results empty since the feature flag for the new ranking was switched on', 'regression', { facts: { post_deploy: true } }],
    ['NullPointerException in InvoiceService.total when the cart is empty', 'code'],
    ['Invoice shows the wrong VAT total for EU customers', 'code'],
  ])('%s → %s', (text, expected, extra) => {
    expect(typeOf(features(text, extra))).toBe(expected);
  });

  it('counts a post-deploy window as evidence of a regression', () => {
    const quiet = classifyProblem(features('Orders page slow'), rulesOnly);
    const afterDeploy = classifyProblem(features('Orders page slow', { facts: { post_deploy: true } }), rulesOnly);
    expect(quiet.type).toBe('code');
    expect(afterDeploy).toMatchObject({ type: 'regression', decider: 'rule' });
    expect(afterDeploy.rationale).toContain('started in a post-deploy window → regression +2.5 (post_deploy)');
  });

  it('falls back to code with low confidence when nothing fires, and leaves the problem to verify', () => {
    const c = classifyProblem(features('Something odd happened'), rulesOnly);
    expect(c).toMatchObject({ type: 'code', decider: 'rule', review_state: 'to_verify', rationale: 'no rule fired' });
    expect(c.confidence).toBeLessThan(0.5);
  });

  it('weighs a theme many signals share over a word one of them mentions', () => {
    const text = ['Disk full on db-1', 'Disk full on db-2', 'Disk usage 100% on db-3', 'NullPointerException in report job'].join(' · ');
    const hits = applyRules(DEFAULT_RULES, features(text));
    // Three of four titles say it: weight 2 × (1 + ln 3).
    expect(hits.find((h) => h.rule === 'capacity and resources')).toMatchObject({ weight: 4.2 });
    expect(typeOf(features(text))).toBe('infra');
  });

  it('turns rule scores into a distribution that sums to 1', () => {
    const d = ruleDistribution([{ rule: 'a', type: 'infra', weight: 2, matched: '' }]);
    expect(Object.values(d).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(d.infra).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 3), 10);
  });
});

describe('configured rules', () => {
  const custom = ConfigSchema.parse({
    classification: {
      rules: [
        { name: 'vendor label', type: 'integration', weight: 5, labels: { team: '^vendor-' } },
        { name: 'db team tickets', type: 'infra', weight: 5, sources: ['jira'], fields: { service: '^db-' } },
        { name: 'stripe', type: 'integration', weight: 5, keywords: ['stripe', 'adyen'] },
      ],
    },
  });
  const classifier = buildClassifier(custom, []);

  it('match by labels, by source and field, and by keyword, before the defaults', () => {
    expect(rulesFromConfig(custom).slice(0, 3).map((r) => r.name)).toEqual(['vendor label', 'db team tickets', 'stripe']);
    expect(classifyProblem(features('Errors', { labels: { team: ['vendor-x'] } }), classifier)).toMatchObject({ type: 'integration' });
    expect(classifyProblem(features('Errors', { sources: ['jira'], fields: { service: 'db-main' } }), classifier).type).toBe('infra');
    expect(classifyProblem(features('Errors', { sources: ['zendesk'], fields: { service: 'db-main' } }), classifier).type).toBe('code');
    expect(classifyProblem(features('Adyen webhooks late'), classifier).rationale).toContain('stripe → integration +5 ("adyen")');
    expect(classifyProblem(features('Restripe the table'), classifier).type).toBe('code');
  });

  it('rejects a rule with an invalid regular expression, naming it', () => {
    const result = ConfigSchema.safeParse({ classification: { rules: [{ name: 'bad', type: 'code', pattern: '([' }] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['classification', 'rules', 0, 'pattern'], message: 'expected a valid regular expression' });
  });
});

describe('the learned model', () => {
  const examples: { type: ProblemType; text: string }[] = [];
  for (let i = 0; i < 8; i++) {
    examples.push({ type: 'integration', text: `Acme loyalty points sync failing batch ${i}` });
    examples.push({ type: 'infra', text: `Kafka broker ${i} under-replicated partitions` });
    examples.push({ type: 'code', text: `Report export crashes on column ${i}` });
  }
  const confirmed = examples.map((e) => ({ type: e.type, features: features(e.text) }));

  it('learns vocabulary the rules do not know from confirmed types', () => {
    const classifier = buildClassifier(ConfigSchema.parse({ classification: { min_training_examples: 10 } }), confirmed);
    expect(classifier.model?.examples).toBe(24);
    const c = classifyProblem(features('Acme loyalty sync failing again'), classifier);
    expect(c).toMatchObject({ type: 'integration', decider: 'model' });
    // Written with the problem's own words, not the stems the model keeps.
    expect(c.rationale).toMatch(/weighed most: .*acme/);
    expect(classifyProblem(features('Kafka partitions under-replicated'), classifier).type).toBe('infra');
  });

  it('does not decide where, on confirmations it did not see, it did no better than the rules', () => {
    const easy = Array.from({ length: 12 }, (_, i) => [
      { type: 'infra' as const, features: features(`Disk full on db-${i}`) },
      { type: 'code' as const, features: features(`NullPointerException in handler ${i}`) },
    ]).flat();
    const classifier = buildClassifier(ConfigSchema.parse({ classification: { min_training_examples: 10 } }), easy);
    expect(classifier.trained?.validation).toMatchObject({ prior_accuracy: 1, held_out: 24 });
    expect(classifier.model).toBeNull();
    expect(classifyProblem(features('Disk full on db-99'), classifier).decider).toBe('rule');
  });

  it('fits how sure the rules should be to the confirmations: sharper where they were right, softer where they were not', () => {
    const cfg = ConfigSchema.parse({ classification: { min_training_examples: 10 } });
    const disk = (i: number) => features(`Disk full on db-${i}`);
    const npe = (i: number) => features(`NullPointerException in handler ${i}`);
    const right = Array.from({ length: 12 }, (_, i) => [
      { type: 'infra' as const, features: disk(i) },
      { type: 'code' as const, features: npe(i) },
    ]).flat();
    // Half the disk alerts turned out to be code defects.
    const wrong = Array.from({ length: 24 }, (_, i) => ({ type: i % 2 ? ('infra' as const) : ('code' as const), features: disk(i) }));
    const sure = buildClassifier(cfg, right);
    const unsure = buildClassifier(cfg, wrong);
    expect(sure.ruleTemperature).toBeLessThan(1);
    expect(unsure.ruleTemperature).toBeGreaterThan(1);
    const untrained = classifyProblem(disk(99), rulesOnly);
    const sharper = classifyProblem(disk(99), sure);
    const softer = classifyProblem(disk(99), unsure);
    expect([untrained.type, sharper.type, softer.type]).toEqual(['infra', 'infra', 'infra']);
    expect(sharper).toMatchObject({ decider: 'rule', review_state: 'classified' });
    expect(sharper.confidence).toBeGreaterThan(untrained.confidence);
    expect(softer.confidence).toBeLessThan(untrained.confidence);
    // Fewer than 20 confirmations of the main types: the rules' own scores as they are.
    expect(buildClassifier(cfg, right.slice(0, 19)).ruleTemperature).toBe(1);
    expect(rulesOnly.ruleTemperature).toBe(1);
  });

  it('is not used below min_training_examples', () => {
    const classifier = buildClassifier(ConfigSchema.parse({ classification: { min_training_examples: 100 } }), confirmed);
    expect(classifier.model).toBeNull();
    expect(classifyProblem(features('Acme loyalty sync failing again'), classifier).decider).toBe('rule');
  });

  it('gives probabilities in [0,1] that sum to 1, with a fitted temperature', () => {
    const model = trainModel(confirmed.map((c) => ({ type: c.type, features: new Map(modelTokens(c.features.text).map((t) => [t, 1])) })))!;
    expect(model.temperature).toBeGreaterThan(0);
    const p = predictType(model, new Map([['kafka', 1]])).probabilities;
    expect(Object.values(p).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(Object.values(p).every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(p.infra).toBeGreaterThan(p.code!);
  });

  it('returns null with a single type to learn', () => {
    expect(trainModel([{ type: 'code', features: new Map([['a', 1]]) }, { type: 'code', features: new Map([['b', 1]]) }])).toBeNull();
  });
});

describe('a person decides', () => {
  it('wins over rules and model with confidence 1', () => {
    const c = classifyProblem(features('Disk full'), rulesOnly, { type: 'code', actor: 'ana' });
    expect(c).toEqual({ type: 'code', confidence: 1, decider: 'person', rationale: 'confirmed by ana', review_state: 'confirmed' });
  });
});

describe('facts', () => {
  it('finds a deployment of the same service that finished within the window before the start', () => {
    const within = postDeployIndex(
      [
        { service: 'checkout', environment: 'production', status: 'success', started_at: null, finished_at: '2025-11-03T09:45:00Z' },
        { service: 'search', environment: 'production', status: 'success', started_at: null, finished_at: '2025-11-03T09:59:00Z' },
        { service: 'checkout', environment: 'staging', status: 'success', started_at: null, finished_at: '2025-11-03T09:59:00Z' },
        { service: 'checkout', environment: 'production', status: 'failure', started_at: null, finished_at: '2025-11-03T09:59:00Z' },
      ],
      30,
    );
    expect(within(['checkout'], '2025-11-03T10:00:00Z')).toBe(true);
    expect(within(['checkout'], '2025-11-03T10:16:00Z')).toBe(false);
    expect(within(['checkout'], '2025-11-03T09:40:00Z')).toBe(false);
    expect(within(['billing', 'search'], '2025-11-03T10:00:00Z')).toBe(true);
  });

  it('recognises calls to outside hosts, not internal ones', () => {
    expect(mentionsExternalHost('401 from query1.finance.yahoo.com')).toBe(true);
    expect(mentionsExternalHost('timeout to payments.svc.cluster.local')).toBe(false);
    expect(mentionsExternalHost('timeout to api.acme.com', ['acme.com'])).toBe(false);
    // Upper case, with a port or a path, after an internal one; a dot with no domain after it.
    expect(mentionsExternalHost('502 from API.STRIPE.COM/v1/charges')).toBe(true);
    expect(mentionsExternalHost('webhook to hooks.example.io:443 refused')).toBe(true);
    expect(mentionsExternalHost('api.acme.com is fine, hooks.slack.com is not', ['acme.com'])).toBe(true);
    expect(mentionsExternalHost('version 2.10 failed. Retry in 5 s.')).toBe(false);
  });
});

describe('words for the model', () => {
  it('stems so that forms of one word meet', () => {
    expect(new Set(['certificate', 'certificates', 'certified'].map(stem))).toEqual(new Set(['certif']));
    expect(new Set(['configuration', 'configured', 'config'].map(stem))).toEqual(new Set(['config']));
    expect(new Set(['deployed', 'deploying', 'deployment', 'deployments'].map(stem)).size).toBe(1);
    expect(stem('nodes')).toBe(stem('node'));
    expect(stem('disk')).toBe('disk');
  });

  it('folds numbers, drops stop words, adds adjacent pairs, and reads at most maxWords words', () => {
    expect(modelTokens('The certificates expired on 12 hosts')).toEqual(['certif', 'expir', 'host', 'certif expir', 'expir host']);
    expect(modelTokens('HTTP 503 from v2 API')).toEqual(['http', 'v0', 'api', 'http v0', 'v0 api']);
    expect(modelTokens('disk full disk full', { pairs: false })).toEqual(['disk', 'full']);
    const long = Array.from({ length: 200 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`).join(' ');
    expect(modelTokens(long, { pairs: false, stem: false, maxWords: 10 })).toHaveLength(10);
    expect(modelTokens('cert', { chars: 3, pairs: false })).toEqual(['cert', '#^ce', '#cer', '#ert', '#rt$']);
  });

  it('spells stems back with the words of the text for a rationale', () => {
    expect(spellTokens(['certif', 'certif expir', 'fact:post_deploy'], 'Certificates expired overnight')).toEqual(['certificates', 'certificates expired', 'fact:post_deploy']);
  });
});

describe('folds', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ type: ['code', 'infra', 'integration', 'regression', 'mixed'][i % 5]!, key: `p-${i}` }));

  it('are stratified by type, fixed by key, and differ with the salt', () => {
    const fold = foldsOf(items, 5);
    for (const type of new Set(items.map((x) => x.type))) {
      const counts = [0, 0, 0, 0, 0];
      items.forEach((x, i) => x.type === type && counts[fold[i]!]!++);
      expect(counts).toEqual([2, 2, 2, 2, 2]);
    }
    // The same key lands in the same fold whatever the order of the examples.
    const reversed = foldsOf([...items].reverse(), 5);
    items.forEach((_, i) => expect(reversed[items.length - 1 - i]).toBe(fold[i]));
    expect(foldsOf(items, 5, 'repeat 1:')).not.toEqual(fold);
  });
});

describe('choosing the penalty inside the training examples', () => {
  // Words that name the type, or words that say nothing about it (the type follows a hash of the index).
  const vocab: Record<string, string[]> = { code: ['npe', 'stacktrace'], infra: ['disk', 'node'], integration: ['vendor', 'partner'], regression: ['rollback', 'release'] };
  const types = Object.keys(vocab) as ProblemType[];
  const telling: TrainingExample[] = Array.from({ length: 80 }, (_, i) => {
    const type = types[i % 4]!;
    return { type, key: `t${i}`, features: new Map([[vocab[type]![i % 2]!, 1], [`noise${i % 7}`, 1]]) };
  });
  const silent: TrainingExample[] = Array.from({ length: 80 }, (_, i) => ({
    type: types[Math.imul(i + 1, 2654435761) >>> 30]!,
    key: `s${i}`,
    features: new Map([[`w${i % 9}`, 1], [`v${i % 5}`, 1]]),
  }));

  it('lets telling words speak and holds back words that say nothing', () => {
    const weakest = Math.min(...PENALTIES.map((p) => p.weights));
    const strongest = Math.max(...PENALTIES.map((p) => p.weights));
    const learned = trainModel(telling)!;
    expect(learned.penalty.weights).toBe(weakest);
    expect(learned.validation!.model_accuracy).toBe(1);
    expect(trainModel(silent)!.penalty.weights).toBe(strongest);
  });

  it('states confidence that is not overconfident where words say nothing (Brier near a uniform guess or better)', () => {
    const model = trainModel(silent)!;
    // A uniform guess over 4 types scores 0.75; an overconfident model scores well above it.
    expect(model.validation!.brier).toBeLessThan(0.8);
    const p = predictType(model, new Map([['w1', 1]])).probabilities;
    expect(Math.max(...Object.values(p))).toBeLessThan(0.6);
  });

  it('cross-validates on at most VALIDATION_CAP examples and still trains on all of them', () => {
    const many = Array.from({ length: 2 * VALIDATION_CAP }, (_, i) => ({ ...telling[i % telling.length]!, key: `m${i}` }));
    const model = trainModel(many)!;
    expect(model.validation!.held_out).toBe(VALIDATION_CAP);
    expect(model.examples).toBe(2 * VALIDATION_CAP);
  });
});
