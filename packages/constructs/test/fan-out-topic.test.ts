import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { FanOutTopic } from '../src/index.js';
import { testStack } from '../../../test/support/cdk.js';

describe('FanOutTopic', () => {
  it('creates a topic encrypted with a rotating customer-managed key that denies non-TLS publishing', () => {
    const stack = testStack();
    new FanOutTopic(stack, 'Events');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'NumberOfNotificationsFailed' });
  });

  it('subscribes a queue with its DLQ, a filter policy, raw delivery and a subscription DLQ', () => {
    // GIVEN
    const stack = testStack();
    const topic = new FanOutTopic(stack, 'Events');
    // WHEN
    const sub = topic.addQueueSubscriber('Notifications', {
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['OrderConfirmed'] }) },
      rawMessageDelivery: true,
      queue: { maxReceiveCount: 3 },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 3);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsNotifications'), 'Arn'] },
      FilterPolicy: { eventType: ['OrderConfirmed'] },
      RawMessageDelivery: true,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('EventsNotificationsSubscriptionDlq'), 'Arn'],
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    // SNS may send to both the subscriber queue and the subscription DLQ, but only from this topic.
    const snsSendPolicies = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('Events') } } },
            }),
          ]),
        },
      },
    });
    expect(Object.keys(snsSendPolicies)).toHaveLength(2);
    expect(sub.queue.maxReceiveCount).toBe(3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationsSubscriptionDlq'), 'QueueName'] },
        },
      ],
    });
  });

  it('filters on the message body when asked', () => {
    const stack = testStack();
    new FanOutTopic(stack, 'Events').addQueueSubscriber('Big', {
      filterPolicyWithMessageBody: {
        amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThan: 1000 })),
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { amount: [{ numeric: ['>', 1000] }] },
    });
  });

  it('gives a FIFO topic FIFO subscriber queues and a FIFO subscription DLQ', () => {
    const stack = testStack();
    const topic = new FanOutTopic(stack, 'Ledger', { fifo: true, topicName: 'ledger.fifo' });
    const sub = topic.addQueueSubscriber('Postings');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'ledger.fifo', FifoTopic: true });
    const fifoQueues = template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true } });
    expect(Object.keys(fifoQueues)).toHaveLength(3);
    expect(sub.queue.fifo).toBe(true);
  });

  it('uses the key it is given instead of creating one', () => {
    const stack = testStack();
    const other = new FanOutTopic(stack, 'A');
    new FanOutTopic(stack, 'B', { masterKey: other.masterKey });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  describe('fails synth', () => {
    it('if both filter policy scopes are given', () => {
      const topic = new FanOutTopic(testStack(), 'Events');
      expect(() =>
        topic.addQueueSubscriber('X', {
          filterPolicy: { a: sns.SubscriptionFilter.existsFilter() },
          filterPolicyWithMessageBody: {
            a: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()),
          },
        }),
      ).toThrow(/filterPolicy and filterPolicyWithMessageBody are mutually exclusive/);
    });

    it('if a subscriber id is used twice', () => {
      const topic = new FanOutTopic(testStack(), 'Events');
      topic.addQueueSubscriber('X');
      expect(() => topic.addQueueSubscriber('X')).toThrow(/a subscriber with id "X" already exists/);
    });

    it("if a FIFO topic's subscriber queue name lacks .fifo", () => {
      const topic = new FanOutTopic(testStack(), 'Ledger', { fifo: true });
      expect(() => topic.addQueueSubscriber('P', { queue: { queueName: 'postings' } })).toThrow(
        /queue.queueName "postings" must end in ".fifo": the topic is FIFO/,
      );
    });

    it.each([
      [{ fifo: true, topicName: 'ledger' }, /must end in ".fifo" for a FIFO topic/],
      [{ topicName: 'ledger.fifo' }, /ends in ".fifo" but fifo is not set/],
      [{ topicName: 'bad name' }, /must be 1 to 256 letters/],
      [{ contentBasedDeduplication: true }, /FIFO topics only/],
    ])('if the topic props are %j', (props, message) => {
      expect(() => new FanOutTopic(testStack(), 'T', props)).toThrow(message);
    });
  });
});
