import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * How a Lambda function reads an {@link EventStream}: the event source mapping's settings, with defaults
 * that neither lose nor block a shard on a bad record.
 */
export interface EventStreamConsumerOptions {
  /**
   * Records per invocation (1 to 10000).
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * How long to gather records before invoking (0 to 5 minutes). Allowed with enhanced fan-out too.
   * @default - no batching window: a batch as soon as records arrive
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Where a new mapping starts reading: `TRIM_HORIZON`, `LATEST` or `AT_TIMESTAMP` (with
   * `startingPositionTimestamp`).
   * @default lambda.StartingPosition.TRIM_HORIZON - from the oldest record kept: a new consumer catches up
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * With `AT_TIMESTAMP` only: the instant to start from, in Unix time **seconds**.
   * @default - none; required with `AT_TIMESTAMP`
   */
  readonly startingPositionTimestamp?: number;

  /**
   * Retries of a failing batch (0 to 10000, or -1 to retry until the record expires or exceeds
   * `maxRecordAge`). While a batch is retried its shard makes no progress, so keep this bounded.
   * @default 10
   */
  readonly retryAttempts?: number;

  /**
   * The oldest record Lambda still hands to the function (60 seconds to 7 days); older ones go to the
   * on-failure queue. `'infinite'` keeps handing records over until the stream's retention expires them.
   * @default - the stream's retention, at most 7 days
   */
  readonly maxRecordAge?: Duration | 'infinite';

  /**
   * On an error, split the batch in two and retry each half, isolating a poison record.
   * @default true
   */
  readonly bisectBatchOnError?: boolean;

  /**
   * Partial batch responses: the function returns `{ batchItemFailures: [{ itemIdentifier: <sequence
   * number> }] }` and Lambda retries from the first failed record, keeping the records before it.
   * AWS Solutions Constructs (`aws-kinesisstreams-lambda`) leave this off; Conflux turns it on, so one
   * failing record does not send the records before it through the function again. A handler that returns
   * nothing (or an empty list) still works: that means the whole batch succeeded.
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;

  /**
   * Batches processed per shard at the same time (1 to 10). Lambda keeps the order per partition key at
   * any factor.
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * Read through a dedicated enhanced fan-out consumer (`AWS::Kinesis::StreamConsumer`): its own 2 MB/s
   * per shard and push delivery (lower latency than polling), at an extra cost per consumer-shard hour
   * and per GB read. For latency-sensitive consumers, or more than two consumers on one stream.
   * @default false - shared throughput (2 MB/s per shard across all standard consumers)
   */
  readonly enhancedFanOut?: boolean;

  /**
   * Where Lambda sends the description (shard, sequence numbers) of a batch it gave up on, after the retries
   * or at `maxRecordAge`. A standard queue; Lambda is granted sending to it.
   * @default - a new SQS-encrypted queue that keeps its messages 14 days and denies non-TLS requests
   */
  readonly onFailure?: sqs.IQueue;

  /**
   * Event filters: only records matching one of them invoke the function (made with
   * `lambda.FilterCriteria.filter({ data: { … } })`). Records filtered out count as processed.
   * @default - every record
   */
  readonly filters?: ReadonlyArray<Record<string, unknown>>;

  /**
   * What it means for the business when this consumer lags or gives up on records, for the alarms'
   * descriptions (e.g. "search results are stale").
   * @default - a generic description
   */
  readonly alarmMeaning?: string;
}

/** A function reading an {@link EventStream}, returned by `EventStream.addConsumer`. */
export interface EventStreamConsumer {
  /** The consuming function. */
  readonly function: lambda.IFunction;
  /** The on-failure queue: batches the mapping gave up on are described here. */
  readonly failures: sqs.IQueue;
  /** The enhanced fan-out consumer, when `enhancedFanOut` is set. */
  readonly streamConsumer?: kinesis.StreamConsumer;
  /** Fires when the function's iterator age passes half the time a record can wait before it is lost. */
  readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** Fires when any message is in the on-failure queue. */
  readonly failuresAlarm: cloudwatch.Alarm;
}
