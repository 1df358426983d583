import avro from 'avsc';
import accountOpenedV1 from '../../schemas/account-opened.v1.avsc';
import inventoryRestockedV1 from '../../schemas/inventory-restocked.v1.avsc';
import ledgerPostingV1 from '../../schemas/ledger-posting.v1.avsc';
import moneyDepositedV1 from '../../schemas/money-deposited.v1.avsc';
import moneyDepositedV2 from '../../schemas/money-deposited.v2.avsc';
import moneyWithdrawnV1 from '../../schemas/money-withdrawn.v1.avsc';
import orderCancelledV1 from '../../schemas/order-cancelled.v1.avsc';
import orderConfirmedV1 from '../../schemas/order-confirmed.v1.avsc';
import orderConfirmedV2 from '../../schemas/order-confirmed.v2.avsc';
import paymentRefundedV1 from '../../schemas/payment-refunded.v1.avsc';

/** The registered schemas, by event type and version: the same files the registry is provisioned from. */
const REGISTERED: Readonly<Record<string, Readonly<Record<number, Record<string, unknown>>>>> = {
  AccountOpened: { 1: accountOpenedV1 },
  MoneyDeposited: { 1: moneyDepositedV1, 2: moneyDepositedV2 },
  MoneyWithdrawn: { 1: moneyWithdrawnV1 },
  OrderConfirmed: { 1: orderConfirmedV1, 2: orderConfirmedV2 },
  OrderCancelled: { 1: orderCancelledV1 },
  InventoryRestocked: { 1: inventoryRestockedV1 },
  PaymentRefunded: { 1: paymentRefundedV1 },
  LedgerPosting: { 1: ledgerPostingV1 },
};

const types = new Map<string, avro.Type>();
function typeOf(eventType: string, version: number): avro.Type | undefined {
  const key = `${eventType}@${version}`;
  const schema = REGISTERED[eventType]?.[version];
  if (!schema) return undefined;
  let type = types.get(key);
  if (!type) {
    type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });
    types.set(key, type);
  }
  return type;
}

/** Why `data` is not a valid `eventType` v`version` event: one line per bad field; empty when valid. */
export function validateEventData(eventType: string, version: number, data: unknown): string[] {
  const type = typeOf(eventType, version);
  if (!type) return [`no schema is registered for ${eventType} v${version}`];
  const errors: string[] = [];
  type.isValid(data, {
    errorHook: (path: string[], value: unknown, expected: avro.Type) => {
      errors.push(
        `${path.join('.') || '(data)'}: ${value === undefined ? 'undefined' : JSON.stringify(value)} is not a valid ${expected.typeName}`,
      );
    },
  });
  return errors;
}

/**
 * Reads data written as `eventType` v`writerVersion` the way a consumer of v`readerVersion` expects it,
 * through Avro schema resolution: fields the reader does not know are dropped, fields it has with defaults
 * are filled. So a v1 consumer keeps working when v2 events arrive.
 */
export function readAs(
  eventType: string,
  writerVersion: number,
  data: unknown,
  readerVersion: number,
): unknown {
  const writer = typeOf(eventType, writerVersion);
  const reader = typeOf(eventType, readerVersion);
  if (!writer || !reader)
    throw new Error(`no schema is registered for ${eventType} v${writerVersion} or v${readerVersion}`);
  if (writerVersion === readerVersion) return data;
  return reader.fromBuffer(writer.toBuffer(data), reader.createResolver(writer)) as unknown;
}
