import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../shared/clients';
import { requireEnv } from '../shared/env';
import {
  conditionFailedAt,
  SagaAlreadyCompensatedError,
  sagaStep,
  TransientError,
  type StepInput,
} from '../shared/saga';

const inventory = requireEnv('INVENTORY_TABLE_NAME');
const reservations = requireEnv('RESERVATIONS_TABLE_NAME');

/** Too little stock of a SKU (or a SKU not stocked at all): the order cannot be filled. */
export class OutOfStockError extends Error {
  public override readonly name = 'OutOfStockError';
}

const reservationOf = async (sagaId: string) =>
  (await documents.send(new GetCommand({ TableName: reservations, Key: { sagaId }, ConsistentRead: true })))
    .Item;

/**
 * Reserves every line in one transaction (available − q, reserved + q, each only if enough is available)
 * with the reservation record keyed by the saga id, so a repeat finds the record and changes nothing.
 */
async function reserve({ order }: StepInput) {
  const existing = await reservationOf(order.orderId);
  if (existing?.status === 'RELEASED')
    throw new SagaAlreadyCompensatedError(`saga ${order.orderId} was compensated`);
  if (existing) return { reserved: existing.items as unknown, amountMinor: existing.amountMinor as number };
  const prices = await Promise.all(
    order.items.map(async (line) => {
      const { Item } = await documents.send(new GetCommand({ TableName: inventory, Key: { sku: line.sku } }));
      if (!Item) throw new OutOfStockError(`${line.sku} is not stocked`);
      return Number(Item.priceMinor) * line.quantity;
    }),
  );
  const amountMinor = prices.reduce((a, b) => a + b, 0);
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: reservations,
              Item: { sagaId: order.orderId, items: order.items, amountMinor, status: 'RESERVED' },
              ConditionExpression: 'attribute_not_exists(sagaId)',
            },
          },
          ...order.items.map((line) => ({
            Update: {
              TableName: inventory,
              Key: { sku: line.sku },
              UpdateExpression: 'SET available = available - :q, reserved = reserved + :q',
              ConditionExpression: 'available >= :q',
              ExpressionAttributeValues: { ':q': line.quantity },
            },
          })),
        ],
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    // A concurrent duplicate of this step got there first: its reservation is ours.
    if (conditionFailedAt(error, 0)) return reserve({ operation: 'reserve', order });
    const short = order.items.find((_, i) => conditionFailedAt(error, i + 1));
    if (short) throw new OutOfStockError(`not enough ${short.sku} in stock for ${short.quantity}`);
    throw new TransientError(`reservation was not written: ${error.message}`);
  }
  return { reserved: order.items, amountMinor };
}

/** Returns the reserved stock, once: only a RESERVED reservation is released; anything else is a no-op. */
async function release({ order }: StepInput) {
  const existing = await reservationOf(order.orderId);
  if (existing?.status !== 'RESERVED') return { released: false };
  const items = existing.items as { sku: string; quantity: number }[];
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: reservations,
              Key: { sagaId: order.orderId },
              UpdateExpression: 'SET #s = :released',
              ConditionExpression: '#s = :reserved',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':released': 'RELEASED', ':reserved': 'RESERVED' },
            },
          },
          ...items.map((line) => ({
            Update: {
              TableName: inventory,
              Key: { sku: line.sku },
              UpdateExpression: 'SET available = available + :q, reserved = reserved - :q',
              ExpressionAttributeValues: { ':q': line.quantity },
            },
          })),
        ],
      }),
    );
  } catch (error: unknown) {
    if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0))
      return { released: false };
    throw error;
  }
  return { released: true };
}

/**
 * Puts the stock of a cancelled order back on the shelf once: the reservation goes RESERVED → RESTOCKED
 * and its quantities move from reserved to available, in one transaction; any other state is a no-op.
 */
export async function restock(sagaId: string): Promise<{ restocked: boolean }> {
  const existing = await reservationOf(sagaId);
  if (existing?.status !== 'RESERVED') return { restocked: false };
  const items = existing.items as { sku: string; quantity: number }[];
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: reservations,
              Key: { sagaId },
              UpdateExpression: 'SET #s = :restocked',
              ConditionExpression: '#s = :reserved',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':restocked': 'RESTOCKED', ':reserved': 'RESERVED' },
            },
          },
          ...items.map((line) => ({
            Update: {
              TableName: inventory,
              Key: { sku: line.sku },
              UpdateExpression: 'SET available = available + :q, reserved = reserved - :q',
              ExpressionAttributeValues: { ':q': line.quantity },
            },
          })),
        ],
      }),
    );
  } catch (error: unknown) {
    if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0))
      return { restocked: false };
    throw error;
  }
  return { restocked: true };
}

/** Inventory's saga steps: `reserve` and its compensation `release`. */
export const handler = sagaStep({ reserve, release });
