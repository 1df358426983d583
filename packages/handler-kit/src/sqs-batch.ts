import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { idempotencySetup } from './idempotency.js';
import { logger, metrics } from './powertools.js';
import { parseJson, parseValue } from './schemas.js';

/** How a queue consumer turns one record into its effect. */
export interface SqsConsumerSpec<T> {
  /** Schema of the message body (the published message itself: subscriptions use raw delivery). */
  readonly schema: z.core.$ZodType<T>;
  /** What a body is, for error messages ("domain event", "ledger posting"). */
  readonly what: string;
  /** JMESPath into the parsed body that identifies a message across redeliveries, e.g. `eventId`. */
  readonly idempotencyKey: string;
  /** Performs the effect of one message. Runs at most once per idempotency key while its record lives. */
  readonly handle: (message: T) => Promise<unknown>;
  /**
   * FIFO queue: a failed record fails the records after it in the same message group (so their order
   * holds), and no other group.
   */
  readonly fifo?: boolean;
  /**
   * Builds the value to validate from the record, for messages whose meaning is split between body and
   * message attributes (the body arrives as text in `body`). @default - the body parsed as JSON
   */
  readonly fromRecord?: (record: SQSRecord, body: unknown) => unknown;
  /**
   * The body is kept as the text it arrived as (an inbox of a third party's payloads), so values JSON can
   * write but a consumer cannot hold (`1e309`, lone surrogates, deep nesting) are not refused in it; the
   * schema still checks the fields the consumer reads. @default false
   */
  readonly opaqueBody?: boolean;
}

/**
 * Builds an SQS handler the Powertools way: records are parsed with zod at the edge, each message's effect
 * runs once per idempotency key, and the answer is a partial batch response naming only the failed records,
 * so SQS retries exactly those and, after the queue's `maxReceiveCount`, moves them to its DLQ.
 */
export function createSqsConsumer<T>(spec: SqsConsumerSpec<T>) {
  const { persistenceStore, config } = idempotencySetup(spec.idempotencyKey);
  const handleOnce = makeIdempotent(spec.handle, { persistenceStore, config });

  const recordHandler = async (record: SQSRecord): Promise<unknown> => {
    try {
      const what = `${spec.what} in message ${record.messageId}`;
      const message = spec.fromRecord
        ? parseValue(
            spec.schema,
            spec.fromRecord(record, parseJson(z.unknown(), record.body, what, spec.opaqueBody)),
            what,
          )
        : parseJson(spec.schema, record.body, what, spec.opaqueBody);
      return await handleOnce(message);
    } catch (error: unknown) {
      // The reason travels with the message id in the log; the record itself goes back to the queue.
      logger.error('record failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        messageGroupId: record.attributes.MessageGroupId,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      metrics.addMetric('RecordsFailed', MetricUnit.Count, 1);
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    config.registerLambdaContext(context);
    logger.addContext(context);
    try {
      const response = spec.fifo
        ? await processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
            context,
            skipGroupOnError: true,
            throwOnFullBatchFailure: false,
          })
        : await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
            context,
            throwOnFullBatchFailure: false,
          });
      metrics.addMetric(
        'RecordsProcessed',
        MetricUnit.Count,
        event.Records.length - response.batchItemFailures.length,
      );
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
