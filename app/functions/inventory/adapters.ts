import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import {
  conditionFailedAt,
  SagaAlreadyCompensatedError,
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
export async function reserve({ order }: StepInput) {
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
export async function release({ order }: StepInput) {
  return { released: await returnStock(order.orderId, 'RELEASED') };
}

/** Puts the stock of a cancelled (confirmed) order back on the shelf once. */
export async function restock(sagaId: string): Promise<{ restocked: boolean }> {
  return { restocked: await returnStock(sagaId, 'RESTOCKED') };
}

/**
 * Moves a RESERVED reservation to `to` and its quantities from reserved back to available, in one
 * transaction; false (and nothing changes) when the reservation is missing or no longer RESERVED. Both the
 * saga's compensation and the cancellation choreography end a reservation this way.
 */
async function returnStock(sagaId: string, to: 'RELEASED' | 'RESTOCKED'): Promise<boolean> {
  const existing = await reservationOf(sagaId);
  if (existing?.status !== 'RESERVED') return false;
  const items = existing.items as { sku: string; quantity: number }[];
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: reservations,
              Key: { sagaId },
              UpdateExpression: 'SET #s = :to',
              ConditionExpression: '#s = :reserved',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':to': to, ':reserved': 'RESERVED' },
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
    if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0)) return false;
    throw error;
  }
  return true;
}

/** Inventory's saga steps: `reserve` and its compensation `release`. */
