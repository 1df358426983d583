import { randomUUID } from 'node:crypto';
import { GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { requireEnv } from '@conflux/handler-kit';
import { createHttpHandler, HttpError, route, type HttpRequest } from '@conflux/handler-kit';
import { logger } from '@conflux/handler-kit';
import { cancelConfirmed, findOrder, insertOrder } from './adapters';
import { CreateOrderV1, CreateOrderV2 } from './contract';
import { fromV1, newOrder, representation, type Order } from './domain';

const stateMachineArn = requireEnv('PLACE_ORDER_STATE_MACHINE_ARN');
const sfn = new SFNClient({});
const executionArn = (orderId: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;

/** The saga's steps so far, from its execution history: each state entered and how it ended. */
async function sagaHistory(orderId: string) {
  try {
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn(orderId), maxResults: 200 }),
    );
    return events
      .filter(
        (e) =>
          e.type?.endsWith('StateExited') ||
          e.type === 'TaskFailed' ||
          e.type === 'ExecutionFailed' ||
          e.type === 'ExecutionSucceeded',
      )
      .map((e) => ({
        at: e.timestamp?.toISOString(),
        event: e.type,
        state: e.stateExitedEventDetails?.name,
        error: e.taskFailedEventDetails?.error ?? e.executionFailedEventDetails?.error,
      }));
  } catch (error: unknown) {
    // The order is still shown; its history is best effort (an execution may not have started yet).
    logger.warn('saga history unavailable', { orderId, error: error as Error });
    return [];
  }
}

const create = async (
  command: Parameters<typeof newOrder>[0],
  request: HttpRequest<unknown>,
  version: 'v1' | 'v2',
) => {
  const order = newOrder(command, request.caller.sub, randomUUID(), new Date());
  await insertOrder(order);
  // The saga id is the order id: a second start of the same order is refused by Step Functions.
  await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: order.orderId,
      input: JSON.stringify({
        orderId: order.orderId,
        customerId: order.customerId,
        items: order.items,
        shipTo: order.shipTo,
      }),
    }),
  );
  const body = representation(order, version);
  return { status: 201, body, headers: { Location: body.links.self } };
};

/** The caller's order from the path; another caller's order is reported as missing, so ids cannot be probed. */
async function ownedOrder(request: HttpRequest<unknown>): Promise<Order> {
  const orderId = request.pathParameters.orderId ?? '';
  const order: Order | undefined = /^[0-9a-f-]{36}$/.test(orderId) ? await findOrder(orderId) : undefined;
  if (order?.ownerSub !== request.caller.sub) {
    throw new HttpError(404, 'OrderNotFound', `No order ${orderId}.`);
  }
  return order;
}

const read = async (request: HttpRequest<unknown>, version: 'v1' | 'v2') => {
  const order = await ownedOrder(request);
  return { status: 200, body: { ...representation(order, version), saga: await sagaHistory(order.orderId) } };
};

/** The orders API, both versions: v1 (one SKU, deprecated) and v2 (lines and an address). */
export const handler = createHttpHandler({
  'POST /v1/orders': route({
    body: CreateOrderV1,
    idempotent: true,
    handle: (request) => create(fromV1(request.body), request, 'v1'),
  }),
  'POST /v2/orders': route({
    body: CreateOrderV2,
    idempotent: true,
    handle: (request) => create(request.body, request, 'v2'),
  }),
  'GET /v1/orders/{orderId}': route({ handle: (request) => read(request, 'v1') }),
  'GET /v2/orders/{orderId}': route({ handle: (request) => read(request, 'v2') }),
  /**
   * Cancels a confirmed order. Nothing else happens here: the status change leaves through the orders
   * table's stream as `OrderCancelled`, and inventory, payments and notifications react in turn.
   */
  'POST /v2/orders/{orderId}/cancel': route({
    handle: async (request) => {
      // No saga history here: the answer is the order's new status, and the cancel path stays one read, one write.
      const order = await ownedOrder(request);
      const status = order.status;
      if (status === 'CANCELLED') return { status: 200, body: representation(order, 'v2') };
      if (!(await cancelConfirmed(order.orderId))) {
        throw new HttpError(
          409,
          'OrderNotCancellable',
          `Only a CONFIRMED order can be cancelled; this one is ${status}.`,
        );
      }
      return { status: 200, body: representation({ ...order, status: 'CANCELLED' }, 'v2') };
    },
  }),
});
