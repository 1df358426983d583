import { DomainEvent } from '@conflux/handler-kit';
import { createSqsConsumer } from '@conflux/handler-kit';
import { saveNotification } from './adapters';
import { notificationFor } from './domain';

/** Turns order confirmations and cancellations into customer notifications. */
export const handler = createSqsConsumer({
  schema: DomainEvent,
  what: 'domain event',
  idempotencyKey: 'eventId',
  handle: async (event: DomainEvent) => ({ outcome: await saveNotification(notificationFor(event)) }),
});
