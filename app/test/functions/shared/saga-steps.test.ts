import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SagaOrder } from '../../../functions/shared/saga';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';

type Step = (event: unknown) => Promise<unknown>;

/** At-least-once: every saga step and compensation, run twice, changes nothing the second time. */
describe('saga steps are idempotent on the saga id (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let documents: DynamoDBDocumentClient;
  const t = { inventory: '', reservations: '', customers: '', charges: '', shipments: '', orders: '' };
  let inventory: Step;
  let payments: Step;
  let shipping: Step;
  let confirm: Step;

  beforeAll(async () => {
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint }));
    t.inventory = await ddb.createTable('inventory', 'sku');
    t.reservations = await ddb.createTable('reservations', 'sagaId');
    t.customers = await ddb.createTable('customers', 'customerId');
    t.charges = await ddb.createTable('charges', 'sagaId');
    t.shipments = await ddb.createTable('shipments', 'sagaId');
    t.orders = await ddb.createTable('orders', 'orderId');
    Object.assign(process.env, {
      INVENTORY_TABLE_NAME: t.inventory,
      RESERVATIONS_TABLE_NAME: t.reservations,
      CUSTOMERS_TABLE_NAME: t.customers,
      CHARGES_TABLE_NAME: t.charges,
      SHIPMENTS_TABLE_NAME: t.shipments,
      ORDERS_TABLE_NAME: t.orders,
    });
    inventory = (await import('../../../functions/inventory/service.handler')).handler;
    payments = (await import('../../../functions/payments/service.handler')).handler;
    shipping = (await import('../../../functions/shipping/service.handler')).handler;
    confirm = (await import('../../../functions/orders/saga.handler')).handler;
  });

  async function world(order: SagaOrder) {
    const sku = order.items[0]?.sku ?? '';
    return {
      stock: await ddb.get(t.inventory, { sku }),
      customer: await ddb.get(t.customers, { customerId: order.customerId }),
      reservation: await ddb.get(t.reservations, { sagaId: order.orderId }),
      charge: await ddb.get(t.charges, { sagaId: order.orderId }),
      shipment: await ddb.get(t.shipments, { sagaId: order.orderId }),
      order: await ddb.get(t.orders, { orderId: order.orderId }),
    };
  }

  async function fixture(): Promise<SagaOrder> {
    const sku = `SKU-${randomUUID().slice(0, 6)}`;
    const customerId = `c-${randomUUID()}`;
    const orderId = randomUUID();
    await documents.send(
      new PutCommand({ TableName: t.inventory, Item: { sku, available: 10, reserved: 0, priceMinor: 100 } }),
    );
    await documents.send(
      new PutCommand({ TableName: t.customers, Item: { customerId, limitMinor: 10_000, chargedMinor: 0 } }),
    );
    await documents.send(new PutCommand({ TableName: t.orders, Item: { orderId, status: 'PENDING' } }));
    return { orderId, customerId, items: [{ sku, quantity: 3 }], shipTo: { region: 'eu' } };
  }

  it('applies each action once however often it runs, even concurrently', async () => {
    const order = await fixture();
    const run = (fn: Step, operation: string, results = {}) => fn({ operation, order, results });
    const reserved = await Promise.all([run(inventory, 'reserve'), run(inventory, 'reserve')]);
    expect(reserved[0]).toEqual(reserved[1]);
    const results = { reserve: reserved[0] };
    await Promise.all([run(payments, 'charge', results), run(payments, 'charge', results)]);
    await run(shipping, 'ship');
    await run(shipping, 'ship');
    await run(confirm, 'confirm');
    await run(confirm, 'confirm');
    expect(await world(order)).toMatchObject({
      stock: { available: 7, reserved: 3 },
      customer: { chargedMinor: 300 },
      reservation: { status: 'RESERVED' },
      charge: { status: 'CHARGED', amountMinor: 300 },
      shipment: { status: 'CREATED' },
      order: { status: 'CONFIRMED' },
    });
  });

  it('undoes each action once however often its compensation runs, and refuses to redo a compensated saga', async () => {
    const order = await fixture();
    const run = (fn: Step, operation: string, results = {}) => fn({ operation, order, results });
    const reserve = await run(inventory, 'reserve');
    await run(payments, 'charge', { reserve });
    await run(shipping, 'ship');
    for (let i = 0; i < 2; i += 1) {
      await Promise.all([run(shipping, 'cancel'), run(shipping, 'cancel')]);
      await Promise.all([run(payments, 'refund'), run(payments, 'refund')]);
      await Promise.all([run(inventory, 'release'), run(inventory, 'release')]);
    }
    expect(await world(order)).toMatchObject({
      stock: { available: 10, reserved: 0 },
      customer: { chargedMinor: 0 },
      reservation: { status: 'RELEASED' },
      charge: { status: 'REFUNDED' },
      shipment: { status: 'CANCELLED' },
    });
    // A replayed execution of the same saga must not reserve again.
    await expect(run(inventory, 'reserve')).rejects.toMatchObject({ name: 'SagaAlreadyCompensatedError' });
    await expect(run(payments, 'charge', { reserve })).rejects.toMatchObject({
      name: 'SagaAlreadyCompensatedError',
    });
    await expect(run(shipping, 'ship')).rejects.toMatchObject({ name: 'SagaAlreadyCompensatedError' });
  });

  it('makes compensations of actions that never ran no-ops', async () => {
    const order = await fixture();
    const before = await world(order);
    await inventory({ operation: 'release', order });
    await payments({ operation: 'refund', order });
    await shipping({ operation: 'cancel', order });
    expect(await world(order)).toEqual(before);
  });

  it('refuses malformed step input as a business error, not a retry', async () => {
    await expect(inventory({ operation: 'reserve', order: { orderId: 'x' } })).rejects.toMatchObject({
      name: 'InvalidMessageError',
    });
  });
});
