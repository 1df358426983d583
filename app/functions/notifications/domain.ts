import * as z from 'zod/mini';
import { InvalidMessageError, parseValue, UnsupportedEventError } from '@conflux/handler-kit';
import { readAs } from '../shared/event-schemas';
import type { DomainEvent } from '@conflux/handler-kit';

import { NOTIFIED_EVENTS, type NotifiedEventType } from './events';

export { NOTIFIED_EVENTS, type NotifiedEventType };

const OrderEventData = z.object({
  orderId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
});

/** A notification to send to a customer. */
export interface Notification {
  /** The source event's id: one notification per event, however often it is delivered. */
  readonly notificationId: string;
  readonly customerId: string;
  readonly orderId: string;
  readonly template: (typeof NOTIFIED_EVENTS)[NotifiedEventType];
  readonly occurredAt: string;
}

function isNotified(eventType: string): eventType is NotifiedEventType {
  return Object.hasOwn(NOTIFIED_EVENTS, eventType);
}

/** Decides the notification an order event calls for. */
export function notificationFor(event: DomainEvent): Notification {
  if (!isNotified(event.eventType)) {
    throw new UnsupportedEventError(
      `event type ${event.eventType} is not one this consumer notifies about (${Object.keys(NOTIFIED_EVENTS).join(', ')}); check the subscription filter`,
    );
  }
  // This consumer was written against v1 of each event: newer versions are read through the v1 schema.
  let v1: unknown;
  try {
    v1 = readAs(event.eventType, event.schemaVersion, event.data, 1);
  } catch (error: unknown) {
    throw new InvalidMessageError(`${event.eventType} v${event.schemaVersion} data cannot be read as v1`, [
      error instanceof Error ? error.message : String(error),
    ]);
  }
  const data = parseValue(OrderEventData, v1, `${event.eventType} data`);
  return {
    notificationId: event.eventId,
    customerId: data.customerId,
    orderId: data.orderId,
    template: NOTIFIED_EVENTS[event.eventType],
    occurredAt: event.occurredAt,
  };
}
