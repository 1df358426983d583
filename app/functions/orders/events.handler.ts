import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventIdFor, publishDomainEvent } from '../shared/domain-events';

/** Order status changes that other services react to, and the event each becomes. */
const PUBLISHED = { CONFIRMED: 'OrderConfirmed', CANCELLED: 'OrderCancelled' } as const;

/**
 * The orders outbox: a status change committed to the orders table (its change stream, not a second write
 * in the handler) becomes `OrderConfirmed` or `OrderCancelled` on `domain-events`. The event id is derived
 * from the order and the status, so a redelivered stream record publishes a duplicate consumers ignore.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record: DynamoDBRecord) => {
      const image = (i: unknown) => (i ? unmarshall(i as Record<string, AttributeValue>) : undefined);
      const after = image(record.dynamodb?.NewImage);
      const before = image(record.dynamodb?.OldImage);
      const status = after?.status as keyof typeof PUBLISHED | undefined;
      if (!after || !status || before?.status === status || !(status in PUBLISHED)) return;
      const orderId = String(after.orderId);
      const eventType = PUBLISHED[status];
      await publishDomainEvent({
        eventId: eventIdFor('order', orderId, status),
        eventType,
        aggregateType: 'order',
        aggregateId: orderId,
        // OrderConfirmed v2 adds the channel the order came in through.
        schemaVersion: eventType === 'OrderConfirmed' ? 2 : 1,
        occurredAt: new Date(
          (record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000,
        ).toISOString(),
        data: {
          orderId,
          customerId: String(after.customerId),
          items: after.items as unknown,
          ...(eventType === 'OrderConfirmed' ? { channel: 'api' } : {}),
        },
      });
    },
    new BatchProcessor(EventType.DynamoDBStreams),
    { context, processInParallel: false, throwOnFullBatchFailure: false },
  );
