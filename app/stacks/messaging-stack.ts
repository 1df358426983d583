import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubs from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { NOTIFIED_EVENTS } from '../functions/notifications/events';
import type { ConfluxConfig } from '../config';
import {
  EventSchemaRegistry,
  FanOutTopic,
  IdempotencyTable,
  QueueConsumer,
  type QueueWithDlq,
} from '@conflux/constructs';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of the {@link MessagingStack}. */
export interface MessagingStackProps extends StackProps {
  /** The deployment's configuration. */
  readonly config: ConfluxConfig;
  /** The event schema folder the registry is provisioned from. @default - `app/schemas/` */
  readonly schemasDir?: string;
}

/**
 * The reference application's messaging: the `domain-events` fan-out topic with its `notifications` and
 * `analytics` subscribers, and the FIFO `ledger` topic whose postings keep their order per account.
 */
export class MessagingStack extends Stack {
  /** Alarm notifications of every construct in the stack. */
  public readonly alarmTopic: sns.Topic;
  /** The topic every bounded context publishes its domain events to. */
  public readonly domainEvents: FanOutTopic;
  /** The Glue Schema Registry of every event type. */
  public readonly schemaRegistry: EventSchemaRegistry;
  /** The FIFO topic of ledger postings, grouped by account. */
  public readonly ledger: FanOutTopic;
  /** The stack's queue consumers by flow (`notifications`, `analytics`, `ledger`): queue, DLQ and function. */
  public readonly consumers: Readonly<
    Record<string, { readonly queue: QueueWithDlq; readonly consumer: QueueConsumer }>
  >;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.alarmTopic = alarmTopic(this, config);
    this.schemaRegistry = new EventSchemaRegistry(this, 'EventSchemas', {
      dir: props.schemasDir ?? path.resolve(functionsDir, '../schemas'),
      registryName: `conflux-${config.stage}-events`,
    });
    const idempotency = new IdempotencyTable(this, 'IdempotencyTable', {
      removalPolicy: config.removalPolicy,
    });
    const common = {
      alarmTopic: this.alarmTopic,
      maxConcurrency: config.consumerMaxConcurrency,
      logRetention: config.logRetention,
    };

    this.domainEvents = new FanOutTopic(this, 'DomainEvents', {
      alarmTopic: this.alarmTopic,
      removalPolicy: config.removalPolicy,
    });
    const notifications = this.domainEvents.addQueueSubscriber('Notifications', {
      filterPolicy: {
        eventType: sns.SubscriptionFilter.stringFilter({ allowlist: Object.keys(NOTIFIED_EVENTS) }),
      },
      rawMessageDelivery: true,
    });
    const analytics = this.domainEvents.addQueueSubscriber('Analytics', { rawMessageDelivery: true });

    this.ledger = new FanOutTopic(this, 'Ledger', {
      fifo: true,
      alarmTopic: this.alarmTopic,
      removalPolicy: config.removalPolicy,
    });
    const postings = this.ledger.addQueueSubscriber('Postings', { rawMessageDelivery: true });

    const notificationsTable = this.table('NotificationsTable', 'notificationId', config);
    const notifier = new QueueConsumer(this, 'NotificationsConsumer', {
      ...common,
      queue: notifications.queue,
      serviceName: 'notifications',
      entry: path.join(functionsDir, 'notifications/order-events.handler.ts'),
      environment: { NOTIFICATIONS_TABLE_NAME: notificationsTable.tableName },
    });
    notificationsTable.grant(notifier.function, 'dynamodb:PutItem');

    const analyticsTable = this.table('AnalyticsTable', 'counterId', config);
    const counter = new QueueConsumer(this, 'AnalyticsConsumer', {
      ...common,
      queue: analytics.queue,
      serviceName: 'analytics',
      entry: path.join(functionsDir, 'analytics/event-counts.handler.ts'),
      environment: { ANALYTICS_TABLE_NAME: analyticsTable.tableName },
    });
    analyticsTable.grant(counter.function, 'dynamodb:UpdateItem');

    const balancesTable = this.table('LedgerBalancesTable', 'accountId', config);
    const ledgerConsumer = new QueueConsumer(this, 'LedgerConsumer', {
      ...common,
      queue: postings.queue,
      serviceName: 'ledger',
      entry: path.join(functionsDir, 'ledger/postings.handler.ts'),
      environment: { BALANCES_TABLE_NAME: balancesTable.tableName },
    });
    balancesTable.grant(ledgerConsumer.function, 'dynamodb:UpdateItem');

    for (const consumer of [notifier, counter, ledgerConsumer]) idempotency.grantTo(consumer.function);
    this.consumers = {
      notifications: { queue: notifications.queue, consumer: notifier },
      analytics: { queue: analytics.queue, consumer: counter },
      ledger: { queue: postings.queue, consumer: ledgerConsumer },
    };
  }

  private table(id: string, partitionKey: string, config: ConfluxConfig): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: config.removalPolicy,
    });
  }
}

/**
 * The topic alarms notify: encrypted with a key CloudWatch may use, TLS only, and mailed to
 * `conflux:alarmEmail` when that is set.
 */
function alarmTopic(scope: Construct, config: ConfluxConfig): sns.Topic {
  const key = new kms.Key(scope, 'AlarmTopicKey', {
    description: 'Encrypts the Conflux alarm topic',
    enableKeyRotation: true,
    removalPolicy: config.removalPolicy,
  });
  // CloudWatch publishes alarm state changes as the service, so the key policy must let it encrypt.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new sns.Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  if (config.alarmEmail) topic.addSubscription(new snsSubs.EmailSubscription(config.alarmEmail));
  return topic;
}
