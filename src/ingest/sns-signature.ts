// Amazon SNS message signatures (CloudWatch alarms arrive through SNS). SNS signs every message with
// the key of a certificate it publishes at `SigningCertURL`: SignatureVersion 1 is SHA1withRSA,
// 2 is SHA256withRSA, over "Name\nValue\n" of fixed fields in byte order of their names
// (AWS: "Verifying the signatures of Amazon SNS messages"). The certificate is fetched only from
// https://sns.<region>.amazonaws.com[.cn]/….pem and kept in memory by URL; the fetcher is injectable.
import { verify as verifyRsa, X509Certificate } from 'node:crypto';
import type { Verification } from './verify.ts';

/** Resolves the PEM text at a URL; rejects with SnsCertificateError when the certificate is not there. */
export type CertificateFetcher = (url: string) => Promise<string>;

/** A certificate URL that answers with no certificate (HTTP 4xx, not a PEM): a refusal, not an outage. */
export class SnsCertificateError extends Error {}

// Fields signed, by message type: `Subject` only when the notification has one.
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;
const SIGNED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Notification: NOTIFICATION_FIELDS,
  SubscriptionConfirmation: CONFIRMATION_FIELDS,
  UnsubscribeConfirmation: CONFIRMATION_FIELDS,
};
const OPTIONAL_FIELDS = new Set(['Subject']);
const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'sha1', '2': 'sha256' };
const CERTIFICATE_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const MAX_CERTIFICATE_BYTES = 64 * 1024;

const fail = (reason: string): Verification => ({ ok: false, reason });

/** Why a SigningCertURL may not be fetched, or undefined when it may. */
export function certificateUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `SigningCertURL ${JSON.stringify(value)} is not a URL`;
  }
  if (url.protocol !== 'https:') return `SigningCertURL ${value} is not https`;
  if (!CERTIFICATE_HOST.test(url.hostname) || url.port !== '' || url.username !== '' || url.password !== '') {
    return `SigningCertURL ${value} is not on sns.<region>.amazonaws.com`;
  }
  if (!url.pathname.endsWith('.pem')) return `SigningCertURL ${value} does not name a .pem certificate`;
  return undefined;
}

/** The string SNS signed for a message, or the reason there is none. */
export function stringToSign(message: Readonly<Record<string, unknown>>): { text: string } | { problem: string } {
  const type = message.Type;
  const fields = typeof type === 'string' ? SIGNED_FIELDS[type] : undefined;
  if (!fields) return { problem: `SNS message type ${JSON.stringify(type)} is not one SNS signs` };
  let text = '';
  for (const name of fields) {
    const value = message[name];
    if (value === undefined || value === null) {
      if (OPTIONAL_FIELDS.has(name)) continue;
      return { problem: `the SNS message has no ${name}, which its signature covers` };
    }
    if (typeof value !== 'string') return { problem: `the SNS message's ${name} is not a string` };
    text += `${name}\n${value}\n`;
  }
  return { text };
}

/** Fetches over https with no redirects, a timeout and a size limit. */
export const fetchCertificate: CertificateFetcher = async (url) => {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (response.status >= 400 && response.status < 500) throw new SnsCertificateError(`SigningCertURL ${url} answered HTTP ${response.status}`);
  if (!response.ok) throw new Error(`SigningCertURL ${url} answered HTTP ${response.status}`);
  const tooLarge = () => new SnsCertificateError(`SigningCertURL ${url} is larger than a certificate`);
  if (Number(response.headers.get('content-length') ?? 0) > MAX_CERTIFICATE_BYTES) throw tooLarge();
  // A chunked answer names no length: the body is held to the limit as it arrives.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_CERTIFICATE_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** Signing certificates by URL, fetched once (concurrent requests share the fetch); failures are not kept. */
export class SnsCertificates {
  private readonly cache = new Map<string, Promise<X509Certificate>>();

  constructor(
    private readonly fetcher: CertificateFetcher = fetchCertificate,
    private readonly maxEntries = 64,
  ) {}

  get(url: string): Promise<X509Certificate> {
    let entry = this.cache.get(url);
    if (!entry) {
      entry = this.fetcher(url).then((pem) => {
        try {
          return new X509Certificate(pem);
        } catch (error) {
          throw new SnsCertificateError(`SigningCertURL ${url} is not an X.509 certificate (${(error as Error).message})`);
        }
      });
      entry.catch(() => this.cache.delete(url));
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(url, entry);
    }
    return entry;
  }
}

/** The process-wide certificate cache the webhook route uses unless it is given another. */
export const SNS_CERTIFICATES = new SnsCertificates();

function validAt(certificate: X509Certificate, nowSeconds: number): boolean {
  const now = nowSeconds * 1000;
  return Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo);
}

/**
 * Verifies one SNS message (the HTTP body, or a Lambda event's `Records[].Sns`, whose URL field is
 * `SigningCertUrl`). A certificate that cannot be fetched for a transient reason (network, 5xx)
 * rejects the promise: the request fails with 500 and SNS retries it.
 */
export async function verifySnsMessage(message: Readonly<Record<string, unknown>>, certificates: SnsCertificates, nowSeconds: number): Promise<Verification> {
  const algorithm = ALGORITHMS[String(message.SignatureVersion)];
  if (!algorithm) return fail(`SNS SignatureVersion ${JSON.stringify(message.SignatureVersion ?? null)} is not 1 or 2`);
  if (typeof message.Signature !== 'string' || message.Signature === '') return fail('the SNS message has no Signature');
  const url = message.SigningCertURL ?? message.SigningCertUrl;
  if (typeof url !== 'string') return fail('the SNS message has no SigningCertURL');
  const urlProblem = certificateUrlProblem(url);
  if (urlProblem) return fail(urlProblem);
  const signed = stringToSign(message);
  if ('problem' in signed) return fail(signed.problem);
  let certificate: X509Certificate;
  try {
    certificate = await certificates.get(url);
  } catch (error) {
    if (error instanceof SnsCertificateError) return fail(error.message);
    throw error;
  }
  if (!validAt(certificate, nowSeconds)) return fail(`the SNS signing certificate at ${url} is not valid now (${certificate.validFrom} – ${certificate.validTo})`);
  let good: boolean;
  try {
    good = verifyRsa(algorithm, Buffer.from(signed.text, 'utf8'), certificate.publicKey, Buffer.from(message.Signature, 'base64'));
  } catch (error) {
    // A crypto policy that forbids SHA1 signatures (some system OpenSSL builds) refuses version 1.
    return fail(`the SNS signature (${algorithm}) cannot be checked here: ${(error as Error).message}; set the topic's SignatureVersion to 2`);
  }
  return good ? { ok: true, signed: true } : fail('the SNS Signature does not match the message');
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The SNS messages a body carries: itself, or each `Records[].Sns` of a Lambda event. */
function messagesOf(body: Record<string, unknown>): Record<string, unknown>[] | undefined {
  if (!Array.isArray(body.Records)) return [body];
  const messages = body.Records.map((record) => (isRecord(record) && isRecord(record.Sns) ? record.Sns : undefined));
  return messages.every((m) => m !== undefined) && messages.length > 0 ? (messages as Record<string, unknown>[]) : undefined;
}

export interface SnsBodyOptions {
  certificates: SnsCertificates;
  nowSeconds: number;
  /** Check the signature (else only the topic list). */
  verify: boolean;
  /** Topic ARNs allowed; empty allows any. */
  topics: readonly string[];
}

/** Verifies every SNS message in a raw webhook body: topic allowed, and signed by SNS when `verify`. */
export async function verifySnsBody(rawBody: Buffer, options: SnsBodyOptions): Promise<Verification> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return fail('the body is not JSON, so it carries no SNS signature');
  }
  const messages = isRecord(body) ? messagesOf(body) : undefined;
  if (!messages) return fail('the body is not an SNS message (Type, Signature, …) or a Lambda SNS event (Records[].Sns)');
  for (const message of messages) {
    if (options.topics.length > 0 && !options.topics.includes(String(message.TopicArn))) {
      return fail(`SNS topic ${String(message.TopicArn)} is not one of signatures.sns.topics`);
    }
    if (!options.verify) continue;
    const verification = await verifySnsMessage(message, options.certificates, options.nowSeconds);
    if (!verification.ok) return verification;
  }
  return { ok: true, signed: options.verify };
}
