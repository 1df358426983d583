import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmAbove } from './alarm.js';
import { createServiceFunction } from '../service-function/service-function.js';

/** A function reading DynamoDB change streams. */
export interface StreamReaderOptions {
  readonly entry: string;
  readonly serviceName: string;
  readonly environment?: Record<string, string>;
  /** What a failing reader means, for its alarm. */
  readonly errorMeaning: string;
  /** @default 100 */
  readonly batchSize?: number;
}

/** A stream reader: its function and the queue that receives the batches it gave up on. */
export interface StreamReader {
  readonly function: lambda.Function;
  readonly failures: sqs.Queue;
}

/**
 * A function on the streams of `tables`, from the oldest record kept, one batch per shard at a time (order
 * per item), with partial batch responses, bisection, 10 retries, a day's record age, an on-failure queue,
 * and alarms on its errors, its iterator age above a minute and its failure queue. Children of `id`.
 */
export function createStreamReader(
  scope: Construct,
  id: string,
  tables: readonly dynamodb.ITable[],
  options: StreamReaderOptions & {
    readonly logRetention?: logs.RetentionDays;
    readonly alarmTopic?: sns.ITopic;
    readonly lagMeaning: string;
  },
): StreamReader {
  const parent = new Construct(scope, id);
  const failures = new sqs.Queue(parent, 'Failures', {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const isDlq =
    'This queue is the on-failure destination of stream mappings: it is itself the dead-letter queue.';
  Validations.of(failures).acknowledge(
    { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDlq },
    { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: isDlq },
  );
  const { fn } = createServiceFunction(parent, {
    entry: options.entry,
    serviceName: options.serviceName,
    timeout: Duration.seconds(60),
    memorySize: 256,
    environment: options.environment,
    logRetention: options.logRetention,
    alarmTopic: options.alarmTopic,
    noDeadLetterQueueBecause:
      'Stream mappings invoke it synchronously; batches it gives up on go to the mapping’s on-failure queue.',
    errorMeaning: options.errorMeaning,
  });
  for (const table of tables) {
    fn.addEventSource(
      new sources.DynamoEventSource(table, {
        // From the oldest record kept (24 h): a new reader catches up rather than missing history.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: options.batchSize ?? 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new sources.SqsDlq(failures),
      }),
    );
  }
  alarmAbove(
    parent,
    'IteratorAge',
    fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
    {
      description: options.lagMeaning,
      threshold: 60_000,
      topic: options.alarmTopic,
    },
  );
  alarmAbove(
    parent,
    'FailuresNotEmpty',
    failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    {
      description:
        'the reader gave up on stream records; their shard and sequence numbers are in its failure queue.',
      topic: options.alarmTopic,
    },
  );
  return { function: fn, failures };
}
