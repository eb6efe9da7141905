// The words signals use, per kind of problem. Each scenario is one way a problem of a type shows up;
// its phrases are templates with {slots}, several per signal kind so no type reads as one fixed sentence.
import type { Random } from './random.ts';
import type { ProblemType, UnattributedReason } from './types.ts';

export interface Scenario {
  type: Exclude<ProblemType, 'mixed'>;
  /** Alertmanager alert names that fire. */
  alerts: readonly string[];
  /** Incident and ticket titles. */
  titles: readonly string[];
  /** The first message of a chat thread. */
  chat: readonly string[];
  /** What customers write to support. */
  support: readonly string[];
  /** Exceptions an error tracker groups (none when the code is fine). */
  exceptions: readonly string[];
  /** Log lines a log alert counts. */
  logs: readonly string[];
  /** How it was resolved, for ticket bodies and cost notes. */
  fixes: readonly string[];
  /** For infra and integration: whether a deployment can plausibly cause it, and the cause when none did. */
  deployable?: boolean;
  reason?: UnattributedReason;
}

const CUSTOMER_GENERIC = [
  'Error when I try to {action}',
  "Can't {action} since this morning",
  '{action} not working???',
  'Something went wrong page on {page}',
  'Your site keeps failing when I {action}',
  'Urgent: customers unable to {action}',
];

const SCENARIOS: readonly Scenario[] = [
  // code: defects in application logic
  {
    type: 'code',
    alerts: ['HighErrorRate', 'HTTP5xxRatioHigh', 'EndpointErrorBudgetBurn'],
    titles: ['500s on {endpoint} after null amount', 'NullPointerException in {Service} order mapping', '{Service}: unhandled exception on {endpoint}', 'Error rate {pct}% on {endpoint}'],
    chat: ['seeing a bunch of 500s on {endpoint}, looks like an exception in the handler', 'anyone looking at {service}? sentry is full of {exceptionShort}', 'error rate on {endpoint} just jumped to {pct}%, stack trace points at our code'],
    support: CUSTOMER_GENERIC,
    exceptions: ["TypeError: Cannot read properties of undefined (reading '{field}')", 'NullPointerException: {Class}.get{Field}() returned null', "KeyError: '{field}'", 'IndexOutOfBoundsException: Index 0 out of bounds for length 0'],
    logs: ['ERROR unhandled exception in {endpoint} handler', 'level=error msg="panic recovered" path={endpoint}', 'ERROR {Class}Service - failed to map {field}'],
    fixes: ['null check added and a test for the empty {field} case', 'handler fixed to skip records without {field}', 'guard clause plus unit test'],
  },
  {
    type: 'code',
    alerts: ['OrderTotalsMismatch', 'ReconciliationDiffHigh', 'BusinessMetricAnomaly'],
    titles: ['Wrong totals on invoices for {region} customers', '{Service} returns wrong {field} for discounted items', 'Incorrect tax amount calculated on {page}', 'Rounding error in {field} ({pct} cents off)'],
    chat: ['finance noticed the {field} numbers are off since yesterday', 'customers report wrong {field} on {page}, math in the calculation looks wrong', 'looks like we compute {field} twice for bundles'],
    support: ['I was charged the wrong amount', 'Invoice total does not match my order', 'Discount not applied correctly on my order', 'Why is the {field} different from what I saw at checkout?'],
    exceptions: [],
    logs: ['WARN reconciliation mismatch order={n} expected={n} got={n}', 'WARN {field} below zero after discount'],
    fixes: ['calculation fixed, affected {n} orders corrected by a script', 'rounding moved to the end of the computation', 'discount applied once per order line'],
  },
  {
    type: 'code',
    alerts: ['QueueConsumerErrors', 'DeadLetterQueueGrowing', 'JobFailureRateHigh'],
    titles: ['{Service} worker crashes on malformed message', 'Dead letter queue growing for {queue}', 'Jobs failing with unhandled {exceptionShort}', 'Retry loop in {Service} consumer'],
    chat: ['DLQ for {queue} has {n} messages and counting', '{service} consumer keeps crashing on the same message', 'jobs failing since this afternoon, looks like a parsing bug'],
    support: ['Notification never arrived', 'My export has been pending for hours', 'Order status stuck on processing'],
    exceptions: ['ValueError: invalid literal for int() with base 10: \'{field}\'', 'JsonMappingException: Cannot deserialize value of type `{Class}`', 'UnhandledPromiseRejection: {Class}Error: unexpected state'],
    logs: ['ERROR failed to process message id={n}: {exceptionShort}', 'level=error msg="moving message to DLQ" queue={queue}'],
    fixes: ['parser handles the missing field, DLQ replayed', 'consumer skips poison messages and alerts once'],
  },
  {
    type: 'code',
    alerts: ['LatencyP99High', 'SlowQueries', 'CPUThrottlingHigh'],
    titles: ['{endpoint} p99 at {n} ms after N+1 query', 'Slow {page} page: unbounded loop in {Service}', '{Service} timeouts caused by missing pagination'],
    chat: ['{endpoint} is super slow, p99 {n}ms — looks like we query per item', 'profiler shows {Class}.load in a loop'],
    support: ['{page} takes forever to load', 'The app is extremely slow today', 'Timeout when I open {page}'],
    exceptions: ['TimeoutError: operation timed out after 30000ms', 'QueryTimeoutException in {Class}Repository.findAll'],
    logs: ['WARN slow query {n}ms SELECT * FROM {table} WHERE', 'WARN request took {n}ms path={endpoint}'],
    fixes: ['query batched, index added', 'pagination added to the listing'],
  },
  // infra: environment fails, code correct
  {
    type: 'infra',
    alerts: ['CertificateExpiringSoon', 'TLSHandshakeFailures', 'ProbeFailure'],
    titles: ['TLS certificate for {host} expired', 'SSL handshake failures on {host}', 'Certificate renewal failed for {host} (cert-manager)', 'Browsers show NET::ERR_CERT_DATE_INVALID on {host}'],
    chat: ['cert on {host} expired, cert-manager renewal failed', 'clients get SSL errors talking to {host}', 'who owns the certificate for {host}? it expired an hour ago'],
    support: ['Your site says the connection is not secure', 'Security warning when opening {page}', 'App says certificate error'],
    exceptions: [],
    logs: ['x509: certificate has expired or is not yet valid', 'SSL_do_handshake() failed (SSL: error:0A000086:certificate verify failed)'],
    fixes: ['certificate renewed manually and the ACME solver fixed', 'cert-manager issuer credentials rotated'],
    deployable: false, reason: 'certificate expiry',
  },
  {
    type: 'infra',
    alerts: ['NodeDiskPressure', 'DiskSpaceLow', 'PersistentVolumeFillingUp'],
    titles: ['Disk full on {node}', '{Service} pods evicted: node disk pressure', 'PVC for {table} database at {pct}%', 'No space left on device on {node}'],
    chat: ['{node} is out of disk, pods are being evicted', 'volume for {service} is at {pct}%, writes failing', 'log rotation broke on {node}, disk full'],
    support: CUSTOMER_GENERIC,
    exceptions: [],
    logs: ['write /var/lib/data: no space left on device', 'Evicted: The node was low on resource: ephemeral-storage'],
    fixes: ['volume resized and log retention lowered', 'old snapshots cleaned up, disk alert threshold lowered'],
    deployable: false, reason: 'capacity',
  },
  {
    type: 'infra',
    alerts: ['KubeNodeNotReady', 'KubePodCrashLooping', 'KubeDeploymentReplicasMismatch'],
    titles: ['Node {node} NotReady, {Service} degraded', 'Pods of {service} stuck Pending after node pool upgrade', 'Kubelet on {node} stopped reporting', 'Replicas mismatch for {service} in {region}'],
    chat: ['{node} went NotReady and took half of {service} with it', 'node pool upgrade in {region} left pods pending', 'kubelet died on {node}, cordoned it'],
    support: CUSTOMER_GENERIC,
    exceptions: [],
    logs: ['Readiness probe failed: connection refused', 'OOMKilled container={service}'],
    fixes: ['node replaced, pod disruption budget added', 'node pool rolled back to the previous image'],
    deployable: true, reason: 'node failure',
  },
  {
    type: 'infra',
    alerts: ['DNSResolutionFailures', 'CoreDNSErrorsHigh', 'BlackboxProbeFailed'],
    titles: ['DNS resolution failing for {host}', 'CoreDNS errors in {region}', 'NXDOMAIN for internal {service} records', 'Wrong DNS record after zone change'],
    chat: ['lookups of {host} return NXDOMAIN', 'coredns is throwing SERVFAIL in {region}', 'someone changed the zone file? {host} resolves to the old IP'],
    support: ["Site doesn't load at all", 'Cannot reach your website', 'App says no connection'],
    exceptions: [],
    logs: ['dial tcp: lookup {host}: no such host', '[ERROR] plugin/errors: 2 {host}. A: read udp i/o timeout'],
    fixes: ['record restored, TTL lowered', 'CoreDNS scaled and cache size raised'],
    deployable: false, reason: 'dns provider',
  },
  {
    type: 'infra',
    alerts: ['CPUSaturation', 'ConnectionPoolExhausted', 'HPAMaxedOut'],
    titles: ['{Service} out of capacity during peak', 'Database connection pool exhausted on {table} primary', 'Autoscaler maxed out for {service}', 'Load balancer 503s: no healthy upstream'],
    chat: ['we hit max replicas on {service}, traffic is {pct}% above normal', 'db connections maxed at {n}', 'LB returns 503 no healthy upstream for {service}'],
    support: ['Site very slow and sometimes errors', 'Getting 503 errors', 'Checkout timed out twice'],
    exceptions: [],
    logs: ['upstream connect error or disconnect/reset before headers', 'FATAL: remaining connection slots are reserved'],
    fixes: ['max replicas raised and pool size tuned', 'capacity added in {region}'],
    deployable: true, reason: 'capacity',
  },
  {
    type: 'infra',
    alerts: ['EnvConfigMismatch', 'SecretMissing', 'ProbeFailure'],
    titles: ['{Service} in prod missing environment variable {env}', 'Prod config differs from staging: {env}', 'Secret {env} not mounted in {region}', 'Wrong {env} value after infrastructure change'],
    chat: ['prod has {env} unset, staging has it', 'terraform apply changed {env} for {service}', 'secret for {service} is not mounted in {region}'],
    support: CUSTOMER_GENERIC,
    exceptions: [],
    logs: ['config error: required variable {env} is not set', 'failed to read secret {env}: not found'],
    fixes: ['variable restored, config drift check added', 'secret re-synced from the vault'],
    deployable: true, reason: 'infrastructure change',
  },
  // integration: third parties and service boundaries
  {
    type: 'integration',
    alerts: ['UpstreamErrorRateHigh', 'ExternalAPIErrors', 'VendorLatencyHigh'],
    titles: ['{vendor} API returning 5xx', '{vendor} outage: {action} failing', 'Errors calling {host} (HTTP 503)', '{vendor} degraded performance in {region}'],
    chat: ['{vendor} is down again, status page says degraded performance', 'all calls to {host} return 503', 'is it us or {vendor}? their API times out'],
    support: CUSTOMER_GENERIC,
    exceptions: ['HTTPError: 503 Server Error: Service Unavailable for url: https://{host}/v1/{field}', 'ConnectTimeout: HTTPSConnectionPool(host=\'{host}\', port=443)'],
    logs: ['ERROR upstream {host} returned 503', 'WARN circuit breaker open for {vendor}'],
    fixes: ['{vendor} recovered; circuit breaker tuned', 'waited for {vendor}, failed requests replayed'],
    deployable: false, reason: 'vendor outage',
  },
  {
    type: 'integration',
    alerts: ['VendorRateLimited', 'UpstreamErrorRateHigh'],
    titles: ['{vendor} rate limiting us (429 Too Many Requests)', '429s from {host}', 'Quota exceeded on {vendor} API', '{vendor} throttling {action} calls'],
    chat: ['{vendor} returns 429 for most calls, did we exceed the quota?', 'we are being rate limited by {host}', 'batch job hammered {vendor}, now everything is 429'],
    support: CUSTOMER_GENERIC,
    exceptions: ['RateLimitError: 429 Too Many Requests from {host}', 'HTTPError: 429 Client Error: Too Many Requests'],
    logs: ['WARN {vendor} responded 429 retry-after=60', 'ERROR giving up after 5 retries: 429'],
    fixes: ['backoff added and quota raised with {vendor}', 'batch job throttled'],
    deployable: true, reason: 'vendor rate limit',
  },
  {
    type: 'integration',
    alerts: ['WebhookFailures', 'PartnerSchemaErrors', 'ExternalAPIErrors'],
    titles: ['{vendor} changed the response format', 'Contract change in {vendor} webhook payload', 'Parsing {vendor} responses fails: unknown field {field}', '{vendor} API v{n} deprecated, calls rejected'],
    chat: ['{vendor} changed their payload without notice, {field} is now an object', 'partner API rejects our requests: unsupported version', 'contract tests against {vendor} sandbox pass but prod fails'],
    support: CUSTOMER_GENERIC,
    exceptions: ['ValidationError: {field} expected string, received object ({vendor} webhook)', 'UnrecognizedPropertyException: Unrecognized field "{field}" from {vendor}'],
    logs: ['ERROR cannot parse {vendor} response: unexpected token', 'WARN {vendor} returned 400 unsupported api version'],
    fixes: ['client adapted to the new {vendor} format', 'pinned the {vendor} API version'],
    deployable: true, reason: 'partner contract change',
  },
  {
    type: 'integration',
    alerts: ['ExternalAuthFailures', 'UpstreamErrorRateHigh'],
    titles: ['{vendor} credentials expired: 401 Unauthorized', 'API key for {vendor} revoked', 'OAuth token refresh failing against {host}', '401s from {vendor} after key rotation'],
    chat: ['{vendor} says our API key is invalid', 'token refresh against {host} fails with invalid_grant', 'did someone rotate the {vendor} key?'],
    support: CUSTOMER_GENERIC,
    exceptions: ['AuthenticationError: 401 Unauthorized from {host}', 'OAuthError: invalid_grant'],
    logs: ['ERROR {vendor} 401 invalid api key', 'WARN token refresh failed for {vendor}'],
    fixes: ['new credentials issued by {vendor} and stored in the vault', 'key rotation automated'],
    deployable: false, reason: 'expired credentials',
  },
  {
    type: 'integration',
    alerts: ['GRPCErrorsHigh', 'DownstreamTimeouts'],
    titles: ['{Service} calls to {peer} time out', 'gRPC UNAVAILABLE between {service} and {peer}', 'Internal API contract mismatch with {peer}', '{peer} rejects requests from {service}'],
    chat: ['{service} → {peer} calls failing with UNAVAILABLE', '{peer} changed its API and we still send the old field', 'timeouts at the boundary between {service} and {peer}'],
    support: CUSTOMER_GENERIC,
    exceptions: ['StatusRuntimeException: UNAVAILABLE: io exception ({peer})', 'HTTPError: 422 Unprocessable Entity from {peer}'],
    logs: ['ERROR call to {peer} failed: deadline exceeded', 'WARN {peer} responded 422'],
    fixes: ['timeouts aligned with {peer}, retries with jitter', 'both sides agreed on the field and deployed'],
    deployable: true, reason: 'partner contract change',
  },
  // regression: worked before the release
  {
    type: 'regression',
    alerts: ['HighErrorRate', 'ConversionDrop', 'SyntheticCheckFailed'],
    titles: ['{action} broken since {version}', 'Worked before the release: {page} fails after {version}', 'Regression in {version}: {action} fails', 'After deploying {version}, {page} returns errors'],
    chat: ['{page} broke right after the {version} deploy, it worked before the release', 'synthetic check for {action} red since {version} went out', 'roll back {version}? {action} fails since the deploy'],
    support: ['{action} worked yesterday, now it fails', 'Since your update I cannot {action}', 'New version broke {page}'],
    exceptions: ["TypeError: {field} is not a function", "AttributeError: 'NoneType' object has no attribute '{field}'"],
    logs: ['ERROR {endpoint} failed after upgrade', 'ERROR migration-dependent query failed: column "{field}" does not exist'],
    fixes: ['rolled back to {prev}, fixed forward with a test', 'reverted the change in {version}'],
  },
  {
    type: 'regression',
    alerts: ['FeatureFlagErrorSpike', 'HighErrorRate'],
    titles: ['Feature flag {flag} broke {page}', 'Turning on {flag} with {version} causes errors', '{flag} rollout: {action} fails for {pct}% of users', 'Errors since the flag {flag} went to 100%'],
    chat: ['errors started when {flag} went to 100%, turning it off', 'new flag {flag} in {version} breaks {page} for some users', 'kill switch for {flag}?'],
    support: ['Since today {page} looks broken', 'The new {page} does not work for me', 'Button to {action} disappeared'],
    exceptions: ['TypeError: Cannot read properties of null (reading \'{field}\')'],
    logs: ['ERROR flag={flag} variant=on path={endpoint} failed'],
    fixes: ['flag turned off, fixed and re-enabled gradually', 'flag default corrected'],
  },
  {
    type: 'regression',
    alerts: ['DBMigrationLocks', 'SlowQueries', 'HighErrorRate'],
    titles: ['Migration in {version} locked {table}', 'Schema migration broke writes to {table}', 'Column {field} dropped in {version} still used', 'Database migration caused timeouts on {table}'],
    chat: ['migration from {version} is holding a lock on {table}', 'writes to {table} fail since the release, the migration renamed {field}', 'should we roll back {version}? the migration is the suspect'],
    support: ["Can't save my changes", 'Getting errors when I {action}'],
    exceptions: ['PSQLException: ERROR: column "{field}" does not exist', 'LockTimeoutException: could not obtain lock on {table}'],
    logs: ['ERROR canceling statement due to lock timeout', 'ERROR column "{field}" of relation "{table}" does not exist'],
    fixes: ['rolled back to {prev}; migration split into expand/contract steps', 'column restored and code fixed forward'],
  },
  {
    type: 'regression',
    alerts: ['CacheHitRatioLow', 'LatencyP99High', 'StaleDataDetected'],
    titles: ['Cache key change in {version} serves stale {field}', 'Cache miss storm after {version}', '{page} shows stale data since the release', 'Config change in {version} disabled caching'],
    chat: ['cache hit ratio dropped to {pct}% right after {version}', 'we changed the cache key format in {version}, old entries are served', 'config change in the release turned caching off?'],
    support: ['I see old prices', '{page} shows outdated information', 'Very slow since this morning'],
    exceptions: [],
    logs: ['WARN cache miss ratio {pct}%', 'WARN serving stale entry key={field}'],
    fixes: ['cache flushed and key version bumped', 'config change reverted'],
  },
];

export const SCENARIOS_BY_TYPE: Record<Scenario['type'], Scenario[]> = {
  code: SCENARIOS.filter((s) => s.type === 'code'),
  infra: SCENARIOS.filter((s) => s.type === 'infra'),
  integration: SCENARIOS.filter((s) => s.type === 'integration'),
  regression: SCENARIOS.filter((s) => s.type === 'regression'),
};

const FILLERS = {
  endpoint: ['/v1/checkout', '/api/orders', '/graphql', '/v2/payments/authorize', '/login', '/api/search', '/v1/cart/items', '/api/invoices', '/v1/accounts/me', '/api/export'],
  action: ['check out', 'log in', 'pay', 'place an order', 'download my invoice', 'reset my password', 'search', 'update my address', 'track my parcel', 'cancel my subscription'],
  page: ['the checkout page', 'my account', 'the order history', 'the search results', 'the invoice page', 'the dashboard', 'the cart'],
  field: ['amount', 'currency', 'customerId', 'lineItems', 'taxRate', 'discount', 'shippingAddress', 'total', 'status', 'locale'],
  Class: ['Order', 'Invoice', 'Payment', 'Customer', 'Cart', 'Shipment', 'Account'],
  table: ['orders', 'payments', 'invoices', 'sessions', 'customers', 'events'],
  node: ['ip-10-0-12-34', 'gke-prod-pool-2-7f3c', 'aks-nodepool1-18', 'ip-10-2-3-201', 'worker-17'],
  region: ['eu-west-1', 'us-east-1', 'europe-west4', 'ap-southeast-2'],
  flag: ['new-checkout-flow', 'async-invoicing', 'search-v2', 'smart-retries', 'one-click-pay', 'unified-cart'],
  queue: ['orders.created', 'invoice-jobs', 'email-outbox', 'payouts', 'webhooks-inbound'],
  env: ['DATABASE_POOL_SIZE', 'PAYMENT_PROVIDER_URL', 'REDIS_URL', 'FEATURE_CONFIG_PATH', 'SMTP_HOST'],
  exceptionShort: ['NullPointerException', 'TypeError', 'KeyError', 'ValueError', 'IllegalStateException'],
} as const;

export type Slots = Record<string, string>;

/** Fills a template: known slots from the problem, the rest with plausible words or numbers. */
export function fill(rng: Random, template: string, slots: Slots): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const known = slots[name];
    if (known !== undefined) return known;
    if (name === 'n') return String(rng.int(12, 4800));
    if (name === 'pct') return String(rng.int(3, 97));
    const words = (FILLERS as Record<string, readonly string[]>)[name];
    return words ? rng.pick(words) : name;
  });
}

/** Fixes one word per slot for a problem, so all its signals speak of the same endpoint, flag, table. */
export function problemSlots(rng: Random, base: Slots): Slots {
  const slots: Slots = { ...base };
  for (const [name, words] of Object.entries(FILLERS)) slots[name] ??= rng.pick(words);
  slots.pct ??= String(rng.int(5, 95));
  return slots;
}

const CHAT_NOISE = ['', '', '', ' cc @oncall', ' :eyes:', ' (not sure if related to the DNS thing last week)', ' anyone?', ' :fire:', ' maybe a deploy?'];
const TITLE_NOISE = ['', '', '', '', 'URGENT: ', 'Re: ', 'FW: ', '[prod] '];

/** Small, realistic noise: people lower-case, prefix, add asides that can mislead a classifier. */
export function chatNoise(rng: Random, text: string): string {
  const out = rng.chance(0.4) ? text.toLowerCase() : text;
  return out + rng.pick(CHAT_NOISE);
}

export function titleNoise(rng: Random, text: string): string {
  return rng.pick(TITLE_NOISE) + text;
}

/** Signals that belong to no problem: flapping alerts, how-to questions, chatter. */
export const NOISE = {
  alerts: ['KubeJobCompletion', 'CPUThrottlingHigh', 'DiskSpaceLow', 'TargetDown', 'CronJobMissedSchedule', 'LatencyP99High'],
  support: ['How do I change my invoice address?', 'Question about my subscription plan', 'Can I export my data as CSV?', 'Please delete my account', 'Where can I find the API documentation?', 'Feature request: dark mode'],
  chat: ['anyone else seeing a blip on grafana? recovered already', 'FYI maintenance window tonight 22:00 UTC', 'deploy train leaves at 15:00', 'flaky alert again, silencing for 1h'],
} as const;
