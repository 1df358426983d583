// Kept apart from domain.ts so the stack can build its filter policy without loading the handler's schemas.
/** The events customers are told about, and the message template for each. */
export const NOTIFIED_EVENTS = {
  OrderConfirmed: 'order-confirmed',
  OrderCancelled: 'order-cancelled',
  PaymentRefunded: 'payment-refunded',
} as const;

/** Event types this consumer handles; the subscription's filter policy is built from the same list. */
export type NotifiedEventType = keyof typeof NOTIFIED_EVENTS;
