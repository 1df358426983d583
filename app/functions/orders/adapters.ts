import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { transitionStatus } from '../shared/status';
import type { Order } from './domain';

const tableName = requireEnv('ORDERS_TABLE_NAME');

/** Stores a new order; the condition makes a second write of the same id fail rather than overwrite. */
export async function insertOrder(order: Order): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: order,
      ConditionExpression: 'attribute_not_exists(orderId)',
    }),
  );
}

/**
 * Reads an order, or undefined. A strongly consistent read: the latest status in this Region and, when the
 * orders table replicates strongly (MRSC), the latest written in any Region.
 */
export async function findOrder(orderId: string): Promise<Order | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }),
  );
  return Item as Order | undefined;
}

/** CONFIRMED → CANCELLED; false when the order is in another status (the caller reports why). */
export function cancelConfirmed(orderId: string): Promise<boolean> {
  return transitionStatus(tableName, { orderId }, 'CONFIRMED', 'CANCELLED', 'cancelledAt');
}
