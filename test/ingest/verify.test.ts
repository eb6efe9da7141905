import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/domain/config.ts';
import {
  verifyGitlab, verifyGithub, verifyGrafana, verifyHubSignature, verifyPagerDuty, verifySentry, verifySharedSecret, verifySlack, verifyTeams, verifyWebhook, verifyZendesk,
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

  it('Grafana: HMAC of [timestamp:]body when signing is on, else a shared secret', () => {
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': hex(secret, body) }, body)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': hex(secret, `1762180000:${body.toString()}`), 'x-grafana-alerting-signature-timestamp': '1762180000' }, body)).toEqual({ ok: true, signed: true });
    expect(verifyGrafana(secret, { 'x-grafana-alerting-signature': hex(secret, body), 'x-grafana-alerting-signature-timestamp': '1762180000' }, body).ok).toBe(false);
    expect(verifyGrafana(secret, { authorization: `Bearer ${secret}` }, body)).toEqual({ ok: true, signed: true });
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
});
