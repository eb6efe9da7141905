// Microsoft Teams outgoing webhooks: a channel message that @mentions the webhook arrives as a Bot
// Framework activity. A conversation thread (`conversation.id`, which names the root message) is one
// signal; later messages in it update it. Teams expects a message activity back (webhooks.ts).
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { mentionsIn } from '../mentions.ts';
import { firstText, object, optionalObject, optionalText, signalRecord, stringLabels, text, time, titleFrom } from '../payload.ts';

/** Teams sends HTML; the @mention of the webhook itself is dropped. */
export function teamsText(html: string): string {
  return html
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<a [^>]*href="([^"]+)"[^>]*>([^<]*)<\/a>/gi, '$2 ($1)')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

export const teams: SourceAdapter = {
  name: 'teams',
  title: 'Microsoft Teams outgoing webhook',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const activity = object(input.payload, '(body)');
    const type = text(activity.type, 'type');
    if (type !== 'message') return { status: 'ignored', reason: `activity type ${type} is not a message` };
    const conversation = object(activity.conversation, 'conversation');
    const conversationId = text(conversation.id, 'conversation.id');
    const channelData = optionalObject(activity.channelData);
    const channelId = firstText(optionalObject(channelData?.channel)?.id, channelData?.teamsChannelId, conversationId.split(';')[0]);
    const channelName = optionalText(conversation.name);
    const channels = input.config.chat.channels;
    if (channels.length > 0 && !channels.some((c) => c === channelId || c === channelName)) {
      return { status: 'ignored', reason: `channel ${channelName ?? channelId} is not in chat.channels` };
    }
    const rootId = /;messageid=(\d+)/.exec(conversationId)?.[1];
    const messageId = optionalText(activity.id);
    const isReply = rootId !== undefined && messageId !== undefined && rootId !== messageId;
    const message = teamsText(optionalText(activity.text) ?? '');
    const from = optionalObject(activity.from);
    const record = signalRecord({
      source: 'teams',
      external_id: conversationId,
      kind: 'chat',
      occurred_at: time(activity.timestamp ?? input.receivedAt, 'timestamp'),
      title: titleFrom(message || `Teams thread in ${channelName ?? channelId ?? 'a channel'}`),
      body: isReply ? undefined : message || undefined,
      labels: stringLabels({
        channel: channelId,
        channel_name: channelName,
        team: optionalObject(channelData?.team)?.id ?? channelData?.teamsTeamId,
        ...(isReply ? { last_reply_id: messageId, last_reply_user: from?.name } : { user: from?.name }),
      }),
      links: mentionsIn([message]),
      raw: activity,
    });
    return { status: 'records', records: [record], merge: true };
  },
};
