// Webhook authenticity: each vendor's signature scheme over the RAW body bytes, or a shared secret
// header for vendors without one. Secrets come from environment variables named in `secrets:`.
// Amazon SNS (cloudwatch) needs no secret: its messages carry a certificate signature (sns-signature.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../domain/config.ts';
import { SNS_CERTIFICATES, type SnsCertificates, verifySnsBody } from './sns-signature.ts';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;
export type Verification = { ok: true; signed: boolean } | { ok: false; reason: string };

/** Slack's replay window (and Grafana's, when it sends a timestamp): requests older or newer than this are refused. */
export const REPLAY_WINDOW_SECONDS = 5 * 60;

const OK: Verification = { ok: true, signed: true };
const fail = (reason: string): Verification => ({ ok: false, reason });

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hmac(secret: string | Buffer, data: Buffer | string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

/** Compares in constant time; different lengths are simply unequal. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Slack v0: `X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))`, ts within 5 minutes. */
export function verifySlack(secret: string, headers: Headers, body: Buffer, nowSeconds: number): Verification {
  const ts = header(headers, 'x-slack-request-timestamp');
  const signature = header(headers, 'x-slack-signature');
  if (!ts || !signature) return fail('missing X-Slack-Signature or X-Slack-Request-Timestamp header');
  const seconds = Number(ts);
  if (!Number.isInteger(seconds)) return fail('X-Slack-Request-Timestamp is not a Unix time');
  if (Math.abs(nowSeconds - seconds) > REPLAY_WINDOW_SECONDS) return fail('X-Slack-Request-Timestamp is more than 5 minutes from now (replayed request?)');
  const expected = `v0=${hmac(secret, Buffer.concat([Buffer.from(`v0:${ts}:`), body]), 'hex')}`;
  return safeEqual(signature, expected) ? OK : fail('X-Slack-Signature does not match the body');
}

/** Whether one of the comma-separated signatures of a header (`v1=…,v1=…`) is the expected one. */
function anyListed(value: string, expected: string): boolean {
  return value.split(',').some((s) => safeEqual(s.trim(), expected));
}

/** PagerDuty V3: `X-PagerDuty-Signature: v1=hex,v1=hex` (one per active secret); any may match. */
export function verifyPagerDuty(secret: string, headers: Headers, body: Buffer): Verification {
  const value = header(headers, 'x-pagerduty-signature');
  if (!value) return fail('missing X-PagerDuty-Signature header');
  return anyListed(value, `v1=${hmac(secret, body, 'hex')}`) ? OK : fail('X-PagerDuty-Signature does not match the body');
}

/**
 * CircleCI webhooks: `Circleci-Signature: v1=hex(HMAC-SHA256(signing secret, body))` (comma-separated
 * versions; v1 is the one CircleCI sends). Without the header (a notifier posting API v2 objects), a shared secret.
 */
export function verifyCircleci(secret: string, headers: Headers, body: Buffer): Verification {
  const value = header(headers, 'circleci-signature');
  if (!value) return verifySharedSecret(secret, headers);
  if (!/(^|,)\s*v1=/.test(value)) return fail('Circleci-Signature carries no v1= signature');
  return anyListed(value, `v1=${hmac(secret, body, 'hex')}`) ? OK : fail('Circleci-Signature does not match the body');
}

/** GitHub (`X-Hub-Signature-256`) and Jira (`X-Hub-Signature`): `sha256=hex(HMAC-SHA256(secret, body))`. */
export function verifyHubSignature(secret: string, headers: Headers, body: Buffer, names: readonly string[] = ['x-hub-signature-256']): Verification {
  const name = names.find((n) => header(headers, n));
  const value = name ? header(headers, name) : undefined;
  if (!value) return fail(`missing ${names.map(displayName).join(' or ')} header`);
  return safeEqual(value.trim(), `sha256=${hmac(secret, body, 'hex')}`) ? OK : fail(`${displayName(name!)} does not match the body`);
}

export const verifyGithub = (secret: string, headers: Headers, body: Buffer) => verifyHubSignature(secret, headers, body, ['x-hub-signature-256']);

/** GitLab sends the configured secret token as is: `X-Gitlab-Token`. */
export function verifyGitlab(secret: string, headers: Headers): Verification {
  const token = header(headers, 'x-gitlab-token');
  if (!token) return fail('missing X-Gitlab-Token header');
  return safeEqual(token, secret) ? OK : fail('X-Gitlab-Token is not the configured secret');
}

/** Sentry: `Sentry-Hook-Signature: hex(HMAC-SHA256(client secret, body))`. */
export function verifySentry(secret: string, headers: Headers, body: Buffer): Verification {
  const value = header(headers, 'sentry-hook-signature');
  if (!value) return fail('missing Sentry-Hook-Signature header');
  return safeEqual(value.trim(), hmac(secret, body, 'hex')) ? OK : fail('Sentry-Hook-Signature does not match the body');
}

/** Zendesk: `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(secret, timestamp + body))`. */
export function verifyZendesk(secret: string, headers: Headers, body: Buffer): Verification {
  const signature = header(headers, 'x-zendesk-webhook-signature');
  const timestamp = header(headers, 'x-zendesk-webhook-signature-timestamp');
  if (!signature || !timestamp) return fail('missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp header');
  const expected = hmac(secret, Buffer.concat([Buffer.from(timestamp), body]), 'base64');
  return safeEqual(signature.trim(), expected) ? OK : fail('X-Zendesk-Webhook-Signature does not match the body');
}

/** Teams outgoing webhooks: `Authorization: HMAC base64(HMAC-SHA256(base64-decoded security token, body))`. */
export function verifyTeams(secret: string, headers: Headers, body: Buffer): Verification {
  const value = header(headers, 'authorization');
  const m = value ? /^HMAC\s+(\S+)$/i.exec(value) : null;
  if (!m) return fail('missing "Authorization: HMAC …" header');
  return safeEqual(m[1]!, hmac(Buffer.from(secret, 'base64'), body, 'base64')) ? OK : fail('the Teams HMAC does not match the body');
}

/** The header names a Grafana contact point's HMAC settings use (`signatures.grafana`). */
export interface GrafanaHeaderNames {
  /** Default X-Grafana-Alerting-Signature. */
  signatureHeader?: string;
  /** Grafana has no default; unset, the two names its docs and provisioning examples use are looked for. */
  timestampHeader?: string;
}

const GRAFANA_TIMESTAMP_HEADERS = ['X-Grafana-Alerting-Signature-Timestamp', 'X-Grafana-Alerting-Timestamp'];

/**
 * Grafana 12+ HMAC signing: `<Header>: hex(HMAC-SHA256(secret, [timestamp ":"] body))`, the Unix
 * timestamp in the *Timestamp Header* when one is set (then refused beyond 5 minutes). Without the
 * signature header: a shared secret (Grafana's Authorization header or Basic auth password).
 */
export function verifyGrafana(secret: string, headers: Headers, body: Buffer, nowSeconds: number, names: GrafanaHeaderNames = {}): Verification {
  const signatureName = names.signatureHeader ?? 'X-Grafana-Alerting-Signature';
  const signature = header(headers, signatureName.toLowerCase());
  if (!signature) return verifySharedSecret(secret, headers);
  const timestampName = names.timestampHeader ?? GRAFANA_TIMESTAMP_HEADERS.find((n) => header(headers, n.toLowerCase()) !== undefined);
  const timestamp = timestampName ? header(headers, timestampName.toLowerCase()) : undefined;
  if (timestampName && timestamp === undefined) return fail(`missing ${timestampName} header (the Timestamp Header named in signatures.grafana.timestamp_header)`);
  if (timestampName && timestamp !== undefined) {
    const seconds = Number(timestamp);
    if (!Number.isInteger(seconds)) return fail(`${timestampName} is not a Unix time`);
    if (Math.abs(nowSeconds - seconds) > REPLAY_WINDOW_SECONDS) return fail(`${timestampName} is more than 5 minutes from now (replayed request?)`);
  }
  const signed = timestamp !== undefined ? Buffer.concat([Buffer.from(`${timestamp}:`), body]) : body;
  if (safeEqual(signature.trim().toLowerCase(), hmac(secret, signed, 'hex'))) return OK;
  return fail(
    timestamp !== undefined
      ? `${signatureName} does not match the timestamp and body`
      : `${signatureName} does not match the body (checked without a timestamp: name Grafana's Timestamp Header in signatures.grafana.timestamp_header if it sets one)`,
  );
}

/**
 * For senders that can only add a header or credentials: `X-Escapement-Token: <secret>`,
 * `Authorization: Bearer <secret>`, or HTTP Basic with the secret as password (SNS, Alertmanager).
 */
export function verifySharedSecret(secret: string, headers: Headers): Verification {
  const token = header(headers, 'x-escapement-token');
  if (token !== undefined) return safeEqual(token, secret) ? OK : fail('X-Escapement-Token is not the configured secret');
  const authorization = header(headers, 'authorization');
  if (authorization) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
    if (bearer) return safeEqual(bearer[1]!.trim(), secret) ? OK : fail('the Bearer token is not the configured secret');
    const basic = /^Basic\s+(.+)$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return safeEqual(password, secret) ? OK : fail('the Basic auth password is not the configured secret');
    }
  }
  return fail('missing X-Escapement-Token (or Authorization: Bearer) header');
}

type Scheme = (secret: string, headers: Headers, body: Buffer, nowSeconds: number, config: Config) => Verification;

/** The scheme each source uses; any other source uses the shared secret header. */
export const SCHEMES: Readonly<Record<string, { scheme: Scheme; describe: string }>> = {
  slack: { scheme: verifySlack, describe: 'Slack v0 signature (X-Slack-Signature, X-Slack-Request-Timestamp)' },
  pagerduty: { scheme: verifyPagerDuty, describe: 'X-PagerDuty-Signature (v1=HMAC-SHA256)' },
  jira: { scheme: (s, h, b) => verifyHubSignature(s, h, b, ['x-hub-signature', 'x-hub-signature-256']), describe: 'X-Hub-Signature (sha256=HMAC)' },
  'jira-csv': { scheme: (s, h) => verifySharedSecret(s, h), describe: 'X-Escapement-Token' },
  github: { scheme: verifyGithub, describe: 'X-Hub-Signature-256 (sha256=HMAC)' },
  gitlab: { scheme: (s, h) => verifyGitlab(s, h), describe: 'X-Gitlab-Token' },
  sentry: { scheme: verifySentry, describe: 'Sentry-Hook-Signature (HMAC-SHA256)' },
  zendesk: { scheme: verifyZendesk, describe: 'X-Zendesk-Webhook-Signature (base64 HMAC of timestamp + body)' },
  teams: { scheme: verifyTeams, describe: 'Authorization: HMAC (Teams security token)' },
  grafana: {
    scheme: (s, h, b, now, config) => verifyGrafana(s, h, b, now, { signatureHeader: config.signatures.grafana.signature_header, timestampHeader: config.signatures.grafana.timestamp_header }),
    describe: 'X-Grafana-Alerting-Signature (HMAC of [timestamp:]body), or a shared secret header',
  },
  circleci: { scheme: verifyCircleci, describe: 'Circleci-Signature (v1=HMAC-SHA256), or a shared secret header' },
  cloudwatch: { scheme: (s, h) => verifySharedSecret(s, h), describe: 'the Amazon SNS message signature (signatures.sns), and the Basic auth password of the subscription URL' },
};

/** Sources whose bodies are Amazon SNS messages, checked against SNS's signature and `signatures.sns`. */
const SNS_SOURCES = new Set(['cloudwatch']);

export function schemeOf(source: string): { scheme: Scheme; describe: string } {
  return SCHEMES[source] ?? { scheme: (s, h) => verifySharedSecret(s, h), describe: 'X-Escapement-Token, Authorization: Bearer, or Basic auth password' };
}

export interface VerifyInput {
  source: string;
  headers: Headers;
  rawBody: Buffer;
  config: Config;
  env?: Readonly<Record<string, string | undefined>>;
  /** Unix seconds; for the replay window. */
  nowSeconds?: number;
  /** Where SNS signing certificates are fetched and kept (tests pass their own fetcher). */
  snsCertificates?: SnsCertificates;
}

function verifySecret(input: VerifyInput, now: number): Verification {
  const variable = input.config.secrets[input.source];
  if (variable === undefined) return { ok: true, signed: false };
  const secret = (input.env ?? process.env)[variable];
  if (!secret) return fail(`the secret for ${input.source} is configured as $${variable}, which is not set on the server`);
  return schemeOf(input.source).scheme(secret, input.headers, input.rawBody, now, input.config);
}

/**
 * Verifies a request for a source. A source with no secret configured is accepted unsigned
 * (`signed: false`; the caller warns once). A configured variable that is unset refuses everything.
 * SNS bodies must also carry SNS's signature (unless `signatures.sns.verify` is off): that check may
 * fetch a certificate, so it answers with a promise; every other source answers at once.
 */
export function verifyWebhook(input: VerifyInput): Verification | Promise<Verification> {
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const verification = verifySecret(input, now);
  const sns = input.config.signatures.sns;
  if (!verification.ok || !SNS_SOURCES.has(input.source) || (!sns.verify && sns.topics.length === 0)) return verification;
  return verifySnsBody(input.rawBody, { certificates: input.snsCertificates ?? SNS_CERTIFICATES, nowSeconds: now, verify: sns.verify, topics: sns.topics }).then(
    (result): Verification => (result.ok ? { ok: true, signed: verification.signed || result.signed } : result),
  );
}

function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}
