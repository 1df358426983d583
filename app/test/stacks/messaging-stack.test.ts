import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { MessagingStack } from '../../stacks/messaging-stack';
import { cdkJsonContext } from '../../../test/support/cdk';
import { snapshotTemplate } from '../support/snapshot';

describe('MessagingStack', () => {
  let stack: MessagingStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    stack = new MessagingStack(app, 'Messaging', { config: loadConfig(() => undefined) });
    template = Template.fromStack(stack);
  });

  it('matches the snapshot', () => {
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });

  it('sends only order confirmations, cancellations and refunds to notifications, raw', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('DomainEventsNotifications'), 'Arn'] },
      FilterPolicy: { eventType: ['OrderConfirmed', 'OrderCancelled', 'PaymentRefunded'] },
      RawMessageDelivery: true,
    });
  });

  it('sends every event to analytics', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('DomainEventsAnalytics'), 'Arn'] },
      FilterPolicy: Match.absent(),
    });
  });

  it('carries ledger postings on a FIFO topic to a FIFO queue', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: Match.stringLikeRegexp('Ledger') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('LedgerPostings'), 'Arn'] },
    });
  });

  it('gives each consumer write access to its own table and the idempotency table only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const dynamoGrants = Object.entries(policies).map(([id, policy]) => {
      const statements = (
        policy as {
          Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
        }
      ).Properties.PolicyDocument.Statement;
      const tables = statements
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => JSON.stringify(s.Resource).match(/"(\w+?)[0-9A-F]{8}"/)?.[1]);
      return [id.replace(/[0-9A-F]{8}$/, ''), tables.sort()];
    });
    expect(Object.fromEntries(dynamoGrants)).toEqual({
      NotificationsConsumerServiceRoleDefaultPolicy: ['IdempotencyTable', 'NotificationsTable'],
      AnalyticsConsumerServiceRoleDefaultPolicy: ['AnalyticsTable', 'IdempotencyTable'],
      LedgerConsumerServiceRoleDefaultPolicy: ['IdempotencyTable', 'LedgerBalancesTable'],
    });
  });

  it('has a DLQ behind every consumer queue and every subscription', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    const withRedrive = template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.anyValue() },
    });
    expect(Object.keys(withRedrive)).toHaveLength(3);
    const subscriptions = template.findResources('AWS::SNS::Subscription', {
      Properties: { RedrivePolicy: { deadLetterTargetArn: Match.anyValue() } },
    });
    expect(Object.keys(subscriptions)).toHaveLength(3);
  });
});
