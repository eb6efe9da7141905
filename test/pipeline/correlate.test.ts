import { describe, expect, it } from 'vitest';
import { correlate, type CorrelationSignal, linkTokens, TitleVocabulary } from '../../src/pipeline/correlate.ts';
import { createAssembler, type AssemblySignal, summariseProblem } from '../../src/pipeline/assemble.ts';
import { venueOf } from '../../src/domain/venue.ts';

let nextId = 1;
function sig(over: Partial<AssemblySignal> & { occurred_at: string }): AssemblySignal {
  const id = over.id ?? nextId++;
  return {
    id,
    source: 'prometheus',
    external_id: `a${id}`,
    kind: 'alert',
    url: null,
    resolved_at: null,
    title: 'High error rate',
    service: null,
    links: [],
    detected_at: null,
    body: null,
    severity: null,
    status: 'open',
    environment: 'production',
    labels: {},
    ...over,
  };
}

const sorted = (groups: number[][]) => groups.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!);

describe('correlate', () => {
  it('groups an alert storm, tickets during the alert and a Slack thread naming the service into one problem', () => {
    const storm = Array.from({ length: 12 }, (_, k) =>
      sig({ id: 100 + k, occurred_at: `2025-11-03T10:${String(2 + k * 3).padStart(2, '0')}:00Z`, service: 'checkout-api', title: `5xx rate above 5% on checkout-api pod ${k}`, resolved_at: '2025-11-03T11:20:00Z' }),
    );
    const pd = sig({ id: 200, source: 'pagerduty', external_id: 'PABC', kind: 'incident', occurred_at: '2025-11-03T10:05:00Z', service: 'checkout-api', title: 'Checkout errors', resolved_at: '2025-11-03T11:25:00Z' });
    const tickets = [
      sig({ id: 300, source: 'zendesk', external_id: '9001', kind: 'support', occurred_at: '2025-11-03T10:40:00Z', service: 'checkout-api', title: 'Cannot pay for my order' }),
      sig({ id: 301, source: 'zendesk', external_id: '9002', kind: 'support', occurred_at: '2025-11-03T11:40:00Z', service: 'checkout-api', title: 'Payment page broken' }),
    ];
    const jira = sig({ id: 400, source: 'jira', external_id: 'PAY-77', kind: 'ticket', occurred_at: '2025-11-04T09:00:00Z', title: 'Follow-up: checkout outage', links: ['pagerduty:PABC'] });
    const slack = sig({ id: 500, source: 'slack', external_id: 'C1/1700', kind: 'chat', occurred_at: '2025-11-03T10:15:00Z', title: 'is checkout-api down for anyone else?' });
    const { groups, result } = correlate([...storm, pd, ...tickets, jira, slack]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toHaveLength(17);
    const counts = result.ruleCounts(result.groupOf[0]!);
    expect(counts.link).toBe(1);
    expect(counts.service_mention).toBe(1);
    expect(counts.service_time).toBe(14);
  });

  it('keeps two unrelated outages in the same hour on different services apart', () => {
    const a = [0, 5, 10].map((m) => sig({ occurred_at: `2025-11-03T10:${String(m).padStart(2, '0')}:00Z`, service: 'checkout-api', title: 'High error rate on checkout-api' }));
    const b = [3, 8, 20].map((m) => sig({ occurred_at: `2025-11-03T10:${String(m).padStart(2, '0')}:00Z`, service: 'search', title: 'High error rate on search' }));
    const { groups } = correlate([...a, ...b]);
    expect(sorted(groups)).toEqual(sorted([a.map((s) => s.id), b.map((s) => s.id)]));
  });

  it('starts a new problem once the service has been quiet longer than the gap', () => {
    const first = sig({ occurred_at: '2025-11-03T10:00:00Z', service: 'search', resolved_at: '2025-11-03T10:10:00Z' });
    const later = sig({ occurred_at: '2025-11-03T10:41:00Z', service: 'search' });
    const within = sig({ occurred_at: '2025-11-03T10:39:00Z', service: 'search', id: 9999 });
    expect(correlate([first, later]).groups).toHaveLength(2);
    expect(correlate([first, within]).groups).toHaveLength(1);
  });

  it('joins signals naming the same ticket, URL or another signal, whatever their times', () => {
    const a = sig({ occurred_at: '2025-11-01T10:00:00Z', service: 'a', links: ['jira:OPS-1'] });
    const b = sig({ occurred_at: '2025-11-05T10:00:00Z', service: 'b', links: ['jira:ops-1'] });
    const c = sig({ occurred_at: '2025-11-06T10:00:00Z', source: 'sentry', external_id: '42', url: 'https://sentry.io/issues/42/', service: 'c' });
    const d = sig({ occurred_at: '2025-11-07T10:00:00Z', service: 'd', links: ['url:https://sentry.io/issues/42'] });
    const e = sig({ occurred_at: '2025-11-08T10:00:00Z', service: 'e', links: ['signal:sentry:42', 'version:1.2.3'] });
    const f = sig({ occurred_at: '2025-11-09T10:00:00Z', service: 'f', links: ['version:1.2.3'] });
    const { groups, result } = correlate([a, b, c, d, e, f]);
    expect(sorted(groups)).toEqual(sorted([[a.id, b.id], [c.id, d.id, e.id], [f.id]]));
    expect(result.reasonsFor(result.groupOf[0]!)).toEqual([{ signal_id: b.id, joined_id: a.id, rule: 'link', detail: 'jira:ops-1' }]);
  });

  it('groups similar titles without a service within the text window only', () => {
    const a = sig({ occurred_at: '2025-11-03T10:00:00Z', source: 'slack', kind: 'chat', title: 'Login page timing out for EU customers' });
    const b = sig({ occurred_at: '2025-11-03T10:30:00Z', source: 'zendesk', kind: 'support', title: 'EU customers: login page timing out' });
    const c = sig({ occurred_at: '2025-11-03T15:00:00Z', source: 'zendesk', kind: 'support', title: 'Login page timing out for EU customers' });
    const d = sig({ occurred_at: '2025-11-03T10:31:00Z', source: 'zendesk', kind: 'support', title: 'Invoice PDF has wrong VAT' });
    const { groups } = correlate([a, b, c, d]);
    expect(sorted(groups)).toEqual(sorted([[a.id, b.id], [c.id], [d.id]]));
  });

  it('replays merges and splits: a split fences signals off, a later merge joins regardless', () => {
    const a = sig({ occurred_at: '2025-11-03T10:00:00Z', service: 's', source: 'p', external_id: 'A' });
    const b = sig({ occurred_at: '2025-11-03T10:05:00Z', service: 's', source: 'p', external_id: 'B' });
    const c = sig({ occurred_at: '2025-11-03T10:10:00Z', service: 's', source: 'p', external_id: 'C' });
    const x = sig({ occurred_at: '2025-11-05T10:00:00Z', service: 't', source: 'p', external_id: 'X' });
    const split = correlate([a, b, c, x], undefined, [{ id: 1, action: 'split', signals: ['p:B'] }]);
    expect(sorted(split.groups)).toEqual(sorted([[a.id, c.id], [b.id], [x.id]]));
    const merged = correlate([a, b, c, x], undefined, [
      { id: 1, action: 'split', signals: ['p:B'] },
      { id: 2, action: 'merge', signals: ['p:B', 'p:X'] },
    ]);
    expect(sorted(merged.groups)).toEqual(sorted([[a.id, c.id], [b.id, x.id]]));
    // A merge older than the split does not undo it.
    const stale = correlate([a, b, c, x], undefined, [
      { id: 1, action: 'merge', signals: ['p:A', 'p:X'] },
      { id: 2, action: 'split', signals: ['p:A'] },
    ]);
    expect(sorted(stale.groups)).toEqual(sorted([[a.id], [b.id, c.id], [x.id]]));
  });

  it('refuses signals out of time order', () => {
    expect(() => correlate([]).result).not.toThrow();
    const { result } = correlate([sig({ occurred_at: '2025-11-03T10:00:00Z' })]);
    expect(result.count).toBe(1);
  });

  it('tokenises links and titles', () => {
    expect(linkTokens('jira:PAY-123')).toEqual(['ref:jira:pay-123']);
    expect(linkTokens('version:1.2')).toEqual([]);
    expect(linkTokens('sha:ABC123')).toEqual(['sha:abc123', 'id:abc123']);
    // A title's words as the correlator numbers them, spelled out.
    const vocabulary = new TitleVocabulary();
    const titleTokens = (title: string) => vocabulary.tokens(title).map((t) => vocabulary.words[t]);
    expect(titleTokens('The checkout-api is DOWN (503)')).toEqual(['checkout', 'api']);
    // Each word once, in the order it first appears; id-like words (three digits or more), single
    // characters and stop words dropped; anything but [a-z0-9] after lower-casing separates words.
    expect(titleTokens('Disk full: disk DISK on node-a1b2c3 and node-7 x — ÉTÉ été v2.10')).toEqual(['disk', 'full', 'node', 'v2', '10']);
    expect(titleTokens('')).toEqual([]);
    expect(titleTokens('  99 a1 12345  ')).toEqual(['99', 'a1']);
  });

  it('joins a service-less signal to the longest troubled service its title names, the first seen on a tie', () => {
    const at = (m: number) => `2025-11-03T10:${String(m).padStart(2, '0')}:00Z`;
    const checkout = sig({ occurred_at: at(0), service: 'checkout', title: 'errors' });
    const checkoutApi = sig({ occurred_at: at(1), service: 'checkout-api', title: 'errors' });
    const ordersApi = sig({ occurred_at: at(2), service: 'orders-apis', title: 'errors' });
    const searchApi = sig({ occurred_at: at(3), service: 'search-apis', title: 'errors' });
    const db = sig({ occurred_at: at(4), service: 'db', title: 'errors' });
    const longest = sig({ kind: 'chat', occurred_at: at(5), title: 'Is CHECKOUT-API down? checkout looks fine' });
    const tie = sig({ kind: 'chat', occurred_at: at(6), title: 'search-apis and orders-apis slow' });
    const short = sig({ kind: 'chat', occurred_at: at(7), title: 'db is slow' });
    const { groups, result, order } = correlate([checkout, checkoutApi, ordersApi, searchApi, db, longest, tie, short]);
    const groupOf = (s: AssemblySignal) => groups.find((g) => g.includes(s.id))!;
    expect(groupOf(longest)).toContain(checkoutApi.id);
    expect(groupOf(longest)).not.toContain(checkout.id);
    expect(groupOf(tie)).toContain(ordersApi.id);
    // Names under four characters are never looked for in titles.
    expect(groupOf(short)).toEqual([short.id]);
    expect(result.ruleCounts(result.groupOf[order.findIndex((s) => s.id === checkoutApi.id)]!)).toEqual({ service_mention: 1 });
  });
});

describe('service named by an alias', () => {
  const at = (m: number) => `2025-11-03T10:${String(m).padStart(2, '0')}:00Z`;
  const services = [
    { name: 'checkout-api', aliases: ['checkout', 'Checkout API', 'pagerduty:PCHK'] },
    { name: 'gateway-api', aliases: ['gateway', 'Gateway API'] },
  ];
  const outages = () => [
    sig({ occurred_at: at(0), service: 'checkout-api', title: 'HighErrorRate', resolved_at: at(50) }),
    sig({ occurred_at: at(1), service: 'gateway-api', title: 'LatencyP99High', resolved_at: at(50) }),
  ];

  it('joins a ticket whose subject names the product to that product\'s open outage, and says how it was named', () => {
    const [checkout, gateway] = outages();
    const ticket = sig({ source: 'zendesk', kind: 'support', occurred_at: at(10), title: 'Checkout API: cannot pay for my order' });
    const howTo = sig({ source: 'zendesk', kind: 'support', occurred_at: at(12), title: 'How do I change my invoice address?' });
    const { groups, result, order } = correlate([checkout!, gateway!, ticket, howTo], undefined, [], services);
    expect(groups.find((g) => g.includes(ticket.id))).toEqual([checkout!.id, ticket.id]);
    expect(groups.find((g) => g.includes(howTo.id))).toEqual([howTo.id]);
    const root = result.groupOf[order.findIndex((s) => s.id === ticket.id)]!;
    expect(result.reasonsFor(root)).toEqual([{ signal_id: ticket.id, joined_id: checkout!.id, rule: 'service_mention', detail: 'checkout-api, named as "checkout api"' }]);
  });

  it('does not take a plain-word alias, a name inside a longer word, or a source-scoped id as a mention', () => {
    const [checkout, gateway] = outages();
    const pasted = sig({ source: 'zendesk', kind: 'support', occurred_at: at(10), title: 'The page says 502 Bad Gateway' });
    const glued = sig({ source: 'zendesk', kind: 'support', occurred_at: at(11), title: 'checkout apis and mycheckout api' });
    const scoped = sig({ kind: 'chat', occurred_at: at(12), title: 'is PCHK paging?' });
    const { groups } = correlate([checkout!, gateway!, pasted, glued, scoped], undefined, [], services);
    for (const s of [pasted, glued, scoped]) expect(groups.find((g) => g.includes(s.id))).toEqual([s.id]);
  });

  it('names neither service with an alias two services share', () => {
    const [checkout, gateway] = outages();
    const shared = [{ name: 'checkout-api', aliases: ['Shop API'] }, { name: 'gateway-api', aliases: ['shop api'] }, { name: 'orders-api', aliases: ['Shop API'] }];
    const ticket = sig({ source: 'zendesk', kind: 'support', occurred_at: at(10), title: 'Shop API: nothing works' });
    const { groups } = correlate([checkout!, gateway!, ticket], undefined, [], shared);
    expect(groups.find((g) => g.includes(ticket.id))).toEqual([ticket.id]);
  });
});

// A day of history for the joins by venue: outages on checkout-api and orders-api, each discussed in chat.
const at = (h: number, m: number) => `2025-11-03T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`;
/** Reports of one kind and source: each with its venue read from its labels, as the pipeline reads it. */
const reports = (base: Partial<AssemblySignal>) => (over: Partial<AssemblySignal> & { occurred_at: string; title: string }) => {
  const s = sig({ ...base, ...over });
  return { ...s, venue: venueOf(s) };
};
const chat = reports({ source: 'slack', kind: 'chat', labels: { channel: '#team-payments' } });
/** Two earlier threads in #team-payments placed on checkout-api and two on orders-api by their links, plus unrelated history. */
const history = () => [
  sig({ source: 'pagerduty', external_id: 'P1', kind: 'incident', occurred_at: at(1, 0), service: 'checkout-api', title: 'Checkout down', resolved_at: at(1, 30) }),
  chat({ occurred_at: at(1, 5), title: 'looking at it', links: ['pagerduty:P1'] }),
  chat({ occurred_at: at(1, 6), title: 'rolling back', links: ['pagerduty:P1'] }),
  sig({ source: 'pagerduty', external_id: 'P2', kind: 'incident', occurred_at: at(2, 0), service: 'orders-api', title: 'Orders down', resolved_at: at(2, 30) }),
  chat({ occurred_at: at(2, 5), title: 'on it', links: ['pagerduty:P2'] }),
  chat({ occurred_at: at(2, 6), title: 'fixed', links: ['pagerduty:P2'] }),
  ...['Disk full on worker-17', 'Certificate expired for api.example.com', 'Queue backlog on invoice-jobs', 'Slow search results'].map((title, k) =>
    sig({ occurred_at: at(3, k), service: `other-${k}`, title, resolved_at: at(3, k + 1) })),
];
const checkoutOutage = () => [
  sig({ occurred_at: at(10, 0), service: 'checkout-api', title: 'HighErrorRate: 500s on /v1/checkout after null amount', resolved_at: at(11, 0) }),
  sig({ occurred_at: at(10, 2), service: 'checkout-api', title: 'NullPointerException in Checkout order mapping', resolved_at: at(11, 0) }),
];
const ordersOutage = () => [sig({ occurred_at: at(10, 1), service: 'orders-api', title: 'Dead letter queue growing for orders.created', resolved_at: at(11, 0) })];
const groupOf = (groups: number[][], s: AssemblySignal) => groups.find((g) => g.includes(s.id))!;

describe('chat joined through the channel it was posted in', () => {
  it('joins a message naming the symptom to the open outage of a service its channel talks about, and says why', () => {
    const outage = checkoutOutage();
    const symptom = chat({ occurred_at: at(10, 20), title: 'seeing a bunch of 500s on /v1/checkout, NullPointerException in the handler' });
    const chatter = chat({ occurred_at: at(10, 25), title: 'retro at 15:30' });
    outage.push(sig({ occurred_at: at(10, 3), service: 'checkout-api', title: 'Error rate 15% on /v1/checkout', resolved_at: at(11, 0) }));
    const { groups, result, order } = correlate([...history(), ...outage, symptom, chatter]);
    expect(groupOf(groups, symptom)).toEqual([outage[0]!.id, outage[1]!.id, outage[2]!.id, symptom.id]);
    expect(groupOf(groups, chatter)).toEqual([chatter.id]);
    const reasons = result.reasonsFor(result.groupOf[order.findIndex((s) => s.id === symptom.id)]!);
    const join = reasons.find((r) => r.signal_id === symptom.id)!;
    expect(join.rule).toBe('chat_channel');
    expect(join.detail).toMatch(/^channel #team-payments talks about checkout-api \(2 messages placed there before\); \d+% of the message's word weight is in the outage's own words: .*nullpointerexception/);
  });

  it('with two outages of the channel open at once, joins the one whose words the message uses, or none when both fit', () => {
    const checkout = checkoutOutage();
    const orders = ordersOutage();
    const aboutOrders = chat({ occurred_at: at(10, 20), title: 'DLQ for orders.created keeps growing, dead letter queue at 900' });
    const both = chat({ occurred_at: at(10, 21), title: 'dead letter queue growing and 500s on /v1/checkout' });
    const { groups } = correlate([...history(), ...checkout, ...orders, aboutOrders, both]);
    expect(groupOf(groups, aboutOrders)).toEqual([orders[0]!.id, aboutOrders.id]);
    expect(groupOf(groups, both)).toEqual([both.id]);
  });

  it('joins a message that names the release the outage\'s signals name, whatever its words', () => {
    const checkout = checkoutOutage();
    const orders = [sig({ occurred_at: at(10, 1), service: 'orders-api', title: 'Dead letter queue growing for orders.created', resolved_at: at(11, 0), links: ['version:7.1.0'] })];
    const release = chat({ occurred_at: at(10, 20), title: 'should we roll back?', links: ['version:7.1.0'] });
    const otherRelease = chat({ occurred_at: at(10, 21), title: 'is it the deploy?', links: ['version:9.9.9'] });
    const { groups, result, order } = correlate([...history(), ...checkout, ...orders, release, otherRelease]);
    expect(groupOf(groups, release)).toEqual([orders[0]!.id, release.id]);
    expect(groupOf(groups, otherRelease)).toEqual([otherRelease.id]);
    const join = result.reasonsFor(result.groupOf[order.findIndex((s) => s.id === release.id)]!).find((r) => r.signal_id === release.id)!;
    expect(join).toMatchObject({ rule: 'chat_channel', detail: "channel #team-payments talks about orders-api (2 messages placed there before); it names version:7.1.0, as the outage's signals do" });
  });

  it('needs two placed messages before a channel counts as a service\'s, an open outage, and no other service named', () => {
    const outage = checkoutOutage();
    const symptom = chat({ occurred_at: at(10, 20), title: '500s on /v1/checkout, NullPointerException everywhere' });
    const otherChannel = chat({ occurred_at: at(10, 21), labels: { channel: '#random' }, title: '500s on /v1/checkout, NullPointerException everywhere' });
    const afterwards = chat({ occurred_at: at(13, 0), title: '500s on /v1/checkout, NullPointerException again?' });
    const namesAnother = chat({ occurred_at: at(10, 22), title: 'orders-api: 500s on /v1/checkout, NullPointerException' });
    const once = history().filter((s) => s.title !== 'rolling back');
    expect(groupOf(correlate([...once, ...outage, symptom]).groups, symptom)).toEqual([symptom.id]);
    // Each case on its own, so the messages cannot join one another by their similar words.
    for (const s of [otherChannel, afterwards, namesAnother]) expect(groupOf(correlate([...history(), ...outage, s]).groups, s)).toEqual([s.id]);
    expect(groupOf(correlate([...history(), ...outage, symptom]).groups, symptom)).toContain(outage[0]!.id);
  });

});

describe('support tickets joined through the help-desk group they were routed to', () => {
  const ticket = reports({ source: 'zendesk', kind: 'support', labels: { group: 'Payments' } });
  /** Tickets of the group placed on checkout-api (one by a link, one by its service), and on orders-api when asked. */
  const placed = (services = ['checkout-api']) => services.flatMap((service, k) => [
    ticket({ occurred_at: at(1 + k, 10), title: 'cannot pay', links: [service === 'checkout-api' ? 'pagerduty:P1' : 'pagerduty:P2'] }),
    ticket({ occurred_at: at(1 + k, 12), title: 'my card was declined', service }),
  ]);
  const symptom = () => ticket({ occurred_at: at(10, 20), title: 'Payment page shows NullPointerException on /v1/checkout' });

  it('joins a ticket in a group learned from two placed tickets to the open outage, and says why', () => {
    const outage = checkoutOutage();
    const lone = symptom();
    const howTo = ticket({ occurred_at: at(10, 25), title: 'How do I change my invoice address?' });
    const { groups, result, order } = correlate([...history(), ...placed(), ...outage, lone, howTo]);
    expect(groupOf(groups, lone)).toEqual([outage[0]!.id, outage[1]!.id, lone.id]);
    expect(groupOf(groups, howTo)).toEqual([howTo.id]);
    const join = result.reasonsFor(result.groupOf[order.findIndex((s) => s.id === lone.id)]!).find((r) => r.signal_id === lone.id)!;
    expect(join.rule).toBe('support_group');
    expect(join.detail).toMatch(/^zendesk group Payments talks about checkout-api \(2 tickets placed there before\); \d+% of the ticket's word weight is in the outage's own words: .*nullpointerexception/);
  });

  it('leaves a ticket apart when its group talks about two services with outages open that its words both fit', () => {
    const [checkout, orders] = [checkoutOutage(), ordersOutage()];
    const both = ticket({ occurred_at: at(10, 20), title: 'NullPointerException on /v1/checkout, and my order sits in a dead letter queue' });
    const aboutOrders = ticket({ occurred_at: at(10, 20), title: 'my order is stuck: dead letter queue growing' });
    const day = (groupServices: string[], t: AssemblySignal) => correlate([...history(), ...placed(groupServices), ...checkout, ...orders, t]).groups;
    expect(groupOf(day(['checkout-api', 'orders-api'], both), both)).toEqual([both.id]);
    // Its words alone would do: a group that talks about checkout-api only places it there.
    expect(groupOf(day(['checkout-api'], both), both)).toEqual([...checkout.map((s) => s.id), both.id]);
    // A ticket whose words fit one of the two joins that one.
    expect(groupOf(day(['checkout-api', 'orders-api'], aboutOrders), aboutOrders)).toEqual([orders[0]!.id, aboutOrders.id]);
  });

  it('does not place through a group learned from one ticket only', () => {
    const lone = symptom();
    const once = placed().slice(1);
    expect(groupOf(correlate([...history(), ...once, ...checkoutOutage(), lone]).groups, lone)).toEqual([lone.id]);
  });

  it('changes nothing for tickets without a group: their channel label is how they arrived (email, web), not whose they are', () => {
    const outage = checkoutOutage();
    const ungrouped = reports({ source: 'zendesk', kind: 'support', labels: { channel: 'email' } });
    const before = [ungrouped({ occurred_at: at(1, 10), title: 'cannot pay', links: ['pagerduty:P1'] }), ungrouped({ occurred_at: at(1, 12), title: 'my card was declined', service: 'checkout-api' })];
    const lone = ungrouped({ occurred_at: at(10, 20), title: 'Payment page shows NullPointerException on /v1/checkout' });
    expect(lone.venue).toBeNull();
    const day = [...history(), ...before, ...outage, lone];
    const { groups } = correlate(day);
    expect(groupOf(groups, lone)).toEqual([lone.id]);
    // As they were grouped with no venue read at all.
    expect(sorted(correlate(day.map(({ venue: _, ...s }) => s)).groups)).toEqual(sorted(groups));
  });
});

describe('assemble', () => {
  it('derives key, times, title and explanation from the group', () => {
    const alert = sig({ source: 'prom', external_id: 'x1', occurred_at: '2025-11-03T10:00:00Z', detected_at: null, service: 'checkout', severity: 'high', resolved_at: '2025-11-03T11:00:00Z', status: 'resolved', kind: 'log' });
    const inc = sig({ source: 'pagerduty', external_id: 'P1', kind: 'incident', occurred_at: '2025-11-03T10:04:00Z', detected_at: '2025-11-03T10:06:00Z', service: 'checkout', severity: 'critical', title: 'Checkout down', resolved_at: '2025-11-03T11:30:00Z', status: 'resolved' });
    const chat = sig({ source: 'slack', external_id: 'c', kind: 'chat', occurred_at: '2025-11-03T10:10:00Z', title: 'checkout down?' });
    const p = summariseProblem([alert, inc, chat]);
    expect(p).toMatchObject({
      key: 'prom:x1',
      title: 'Checkout down',
      service: 'checkout',
      services: ['checkout'],
      impact_start: '2025-11-03T10:00:00Z',
      detected_at: '2025-11-03T10:06:00Z',
      resolved_at: '2025-11-03T11:30:00Z',
      severity: 'critical',
      signal_count: 3,
      kinds: ['chat', 'incident', 'log'],
    });
    const stillOpen = summariseProblem([alert, { ...inc, resolved_at: null, status: 'open' }]);
    expect(stillOpen.resolved_at).toBeNull();
  });

  it('summarises the edge cases: unseen detections, kinds out of the title list, caps on titles and labels, reasons by ref', () => {
    const at = (m: number) => `2025-11-03T1${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:00Z`;
    // Nothing a person or pager sees: detected is the earliest detection any signal records.
    const logs = [
      sig({ id: 9001, kind: 'log', occurred_at: at(0), detected_at: at(9), title: 'disk 1', environment: 'staging', service: 'b', labels: { host: 'h1' } }),
      sig({ id: 9002, kind: 'log', occurred_at: at(1), detected_at: at(5), title: 'disk 2', environment: 'production', service: 'a', severity: 'low', body: 'disk 2\nfull on /var', labels: { host: 'h2', zone: 'z' } }),
      sig({ id: 9003, kind: 'deploy-note', occurred_at: at(2), title: 'deploy note', environment: 'production', service: 'a', severity: 'medium', links: ['jira:X-1', 'pr:4'], problem_id: 7 }),
      sig({ id: 9004, kind: 'log', occurred_at: at(3), title: 'disk 2', service: 'b', severity: 'bogus', links: ['jira:X-1'], resolved_at: at(40) }),
    ];
    const p = summariseProblem(logs, [{ signal_id: 9004, joined_id: 9001, rule: 'service_time', detail: 'b' }, { signal_id: 1, joined_id: 9002, rule: 'text', detail: 'cosine 0.70' }], { service_time: 1, text: 1 });
    expect(p).toMatchObject({
      key: 'prometheus:a9001',
      // A kind the preference list does not name comes before every named kind.
      title: 'deploy note',
      summary: 'disk 1 · disk 2 · deploy note — full on /var',
      service: 'b',
      services: ['a', 'b'],
      environment: 'production',
      detected_at: at(5),
      resolved_at: at(40),
      severity: 'medium',
      links: ['jira:X-1', 'pr:4'],
      previous_problem_ids: [null, null, 7, null],
      sources: ['prometheus'],
      kinds: ['deploy-note', 'log'],
      labels: { host: ['h1', 'h2'], zone: ['z'] },
      correlation: { rules: { service_time: 1, text: 1 }, reasons: [{ signal: 'prometheus:a9004', joined: 'prometheus:a9001', rule: 'service_time', detail: 'b' }, { signal: '#1', joined: 'prometheus:a9002', rule: 'text', detail: 'cosine 0.70' }] },
    });
    // A seen signal decides detection, by when it occurred if it records no detection.
    expect(summariseProblem([...logs, sig({ id: 9005, kind: 'chat', occurred_at: at(30), detected_at: null })]).detected_at).toBe(at(30));
    // An open ticket keeps it unresolved; at most 20 titles and 20 values per label.
    const many = Array.from({ length: 30 }, (_, k) => sig({ id: 9100 + k, occurred_at: at(k), title: `t${k % 25}`, labels: { n: String(k) }, kind: k === 3 ? 'ticket' : 'log', resolved_at: k === 3 ? null : at(50) }));
    const big = summariseProblem(many);
    expect(big.summary).toBe(Array.from({ length: 20 }, (_, k) => `t${k}`).join(' · '));
    expect(big.labels.n).toHaveLength(20);
    expect(big.resolved_at).toBeNull();
    expect(big.title).toBe('t3');
    expect(big.severity).toBeNull();
    expect(summariseProblem(many.filter((s) => s.kind !== 'ticket')).resolved_at).toBe(at(50));
  });

  it('hands back each problem when its last signal has passed', () => {
    const a = sig({ occurred_at: '2025-11-03T10:00:00Z', service: 's' });
    const b = sig({ occurred_at: '2025-11-03T10:01:00Z', service: 't' });
    const c = sig({ occurred_at: '2025-11-03T10:02:00Z', service: 's' });
    const { result, order } = correlate([a, b, c]);
    const assembler = createAssembler(result);
    const out = order.map((s) => assembler.add(s as AssemblySignal)?.key ?? null);
    expect(out).toEqual([null, `prometheus:${b.external_id}`, `prometheus:${a.external_id}`]);
    expect(assembler.pending()).toBe(0);
    expect(() => createAssembler(result).add(c)).toThrow(/out of the correlated order/);
  });
});

describe('TitleVocabulary', () => {
  it('numbers words in the order they first appear, each once per title, and a second vocabulary learns them', () => {
    const reader = new TitleVocabulary();
    // "down" is a stop word.
    expect(reader.tokens('Checkout API down: checkout errors')).toEqual([0, 1, 2]);
    expect(reader.tokens('Payments down, checkout fine')).toEqual([3, 0, 4]);
    expect(reader.words).toEqual(['checkout', 'api', 'errors', 'payments', 'fine']);
    // The correlator's vocabulary takes the reader's new words page by page and numbers later titles alike.
    const mirror = new TitleVocabulary();
    mirror.learn(reader.words.slice(0, 3));
    mirror.learn(reader.words.slice(3));
    expect(mirror.tokens('fine payments api')).toEqual([4, 3, 1]);
    expect(mirror.tokens('new words')).toEqual([5, 6]);
  });
});
