import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { EventStore, Projection } from '../src/index.js';
import { fixtureHandler, testStack } from '../../../test/support/cdk.js';

function fn(stack: ReturnType<typeof testStack>, id: string) {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
}

describe('EventStore', () => {
  it('keys events by stream and version, streams new images, and keeps them with PITR and encryption', () => {
    const stack = testStack();
    new EventStore(stack, 'Store', { deletionProtection: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'streamId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
    // The events are the record: kept when the stack goes; snapshots and control are disposable.
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    const events = Object.entries(tables).find(([id]) => id.startsWith('StoreEvents'))?.[1];
    expect(events?.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'Test-projections' });
  });

  it('grants appenders conditional puts, condition checks and queries, and tells them the tables', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store', { snapshotEvery: 25, removalPolicy: RemovalPolicy.DESTROY });
    const appender = fn(stack, 'Appender');
    store.grantAppend(appender);
    const template = Template.fromStack(stack);
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const action of ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query'])
      expect(policy).toContain(action);
    expect(policy).not.toContain('dynamodb:DeleteItem');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          EVENT_STORE_TABLE_NAME: Match.anyValue(),
          EVENT_STORE_SNAPSHOT_TABLE_NAME: Match.anyValue(),
          EVENT_STORE_SNAPSHOT_EVERY: '25',
        },
      },
    });
  });

  it('gives each stream reader ordered, retried, bisected delivery with an on-failure queue and alarms', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store');
    new Projection(stack, 'View', {
      store,
      entry: fixtureHandler,
      projectionName: 'things',
      keyName: 'thingId',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 60_000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    // Two read-model tables (blue/green) and the projector told where they and the control table are.
    const vars = Object.values(template.findResources('AWS::Lambda::Function'))
      .map(
        (f) =>
          (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
            .Environment?.Variables,
      )
      .find((v) => v?.PROJECTIONS !== undefined);
    expect(JSON.stringify(vars?.PROJECTIONS)).toMatch(/things.*control.*tables.*a.*b/);
  });

  it('refuses a third stream reader, naming the two it has', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store');
    const reader = (id: string) =>
      store.addStreamReader(id, { entry: fixtureHandler, serviceName: id, errorMeaning: 'test' });
    reader('One');
    reader('Two');
    expect(() => reader('Three')).toThrow(
      /already has One and Two; DynamoDB streams serve at most 2 readers/,
    );
  });

  it('refuses an impossible snapshot interval', () => {
    expect(() => new EventStore(testStack(), 'Store', { snapshotEvery: 1 })).toThrow(
      /snapshotEvery must be a whole number from 2 to 10000; received 1/,
    );
  });
});
