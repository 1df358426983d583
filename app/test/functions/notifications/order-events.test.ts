import { beforeAll, describe, expect, it } from 'vitest';
import { notificationFor } from '../../../functions/notifications/domain';
import type { handler as Handler } from '../../../functions/notifications/order-events.handler';
import { InvalidMessageError, UnsupportedEventError } from '@conflux/handler-kit';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { domainEvent, lambdaContext, sqsEvent, sqsRecord } from '../../../../test/support/fixtures';

describe('notificationFor', () => {
  it('notifies the customer of a confirmed order, once per event', () => {
    const event = domainEvent({ eventType: 'OrderConfirmed', data: { orderId: 'o-7', customerId: 'c-9' } });
    expect(notificationFor(event)).toEqual({
      notificationId: event.eventId,
      customerId: 'c-9',
      orderId: 'o-7',
      template: 'order-confirmed',
      occurredAt: event.occurredAt,
    });
  });

  it('uses the cancellation template for a cancelled order', () => {
    expect(notificationFor(domainEvent({ eventType: 'OrderCancelled' })).template).toBe('order-cancelled');
  });

  it('refuses an event type it does not notify about', () => {
    expect(() => notificationFor(domainEvent({ eventType: 'OrderPlaced' }))).toThrow(UnsupportedEventError);
  });

  it('names the missing field of malformed event data', () => {
    expect(() => notificationFor(domainEvent({ data: { orderId: 'o-1' } }))).toThrow(InvalidMessageError);
    expect(() => notificationFor(domainEvent({ data: { orderId: 'o-1' } }))).toThrow(/customerId/);
  });
});

describe('notifications consumer', () => {
  const ddb = useDynamoDbLocal();
  let table: string;
  let handler: typeof Handler;

  beforeAll(async () => {
    table = await ddb.createTable('notifications', 'notificationId');
    process.env.NOTIFICATIONS_TABLE_NAME = table;
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler } = await import('../../../functions/notifications/order-events.handler'));
  });

  it('stores one pending notification per event, however often it arrives', async () => {
    const event = domainEvent({ eventType: 'OrderCancelled', data: { orderId: 'o-2', customerId: 'c-2' } });
    await handler(sqsEvent(sqsRecord(event)), lambdaContext());
    const again = await handler(sqsEvent(sqsRecord(event)), lambdaContext());
    expect(again.batchItemFailures).toEqual([]);
    const stored = (await ddb.scan(table)).filter((n) => n.orderId === 'o-2');
    expect(stored).toEqual([
      expect.objectContaining({
        notificationId: event.eventId,
        template: 'order-cancelled',
        status: 'PENDING',
      }),
    ]);
  });

  it('fails only the record of an event type that leaked past the filter', async () => {
    const leaked = sqsRecord(domainEvent({ eventType: 'OrderPlaced' }));
    const good = sqsRecord(domainEvent({ data: { orderId: 'o-3', customerId: 'c-3' } }));
    const response = await handler(sqsEvent(leaked, good), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: leaked.messageId }]);
    expect((await ddb.scan(table)).some((n) => n.orderId === 'o-3')).toBe(true);
  });
});
