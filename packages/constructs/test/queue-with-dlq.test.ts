import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { QueueWithDlq, deadLetterQueueName } from '../src/index.js';
import { testStack } from '../../../test/support/cdk.js';

describe('QueueWithDlq', () => {
  it('creates an encrypted queue whose redrive policy sends to its DLQ after 5 receives', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    const q = new QueueWithDlq(stack, 'Orders');
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      MessageRetentionPeriod: Duration.days(4).toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
      RedrivePolicy: Match.absent(),
    });
    expect(q.maxReceiveCount).toBe(5);
    expect(q.fifo).toBe(false);
  });

  it('denies requests without TLS on both queues', () => {
    const stack = testStack();
    new QueueWithDlq(stack, 'Orders');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    const denyingPlainHttp = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
    });
    expect(Object.keys(denyingPlainHttp)).toHaveLength(2);
  });

  it('makes a FIFO queue with a FIFO DLQ and the FIFO options', () => {
    const stack = testStack();
    new QueueWithDlq(stack, 'Ledger', {
      fifo: true,
      queueName: 'ledger.fifo',
      contentBasedDeduplication: true,
      highThroughput: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'ledger.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ledger-dlq.fifo', FifoQueue: true });
  });

  it('uses a customer-managed key when one is given', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new QueueWithDlq(stack, 'Orders', { encryptionKey: key });
    const queues = Template.fromStack(stack).findResources('AWS::SQS::Queue', {
      Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } },
    });
    expect(Object.keys(queues)).toHaveLength(2);
  });

  it('alarms when the DLQ holds any message and when the oldest message is too old', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alarms');
    new QueueWithDlq(stack, 'Orders', { oldestMessageAgeThreshold: Duration.minutes(10), alarmTopic: topic });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'QueueName'] },
        },
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
    });
  });

  it('gives both queues the same maximum message size when one is set', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    new QueueWithDlq(stack, 'Webhooks', { maxMessageSize: Size.kibibytes(256) });
    // THEN
    const queues = Template.fromStack(stack).findResources('AWS::SQS::Queue');
    expect(
      Object.values(queues).map((q) => (q.Properties as { MaximumMessageSize?: number }).MaximumMessageSize),
    ).toEqual([262_144, 262_144]);
  });

  it('names the DLQ after the queue', () => {
    expect(deadLetterQueueName('orders')).toBe('orders-dlq');
    expect(deadLetterQueueName('orders.fifo')).toBe('orders-dlq.fifo');
  });

  describe('fails synth', () => {
    const cases: [string, ConstructorParameters<typeof QueueWithDlq>[2], RegExp][] = [
      [
        'maxReceiveCount is 0',
        { maxReceiveCount: 0 },
        /maxReceiveCount must be a whole number from 1 to 1000; received 0/,
      ],
      ['maxReceiveCount is above 1000', { maxReceiveCount: 1001 }, /received 1001/],
      ['maxReceiveCount is fractional', { maxReceiveCount: 2.5 }, /received 2.5/],
      [
        'visibilityTimeout is above 12 hours',
        { visibilityTimeout: Duration.hours(13) },
        /visibilityTimeout must be from/,
      ],
      [
        'retentionPeriod is above 14 days',
        { retentionPeriod: Duration.days(15) },
        /retentionPeriod must be from 1 minute to 14 days/,
      ],
      [
        'the DLQ keeps messages shorter than the queue',
        { retentionPeriod: Duration.days(7), deadLetterRetentionPeriod: Duration.days(3) },
        /deadLetterRetentionPeriod \(3 days\) is shorter than retentionPeriod \(7 days\)/,
      ],
      [
        'a FIFO queue name lacks .fifo',
        { fifo: true, queueName: 'ledger' },
        /queueName "ledger" must end in ".fifo"/,
      ],
      [
        'a standard queue name ends in .fifo',
        { queueName: 'ledger.fifo' },
        /ends in ".fifo" but fifo is not set/,
      ],
      ['a queue name has bad characters', { queueName: 'my queue' }, /letters, digits, "-" or "_"/],
      ['a queue name leaves no room for -dlq', { queueName: 'q'.repeat(78) }, /at most 76 characters/],
      [
        'content-based deduplication on a standard queue',
        { contentBasedDeduplication: true },
        /FIFO queues only/,
      ],
      [
        'high throughput on a standard queue',
        { highThroughput: true },
        /highThroughput applies to FIFO queues only/,
      ],
      ['the message size is above 1 MiB', { maxMessageSize: Size.mebibytes(2) }, /between 1 KiB and 1 MiB/],
      [
        'the message size is under 1 KiB',
        { maxMessageSize: Size.bytes(512) },
        /maxMessageSize \(512 bytes\)/,
      ],
      [
        'the age alarm threshold is under a minute',
        { oldestMessageAgeThreshold: Duration.seconds(5) },
        /oldestMessageAgeThreshold/,
      ],
    ];
    it.each(cases)('if %s', (_name, props, message) => {
      const stack = testStack();
      expect(() => new QueueWithDlq(stack, 'Q', props)).toThrow(message);
    });

    it('with every problem listed at once', () => {
      const stack = testStack();
      expect(() => new QueueWithDlq(stack, 'Q', { maxReceiveCount: 0, highThroughput: true })).toThrow(
        /maxReceiveCount[\s\S]*highThroughput/,
      );
    });
  });
});
