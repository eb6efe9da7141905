// Amazon SNS message signatures: a real AWS-signed message against its real certificate (known
// answer), then messages signed here with a key and certificate made for the test.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { certificateUrlProblem, fetchCertificate, SnsCertificateError, SnsCertificates, verifySnsBody, verifySnsMessage } from '../../src/ingest/sns-signature.ts';
import { CERT_URL, fakeFetcher, makeSigner, signSns, type TestSigner } from '../helpers/sns-signer.ts';

const fixture = (file: string) => readFileSync(fileURLToPath(new URL(`../fixtures/cloudwatch/${file}`, import.meta.url)), 'utf8');
const NOW = Math.floor(Date.now() / 1000);

describe('SNS signature: a real AWS message', () => {
  const message = JSON.parse(fixture('sns.http.signed_by_aws.2015.json')) as Record<string, unknown>;
  const url = message.SigningCertURL as string;
  const certificates = () => new SnsCertificates(fakeFetcher({ [url]: fixture('sns.signing_cert.2015.pem') }));
  // The certificate was valid from 2014-08-23 to 2015-08-22; the message was sent on 2015-02-20.
  const sentAt = Date.parse('2015-02-20T20:59:25Z') / 1000;

  it('verifies SignatureVersion 1 over Message, MessageId, Subject, Timestamp, TopicArn, Type', async () => {
    expect(await verifySnsMessage(message, certificates(), sentAt)).toEqual({ ok: true, signed: true });
  });

  it('refuses it once a signed field changes, and once the certificate has expired', async () => {
    expect(await verifySnsMessage({ ...message, Message: 'TAMPERED MESSAGE' }, certificates(), sentAt)).toEqual({ ok: false, reason: 'the SNS Signature does not match the message' });
    expect(await verifySnsMessage({ ...message, Subject: undefined }, certificates(), sentAt)).toMatchObject({ ok: false });
    expect(await verifySnsMessage(message, certificates(), NOW)).toEqual({
      ok: false,
      reason: `the SNS signing certificate at ${url} is not valid now (Aug 23 00:00:00 2014 GMT – Aug 22 23:59:59 2015 GMT)`,
    });
  });
});

const signer = makeSigner();
const skip = 'skip' in signer ? signer.skip : undefined;

describe.skipIf(skip)(`SNS signature: messages signed here${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const key = signer as TestSigner;
  const AT = key.validAt;
  const alarm = JSON.parse(fixture('sns.http.alarm.json')) as Record<string, unknown>;
  const confirmation = JSON.parse(fixture('sns.subscription_confirmation.json')) as Record<string, unknown>;
  const fresh = () => new SnsCertificates(fakeFetcher({ [CERT_URL]: key.certificatePem }));
  const body = (value: unknown) => Buffer.from(JSON.stringify(value));
  const options = { nowSeconds: AT, verify: true, topics: [] as string[] };

  it('accepts SignatureVersion 1 and 2 notifications, with or without a Subject, and subscription confirmations', async () => {
    for (const version of ['1', '2'] as const) {
      expect(await verifySnsMessage(signSns(alarm, key, version), fresh(), AT)).toEqual({ ok: true, signed: true });
      expect(await verifySnsMessage(signSns({ ...alarm, Subject: undefined }, key, version), fresh(), AT)).toEqual({ ok: true, signed: true });
      expect(await verifySnsMessage(signSns(confirmation, key, version), fresh(), AT)).toEqual({ ok: true, signed: true });
    }
  });

  it('refuses a changed signed field, a signature of another key, an unknown version or type, a missing signature', async () => {
    const signed = signSns(alarm, key);
    expect(await verifySnsMessage({ ...signed, Message: String(alarm.Message).replace('ALARM', 'OK') }, fresh(), AT)).toEqual({ ok: false, reason: 'the SNS Signature does not match the message' });
    expect(await verifySnsMessage({ ...signed, TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other' }, fresh(), AT)).toMatchObject({ ok: false });
    const confirmed = signSns(confirmation, key);
    expect(await verifySnsMessage({ ...confirmed, SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=other' }, fresh(), AT)).toMatchObject({ ok: false });
    const other = makeSigner() as TestSigner;
    expect(await verifySnsMessage(signSns(alarm, other), fresh(), AT)).toEqual({ ok: false, reason: 'the SNS Signature does not match the message' });
    expect(await verifySnsMessage({ ...signed, SignatureVersion: '3' }, fresh(), AT)).toEqual({ ok: false, reason: 'SNS SignatureVersion "3" is not 1 or 2' });
    expect(await verifySnsMessage({ ...signed, Type: 'Surprise' }, fresh(), AT)).toEqual({ ok: false, reason: 'SNS message type "Surprise" is not one SNS signs' });
    expect(await verifySnsMessage({ ...signed, Signature: undefined }, fresh(), AT)).toEqual({ ok: false, reason: 'the SNS message has no Signature' });
    expect(await verifySnsMessage({ ...signed, SigningCertURL: undefined }, fresh(), AT)).toEqual({ ok: false, reason: 'the SNS message has no SigningCertURL' });
    expect(await verifySnsMessage({ ...signed, MessageId: undefined }, fresh(), AT)).toEqual({ ok: false, reason: 'the SNS message has no MessageId, which its signature covers' });
  });

  it('fetches a certificate only from https://sns.<region>.amazonaws.com/….pem', async () => {
    const good = ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem'];
    for (const url of good) expect(certificateUrlProblem(url)).toBeUndefined();
    const bad = [
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem',
      'https://evil.example/sns.us-east-1.amazonaws.com/cert.pem',
      'https://s3.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
      'EXAMPLE',
    ];
    for (const url of bad) expect(certificateUrlProblem(url), url).toMatch(/^SigningCertURL /);
    const fetcher = fakeFetcher({});
    const result = await verifySnsMessage({ ...signSns(alarm, key), SigningCertURL: bad[1] }, new SnsCertificates(fetcher), AT);
    expect(result).toEqual({ ok: false, reason: `SigningCertURL ${bad[1]} is not on sns.<region>.amazonaws.com` });
    expect(fetcher.calls).toEqual([]);
  });

  it('fetches each certificate once; a missing one is a refusal, an outage an error, and neither is kept', async () => {
    const fetcher = fakeFetcher({ [CERT_URL]: key.certificatePem });
    const certificates = new SnsCertificates(fetcher);
    await Promise.all([verifySnsMessage(signSns(alarm, key), certificates, AT), verifySnsMessage(signSns(confirmation, key), certificates, AT)]);
    expect(await verifySnsMessage(signSns(alarm, key, '2'), certificates, AT)).toEqual({ ok: true, signed: true });
    expect(fetcher.calls).toEqual([CERT_URL]);

    const missing = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem';
    expect(await verifySnsMessage(alarm, certificates, AT)).toEqual({ ok: false, reason: `SigningCertURL ${missing} answered HTTP 403` });
    expect(await verifySnsMessage(alarm, certificates, AT)).toMatchObject({ ok: false });
    expect(fetcher.calls).toEqual([CERT_URL, missing, missing]);

    let attempts = 0;
    const flaky = new SnsCertificates(async () => {
      attempts++;
      if (attempts === 1) throw new Error('connect ETIMEDOUT');
      return key.certificatePem;
    });
    await expect(verifySnsMessage(signSns(alarm, key), flaky, AT)).rejects.toThrow('connect ETIMEDOUT');
    expect(await verifySnsMessage(signSns(alarm, key), flaky, AT)).toEqual({ ok: true, signed: true });

    const notPem = new SnsCertificates(fakeFetcher({ [CERT_URL]: '<html>not a certificate</html>' }));
    expect(await verifySnsMessage(signSns(alarm, key), notPem, AT)).toMatchObject({ ok: false, reason: expect.stringMatching(/^SigningCertURL .* is not an X\.509 certificate/) });
  });

  it('verifies a whole body: the HTTP form, every record of a Lambda event, and the topic list', async () => {
    expect(await verifySnsBody(body(signSns(alarm, key)), { ...options, certificates: fresh() })).toEqual({ ok: true, signed: true });
    const record = (sns: Record<string, unknown>) => ({ EventSource: 'aws:sns', Sns: sns });
    const lambdaForm = { ...alarm, SigningCertURL: undefined };
    const lambda = { Records: [record(signSns(lambdaForm, key, '1', 'SigningCertUrl')), record(signSns({ ...lambdaForm, MessageId: 'second' }, key, '1', 'SigningCertUrl'))] };
    expect(await verifySnsBody(body(lambda), { ...options, certificates: fresh() })).toEqual({ ok: true, signed: true });
    lambda.Records[1]!.Sns.Message = 'changed';
    expect(await verifySnsBody(body(lambda), { ...options, certificates: fresh() })).toEqual({ ok: false, reason: 'the SNS Signature does not match the message' });

    const topics = ['arn:aws:sns:eu-west-1:123456789012:other'];
    expect(await verifySnsBody(body(signSns(alarm, key)), { ...options, topics, certificates: fresh() })).toEqual({
      ok: false,
      reason: 'SNS topic arn:aws:sns:eu-west-1:123456789012:escapement is not one of signatures.sns.topics',
    });
    // With verification off the topic list still holds, and an unsigned message passes unsigned.
    expect(await verifySnsBody(body(alarm), { ...options, verify: false, topics: [String(alarm.TopicArn)], certificates: fresh() })).toEqual({ ok: true, signed: false });
    expect(await verifySnsBody(Buffer.from('{"Type": '), { ...options, certificates: fresh() })).toEqual({ ok: false, reason: 'the body is not JSON, so it carries no SNS signature' });
    expect(await verifySnsBody(body([alarm]), { ...options, certificates: fresh() })).toMatchObject({ ok: false, reason: expect.stringMatching(/^the body is not an SNS message/) });
  });
});

describe('fetching a certificate', () => {
  it('holds a body sent without a length to the size limit, and reads one within it', async () => {
    const server = createServer((req, res) => {
      // No content-length: chunked transfer, as a hostile or broken server may answer.
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      if (req.url === '/huge.pem') for (let k = 0; k < 80; k++) res.write('x'.repeat(1024));
      else res.write('-----BEGIN CERTIFICATE-----\n');
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(fetchCertificate(`http://127.0.0.1:${port}/huge.pem`)).rejects.toThrow(SnsCertificateError);
      await expect(fetchCertificate(`http://127.0.0.1:${port}/small.pem`)).resolves.toBe('-----BEGIN CERTIFICATE-----\n');
    } finally {
      server.close();
    }
  });
});
