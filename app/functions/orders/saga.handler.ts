import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { sagaStep, type StepInput } from '../shared/saga';
import { transitionStatus } from '../shared/status';

const orders = requireEnv('ORDERS_TABLE_NAME');

/** The order was cancelled while its saga ran: it must not be confirmed. */
export class OrderNoLongerPendingError extends Error {
  public override readonly name = 'OrderNoLongerPendingError';
}

/** Confirms a PENDING order (a repeat finds it CONFIRMED and changes nothing); any other status fails. */
async function confirm({ order }: StepInput) {
  if (!(await transitionStatus(orders, { orderId: order.orderId }, 'PENDING', 'CONFIRMED', 'confirmedAt'))) {
    const { Item } = await documents.send(
      new GetCommand({ TableName: orders, Key: { orderId: order.orderId }, ConsistentRead: true }),
    );
    if (Item?.status !== 'CONFIRMED') {
      throw new OrderNoLongerPendingError(`order ${order.orderId} is ${String(Item?.status ?? 'missing')}`);
    }
  }
  return { status: 'CONFIRMED' };
}

/** The orders service's saga step: `confirm` (the last step; it needs no compensation). */
export const handler = sagaStep({ confirm });
