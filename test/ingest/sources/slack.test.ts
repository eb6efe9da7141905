import { describe, expect, it } from 'vitest';
import { slack } from '../../../src/ingest/sources/slack.ts';
import { config, fixture, ignoredReason, recordsOf, run } from './helpers.ts';

describe('slack adapter (Events API)', () => {
  it('answers url_verification with the challenge', () => {
    const out = run(slack, fixture('slack', 'events_api.url_verification.json'));
    expect(out).toEqual({ status: 'reply', body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });
  });

  it('starts a thread signal from a channel message', () => {
    const payload = fixture('slack', 'events_api.event_callback.message_channels.json');
    const { fields, raws, merge } = recordsOf(run(slack, payload));
    expect(merge).toBe(true);
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'slack',
        external_id: 'C123ABC456:1355517523.000005',
        kind: 'chat',
        url: 'https://app.slack.com/client/T123ABC456/C123ABC456/thread/C123ABC456-1355517523.000005',
        occurred_at: '2012-12-14T20:38:43.000Z',
        title: 'Live long and prospect.',
        body: 'Live long and prospect.',
        labels: { channel: 'C123ABC456', channel_type: 'channel', team: 'T123ABC456', user: 'U123ABC456' },
        links: ['slack:C123ABC456/1355517523.000005'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('keys a reply by its thread, brings its mentions, and leaves the body alone (written from the docs)', () => {
    const { fields } = recordsOf(run(slack, fixture('slack', 'events_api.event_callback.thread_reply.json')));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'slack',
        external_id: 'C123ABC456:1355517523.000005',
        kind: 'chat',
        url: 'https://app.slack.com/client/T123ABC456/C123ABC456/thread/C123ABC456-1355517523.000005',
        occurred_at: '2012-12-14T20:38:43.000Z',
        title: 'Rolled back, root cause is acme/checkout#812 (https://github.com/acme/checkout/pull/812); tracking in PAY-123',
        labels: { channel: 'C123ABC456', channel_type: 'channel', team: 'T123ABC456', last_reply_ts: '1355517601.000010', last_reply_user: 'U222BBB222' },
        links: ['slack:C123ABC456/1355517523.000005', 'url:https://github.com/acme/checkout/pull/812', 'pr:acme/checkout#812', 'jira:PAY-123'],
      },
    ]);
  });

  it('reads only configured channels and skips edits and joins', () => {
    const payload = fixture('slack', 'events_api.event_callback.message_channels.json') as { event: Record<string, unknown> };
    expect(ignoredReason(run(slack, payload, { config: config({ chat: { channels: ['C999'] } }) }))).toBe('channel C123ABC456 is not in chat.channels');
    expect(recordsOf(run(slack, payload, { config: config({ chat: { channels: ['C123ABC456'] } }) })).fields).toHaveLength(1);
    expect(ignoredReason(run(slack, { ...payload, event: { ...payload.event, subtype: 'message_changed' } }))).toBe('message subtype message_changed is not used');
    expect(ignoredReason(run(slack, { ...payload, event: { type: 'reaction_added' } }))).toBe('event reaction_added is not a message');
  });
});
