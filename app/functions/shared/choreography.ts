import { eventIdFor, publishDomainEvent } from './domain-events';
import { DomainEvent } from '@conflux/handler-kit';
import { createSqsConsumer } from '@conflux/handler-kit';

/** A step of a choreography: what it reacts to, the effect it has, and the event it announces after. */
export interface ChoreographyStep<R> {
  /** What the consumed events are, for error messages. */
  readonly what: string;
  /** Performs the effect for the event's aggregate; must be idempotent (it runs again after a failed publish). */
  readonly effect: (aggregateId: string) => Promise<R>;
  /** The event type announced once the effect holds, e.g. `InventoryRestocked`. */
  readonly announces: string;
  /** What the announcement says of the outcome, besides the order and customer ids. */
  readonly summary: (outcome: R) => Record<string, unknown>;
}

/**
 * An SQS consumer for one choreography step: idempotent on the consumed event's id, it applies the effect
 * and then announces the next event — whenever the effect holds, also on a retry after a failed publish, with
 * an id derived from the aggregate, so the announcement is never lost and never doubled.
 */
export function choreographyStep<R>(step: ChoreographyStep<R>) {
  return createSqsConsumer({
    schema: DomainEvent,
    what: step.what,
    idempotencyKey: 'eventId',
    handle: async (event: DomainEvent) => {
      const id = event.aggregateId;
      const outcome = await step.effect(id);
      await publishDomainEvent({
        eventId: eventIdFor(step.announces, id),
        eventType: step.announces,
        aggregateType: event.aggregateType,
        aggregateId: id,
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
        data: { orderId: id, customerId: String(event.data.customerId), ...step.summary(outcome) },
      });
      return outcome;
    },
  });
}
