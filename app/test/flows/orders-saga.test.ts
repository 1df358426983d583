import { randomUUID } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '@conflux/local';
import { fulfilmentOf } from '../support/fulfilment';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

/** Order placement: the synthesized saga on aws-local-stepfunctions with the real step handlers. */
describe('order placement saga, offline', () => {
  let app: ReferenceApp;
  let f: ReturnType<typeof fulfilmentOf>;
  let token: string;

  beforeAll(async () => {
    app = await runReferenceApp();
    f = fulfilmentOf(app);
    token = await app.token({
      subject: 'alice',
      scopes: 'orders:write orders:read inventory:read',
      clientId: randomUUID(),
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  async function place(body: unknown) {
    const response = await fetch(`${app.baseUrl}/v2/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-api-key': app.keys.partner ?? '',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { orderId: string }).orderId;
  }
  async function world(sku: string, customerId: string) {
    const [inventory, customer] = await Promise.all([
      f.get(f.table.inventory, { sku }),
      f.get(f.table.customers, { customerId }),
    ]);
    return { inventory, customer };
  }
  const order = (sku: string, customerId: string, quantity: number, region = 'eu') => ({
    customerId,
    items: [{ sku, quantity }],
    shipTo: { region, postcode: '1011' },
  });

  it('confirms a good order: stock reserved, card charged, shipment created, history shown', async () => {
    const [sku, customer] = [`SKU-${randomUUID().slice(0, 6).toUpperCase()}`, `c-${randomUUID()}`];
    await f.stock(sku, 10, 250);
    await f.customer(customer, 10_000);
    const orderId = await place(order(sku, customer, 3));
    expect(await f.settled(orderId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await world(sku, customer)).toMatchObject({
      inventory: { available: 7, reserved: 3 },
      customer: { chargedMinor: 750 },
    });
    expect(await f.get(f.table.shipments, { sagaId: orderId })).toMatchObject({ status: 'CREATED' });
    const view = await fetch(`${app.baseUrl}/v2/orders/${orderId}`, {
      headers: { authorization: `Bearer ${token}`, 'x-api-key': app.keys.partner ?? '' },
    });
    const body = (await view.json()) as { status: string; saga: { state?: string }[] };
    expect(body.status).toBe('CONFIRMED');
    expect(body.saga.map((e) => e.state).filter(Boolean)).toEqual([
      'Start',
      'reserve',
      'charge',
      'ship',
      'confirm',
      'Completed',
    ]);
    const stock = await fetch(`${app.baseUrl}/v1/inventory/${sku}`, {
      headers: { authorization: `Bearer ${token}`, 'x-api-key': app.keys.partner ?? '' },
    });
    expect(await stock.json()).toEqual({ sku, available: 7, reserved: 3, priceMinor: 250 });
  });

  it.each<[string, { quantity?: number; limit?: number; region?: string }, string]>([
    ['1 (reserve): an SKU with too little stock', { quantity: 99 }, 'OutOfStockError'],
    ['2 (charge): a payment above the customer’s limit', { limit: 100 }, 'PaymentDeclinedError'],
    ['3 (ship): an unserviceable region', { region: 'apac' }, 'UnserviceableRegionError'],
  ])(
    'failing step %s leaves stock, balances and shipments as before, and the order FAILED',
    async (_name, rule, error) => {
      const [sku, customer] = [`SKU-${randomUUID().slice(0, 6).toUpperCase()}`, `c-${randomUUID()}`];
      await f.stock(sku, 10, 250);
      await f.customer(customer, rule.limit ?? 10_000);
      const before = await world(sku, customer);
      const orderId = await place(order(sku, customer, rule.quantity ?? 2, rule.region));
      const settled = await f.settled(orderId);
      expect(settled).toMatchObject({ status: 'FAILED', failureError: error });
      expect(await world(sku, customer)).toEqual(before);
      const charge = await f.get(f.table.charges, { sagaId: orderId });
      expect(charge === undefined || charge.status === 'REFUNDED').toBe(true);
      const shipment = await f.get(f.table.shipments, { sagaId: orderId });
      expect(shipment === undefined || shipment.status === 'CANCELLED').toBe(true);
    },
  );

  it('failing step 4 (confirm: the order is no longer pending) compensates steps 3, 2 and 1', async () => {
    const [sku, customer] = [`SKU-${randomUUID().slice(0, 6).toUpperCase()}`, `c-${randomUUID()}`];
    await f.stock(sku, 10, 250);
    await f.customer(customer, 10_000);
    const before = await world(sku, customer);
    // An order with no PENDING record (as if cancelled meanwhile), straight into the state machine.
    const orderId = randomUUID();
    const sfn = new SFNClient({
      endpoint: app.running.runtime.endpoints.stepfunctions,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: app.running.physical(app.stacks.api.fulfilment.saga.stateMachine),
        name: orderId,
        input: JSON.stringify({ orderId, ...order(sku, customer, 2) }),
      }),
    );
    const settled = await f.settled(orderId);
    expect(settled).toMatchObject({ status: 'FAILED', failureError: 'OrderNoLongerPendingError' });
    expect(await world(sku, customer)).toEqual(before);
    expect(await f.get(f.table.charges, { sagaId: orderId })).toMatchObject({ status: 'REFUNDED' });
    expect(await f.get(f.table.shipments, { sagaId: orderId })).toMatchObject({ status: 'CANCELLED' });
    expect(await f.get(f.table.reservations, { sagaId: orderId })).toMatchObject({ status: 'RELEASED' });
    sfn.destroy();
  });

  it('conserves stock and money over 200 random orders', async () => {
    const skus = Array.from({ length: 5 }, (_, i) => `SKU-R${i}-${randomUUID().slice(0, 4).toUpperCase()}`);
    const customers = Array.from({ length: 8 }, () => `c-${randomUUID()}`);
    const initial = new Map<string, number>();
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (const sku of skus) {
      const stock = 5 + random(30);
      initial.set(sku, stock);
      await f.stock(sku, stock, 100 + random(400));
    }
    for (const c of customers) await f.customer(c, 500 + random(3_000));
    const regions = ['eu', 'us', 'eu', 'us', 'apac'];
    const ids: string[] = [];
    for (let batch = 0; batch < 200; batch += 20) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, () =>
            place({
              customerId: customers[random(customers.length)] ?? '',
              items: [{ sku: skus[random(skus.length)] ?? '', quantity: 1 + random(4) }],
              shipTo: { region: regions[random(regions.length)] ?? 'eu', postcode: '1011' },
            }),
          ),
        )),
      );
    }
    const orders = await Promise.all(ids.map((id) => f.settled(id, 120_000)));
    expect(orders.every((o) => o.status === 'CONFIRMED' || o.status === 'FAILED')).toBe(true);
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed.length).toBeGreaterThan(0);
    expect(confirmed.length).toBeLessThan(200);

    // Stock: available + reserved is what was stocked; reserved is exactly what confirmed orders hold.
    for (const sku of skus) {
      const row = await f.get(f.table.inventory, { sku });
      const held = confirmed
        .flatMap((o) => o.items as { sku: string; quantity: number }[])
        .filter((line) => line.sku === sku)
        .reduce((sum, line) => sum + line.quantity, 0);
      expect(Number(row?.available) + Number(row?.reserved)).toBe(initial.get(sku));
      expect(row?.reserved).toBe(held);
    }
    // Money: every charge still standing belongs to a confirmed, shipped order; every other was refunded.
    const byId = new Map(orders.map((o) => [o.orderId as string, o]));
    const charges = (await f.scan(f.table.charges)).filter((c) => byId.has(c.sagaId as string));
    for (const charge of charges) {
      const o = byId.get(charge.sagaId as string);
      if (charge.status === 'CHARGED') {
        expect(o?.status).toBe('CONFIRMED');
        expect(await f.get(f.table.shipments, { sagaId: charge.sagaId as string })).toMatchObject({
          status: 'CREATED',
        });
      } else {
        expect(charge.status).toBe('REFUNDED');
        expect(o?.status).toBe('FAILED');
      }
    }
    expect(charges.filter((c) => c.status === 'CHARGED')).toHaveLength(confirmed.length);
    for (const c of customers) {
      const row = await f.get(f.table.customers, { customerId: c });
      const standing = charges
        .filter((ch) => ch.status === 'CHARGED' && ch.customerId === c)
        .reduce((sum, ch) => sum + Number(ch.amountMinor), 0);
      expect(row?.chargedMinor).toBe(standing);
    }
  }, 240_000);

  it('cancels a confirmed order by choreography: inventory restocks, payments refunds, notifications notify', async () => {
    const [sku, customer] = [`SKU-${randomUUID().slice(0, 6).toUpperCase()}`, `c-${randomUUID()}`];
    await f.stock(sku, 10, 300);
    await f.customer(customer, 10_000);
    const before = await world(sku, customer);
    const orderId = await place(order(sku, customer, 4));
    expect(await f.settled(orderId)).toMatchObject({ status: 'CONFIRMED' });
    const cancel = (id: string) =>
      fetch(`${app.baseUrl}/v2/orders/${id}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-api-key': app.keys.partner ?? '' },
      });
    const cancelled = await cancel(orderId);
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { status: string }).status).toBe('CANCELLED');
    expect((await cancel(orderId)).status).toBe(200); // again: nothing more happens

    await eventually(async () => {
      const charge = await f.get(f.table.charges, { sagaId: orderId });
      return charge?.status === 'REFUNDED' ? charge : undefined;
    });
    expect(await world(sku, customer)).toEqual(before);
    expect(await f.get(f.table.reservations, { sagaId: orderId })).toMatchObject({ status: 'RESTOCKED' });
    const notifications = app.running.physical(app.stacks.messaging.node.findChild('NotificationsTable'));
    const templates = await eventually(async () => {
      const rows = (await f.scan(notifications))
        .filter((n) => n.orderId === orderId)
        .map((n) => String(n.template));
      return rows.includes('payment-refunded') && rows.includes('order-cancelled') ? rows.sort() : undefined;
    });
    expect(templates).toEqual(['order-cancelled', 'order-confirmed', 'payment-refunded']);

    // A failed order cannot be cancelled.
    const failedId = await place(order(sku, customer, 50));
    expect(await f.settled(failedId)).toMatchObject({ status: 'FAILED' });
    const refused = await cancel(failedId);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('OrderNotCancellable');
  });
});
