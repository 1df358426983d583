import { DomainEvent } from '@conflux/handler-kit';
import { createSqsConsumer } from '@conflux/handler-kit';
import { increment } from './adapters';
import { counterFor } from './domain';

/** Counts every domain event by type and day. */
export const handler = createSqsConsumer({
  schema: DomainEvent,
  what: 'domain event',
  idempotencyKey: 'eventId',
  handle: async (event: DomainEvent) => ({ count: await increment(counterFor(event)) }),
});
