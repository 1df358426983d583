import { refundCharge } from '../payments-service/handler';
import { eventIdFor, publishDomainEvent } from '../shared/domain-events';
import { DomainEvent } from '../shared/schemas';
import { createSqsConsumer } from '../shared/sqs-batch';

/**
 * Choreography, step 2: on `InventoryRestocked`, payments refunds the order's charge and announces
 * `PaymentRefunded` (which notifications tells the customer about). Idempotent like step 1.
 */
export const handler = createSqsConsumer({
  schema: DomainEvent,
  what: 'inventory event',
  idempotencyKey: 'eventId',
  handle: async (event: DomainEvent) => {
    const orderId = event.aggregateId;
    const outcome = await refundCharge(orderId);
    await publishDomainEvent({
      eventId: eventIdFor('payment-refunded', orderId),
      eventType: 'PaymentRefunded',
      aggregateType: 'order',
      aggregateId: orderId,
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      data: { orderId, customerId: String(event.data.customerId), refunded: outcome.refunded },
    });
    return outcome;
  },
});
