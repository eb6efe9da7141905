// CloudWatch alarms delivered by Amazon SNS: the HTTP/S subscription body (`Type`, `Message`, …) or
// the Lambda event form (`Records[].Sns`). The alarm itself is JSON text inside `Message`.
// SubscriptionConfirmation is answered with the SubscribeURL for a person to open: Escapement does
// not fetch URLs it is sent. Log alerts (metric filters on CloudWatch Logs) arrive the same way.
import type { AdapterInput, AdapterOutput, SourceAdapter } from '../adapter.ts';
import { PayloadError } from '../adapter.ts';
import type { ImportRecord } from '../../domain/records.ts';
import { mentionsIn } from '../mentions.ts';
import { array, firstText, isObject, type Json, object, optionalArray, optionalObject, optionalText, optionalTime, signalRecord, stringLabels, text, titleFrom } from '../payload.ts';

// Dimensions that name the thing a team calls a service, most specific first.
const SERVICE_DIMENSIONS = ['ServiceName', 'FunctionName', 'ClusterName', 'ApiName', 'LoadBalancer', 'TargetGroup', 'DBInstanceIdentifier', 'DBClusterIdentifier', 'QueueName', 'TableName', 'AutoScalingGroupName', 'InstanceId'];

function dimensionsOf(trigger: Json | undefined): Record<string, string> {
  const pairs: [string, unknown][] = [];
  for (const d of optionalArray(trigger?.Dimensions)) {
    if (isObject(d)) pairs.push([String(d.name ?? d.Name ?? ''), d.value ?? d.Value]);
  }
  return stringLabels(pairs.filter(([k]) => k !== ''));
}

function alarmRecord(input: AdapterInput, notification: Json, field: string, raw: unknown): ImportRecord | { ignored: string } {
  const messageText = text(notification.Message, `${field}.Message`);
  let alarm: unknown;
  try {
    alarm = JSON.parse(messageText);
  } catch {
    return { ignored: 'the SNS message is not a CloudWatch alarm (not JSON)' };
  }
  if (!isObject(alarm) || alarm.AlarmName === undefined) return { ignored: 'the SNS message is not a CloudWatch alarm (no AlarmName)' };
  const state = text(alarm.NewStateValue, `${field}.Message.NewStateValue`);
  if (state !== 'ALARM' && state !== 'OK') return { ignored: `alarm state ${state} is not used` };
  const name = text(alarm.AlarmName, `${field}.Message.AlarmName`);
  const trigger = optionalObject(alarm.Trigger);
  const dimensions = dimensionsOf(trigger);
  const at = optionalTime(alarm.StateChangeTime) ?? optionalTime(notification.Timestamp) ?? input.receivedAt;
  const region = optionalText(alarm.Region);
  const description = optionalText(alarm.AlarmDescription);
  const reason = optionalText(alarm.NewStateReason);
  const dimension = SERVICE_DIMENSIONS.find((d) => dimensions[d] !== undefined);
  return signalRecord({
    source: 'cloudwatch',
    external_id: firstText(alarm.AlarmArn) ?? `${optionalText(alarm.AWSAccountId) ?? ''}:${region ?? ''}:${name}`,
    kind: 'alert',
    // A recovery (OK) carries no start; the store keeps the earliest occurred_at of merged events.
    occurred_at: at,
    resolved_at: state === 'OK' ? at : undefined,
    status: state === 'OK' ? 'resolved' : 'open',
    title: titleFrom(description && description !== name ? `${name}: ${description}` : name),
    body: reason,
    service: dimension ? dimensions[dimension] : (Object.values(dimensions)[0] ?? name),
    labels: stringLabels({
      ...dimensions,
      alarm_name: name,
      region,
      account: alarm.AWSAccountId,
      namespace: trigger?.Namespace,
      metric: trigger?.MetricName,
      old_state: alarm.OldStateValue,
      topic: notification.TopicArn,
    }),
    links: mentionsIn([description, reason]),
    raw,
  });
}

function notificationOutput(input: AdapterInput, notification: Json, field: string, raw: unknown): AdapterOutput {
  const type = text(notification.Type, `${field}.Type`);
  if (type === 'SubscriptionConfirmation') {
    const subscribeUrl = text(notification.SubscribeURL, `${field}.SubscribeURL`);
    return {
      status: 'reply',
      body: {
        confirmation_required: true,
        message: 'Open subscribe_url (or call sns:ConfirmSubscription with the token) to confirm; Escapement does not fetch it.',
        subscribe_url: subscribeUrl,
        topic_arn: optionalText(notification.TopicArn),
      },
    };
  }
  if (type !== 'Notification') return { status: 'ignored', reason: `SNS message type ${type} is not used` };
  const result = alarmRecord(input, notification, field, raw);
  if ('ignored' in result) return { status: 'ignored', reason: result.ignored };
  return { status: 'records', records: [result], merge: true };
}

export const cloudwatch: SourceAdapter = {
  name: 'cloudwatch',
  title: 'Amazon CloudWatch alarms (SNS)',
  emits: ['signal'],
  format: 'json',
  toRecords(input: AdapterInput): AdapterOutput {
    const payload = object(input.payload, '(body)');
    if (Array.isArray(payload.Records)) {
      const records: ImportRecord[] = [];
      let lastIgnored = 'no alarm in the event';
      array(payload.Records, 'Records').forEach((value, i) => {
        const sns = object(object(value, `Records[${i}]`).Sns, `Records[${i}].Sns`);
        const out = notificationOutput(input, sns, `Records[${i}].Sns`, payload);
        if (out.status === 'records') records.push(...out.records);
        else if (out.status === 'ignored') lastIgnored = out.reason;
      });
      return records.length > 0 ? { status: 'records', records, merge: true } : { status: 'ignored', reason: lastIgnored };
    }
    if (payload.Type === undefined) throw new PayloadError('Type', 'expected an SNS message (Type, Message, …) or a Lambda SNS event (Records[].Sns)');
    return notificationOutput(input, payload, '(body)', payload);
  },
};
