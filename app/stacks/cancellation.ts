import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  QueueConsumer,
  type FanOutTopic,
  type IdempotencyTable,
  type QueueWithDlq,
} from '@conflux/constructs';
import { createStreamReader } from '@conflux/constructs';
import type { Fulfilment } from './fulfilment';
import type { DomainEventPublishing } from './publishing';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Cancellation}. */
export interface CancellationProps {
  readonly ordersTable: dynamodb.TableV2;
  readonly fulfilment: Fulfilment;
  readonly domainEvents: FanOutTopic;
  readonly publishing: DomainEventPublishing;
  readonly idempotency: IdempotencyTable;
  readonly maxConcurrency: number;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Cancellation after confirmation, choreographed on `domain-events` with no coordinator: the orders
 * outbox (the orders table's stream) publishes `OrderCancelled`; inventory restocks and publishes
 * `InventoryRestocked`; payments refunds and publishes `PaymentRefunded`; notifications tells the customer.
 * Each consumer has its own queue, DLQ and idempotency; each reacts only to the event before it.
 */
export class Cancellation extends Construct {
  public readonly restock: QueueConsumer;
  public readonly refund: QueueConsumer;
  public readonly ordersOutbox: lambda.Function;
  /** The consumers' queues (with their DLQs), by subscriber name (`InventoryRestock`, `PaymentsRefund`). */
  public readonly queues: Record<string, QueueWithDlq> = {};

  constructor(scope: Construct, id: string, props: CancellationProps) {
    super(scope, id);
    const { fulfilment: f, domainEvents } = props;

    this.ordersOutbox = createStreamReader(this, 'OrdersOutbox', [props.ordersTable], {
      entry: path.join(functionsDir, 'orders/events.handler.ts'),
      serviceName: 'orders-outbox',
      errorMeaning: 'order confirmations and cancellations stop reaching domain-events.',
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      lagMeaning: 'order events are more than a minute behind the orders table.',
    }).function;
    props.publishing.grantPublish(this.ordersOutbox);

    const consumer = (
      name: string,
      eventType: string,
      entry: string,
      environment: Record<string, string>,
    ) => {
      const subscriber = domainEvents.addQueueSubscriber(name, {
        filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: [eventType] }) },
        rawMessageDelivery: true,
      });
      this.queues[name] = subscriber.queue;
      const created = new QueueConsumer(this, `${name}Consumer`, {
        queue: subscriber.queue,
        serviceName: name.toLowerCase(),
        entry: path.join(functionsDir, entry),
        environment,
        maxConcurrency: props.maxConcurrency,
        logRetention: props.logRetention,
        alarmTopic: props.alarmTopic,
      });
      props.idempotency.grantTo(created.function);
      props.publishing.grantPublish(created.function);
      return created;
    };
    this.restock = consumer('InventoryRestock', 'OrderCancelled', 'inventory/restock.handler.ts', {
      INVENTORY_TABLE_NAME: f.inventory.tableName,
      RESERVATIONS_TABLE_NAME: f.reservations.tableName,
    });
    f.inventory.grant(this.restock.function, 'dynamodb:UpdateItem');
    f.reservations.grant(this.restock.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.refund = consumer('PaymentsRefund', 'InventoryRestocked', 'payments/refund.handler.ts', {
      CUSTOMERS_TABLE_NAME: f.customers.tableName,
      CHARGES_TABLE_NAME: f.charges.tableName,
    });
    f.customers.grant(this.refund.function, 'dynamodb:UpdateItem');
    f.charges.grant(this.refund.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }
}
