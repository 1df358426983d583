import { randomUUID } from 'node:crypto';
import { createHttpHandler, HttpError, route, type HttpRequest } from '../shared/http';
import { findOrder, insertOrder } from './adapters';
import { CreateOrderV1, CreateOrderV2 } from './contract';
import { fromV1, newOrder, representation, type Order } from './domain';

const create = async (
  command: Parameters<typeof newOrder>[0],
  request: HttpRequest<unknown>,
  version: 'v1' | 'v2',
) => {
  const order = newOrder(command, request.caller.sub, randomUUID(), new Date());
  await insertOrder(order);
  const body = representation(order, version);
  return { status: 201, body, headers: { Location: body.links.self } };
};

const read = async (request: HttpRequest<unknown>, version: 'v1' | 'v2') => {
  const orderId = request.pathParameters.orderId ?? '';
  const order: Order | undefined = /^[0-9a-f-]{36}$/.test(orderId) ? await findOrder(orderId) : undefined;
  // Another caller's order is reported as missing, so ids cannot be probed.
  if (order?.ownerSub !== request.caller.sub) {
    throw new HttpError(404, 'OrderNotFound', `No order ${orderId}.`);
  }
  return { status: 200, body: representation(order, version) };
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
});
