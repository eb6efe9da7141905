import { describe, expect, it } from 'vitest';
import { cloudwatch } from '../../../src/ingest/sources/cloudwatch.ts';
import { fixture, ignoredReason, recordsOf, run } from './helpers.ts';

const ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-5xx';

describe('cloudwatch adapter (alarms via SNS)', () => {
  it('reads the Lambda SNS event form (published aws-lambda-go sample)', () => {
    const payload = fixture('cloudwatch', 'sns.alarm.single_metric.lambda_event.json');
    const { fields, raws } = recordsOf(run(cloudwatch, payload));
    expect(fields).toEqual([
      {
        kind_of_record: 'signal',
        source: 'cloudwatch',
        external_id: 'arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE',
        kind: 'alert',
        occurred_at: '2015-06-03T17:43:27.123Z',
        title: 'EXAMPLE',
        body: 'Threshold Crossed: 1 out of the last 1 datapoints [1234.0 (06/03/15 17:43:27)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).',
        status: 'open',
        service: 'TestInstance',
        labels: { InstanceId: 'TestInstance', alarm_name: 'EXAMPLE', region: 'EXAMPLE', account: '123456789012', namespace: 'AWS/EC2', metric: 'NetworkOut', old_state: 'INSUFFICIENT_DATA', topic: 'arn:aws:sns:EXAMPLE' },
        links: [],
      },
    ]);
    expect(raws[0]).toEqual(payload);
  });

  it('reads the HTTP/S subscription body (written from the SNS docs): ALARM opens, OK closes the same signal', () => {
    const alarm = recordsOf(run(cloudwatch, fixture('cloudwatch', 'sns.http.alarm.json'))).fields[0];
    const ok = recordsOf(run(cloudwatch, fixture('cloudwatch', 'sns.http.ok.json'))).fields[0];
    expect(alarm).toEqual({
      kind_of_record: 'signal',
      source: 'cloudwatch',
      external_id: ARN,
      kind: 'alert',
      occurred_at: '2025-11-03T14:06:00.000Z',
      title: 'checkout-5xx: 5xx on checkout ALB after release v2.4.1',
      body: 'Threshold Crossed: 1 datapoint [42.0 (03/11/25 14:05:00)] was greater than the threshold (5.0).',
      status: 'open',
      service: 'app/checkout-alb/50dc6c495c0c9188',
      labels: {
        LoadBalancer: 'app/checkout-alb/50dc6c495c0c9188',
        alarm_name: 'checkout-5xx',
        region: 'EU (Ireland)',
        account: '123456789012',
        namespace: 'AWS/ApplicationELB',
        metric: 'HTTPCode_Target_5XX_Count',
        old_state: 'OK',
        topic: 'arn:aws:sns:eu-west-1:123456789012:escapement',
      },
      links: ['version:v2.4.1'],
    });
    expect(ok).toMatchObject({ external_id: ARN, status: 'resolved', resolved_at: '2025-11-03T14:51:00.000Z' });
  });

  it('answers the SubscriptionConfirmation handshake with the SubscribeURL, without fetching it', () => {
    const out = run(cloudwatch, fixture('cloudwatch', 'sns.subscription_confirmation.json'));
    expect(out.status).toBe('reply');
    expect(out.status === 'reply' && out.body).toEqual({
      confirmation_required: true,
      message: 'Open subscribe_url (or call sns:ConfirmSubscription with the token) to confirm; Escapement does not fetch it.',
      subscribe_url:
        'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      topic_arn: 'arn:aws:sns:us-west-2:123456789012:MyTopic',
    });
  });

  it('ignores INSUFFICIENT_DATA and non-alarm messages', () => {
    const ok = fixture('cloudwatch', 'sns.http.ok.json') as Record<string, string>;
    const message = JSON.parse(ok.Message!) as Record<string, unknown>;
    expect(ignoredReason(run(cloudwatch, { ...ok, Message: JSON.stringify({ ...message, NewStateValue: 'INSUFFICIENT_DATA' }) }))).toBe('alarm state INSUFFICIENT_DATA is not used');
    expect(ignoredReason(run(cloudwatch, { ...ok, Message: 'hello' }))).toMatch(/not a CloudWatch alarm/);
  });
});
