// No published Teams outgoing-webhook request was found: test/fixtures/teams/outgoing.message.json
// was written from Microsoft's documentation (see its README).
import { describe, expect, it } from 'vitest';
import { teams } from '../../../src/ingest/sources/teams.ts';
import { config, fixture, ignoredReason, recordsOf, run } from './helpers.ts';

const CONVERSATION = '19:b9f6c1a7e2d44f3c8a0d5e6f7a8b9c0d@thread.skype;messageid=1699545600000';
const CHANNEL = '19:b9f6c1a7e2d44f3c8a0d5e6f7a8b9c0d@thread.skype';

describe('teams adapter (outgoing webhook)', () => {
  it('reads a channel message that mentions the webhook, without the mention', () => {
    const payload = fixture('teams', 'outgoing.message.json');
    const { fields, raws } = recordsOf(run(teams, payload));
    const text = 'checkout returns 502 since release v2.4.1, see PAY-123 and status page (https://status.example.com/incidents/42)';
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'teams',
        external_id: CONVERSATION,
        kind: 'chat',
        occurred_at: '2025-11-09T16:00:00.000Z',
        title: text,
        body: text,
        labels: { channel: CHANNEL, channel_name: 'incidents', team: '19:aa11bb22cc33dd44ee55ff66aa77bb88@thread.skype', user: 'Ana Ops' },
        links: ['url:https://status.example.com/incidents/42', 'jira:PAY-123', 'version:v2.4.1'],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('treats a later message in the thread as a reply to the same signal', () => {
    const payload = { ...(fixture('teams', 'outgoing.message.json') as object), id: '1699545900000', text: '<at>Escapement</at> fixed by hotfix 2.4.2' };
    const { fields } = recordsOf(run(teams, payload));
    expect(fields[0]).toMatchObject({ external_id: CONVERSATION, labels: { last_reply_id: '1699545900000', last_reply_user: 'Ana Ops' }, links: ['version:2.4.2'] });
    expect(fields[0]).not.toHaveProperty('body');
  });

  it('reads only configured channels', () => {
    expect(ignoredReason(run(teams, fixture('teams', 'outgoing.message.json'), { config: config({ chat: { channels: ['general'] } }) }))).toBe('channel incidents is not in chat.channels');
    expect(recordsOf(run(teams, fixture('teams', 'outgoing.message.json'), { config: config({ chat: { channels: ['incidents'] } }) })).fields).toHaveLength(1);
  });
});
