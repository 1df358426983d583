import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { SagaAlreadyCompensatedError, sagaStep, type StepInput } from '../shared/saga';
import { transitionStatus } from '../shared/status';

const shipments = requireEnv('SHIPMENTS_TABLE_NAME');
/** Regions the carrier serves. */
export const SERVICEABLE_REGIONS = ['eu', 'us'];

/** An address the carrier does not deliver to. */
export class UnserviceableRegionError extends Error {
  public override readonly name = 'UnserviceableRegionError';
}

/** Creates the shipment once per saga. */
async function ship({ order }: StepInput) {
  if (!SERVICEABLE_REGIONS.includes(order.shipTo.region)) {
    throw new UnserviceableRegionError(`no carrier serves region ${order.shipTo.region}`);
  }
  try {
    await documents.send(
      new PutCommand({
        TableName: shipments,
        Item: { sagaId: order.orderId, items: order.items, shipTo: order.shipTo, status: 'CREATED' },
        ConditionExpression: 'attribute_not_exists(sagaId)',
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await documents.send(
      new GetCommand({ TableName: shipments, Key: { sagaId: order.orderId }, ConsistentRead: true }),
    );
    if (Item?.status === 'CANCELLED')
      throw new SagaAlreadyCompensatedError(`saga ${order.orderId} was compensated`);
  }
  return { shipmentId: order.orderId };
}

/** Cancels a CREATED shipment once; anything else is a no-op. */
async function cancel({ order }: StepInput) {
  return { cancelled: await transitionStatus(shipments, { sagaId: order.orderId }, 'CREATED', 'CANCELLED') };
}

/** Shipping's saga steps: `ship` and its compensation `cancel`. */
export const handler = sagaStep({ ship, cancel });
