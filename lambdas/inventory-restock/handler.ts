import { eventIdFor, publishDomainEvent } from '../shared/domain-events';
import { DomainEvent } from '../shared/schemas';
import { createSqsConsumer } from '../shared/sqs-batch';
import { restock } from '../inventory-service/handler';

/**
 * Choreography, step 1: on `OrderCancelled`, inventory puts the order's stock back and announces
 * `InventoryRestocked`. Idempotent on the event id; the announcement is made whenever the stock is back
 * (also on a retry after a failed publish), with an id derived from the order, so it is never lost or doubled.
 */
export const handler = createSqsConsumer({
  schema: DomainEvent,
  what: 'order event',
  idempotencyKey: 'eventId',
  handle: async (event: DomainEvent) => {
    const orderId = event.aggregateId;
    const outcome = await restock(orderId);
    await publishDomainEvent({
      eventId: eventIdFor('inventory-restocked', orderId),
      eventType: 'InventoryRestocked',
      aggregateType: 'order',
      aggregateId: orderId,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      data: { orderId, customerId: String(event.data.customerId), restocked: outcome.restocked },
    });
    return outcome;
  },
});
