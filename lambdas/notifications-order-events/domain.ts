import * as z from 'zod';
import { InvalidMessageError, UnsupportedEventError } from '../shared/errors';
import type { DomainEvent } from '../shared/schemas';

/** The events customers are told about, and the message template for each. */
export const NOTIFIED_EVENTS = {
  OrderConfirmed: 'order-confirmed',
  OrderCancelled: 'order-cancelled',
  PaymentRefunded: 'payment-refunded',
} as const;

/** Event types this consumer handles; the subscription's filter policy is built from the same list. */
export type NotifiedEventType = keyof typeof NOTIFIED_EVENTS;

const OrderEventData = z.object({
  orderId: z.string().min(1),
  customerId: z.string().min(1),
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
  const data = OrderEventData.safeParse(event.data);
  if (!data.success) throw InvalidMessageError.fromZod(`${event.eventType} data`, data.error);
  return {
    notificationId: event.eventId,
    customerId: data.data.customerId,
    orderId: data.data.orderId,
    template: NOTIFIED_EVENTS[event.eventType],
    occurredAt: event.occurredAt,
  };
}
