import { createSchemaCatalog, type RegisteredSchemas } from '@conflux/handler-kit';
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
const REGISTERED: RegisteredSchemas = {
  AccountOpened: { 1: accountOpenedV1 },
  MoneyDeposited: { 1: moneyDepositedV1, 2: moneyDepositedV2 },
  MoneyWithdrawn: { 1: moneyWithdrawnV1 },
  OrderConfirmed: { 1: orderConfirmedV1, 2: orderConfirmedV2 },
  OrderCancelled: { 1: orderCancelledV1 },
  InventoryRestocked: { 1: inventoryRestockedV1 },
  PaymentRefunded: { 1: paymentRefundedV1 },
  LedgerPosting: { 1: ledgerPostingV1 },
};

const catalog = createSchemaCatalog(REGISTERED);

/** Why `data` is not a valid `eventType` v`version` event: one line per bad field; empty when valid. */
export const validateEventData = catalog.validate;

/** Reads `eventType` data written as v`writerVersion` as a v`readerVersion` consumer expects it. */
export const readAs = catalog.readAs;
