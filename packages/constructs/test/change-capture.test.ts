import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ChangeCapture, EventStream, type ChangeCaptureProps } from '../src/index.js';
import { cdkJsonContext, testStack } from '../../../test/support/cdk.js';

function customers(scope: Construct, props: Partial<dynamodb.TableProps> = {}): dynamodb.Table {
  return new dynamodb.Table(scope, 'Customers', {
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...props,
  });
}

function capture(props: Partial<ChangeCaptureProps> = {}, tableProps: Partial<dynamodb.TableProps> = {}) {
  const stack = testStack();
  const table = customers(stack, tableProps);
  const cdc = new ChangeCapture(stack, 'Cdc', {
    table,
    keyAttributes: ['customerId'],
    serverName: 'conflux',
    ...props,
  });
  return { stack, table, cdc, template: () => Template.fromStack(stack) };
}

describe('ChangeCapture', () => {
  it("runs the package's built CDC processor, configured by its CDC_* environment", () => {
    // GIVEN / WHEN
    const { template } = capture();
    // THEN
    template().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'cdc-processor',
          CDC_SOURCE: 'dynamodb-stream',
          CDC_STREAM_NAME: { Ref: Match.stringLikeRegexp('CdcEventStream') },
          CDC_SERVER_NAME: 'conflux',
          CDC_DB: '111111111111/eu-west-1',
          CDC_TABLE: { Ref: Match.stringLikeRegexp('Customers') },
          CDC_KEY_ATTRIBUTES: 'customerId',
          CDC_TOMBSTONES: 'true',
          CDC_TRANSACTION_METADATA: 'false',
        }),
      },
    });
  });

  it('passes the key in key-schema order and the tombstone and transaction switches', () => {
    // GIVEN / WHEN
    const { template } = capture(
      { keyAttributes: ['tenantId', 'customerId'], tombstonesOnDelete: false, transactionMetadata: true },
      {
        partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      },
    );
    // THEN
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CDC_KEY_ATTRIBUTES: 'tenantId,customerId',
          CDC_TOMBSTONES: 'false',
          CDC_TRANSACTION_METADATA: 'true',
        }),
      },
    });
  });

  it("reads the table's DynamoDB stream like an EventStream consumer: bisection, retries, partial batches, an on-failure queue", () => {
    // GIVEN / WHEN
    const { template, cdc } = capture();
    // THEN
    const failures = new Capture();
    template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Customers'), 'StreamArn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('CdcProcessor') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86400,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failures, 'Arn'] } } },
    });
    expect(failures.asString()).toMatch(/^CdcFailures/);
    expect(cdc.failures.node.path).toBe('Test/Cdc/Failures');
    template().hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  it('writes to a new EventStream, granted putting records with its key and reading the table stream', () => {
    // GIVEN / WHEN
    const { template } = capture();
    // THEN
    template().resourceCountIs('AWS::Kinesis::Stream', 1);
    template().hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: Match.objectLike({ EncryptionType: 'KMS' }),
    });
    const policy = JSON.stringify(
      template().findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('CdcProcessorServiceRole') }] },
      }),
    );
    for (const action of [
      'kinesis:PutRecords',
      'kms:GenerateDataKey',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
    ])
      expect(policy).toContain(action);
    expect(policy).not.toContain('kinesis:GetRecords');
  });

  it('tags the stream with the table and the server name, which the snapshot command finds it by', () => {
    // GIVEN / WHEN
    const { template } = capture();
    // THEN
    template().hasResourceProperties('AWS::Kinesis::Stream', {
      Tags: Match.arrayWith([
        { Key: 'conflux:cdc:server-name', Value: 'conflux' },
        { Key: 'conflux:cdc:table', Value: { Ref: Match.stringLikeRegexp('Customers') } },
      ]),
    });
  });

  it('writes to a given EventStream and tags that one', () => {
    // GIVEN
    const stack = testStack();
    const events = new EventStream(stack, 'Changes', { streamName: 'conflux-dev-customer-changes' });
    // WHEN
    const cdc = new ChangeCapture(stack, 'Cdc', {
      table: customers(stack),
      keyAttributes: ['customerId'],
      serverName: 'conflux',
      eventStream: events,
    });
    // THEN
    expect(cdc.eventStream).toBe(events);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'conflux-dev-customer-changes',
      Tags: Match.arrayWith([{ Key: 'conflux:cdc:server-name', Value: 'conflux' }]),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ CDC_STREAM_NAME: { Ref: Match.stringLikeRegexp('Changes') } }),
      },
    });
  });

  it("reads Kinesis Data Streams for DynamoDB with source 'kinesis', its record age bounded by that stream's retention", () => {
    // GIVEN
    const stack = testStack();
    const tableChanges = new kinesis.Stream(stack, 'TableChanges', {
      retentionPeriod: Duration.days(3),
      encryption: kinesis.StreamEncryption.MANAGED,
    });
    const table = customers(stack, { kinesisStream: tableChanges });
    // WHEN
    new ChangeCapture(stack, 'Cdc', {
      table,
      source: 'kinesis',
      tableChangeStream: tableChanges,
      keyAttributes: ['customerId'],
      serverName: 'conflux',
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TableChanges'), 'Arn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 3 * 86400,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CDC_SOURCE: 'kinesis' }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 1.5 * 86400 * 1000,
    });
  });

  it('accepts a TableV2 with a NEW_AND_OLD_IMAGES stream, checking its key schema', () => {
    // GIVEN
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Accounts', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.NUMBER },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    // WHEN / THEN
    expect(
      () => new ChangeCapture(stack, 'Cdc', { table, keyAttributes: ['pk', 'sk'], serverName: 'conflux' }),
    ).not.toThrow();
    expect(
      () => new ChangeCapture(stack, 'Cdc2', { table, keyAttributes: ['sk', 'pk'], serverName: 'conflux' }),
    ).toThrow(/keyAttributes \["sk","pk"\] are not the table's key schema \["pk","sk"\]/);
  });

  it('alarms on the processor lagging half the DynamoDB stream retention and on its on-failure queue', () => {
    // GIVEN
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alarms');
    // WHEN
    new ChangeCapture(stack, 'Cdc', {
      table: customers(stack),
      keyAttributes: ['customerId'],
      serverName: 'conflux',
      alarmTopic: topic,
    });
    // THEN
    const template = Template.fromStack(stack);
    const alarmed = { AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }] };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 43_200_000,
      ...alarmed,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ...alarmed,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', ...alarmed });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WriteProvisionedThroughputExceeded',
      ...alarmed,
    });
  });

  describe('validation', () => {
    it("fails if source 'kinesis' has no tableChangeStream", () => {
      expect(() => capture({ source: 'kinesis' })).toThrow(
        /source 'kinesis' reads the table's Kinesis Data Streams for DynamoDB destination: give it as tableChangeStream/,
      );
    });

    it("fails if tableChangeStream is given with source 'dynamodb-stream'", () => {
      const stack = testStack();
      const tableChangeStream = new kinesis.Stream(stack, 'TableChanges');
      expect(
        () =>
          new ChangeCapture(stack, 'Cdc', {
            table: customers(stack, { kinesisStream: tableChangeStream }),
            tableChangeStream,
            keyAttributes: ['customerId'],
            serverName: 'conflux',
          }),
      ).toThrow(/tableChangeStream is read with source 'kinesis' only: set source: 'kinesis'/);
    });

    it("fails if the table does not stream to tableChangeStream (source 'kinesis')", () => {
      const stack = testStack();
      const tableChangeStream = new kinesis.Stream(stack, 'TableChanges');
      expect(
        () =>
          new ChangeCapture(stack, 'Cdc', {
            table: customers(stack),
            source: 'kinesis',
            tableChangeStream,
            keyAttributes: ['customerId'],
            serverName: 'conflux',
          }),
      ).toThrow(
        /the table does not stream its changes to tableChangeStream Test\/TableChanges: set kinesisStream/,
      );
    });

    it('fails if the table has no DynamoDB stream', () => {
      expect(() => capture({}, { stream: undefined })).toThrow(
        /the table has no DynamoDB stream .*NEW_AND_OLD_IMAGES/,
      );
      const stack = testStack();
      const imported = dynamodb.Table.fromTableName(stack, 'Imported', 'customers');
      expect(
        () =>
          new ChangeCapture(stack, 'Cdc', {
            table: imported,
            keyAttributes: ['customerId'],
            serverName: 'conflux',
          }),
      ).toThrow(/the table has no DynamoDB stream/);
    });

    it('fails if the stream does not show both images', () => {
      expect(() => capture({}, { stream: dynamodb.StreamViewType.NEW_IMAGE })).toThrow(
        /the table's stream shows NEW_IMAGE; change events need both images/,
      );
    });

    it("fails if keyAttributes are not the table's key schema", () => {
      expect(() => capture({ keyAttributes: ['id'] })).toThrow(
        /keyAttributes \["id"\] are not the table's key schema \["customerId"\].*set keyAttributes: \["customerId"\]/,
      );
    });

    it('fails if keyAttributes are empty, more than two or repeated', () => {
      expect(() => capture({ keyAttributes: [] })).toThrow(
        /keyAttributes must be the table's partition key.*received \[\]/,
      );
      expect(() => capture({ keyAttributes: ['a', 'a'] })).toThrow(/received \["a","a"\]/);
    });

    it('fails if serverName is not a Debezium topic prefix', () => {
      expect(() => capture({ serverName: 'my server' })).toThrow(
        /serverName "my server" must be 1 to 255 letters/,
      );
    });

    it('fails if source is neither dynamodb-stream nor kinesis', () => {
      expect(() => capture({ source: 'dynamodb' as 'kinesis' })).toThrow(
        /source must be 'dynamodb-stream' or 'kinesis'; received dynamodb/,
      );
    });

    it('fails if the EventStream already carries the changes of another capture', () => {
      const stack = testStack();
      const events = new EventStream(stack, 'Changes');
      const table = customers(stack);
      new ChangeCapture(stack, 'One', {
        table,
        keyAttributes: ['customerId'],
        serverName: 'conflux',
        eventStream: events,
      });
      expect(
        () =>
          new ChangeCapture(stack, 'Two', {
            table,
            keyAttributes: ['customerId'],
            serverName: 'x',
            eventStream: events,
          }),
      ).toThrow(
        /the EventStream Test\/Changes already carries the changes of Test\/One; one ChangeCapture per EventStream/,
      );
    });

    it('reports every problem at once', () => {
      expect(() => capture({ source: 'kinesis', keyAttributes: [], serverName: '' })).toThrow(
        /tableChangeStream[\s\S]*keyAttributes[\s\S]*serverName/,
      );
    });
  });

  it('passes cdk-nag AwsSolutions and Serverless with every finding acknowledged for a reason', () => {
    // GIVEN an app with the packs and both kinds of capture
    const outdir = mkdtempSync(path.join(tmpdir(), 'change-capture-nag-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      new ChangeCapture(stack, 'Cdc', {
        table: customers(stack),
        keyAttributes: ['customerId'],
        serverName: 'conflux',
      });
      const tableChanges = new EventStream(stack, 'TableChanges');
      const orders = new dynamodb.TableV2(stack, 'Orders', {
        partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
        kinesisStream: tableChanges.stream,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      });
      new ChangeCapture(stack, 'OrdersCdc', {
        table: orders,
        source: 'kinesis',
        tableChangeStream: tableChanges.stream,
        keyAttributes: ['orderId'],
        serverName: 'conflux',
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
      // WHEN / THEN synth fails on any unacknowledged finding
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: {
          violations: unknown[];
          suppressedViolations?: { ruleName: string; reason?: string }[];
        }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
      for (const finding of report.pluginReports.flatMap((r) => r.suppressedViolations ?? []))
        expect(finding.reason?.length ?? 0, finding.ruleName).toBeGreaterThan(60);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
