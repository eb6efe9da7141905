// Slack Events API: answers `url_verification`; a message in a configured channel (chat.channels,
// every channel the app is in when none are listed) starts a signal; a thread is one signal keyed by
// channel + thread_ts, and its replies update it (merge writes: links accumulate, the store keeps the
// thread's first title and start).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { mentionsIn } from '../mentions.ts';
import { firstText, object, optionalText, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';

// Message subtypes that carry what a person wrote; edits, joins and deletions are not signals.
const READ_SUBTYPES = new Set(['bot_message', 'thread_broadcast', 'file_share']);

/** Slack's markup (`<https://x|label>`, `<@U123>`, `<#C1|name>`) as plain text. */
export function slackText(value: string): string {
  return value
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<#\w+\|([^>]+)>/g, '#$1')
    .replace(/<@(\w+)>/g, '@$1')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export const slack: SourceAdapter = {
  name: 'slack',
  title: 'Slack Events API',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    const type = text(payload.type, 'type');
    if (type === 'url_verification') return { status: 'reply', body: { challenge: text(payload.challenge, 'challenge') } };
    if (type !== 'event_callback') return { status: 'ignored', reason: `Slack ${type} requests are not used` };
    const event = object(payload.event, 'event');
    const eventType = text(event.type, 'event.type');
    if (eventType !== 'message' && eventType !== 'app_mention') return { status: 'ignored', reason: `event ${eventType} is not a message` };
    const subtype = optionalText(event.subtype);
    if (subtype && !READ_SUBTYPES.has(subtype)) return { status: 'ignored', reason: `message subtype ${subtype} is not used` };
    const channel = text(event.channel, 'event.channel');
    const channels = input.config.chat.channels;
    if (channels.length > 0 && !channels.includes(channel)) return { status: 'ignored', reason: `channel ${channel} is not in chat.channels` };
    const ts = text(event.ts, 'event.ts');
    const threadTs = optionalText(event.thread_ts) ?? ts;
    const isReply = threadTs !== ts;
    const message = slackText(optionalText(event.text) ?? '');
    const team = firstText(payload.team_id, event.team);
    const record = signalRecord({
      source: 'slack',
      external_id: `${channel}:${threadTs}`,
      kind: 'chat',
      url: team ? `https://app.slack.com/client/${team}/${channel}/thread/${channel}-${threadTs}` : undefined,
      occurred_at: time(threadTs, isReply ? 'event.thread_ts' : 'event.ts'),
      title: titleFrom(message || `Slack thread in ${channel}`),
      body: isReply ? undefined : message || undefined,
      labels: stringLabels({
        channel,
        channel_type: event.channel_type,
        team,
        ...(isReply ? { last_reply_ts: ts, last_reply_user: event.user } : { user: firstText(event.user, event.bot_id) }),
      }),
      links: [`slack:${channel}/${threadTs}`, ...mentionsIn([message])],
      raw: payload,
    });
    return { status: 'records', records: [record], merge: true };
  },
};

