// Signs Amazon SNS messages as SNS does, with a key and a self-signed certificate made here (openssl
// makes the certificate; there is no AWS to fetch one from). The string to sign is built from the AWS
// documentation's rule, independently of src/ingest/sns-signature.ts: the signed fields present in
// the message, sorted by name, each as "Name\nValue\n".
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CertificateFetcher, SnsCertificateError } from '../../src/ingest/sns-signature.ts';

export const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';

export interface TestSigner {
  privateKey: KeyObject;
  certificatePem: string;
  /** Unix seconds a minute into the certificate's validity (it starts at the second openssl made it). */
  validAt: number;
}

/** A fresh RSA key and a self-signed certificate valid from now for a day, or why there is none. */
export function makeSigner(days = 1): TestSigner | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'escapement-sns-'));
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-subj', '/CN=sns.amazonaws.com', '-days', String(days), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { privateKey, certificatePem, validAt: Date.parse(new X509Certificate(certificatePem).validFrom) / 1000 + 60 };
  } catch (error) {
    return { skip: `openssl could not make a test certificate: ${(error as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SIGNED = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/** The message with SignatureVersion, Signature and the certificate URL SNS adds. */
export function signSns(message: Record<string, unknown>, signer: TestSigner, version: '1' | '2' = '1', certUrlField = 'SigningCertURL'): Record<string, unknown> {
  const names = SIGNED[message.Type as keyof typeof SIGNED].filter((name) => typeof message[name] === 'string').sort();
  const text = names.map((name) => `${name}\n${String(message[name])}\n`).join('');
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), signer.privateKey).toString('base64');
  return { ...message, SignatureVersion: version, Signature: signature, [certUrlField]: CERT_URL };
}

/** Serves PEM texts by URL, counting fetches; any other URL answers like a missing S3 object (403). */
export function fakeFetcher(pems: Readonly<Record<string, string>>): CertificateFetcher & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = async (url: string) => {
    calls.push(url);
    const pem = pems[url];
    if (pem === undefined) throw new SnsCertificateError(`SigningCertURL ${url} answered HTTP 403`);
    return pem;
  };
  return Object.assign(fetcher, { calls });
}
