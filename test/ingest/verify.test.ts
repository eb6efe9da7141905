import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import {
  verifyCircleci, verifyGitlab, verifyGithub, verifyGrafana, verifyHubSignature, verifyPagerDuty, verifySentry, verifySharedSecret, verifySlack, verifyTeams, verifyWebhook, verifyZendesk,
} from '../../src/ingest/verify.ts';

const body = Buffer.from('{"hello":"world"}');
const secret = 'shh-its-a-secret';
const hex = (key: string | Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest('hex');
const b64 = (key: string | Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest('base64');

describe('signature verification', () => {
  it('Slack v0: signature over v0:ts:body, refused outside the 5-minute window', () => {
    const now = 1_762_180_000;
    const headers = { 'x-slack-request-timestamp': String(now), 'x-slack-signature': `v0=${hex(secret, `v0:${now}:${body.toString()}`)}` };
    expect(verifySlack(secret, headers, body, now + 10)).toEqual({ ok: true, signed: true });
    expect(verifySlack(secret, headers, body, now + 301)).toEqual({ ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes from now (replayed request?)' });
    expect(verifySlack(secret, headers, Buffer.from('{"hello":"World"}'), now)).toEqual({ ok: false, reason: 'X-Slack-Signature does not match the body' });
    expect(verifySlack(secret, {}, body, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/missing X-Slack-Signature/) });
  });

  it('PagerDuty v3: any of several v1= signatures may match', () => {
    const good = `v1=${hex(secret, body)}`;
    expect(verifyPagerDuty(secret, { 'x-pagerduty-signature': `v1=deadbeef,${good}` }, body)).toEqual({ ok: true, signed: true });
    expect(verifyPagerDuty(secret, { 'x-pagerduty-signature': 'v1=deadbeef' }, body)).toEqual({ ok: false, reason: 'X-PagerDuty-Signature does not match the body' });
  });

  it('GitHub and Jira: sha256=HMAC in X-Hub-Signature-256 / X-Hub-Signature', () => {
    expect(verifyGithub(secret, { 'x-hub-signature-256': `sha256=${hex(secret, body)}` }, body)).toEqual({ ok: true, signed: true });
    expect(verifyGithub(secret, {}, body)).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
    expect(verifyHubSignature(secret, { 'x-hub-signature': `sha256=${hex(secret, body)}` }, body, ['x-hub-signature'])).toEqual({ ok: true, signed: true });
    expect(verifyHubSignature('other', { 'x-hub-signature': `sha256=${hex(secret, body)}` }, body, ['x-hub-signature'])).toEqual({ ok: false, reason: 'X-Hub-Signature does not match the body' });
  });

  it('GitLab token, Sentry HMAC, Zendesk base64 HMAC of timestamp+body, Teams HMAC with a base64 key', () => {
    expect(verifyGitlab(secret, { 'x-gitlab-token': secret })).toEqual({ ok: true, signed: true });
    expect(verifyGitlab(secret, { 'x-gitlab-token': 'nope' })).toEqual({ ok: false, reason: 'X-Gitlab-Token is not the configured secret' });
    expect(verifySentry(secret, { 'sentry-hook-signature': hex(secret, body) }, body)).toEqual({ ok: true, signed: true });
    const ts = '2024-04-17T17:18:10Z';
    expect(verifyZendesk(secret, { 'x-zendesk-webhook-signature': b64(secret, ts + body.toString()), 'x-zendesk-webhook-signature-timestamp': ts }, body)).toEqual({ ok: true, signed: true });
    expect(verifyZendesk(secret, { 'x-zendesk-webhook-signature': b64(secret, body), 'x-zendesk-webhook-signature-timestamp': ts }, body).ok).toBe(false);
    const teamsToken = Buffer.from('teams-security-token').toString('base64');
    expect(verifyTeams(teamsToken, { authorization: `HMAC ${b64(Buffer.from(teamsToken, 'base64'), body)}` }, body)).toEqual({ ok: true, signed: true });
    expect(verifyTeams(teamsToken, { authorization: 'Bearer x' }, body).ok).toBe(false);
  });

  it('Grafana: hex HMAC of [timestamp:]body in the configured headers, timestamp within 5 minutes; else a shared secret', () => {
    const now = 1_762_180_000;
    const signedAt = (ts: number) => hex(secret, `${ts}:${body.toString()}`);
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': hex(secret, body) }, body, now)).toEqual({ ok: true, signed: true });
    // Unconfigured, the two timestamp header names of Grafana's docs and provisioning examples are read.
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': signedAt(now), 'x-grafana-alerting-signature-timestamp': String(now) }, body, now + 60)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': signedAt(now), 'x-grafana-alerting-timestamp': String(now) }, body, now)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': hex(secret, body), 'x-grafana-alerting-timestamp': String(now) }, body, now)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Signature does not match the timestamp and body',
    });
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': signedAt(now - 301), 'x-grafana-alerting-timestamp': String(now - 301) }, body, now)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Timestamp is more than 5 minutes from now (replayed request?)',
    });
    // Header names as set in the contact point (signatures.grafana).
    const names = { signatureHeader: 'X-Alert-Sig', timestampHeader: 'X-Alert-Time' };
    expect(verifyGrafana(secret, { 'x-alert-sig': signedAt(now), 'x-alert-time': String(now) }, body, now, names)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, { 'x-alert-sig': signedAt(now) }, body, now, names)).toEqual({
      ok: false,
      reason: 'missing X-Alert-Time header (the Timestamp Header named in signatures.grafana.timestamp_header)',
    });
    expect(verifyGrafana(secret, { 'x-alert-sig': signedAt(now), 'x-alert-time': 'yesterday' }, body, now, names)).toEqual({ ok: false, reason: 'X-Alert-Time is not a Unix time' });
    // A timestamp header Escapement does not know about: the signature is checked over the body alone, and the reason says what to configure.
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': signedAt(now), 'x-my-time': String(now) }, body, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^X-Grafana-Alerting-Signature does not match the body \(checked without a timestamp: name .* signatures\.grafana\.timestamp_header/),
    });
    expect(verifyGrafana(secret, { authorization: `Bearer ${secret}` }, body, now)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, {}, body, now).ok).toBe(false);
  });

  it('CircleCI: v1= hex HMAC of the body in Circleci-Signature; without it a shared secret', () => {
    const good = `v1=${hex(secret, body)}`;
    expect(verifyCircleci(secret, { 'circleci-signature': good }, body)).toEqual({ ok: true, signed: true });
    expect(verifyCircleci(secret, { 'circleci-signature': `v2=abc,${good}` }, body)).toEqual({ ok: true, signed: true });
    expect(verifyCircleci(secret, { 'circleci-signature': `v1=${hex('other', body)}` }, body)).toEqual({ ok: false, reason: 'Circleci-Signature does not match the body' });
    expect(verifyCircleci(secret, { 'circleci-signature': hex(secret, body) }, body)).toEqual({ ok: false, reason: 'Circleci-Signature carries no v1= signature' });
    expect(verifyCircleci(secret, { 'x-escapement-token': secret }, body)).toEqual({ ok: true, signed: true });
    expect(verifyCircleci(secret, {}, body)).toEqual({ ok: false, reason: 'missing X-Escapement-Token (or Authorization: Bearer) header' });
  });

  it('shared secret: X-Escapement-Token, Bearer, or Basic password', () => {
    expect(verifySharedSecret(secret, { 'x-escapement-token': secret })).toEqual({ ok: true, signed: true });
    expect(verifySharedSecret(secret, { authorization: `Bearer ${secret}` })).toEqual({ ok: true, signed: true });
    expect(verifySharedSecret(secret, { authorization: `Basic ${Buffer.from(`sns:${secret}`).toString('base64')}` })).toEqual({ ok: true, signed: true });
    expect(verifySharedSecret(secret, { 'x-escapement-token': 'guess' })).toEqual({ ok: false, reason: 'X-Escapement-Token is not the configured secret' });
    expect(verifySharedSecret(secret, {})).toEqual({ ok: false, reason: 'missing X-Escapement-Token (or Authorization: Bearer) header' });
  });

  it('takes the secret from the environment variable the configuration names', () => {
    const config = ConfigSchema.parse({ secrets: { datadog: 'DATADOG_WEBHOOK_SECRET' } });
    const input = { source: 'datadog', headers: { 'x-escapement-token': secret }, rawBody: body, config };
    expect(verifyWebhook({ ...input, env: { DATADOG_WEBHOOK_SECRET: secret } })).toEqual({ ok: true, signed: true });
    expect(verifyWebhook({ ...input, env: {} })).toEqual({ ok: false, reason: 'the secret for datadog is configured as $DATADOG_WEBHOOK_SECRET, which is not set on the server' });
    expect(verifyWebhook({ ...input, source: 'opsgenie', env: {} })).toEqual({ ok: true, signed: false });
  });

  it('passes the configured Grafana header names to its scheme', () => {
    const config = ConfigSchema.parse({ secrets: { grafana: 'GRAFANA_HMAC' }, signatures: { grafana: { signature_header: 'X-Sig', timestamp_header: 'X-Ts' } } });
    const now = 1_762_180_000;
    const input = { source: 'grafana', rawBody: body, config, env: { GRAFANA_HMAC: secret }, nowSeconds: now };
    expect(verifyWebhook({ ...input, headers: { 'x-sig': hex(secret, `${now}:${body.toString()}`), 'x-ts': String(now) } })).toEqual({ ok: true, signed: true });
    expect(verifyWebhook({ ...input, headers: { 'x-grafana-alerting-signature': hex(secret, body) } })).toMatchObject({ ok: false });
  });
});
