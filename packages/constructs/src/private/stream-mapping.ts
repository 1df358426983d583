import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EventStreamConsumerOptions } from '../event-stream/event-stream-consumer.js';
import { alarmAbove } from './alarm.js';
import type { PropsValidator } from './validation.js';

/** The longest `maxRecordAge` Lambda accepts. */
const MAX_RECORD_AGE = Duration.days(7);
/** Above this a "Unix seconds" timestamp is year 5138 or later: it is milliseconds. */
const LOOKS_LIKE_MILLISECONDS = 100_000_000_000;

/** What a mapping reads: a stream, an enhanced fan-out consumer of one, or a table's DynamoDB stream. */
export type MappedSource =
  | { readonly kind: 'stream'; readonly stream: kinesis.IStream }
  | { readonly kind: 'consumer'; readonly consumer: kinesis.IStreamConsumer }
  | { readonly kind: 'table'; readonly table: dynamodb.ITable };

/** What the source is like, for the defaults and the alarms. */
export interface MappingContext {
  /** How long the source keeps a record. */
  readonly retention: Duration;
  /** What it means when this mapping lags or gives up, for the alarms. */
  readonly meaning: string;
  readonly alarmTopic?: sns.ITopic;
  /** What happens to a new on-failure queue when it leaves the stack. */
  readonly removalPolicy?: RemovalPolicy;
}

/** The parts of a mapping made by {@link mapStream}. */
export interface StreamMapping {
  readonly failures: sqs.IQueue;
  readonly eventSource: lambda.IEventSource;
  readonly iteratorAgeAlarm: cloudwatch.Alarm;
  readonly failuresAlarm: cloudwatch.Alarm;
}

/** Records every problem of a consumer's options in `v`; unresolved tokens are skipped. */
export function validateMappingOptions(
  v: PropsValidator,
  options: EventStreamConsumerOptions,
  limits: { readonly maxBatchSize: number },
): void {
  v.integerInRange('batchSize', options.batchSize, 1, limits.maxBatchSize);
  v.durationInRange('maxBatchingWindow', options.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
  v.integerInRange('parallelizationFactor', options.parallelizationFactor, 1, 10);
  const retries = options.retryAttempts;
  if (retries !== undefined && !Token.isUnresolved(retries)) {
    v.require(
      Number.isInteger(retries) && retries >= -1 && retries <= 10000,
      `retryAttempts must be a whole number from 0 to 10000, or -1 to retry until the record expires; received ${retries}.`,
    );
  }
  // Typed, but JavaScript callers can pass anything.
  const age: unknown = options.maxRecordAge;
  if (age instanceof Duration) {
    v.durationInRange('maxRecordAge', age, Duration.seconds(60), MAX_RECORD_AGE);
  } else {
    v.require(
      age === undefined || age === 'infinite',
      `maxRecordAge must be a Duration from 60 seconds to 7 days, or 'infinite'; received ${String(age)}.`,
    );
  }
  const atTimestamp = options.startingPosition === lambda.StartingPosition.AT_TIMESTAMP;
  const timestamp = options.startingPositionTimestamp;
  if (atTimestamp) {
    v.require(
      timestamp !== undefined,
      'startingPosition AT_TIMESTAMP needs startingPositionTimestamp (Unix seconds), e.g. Date.parse("2025-01-01T00:00:00Z") / 1000.',
    );
  } else {
    v.require(
      timestamp === undefined,
      `startingPositionTimestamp applies with startingPosition AT_TIMESTAMP only (received ${options.startingPosition ?? 'the default TRIM_HORIZON'}): set startingPosition: lambda.StartingPosition.AT_TIMESTAMP or remove the timestamp.`,
    );
  }
  if (timestamp !== undefined && !Token.isUnresolved(timestamp)) {
    v.require(
      Number.isFinite(timestamp) && timestamp >= 0 && timestamp < LOOKS_LIKE_MILLISECONDS,
      `startingPositionTimestamp is in Unix seconds; received ${timestamp}` +
        (timestamp >= LOOKS_LIKE_MILLISECONDS ? ', which looks like milliseconds: divide it by 1000.' : '.'),
    );
  }
  if (options.onFailure !== undefined && !Token.isUnresolved(options.onFailure.fifo)) {
    v.require(
      !options.onFailure.fifo,
      `onFailure ${options.onFailure.node.path} is a FIFO queue; a stream mapping's on-failure destination must be a standard queue.`,
    );
  }
}

/**
 * Maps `fn` to `source` with the defaults of an EventStream consumer: from the oldest record, 100 records,
 * bisection, 10 retries, partial batch responses, parallelization 1, a record age bounded by the retention
 * (at most 7 days), an on-failure queue (a new one unless given), and alarms on the iterator age (half the
 * time a record can wait before it is lost) and on the on-failure queue. Children: `Failures`,
 * `IteratorAge`, `FailuresNotEmpty` of `scope`; the mapping itself belongs to the function.
 */
export function mapStream(
  scope: Construct,
  fn: lambda.IFunction,
  source: MappedSource,
  options: EventStreamConsumerOptions,
  context: MappingContext,
): StreamMapping {
  const failures = options.onFailure ?? failureQueue(scope, context.removalPolicy ?? RemovalPolicy.DESTROY);
  const maxRecordAge =
    options.maxRecordAge === 'infinite'
      ? undefined
      : (options.maxRecordAge ?? shorter(context.retention, MAX_RECORD_AGE));
  const common: sources.StreamEventSourceProps = {
    startingPosition: options.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
    batchSize: options.batchSize ?? 100,
    maxBatchingWindow: options.maxBatchingWindow,
    bisectBatchOnError: options.bisectBatchOnError ?? true,
    retryAttempts: options.retryAttempts ?? 10,
    maxRecordAge,
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    parallelizationFactor: options.parallelizationFactor ?? 1,
    filters: options.filters ? [...options.filters] : undefined,
    onFailure: new sources.SqsDlq(failures),
  };
  const kinesisProps: sources.KinesisEventSourceProps = {
    ...common,
    startingPositionTimestamp: options.startingPositionTimestamp,
  };
  const eventSource =
    source.kind === 'stream'
      ? new sources.KinesisEventSource(source.stream, kinesisProps)
      : source.kind === 'consumer'
        ? new sources.KinesisConsumerEventSource(source.consumer, kinesisProps)
        : new sources.DynamoEventSource(source.table, common);
  // The event source grants the function reading its source, and Lambda sending to the on-failure queue.
  fn.addEventSource(eventSource);

  // A record is lost when it leaves the stream or passes maxRecordAge: alarm halfway there.
  const horizon = maxRecordAge ? shorter(context.retention, maxRecordAge) : context.retention;
  const iteratorAgeAlarm = alarmAbove(
    scope,
    'IteratorAge',
    fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
    {
      description: `the consumer is more than ${halfOf(horizon).toHumanString()} behind the stream, halfway to losing records: ${context.meaning}`,
      threshold: halfOf(horizon).toMilliseconds(),
      topic: context.alarmTopic,
    },
  );
  const failuresAlarm = alarmAbove(
    scope,
    'FailuresNotEmpty',
    failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    {
      description: `the consumer gave up on stream records (their shard and sequence numbers are in its on-failure queue): ${context.meaning}`,
      topic: context.alarmTopic,
    },
  );
  return { failures, eventSource, iteratorAgeAlarm, failuresAlarm };
}

/** An on-failure queue: encrypted, TLS only, keeping its messages the SQS maximum of 14 days. */
function failureQueue(scope: Construct, removalPolicy: RemovalPolicy): sqs.Queue {
  const queue = new sqs.Queue(scope, 'Failures', {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy,
  });
  const isDlq =
    'This queue is the on-failure destination of a stream mapping: it is itself the dead-letter queue, with an alarm on its depth.';
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDlq },
    { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: isDlq },
  );
  return queue;
}

/** The shorter of two durations; the resolved one when the other is a token (`a` when both are). */
function shorter(a: Duration, b: Duration): Duration {
  if (a.isUnresolved()) return b.isUnresolved() ? a : b;
  if (b.isUnresolved()) return a;
  return a.toSeconds() <= b.toSeconds() ? a : b;
}

/** Half of `d`, in whole seconds; half of the shortest Kinesis retention (24 h) when `d` is a token. */
function halfOf(d: Duration): Duration {
  return d.isUnresolved() ? Duration.hours(12) : Duration.seconds(Math.floor(d.toSeconds() / 2));
}
