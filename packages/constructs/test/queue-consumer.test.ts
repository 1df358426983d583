import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { QueueConsumer, QueueWithDlq, type QueueConsumerProps } from '../src/index.js';
import { fixtureHandler, testStack } from '../../../test/support/cdk.js';

function consumer(
  queueProps: ConstructorParameters<typeof QueueWithDlq>[2],
  props: Partial<QueueConsumerProps> = {},
) {
  const stack = testStack();
  const queue = new QueueWithDlq(stack, 'Queue', queueProps);
  const c = new QueueConsumer(stack, 'Consumer', { queue, entry: fixtureHandler, ...props });
  return { stack, queue, consumer: c };
}

describe('QueueConsumer', () => {
  it('runs Node.js 22 on arm64 with tracing, JSON logs and a retained log group', () => {
    const { stack } = consumer({}, { logRetention: logs.RetentionDays.ONE_WEEK, serviceName: 'orders' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 30,
      MemorySize: 256,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('ConsumerLogGroup') } },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orders' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('uses its own role that may write only to its log group, with no managed policy', () => {
    const { stack } = consumer({});
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: Match.arrayWith([
              { 'Fn::GetAtt': [Match.stringLikeRegexp('ConsumerLogGroup'), 'Arn'] },
            ]),
          }),
        ]),
      },
    });
  });

  it('reads the queue with partial batch responses, batch size and maximum concurrency', () => {
    const { stack } = consumer(
      { visibilityTimeout: Duration.seconds(185) },
      { batchSize: 50, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 20 },
    );
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Queue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('alarms on function errors', () => {
    const { stack } = consumer({});
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 0,
    });
  });

  describe('fails synth', () => {
    it('if the visibility timeout is under 6 × the function timeout', () => {
      expect(() =>
        consumer({ visibilityTimeout: Duration.seconds(60) }, { timeout: Duration.seconds(30) }),
      ).toThrow(
        /visibilityTimeout \(60 s\) is below 6 × timeout \(30 s\) \+ maxBatchingWindow \(0 s\) = 180 s[\s\S]*Duration.seconds\(180\)/,
      );
    });

    it('if the visibility timeout does not also cover the batching window', () => {
      expect(() =>
        consumer({ visibilityTimeout: Duration.seconds(180) }, { maxBatchingWindow: Duration.seconds(10) }),
      ).toThrow(/= 190 s/);
    });

    it('accepts exactly 6 × the timeout', () => {
      expect(() =>
        consumer({ visibilityTimeout: Duration.seconds(60) }, { timeout: Duration.seconds(10) }),
      ).not.toThrow();
    });

    it.each<[string, ConstructorParameters<typeof QueueWithDlq>[2], Partial<QueueConsumerProps>, RegExp]>([
      [
        'a FIFO batch is above 10',
        { fifo: true },
        { batchSize: 11 },
        /batchSize must be a whole number from 1 to 10;/,
      ],
      ['a standard batch is above 10000', {}, { batchSize: 10001 }, /from 1 to 10000/],
      [
        'a batch above 10 has no window',
        {},
        { batchSize: 100 },
        /needs a maxBatchingWindow of at least 1 second/,
      ],
      [
        'a FIFO queue has a batching window',
        { fifo: true },
        { maxBatchingWindow: Duration.seconds(1) },
        /not supported for FIFO/,
      ],
      [
        'the window is above 5 minutes',
        {},
        { maxBatchingWindow: Duration.minutes(6) },
        /maxBatchingWindow must be from/,
      ],
      [
        'maxConcurrency is below 2',
        {},
        { maxConcurrency: 1 },
        /maxConcurrency must be a whole number from 2 to 1000/,
      ],
      [
        'reserved concurrency is below maxConcurrency',
        {},
        { maxConcurrency: 10, reservedConcurrentExecutions: 5 },
        /below maxConcurrency/,
      ],
      [
        'the timeout is above 15 minutes',
        { visibilityTimeout: Duration.hours(12) },
        { timeout: Duration.minutes(16) },
        /timeout must be from/,
      ],
      ['memory is below 128 MiB', {}, { memorySize: 64 }, /memorySize must be a whole number from 128/],
    ])('if %s', (_name, queueProps, props, message) => {
      expect(() => consumer(queueProps, props)).toThrow(message);
    });
  });
});
