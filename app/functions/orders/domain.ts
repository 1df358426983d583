import type { CreateOrderV1, CreateOrderV2 } from './contract';

/** An order as stored: the v2 shape, whichever version created it. */
export interface Order {
  readonly orderId: string;
  /** The token subject that placed it; only they can read it. */
  readonly ownerSub: string;
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly shipTo: { readonly region: string; readonly postcode?: string };
  readonly status: 'PENDING' | 'CONFIRMED' | 'FAILED' | 'CANCELLED';
  readonly createdAt: string;
  /** Set by the saga when it fails: the error name and its cause. */
  readonly failureError?: string;
  readonly failureCause?: string;
}

/** A v1 request as the v2 command it means: one line, the region without a postcode. */
export function fromV1(body: CreateOrderV1): Omit<CreateOrderV2, 'shipTo'> & { shipTo: Order['shipTo'] } {
  return {
    customerId: body.customerId,
    items: [{ sku: body.sku, quantity: body.quantity }],
    shipTo: { region: body.shippingRegion },
  };
}

/** A new order from a command. Lines of the same SKU are merged, so an order names each SKU once. */
export function newOrder(
  command: Omit<CreateOrderV2, 'shipTo'> & { shipTo: Order['shipTo'] },
  ownerSub: string,
  orderId: string,
  now: Date,
): Order {
  const merged = new Map<string, number>();
  for (const line of command.items) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.quantity);
  return {
    orderId,
    ownerSub,
    customerId: command.customerId,
    items: [...merged].map(([sku, quantity]) => ({ sku, quantity })),
    shipTo: command.shipTo,
    status: 'PENDING',
    createdAt: now.toISOString(),
  };
}

/** The order as a version's clients see it. v1 clients see the first line only, as v1 orders had one. */
export function representation(order: Order, version: 'v1' | 'v2') {
  const self = `/${version}/orders/${order.orderId}`;
  if (version === 'v2') {
    return {
      orderId: order.orderId,
      customerId: order.customerId,
      items: order.items,
      shipTo: order.shipTo,
      status: order.status,
      ...failure(order),
      createdAt: order.createdAt,
      links: { self },
    };
  }
  const first = order.items[0];
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    sku: first?.sku,
    quantity: first?.quantity,
    lines: order.items.length,
    shippingRegion: order.shipTo.region,
    status: order.status,
    ...failure(order),
    createdAt: order.createdAt,
    links: { self },
  };
}

function failure(order: Order) {
  return order.failureError
    ? { failure: { error: order.failureError, cause: publicCause(order.failureCause) } }
    : {};
}

/**
 * What a client is told of why a saga failed: the error's name and message. Step Functions records a
 * function's error as its whole payload (`errorType`, `errorMessage`, `trace` with the handler's file
 * paths); the trace and anything else stays in the execution history for operators.
 */
export function publicCause(cause: string | undefined): string | undefined {
  if (cause === undefined || cause === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cause);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const { errorType, errorMessage } = parsed as { errorType?: unknown; errorMessage?: unknown };
    const name = typeof errorType === 'string' ? errorType : 'Error';
    return typeof errorMessage === 'string' ? `${name}: ${firstLine(errorMessage)}` : name;
  }
  return firstLine(cause);
}

/** The first line, without anything that looks like a file path. */
function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.replace(/(?:file:\/\/)?(?:\/[\w.@-]+){2,}(?::\d+)*/g, '<path>').slice(0, 300);
}
