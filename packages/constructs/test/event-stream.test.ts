import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { EventStream, createServiceFunction, type EventStreamConsumerOptions } from '../src/index.js';
import { cdkJsonContext, testStack } from '../../../test/support/cdk.js';

/** A consumer function as Conflux makes them (so cdk-nag judges the stream's wiring, not a bare function). */
function consumerFunction(scope: Construct, id: string): lambda.Function {
  return createServiceFunction(new Construct(scope, id), {
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    serviceName: id,
    timeout: Duration.seconds(30),
    noDeadLetterQueueBecause:
      'Invoked only by its Kinesis event source mapping, synchronously; batches it gives up on go to the on-failure queue.',
    errorMeaning: 'the batch is retried, then described in the on-failure queue.',
  }).fn;
}

function streamWithConsumer(options: EventStreamConsumerOptions = {}, props = {}) {
  const stack = testStack();
  const events = new EventStream(stack, 'Events', props);
  const fn = consumerFunction(stack, 'Reader');
  const consumer = events.addConsumer('Search', fn, options);
  return { stack, events, fn, consumer, template: () => Template.fromStack(stack) };
}

describe('EventStream', () => {
  it('is on-demand, kept 24 hours and encrypted with a rotating customer-managed key by default', () => {
    // GIVEN / WHEN
    const stack = testStack();
    new EventStream(stack, 'Events');
    // THEN
    const template = Template.fromStack(stack);
    const key = new Capture();
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [key, 'Arn'] } },
    });
    expect(key.asString()).toMatch(/^EventsKey/);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const streams = template.findResources('AWS::Kinesis::Stream');
    expect(Object.values(streams)[0]?.DeletionPolicy).toBe('Delete');
  });

  it('is provisioned with the given shards, retention, key and removal policy', () => {
    // GIVEN
    const stack = testStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    // WHEN
    new EventStream(stack, 'Events', {
      streamName: 'orders-events',
      shardCount: 4,
      retention: Duration.days(7),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'orders-events',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
      RetentionPeriodHours: 168,
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] },
      },
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(Object.values(template.findResources('AWS::Kinesis::Stream'))[0]?.DeletionPolicy).toBe('Retain');
  });

  it('alarms to the topic when more than 1% of reads or writes are throttled', () => {
    // GIVEN
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alarms');
    // WHEN
    new EventStream(stack, 'Events', { alarmTopic: topic });
    // THEN
    const template = Template.fromStack(stack);
    for (const metric of ['ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Kinesis',
        MetricName: metric,
        Statistic: 'Average',
        Period: 300,
        Threshold: 0.01,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
  });

  it('grants writers PutRecords and readers GetRecords, with the key', () => {
    // GIVEN
    const stack = testStack();
    const events = new EventStream(stack, 'Events');
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    events.grantWrite(writer);
    events.grantRead(reader);
    // THEN
    const template = Template.fromStack(stack);
    const policyOf = (role: string) =>
      JSON.stringify(
        Object.values(
          template.findResources('AWS::IAM::Policy', {
            Properties: { Roles: [{ Ref: Match.stringLikeRegexp(role) }] },
          }),
        ),
      );
    expect(policyOf('Writer')).toContain('kinesis:PutRecords');
    expect(policyOf('Writer')).toContain('"kms:GenerateDataKey"');
    expect(policyOf('Writer')).not.toContain('kms:ReEncrypt');
    expect(policyOf('Writer')).not.toContain('kinesis:GetRecords');
    expect(policyOf('Reader')).toContain('kinesis:GetRecords');
    expect(policyOf('Reader')).toContain('kms:Decrypt');
    expect(policyOf('Reader')).not.toContain('kinesis:PutRecord');
  });

  describe('addConsumer', () => {
    it('maps the function from the oldest record with bisection, 10 retries, a day of record age and partial batch responses', () => {
      // GIVEN / WHEN
      const { template } = streamWithConsumer();
      // THEN
      const destination = new Capture();
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Events'), 'Arn'] },
        FunctionName: { Ref: Match.stringLikeRegexp('Reader') },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 86400,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [destination, 'Arn'] } } },
      });
      expect(destination.asString()).toMatch(/^EventsSearchFailures/);
    });

    it('sends given-up batches to a new encrypted, TLS-only queue kept 14 days, which Lambda may send to', () => {
      // GIVEN / WHEN
      const { template } = streamWithConsumer();
      // THEN
      template().resourceCountIs('AWS::SQS::Queue', 1);
      template().hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1209600,
      });
      template().hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const policy = JSON.stringify(template().findResources('AWS::IAM::Policy'));
      expect(policy).toContain('sqs:SendMessage');
      expect(policy).toContain('kinesis:GetRecords');
      expect(policy).toContain('kms:Decrypt');
    });

    it('alarms on the iterator age above half the retention and on any message in the on-failure queue', () => {
      // GIVEN
      const stack = testStack();
      const topic = new sns.Topic(stack, 'Alarms');
      const events = new EventStream(stack, 'Events', { alarmTopic: topic });
      // WHEN
      events.addConsumer('Search', consumerFunction(stack, 'Reader'), { alarmMeaning: 'search is stale.' });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 12 * 3600 * 1000,
        AlarmDescription: Match.stringLikeRegexp('12 hours behind.*search is stale'),
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsSearchFailures'), 'QueueName'] },
          },
        ],
        Threshold: 0,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    });

    it('bounds the record age by 7 days on a longer retention, and alarms halfway to it', () => {
      // GIVEN / WHEN
      const { template } = streamWithConsumer({}, { retention: Duration.days(30) });
      // THEN
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        MaximumRecordAgeInSeconds: 604800,
      });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Threshold: 3.5 * 24 * 3600 * 1000,
      });
    });

    it("keeps records until the retention expires them with maxRecordAge 'infinite', alarming at half the retention", () => {
      // GIVEN / WHEN
      const { template } = streamWithConsumer({ maxRecordAge: 'infinite' }, { retention: Duration.days(30) });
      // THEN
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        MaximumRecordAgeInSeconds: Match.absent(),
      });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Threshold: 15 * 24 * 3600 * 1000,
      });
    });

    it('takes the given settings: position at a timestamp, batching, filters, parallelization, no partial batches', () => {
      // GIVEN / WHEN
      const { template } = streamWithConsumer({
        startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
        startingPositionTimestamp: 1_735_689_600,
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(5),
        retryAttempts: -1,
        maxRecordAge: Duration.hours(6),
        bisectBatchOnError: false,
        reportBatchItemFailures: false,
        parallelizationFactor: 4,
        filters: [lambda.FilterCriteria.filter({ partitionKey: lambda.FilterRule.beginsWith('customers:') })],
      });
      // THEN
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: 1_735_689_600,
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 5,
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: 21600,
        BisectBatchOnFunctionError: false,
        FunctionResponseTypes: Match.absent(),
        ParallelizationFactor: 4,
        FilterCriteria: {
          Filters: [{ Pattern: JSON.stringify({ partitionKey: [{ prefix: 'customers:' }] }) }],
        },
      });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Threshold: 3 * 3600 * 1000,
      });
    });

    it('uses a given on-failure queue, creates none, and alarms on its depth', () => {
      // GIVEN
      const stack = testStack();
      const events = new EventStream(stack, 'Events');
      const failures = new sqs.Queue(stack, 'MyFailures', { enforceSSL: true });
      // WHEN
      const consumer = events.addConsumer('Search', consumerFunction(stack, 'Reader'), {
        onFailure: failures,
      });
      // THEN
      expect(consumer.failures).toBe(failures);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SQS::Queue', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyFailures'), 'Arn'] } },
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyFailures'), 'QueueName'] } },
        ],
      });
    });

    it('reads through an enhanced fan-out consumer, granted subscribing to it', () => {
      // GIVEN / WHEN
      const { template, consumer } = streamWithConsumer({
        enhancedFanOut: true,
        maxBatchingWindow: Duration.seconds(1),
      });
      // THEN
      expect(consumer.streamConsumer).toBeDefined();
      template().resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
      const streamConsumer = new Capture();
      template().hasResourceProperties('AWS::Kinesis::StreamConsumer', {
        StreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Events'), 'Arn'] },
        ConsumerName: Match.stringLikeRegexp('EventsSearch'),
      });
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [streamConsumer, 'ConsumerARN'] },
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
      expect(streamConsumer.asString()).toMatch(/^EventsSearchConsumer/);
      const policy = JSON.stringify(template().findResources('AWS::IAM::Policy'));
      expect(policy).toContain('kinesis:SubscribeToShard');
    });

    it('lets one function read the stream twice when the second reads through enhanced fan-out', () => {
      // GIVEN
      const stack = testStack();
      const events = new EventStream(stack, 'Events');
      const fn = consumerFunction(stack, 'Reader');
      events.addConsumer('Polling', fn);
      // WHEN
      events.addConsumer('FanOut', fn, { enhancedFanOut: true });
      // THEN
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    });
  });

  describe('validation', () => {
    const invalid = (props: ConstructorParameters<typeof EventStream>[2]) => () =>
      new EventStream(testStack(), 'Events', props);

    it('fails if the retention is below 24 hours', () => {
      expect(invalid({ retention: Duration.hours(12) })).toThrow(
        /retention must be from 1 day to 365 days; received 12 hours/,
      );
    });

    it('fails if the retention is above 365 days', () => {
      expect(invalid({ retention: Duration.days(400) })).toThrow(
        /retention must be from 1 day to 365 days; received 400 days/,
      );
    });

    it('fails if the retention is not whole hours', () => {
      expect(invalid({ retention: Duration.minutes(24 * 60 + 30) })).toThrow(
        /retention must be whole hours.*e\.g\. Duration\.hours\(25\)/,
      );
    });

    it('fails if shardCount is not a whole number of at least 1', () => {
      expect(invalid({ shardCount: 0 })).toThrow(
        /shardCount must be a whole number of at least 1.*received 0/,
      );
      expect(invalid({ shardCount: 1.5 })).toThrow(/received 1.5/);
    });

    it('fails if streamName is not a Kinesis stream name', () => {
      expect(invalid({ streamName: 'orders events' })).toThrow(
        /streamName "orders events" must be 1 to 128 letters/,
      );
    });

    it('reports every problem at once, and skips tokens', () => {
      // GIVEN / WHEN
      const error = (() => {
        try {
          invalid({ retention: Duration.hours(1), shardCount: -1, streamName: 'a/b' })();
        } catch (e: unknown) {
          return e instanceof Error ? e.message : String(e);
        }
        return '';
      })();
      // THEN
      expect(error).toMatch(/^Invalid EventStream props at Test\/Events:/);
      expect(error.split('\n  - ')).toHaveLength(4);
      expect(
        invalid({
          shardCount: Token.asNumber({ resolve: () => 2 }),
          streamName: Token.asString({ resolve: () => 'x' }),
        }),
      ).not.toThrow();
    });
  });

  describe('consumer validation', () => {
    const add = (options: EventStreamConsumerOptions) => () => streamWithConsumer(options);

    it('fails if batchSize is outside 1 to 10000', () => {
      expect(add({ batchSize: 0 })).toThrow(/batchSize must be a whole number from 1 to 10000; received 0/);
      expect(add({ batchSize: 10001 })).toThrow(/received 10001/);
    });

    it('fails if maxBatchingWindow is above 5 minutes', () => {
      expect(add({ maxBatchingWindow: Duration.minutes(6) })).toThrow(
        /maxBatchingWindow must be from 0 seconds to 5 minutes; received 6 minutes/,
      );
    });

    it('fails if retryAttempts is outside -1 to 10000', () => {
      expect(add({ retryAttempts: -2 })).toThrow(
        /retryAttempts must be a whole number from 0 to 10000, or -1.*received -2/,
      );
      expect(add({ retryAttempts: 10001 })).toThrow(/received 10001/);
    });

    it("fails if maxRecordAge is outside 60 seconds to 7 days (and not 'infinite')", () => {
      expect(add({ maxRecordAge: Duration.seconds(30) })).toThrow(
        /maxRecordAge must be from 1 minute to 7 days; received 30 seconds/,
      );
      expect(add({ maxRecordAge: Duration.days(8) })).toThrow(/received 8 days/);
      expect(add({ maxRecordAge: 'forever' as 'infinite' })).toThrow(
        /maxRecordAge must be a Duration .* or 'infinite'; received forever/,
      );
    });

    it('fails if parallelizationFactor is outside 1 to 10', () => {
      expect(add({ parallelizationFactor: 11 })).toThrow(
        /parallelizationFactor must be a whole number from 1 to 10; received 11/,
      );
    });

    it('fails if startingPositionTimestamp is given without AT_TIMESTAMP', () => {
      expect(add({ startingPositionTimestamp: 1_735_689_600 })).toThrow(
        /startingPositionTimestamp applies with startingPosition AT_TIMESTAMP only \(received the default TRIM_HORIZON\)/,
      );
      expect(add({ startingPosition: lambda.StartingPosition.LATEST, startingPositionTimestamp: 1 })).toThrow(
        /\(received LATEST\)/,
      );
    });

    it('fails if AT_TIMESTAMP has no startingPositionTimestamp', () => {
      expect(add({ startingPosition: lambda.StartingPosition.AT_TIMESTAMP })).toThrow(
        /AT_TIMESTAMP needs startingPositionTimestamp \(Unix seconds\)/,
      );
    });

    it('fails if startingPositionTimestamp is in milliseconds', () => {
      expect(
        add({
          startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
          startingPositionTimestamp: 1_735_689_600_000,
        }),
      ).toThrow(/looks like milliseconds: divide it by 1000/);
    });

    it('fails if the on-failure queue is FIFO', () => {
      const stack = testStack();
      const events = new EventStream(stack, 'Events');
      const onFailure = new sqs.Queue(stack, 'Fifo', { fifo: true });
      expect(() => events.addConsumer('Search', consumerFunction(stack, 'Reader'), { onFailure })).toThrow(
        /onFailure Test\/Fifo is a FIFO queue; .* must be a standard queue/,
      );
    });

    it('fails if a consumer id is taken', () => {
      const stack = testStack();
      const events = new EventStream(stack, 'Events');
      events.addConsumer('Search', consumerFunction(stack, 'One'));
      expect(() => events.addConsumer('Search', consumerFunction(stack, 'Two'))).toThrow(
        /a consumer with id "Search" already exists/,
      );
    });

    it('fails if a function already polls the stream and the second consumer does not fan out', () => {
      const stack = testStack();
      const events = new EventStream(stack, 'Events');
      const fn = consumerFunction(stack, 'Reader');
      events.addConsumer('One', fn);
      expect(() => events.addConsumer('Two', fn)).toThrow(
        /Test\/Reader\/Resource already reads this stream .* set enhancedFanOut: true/,
      );
    });

    it('reports every consumer problem at once', () => {
      expect(add({ batchSize: 0, parallelizationFactor: 0, retryAttempts: 0.5 })).toThrow(
        /batchSize[\s\S]*parallelizationFactor[\s\S]*retryAttempts/,
      );
    });
  });

  it('passes cdk-nag AwsSolutions and Serverless with every finding acknowledged for a reason', () => {
    // GIVEN an app with the packs, a stream, a polling and a fan-out consumer
    const outdir = mkdtempSync(path.join(tmpdir(), 'event-stream-nag-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      const events = new EventStream(stack, 'Events', { shardCount: 2, retention: Duration.days(3) });
      events.addConsumer('Polling', consumerFunction(stack, 'Polling'));
      events.addConsumer('FanOut', consumerFunction(stack, 'FanOut'), { enhancedFanOut: true });
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
