import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createServiceFunction } from '../service-function/service-function.js';
import { PropsValidator, resolved } from '../private/validation.js';

/** The queue a {@link QueueConsumer} reads: a queue whose failures already end in a DLQ. */
export interface IConsumableQueue {
  /** The queue to consume. */
  readonly queue: sqs.IQueue;
  /** Where SQS moves a message after its receive limit; the consumer's failures end here. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Whether the queue is FIFO. */
  readonly fifo: boolean;
  /** The queue's visibility timeout, when known at synth, to check against the function timeout. */
  readonly visibilityTimeout?: Duration;
}

/** Properties of a {@link QueueConsumer}. */
export interface QueueConsumerProps {
  /** The queue to consume, typically a `QueueWithDlq`. */
  readonly queue: IConsumableQueue;

  /** Path of the handler's TypeScript entry file. */
  readonly entry: string;

  /**
   * Name of the exported handler function.
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * Service name for Powertools logs, metrics and traces.
   * @default - the construct id
   */
  readonly serviceName?: string;

  /**
   * Function timeout. The queue's visibility timeout must be at least six times this plus the batching window.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the function in MiB (128 to 10240).
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Records per invocation: 1 to 10 for a FIFO queue, 1 to 10000 for a standard queue (above 10 needs `maxBatchingWindow`).
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long to gather records before invoking (0 to 5 minutes). Not allowed on FIFO queues.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Most concurrent invocations the event source mapping makes (2 to 1000).
   * @default 5
   */
  readonly maxConcurrency?: number;

  /**
   * Concurrency reserved for the function; when set it must not be below `maxConcurrency`.
   * @default - unreserved, drawn from the account's pool
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Extra environment variables of the function.
   * @default - only the Powertools settings
   */
  readonly environment?: Record<string, string>;

  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Where the error alarm sends its notifications.
   * @default - no actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A Node.js 22 Lambda on arm64 that consumes an SQS queue with partial batch responses, X-Ray tracing,
 * JSON logs kept for a set time, and an alarm on function errors.
 *
 * Failed records stay on the queue and, after the queue's `maxReceiveCount`, move to its DLQ.
 */
export class QueueConsumer extends Construct {
  /** The consumer function. */
  public readonly function: lambda.Function;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The event source that connects the queue to the function. */
  public readonly eventSource: sources.SqsEventSource;
  /** Fires when an invocation fails as a whole (a thrown error or a timeout). */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(30);
    const maxConcurrency = props.maxConcurrency ?? 5;
    validate(this, props, timeout, maxConcurrency);

    const parts = createServiceFunction(this, {
      entry: props.entry,
      handler: props.handler,
      serviceName: props.serviceName ?? id,
      timeout,
      memorySize: props.memorySize,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: props.environment,
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause:
        "The function is invoked only by its SQS event source mapping, synchronously; a failed record stays on the queue and moves to the queue's own DLQ after maxReceiveCount. A function DLQ applies to asynchronous invocations only.",
      errorMeaning: 'its batch returns to the queue and may reach the DLQ.',
    });
    this.function = parts.fn;
    this.logGroup = parts.logGroup;
    this.errorsAlarm = parts.errorsAlarm;

    this.eventSource = new sources.SqsEventSource(props.queue.queue, {
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);
    Validations.of(this.function).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        "SQS event source mappings do not support on-failure destinations; the queue's redrive policy sends failed records to its DLQ, which has an alarm.",
    });
  }
}

function validate(
  scope: Construct,
  props: QueueConsumerProps,
  timeout: Duration,
  maxConcurrency: number,
): void {
  const v = new PropsValidator('QueueConsumer', scope);
  const fifo = props.queue.fifo;
  v.durationInRange('timeout', timeout, Duration.seconds(1), Duration.minutes(15));
  v.integerInRange('memorySize', props.memorySize, 128, 10240);
  v.integerInRange('batchSize', props.batchSize, 1, fifo ? 10 : 10000);
  v.integerInRange('maxConcurrency', maxConcurrency, 2, 1000);
  v.durationInRange('maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
  if (fifo) {
    v.require(
      props.maxBatchingWindow === undefined,
      'maxBatchingWindow is not supported for FIFO queues: remove it.',
    );
  } else if (props.batchSize !== undefined && props.batchSize > 10) {
    v.require(
      props.maxBatchingWindow !== undefined && props.maxBatchingWindow.toSeconds() > 0,
      `batchSize ${props.batchSize} is above 10, which needs a maxBatchingWindow of at least 1 second: set one or lower batchSize.`,
    );
  }
  if (props.reservedConcurrentExecutions !== undefined && resolved(props.reservedConcurrentExecutions)) {
    v.require(
      props.reservedConcurrentExecutions >= maxConcurrency,
      `reservedConcurrentExecutions (${props.reservedConcurrentExecutions}) is below maxConcurrency (${maxConcurrency}): ` +
        'the poller would be throttled and records would return to the queue. Raise the reservation or lower maxConcurrency.',
    );
  }
  const visibility = props.queue.visibilityTimeout;
  const window = props.maxBatchingWindow ?? Duration.seconds(0);
  if (visibility !== undefined && resolved(visibility, timeout, window)) {
    const needed = 6 * timeout.toSeconds() + window.toSeconds();
    v.require(
      visibility.toSeconds() >= needed,
      `the queue's visibilityTimeout (${visibility.toSeconds()} s) is below 6 × timeout (${timeout.toSeconds()} s)` +
        ` + maxBatchingWindow (${window.toSeconds()} s) = ${needed} s: a record could be delivered again while it is still being processed.` +
        ` Set the queue's visibilityTimeout to at least Duration.seconds(${needed}) or shorten the function timeout.`,
    );
  }
  v.throwIfInvalid();
}
