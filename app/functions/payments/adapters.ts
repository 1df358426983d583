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

const customers = requireEnv('CUSTOMERS_TABLE_NAME');
const charges = requireEnv('CHARGES_TABLE_NAME');

/** A charge above the customer's per-payment limit, or for an unknown customer. */
export class PaymentDeclinedError extends Error {
  public override readonly name = 'PaymentDeclinedError';
}

const chargeOf = async (sagaId: string) =>
  (await documents.send(new GetCommand({ TableName: charges, Key: { sagaId }, ConsistentRead: true }))).Item;

/** Charges the reserved amount once per saga, adding it to the customer's charged total. */
export async function charge({ order, results }: StepInput) {
  const existing = await chargeOf(order.orderId);
  if (existing?.status === 'REFUNDED')
    throw new SagaAlreadyCompensatedError(`saga ${order.orderId} was compensated`);
  if (existing) return { chargeId: order.orderId, amountMinor: existing.amountMinor as number };
  const amountMinor = (results?.reserve as { amountMinor?: number } | undefined)?.amountMinor ?? NaN;
  if (!Number.isInteger(amountMinor)) throw new TransientError('no reserved amount to charge');
  const { Item: customer } = await documents.send(
    new GetCommand({ TableName: customers, Key: { customerId: order.customerId } }),
  );
  if (!customer) throw new PaymentDeclinedError(`unknown customer ${order.customerId}`);
  if (amountMinor > Number(customer.limitMinor)) {
    throw new PaymentDeclinedError(
      `${amountMinor} is above the customer's limit of ${String(customer.limitMinor)}`,
    );
  }
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: charges,
              Item: { sagaId: order.orderId, customerId: order.customerId, amountMinor, status: 'CHARGED' },
              ConditionExpression: 'attribute_not_exists(sagaId)',
            },
          },
          {
            Update: {
              TableName: customers,
              Key: { customerId: order.customerId },
              UpdateExpression: 'SET chargedMinor = chargedMinor + :a',
              ExpressionAttributeValues: { ':a': amountMinor },
            },
          },
        ],
      }),
    );
  } catch (error: unknown) {
    if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0)) {
      return charge({ operation: 'charge', order, results });
    }
    throw error;
  }
  return { chargeId: order.orderId, amountMinor };
}

/** Refunds a CHARGED charge once; anything else is a no-op. */
export async function refund({ order }: StepInput) {
  return refundCharge(order.orderId);
}

/**
 * Refunds the charge of saga `sagaId` once: CHARGED → REFUNDED with the customer's charged total reduced,
 * in one transaction; any other state is a no-op. Used by the saga's compensation and by cancellation.
 */
export async function refundCharge(sagaId: string): Promise<{ refunded: boolean; customerId?: string }> {
  const order = { orderId: sagaId };
  const existing = await chargeOf(order.orderId);
  if (existing?.status !== 'CHARGED') return { refunded: false };
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: charges,
              Key: { sagaId: order.orderId },
              UpdateExpression: 'SET #s = :refunded',
              ConditionExpression: '#s = :charged',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':refunded': 'REFUNDED', ':charged': 'CHARGED' },
            },
          },
          {
            Update: {
              TableName: customers,
              Key: { customerId: existing.customerId as string },
              UpdateExpression: 'SET chargedMinor = chargedMinor - :a',
              ExpressionAttributeValues: { ':a': existing.amountMinor as number },
            },
          },
        ],
      }),
    );
  } catch (error: unknown) {
    if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0))
      return { refunded: false };
    throw error;
  }
  return { refunded: true };
}

/** Payments' saga steps: `charge` and its compensation `refund`. */
