import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ReferenceApp } from './reference-app';
import { eventually } from '../../../test/support/runtime';

/** Stock and customers to seed, and helpers to read the fulfilment services' tables. */
export function fulfilmentOf(app: ReferenceApp) {
  const documents = DynamoDBDocumentClient.from(app.running.runtime.engines.dynamodb);
  const f = app.stacks.api.fulfilment;
  const table = {
    inventory: app.running.physical(f.inventory),
    customers: app.running.physical(f.customers),
    reservations: app.running.physical(f.reservations),
    charges: app.running.physical(f.charges),
    shipments: app.running.physical(f.shipments),
    orders: app.running.physical(app.stacks.api.ordersTable),
  };
  const get = async (TableName: string, Key: Record<string, string>) =>
    (await documents.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
  const scan = async (TableName: string) =>
    (await documents.send(new ScanCommand({ TableName, ConsistentRead: true }))).Items ?? [];
  return {
    documents,
    table,
    get,
    scan,
    async stock(sku: string, available: number, priceMinor = 1_000) {
      await documents.send(
        new PutCommand({ TableName: table.inventory, Item: { sku, available, reserved: 0, priceMinor } }),
      );
    },
    async customer(customerId: string, limitMinor: number) {
      await documents.send(
        new PutCommand({ TableName: table.customers, Item: { customerId, limitMinor, chargedMinor: 0 } }),
      );
    },
    /** Polls the order until the saga has left PENDING. */
    async settled(orderId: string, timeoutMs = 30_000) {
      return eventually(async () => {
        const order = await get(table.orders, { orderId });
        return order && order.status !== 'PENDING' ? order : undefined;
      }, timeoutMs);
    },
  };
}
