import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { logger } from '../powertools.js';

/** How a change-event sink applies its batch. */
export interface ChangeConsumerOptions {
  /** Logged (warn, with the record's sequence number and partition key) when a record fails. */
  readonly failureMessage: string;
  /**
   * Records applied one after another, in shard order (a sink whose records depend on each other), or all
   * at once (a sink whose writes are independent, such as one object per change).
   */
  readonly inOrder: boolean;
}

/**
 * A Lambda handler for a change-event sink on an EventStream: `apply` for each Kinesis record, with
 * Powertools' partial batch response, so a record that fails (malformed, or its write refused) is reported
 * alone in `batchItemFailures` and its neighbours are kept. Sinks stay idempotent by source position
 * (`decideApply`), so the records Lambda delivers again after a failure change nothing twice.
 */
export function createChangeConsumer(
  apply: (record: KinesisStreamRecord) => Promise<void>,
  options: ChangeConsumerOptions,
): (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  return async (event, context) =>
    processPartialResponse(
      event,
      async (record: KinesisStreamRecord) => {
        try {
          await apply(record);
        } catch (error: unknown) {
          logger.warn(options.failureMessage, {
            sequenceNumber: record.kinesis.sequenceNumber,
            partitionKey: record.kinesis.partitionKey,
            error: error as Error,
          });
          throw error;
        }
      },
      new BatchProcessor(EventType.KinesisDataStreams),
      { context, processInParallel: !options.inOrder, throwOnFullBatchFailure: false },
    );
}
