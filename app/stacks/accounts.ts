import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Movement, OpenAccount } from '../functions/accounts/contract';
import { EventStore, Projection, type SecureRestApi, type TableReplication } from '@conflux/constructs';
import type { DomainEventPublishing } from './publishing';
import { createServiceFunction, INVOKED_BY_API_GATEWAY } from '@conflux/constructs';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Accounts}. */
export interface AccountsProps {
  readonly gateway: SecureRestApi;
  /** Where the outbox publishes the store's events as integration events. */
  readonly publishing: DomainEventPublishing;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
  /**
   * Replicas of the account view (the projection's read models; the event store always stays single-Region) in other Regions (the `readModels` family of `conflux:replication`).
   * @default - single-Region
   */
  readonly replication?: TableReplication;
}

/**
 * The ledger's accounts, event-sourced: commands append to the {@link EventStore}; the `accounts`
 * {@link Projection} keeps the read model; the outbox relay publishes every committed event to
 * `domain-events`. These are the store's two stream readers.
 */
export class Accounts extends Construct {
  public readonly store: EventStore;
  public readonly view: Projection;

  constructor(scope: Construct, id: string, props: AccountsProps) {
    super(scope, id);
    this.store = new EventStore(this, 'EventStore', {
      snapshotEvery: 50,
      removalPolicy: props.removalPolicy,
      alarmTopic: props.alarmTopic,
      logRetention: props.logRetention,
    });
    this.view = new Projection(this, 'AccountsView', {
      store: this.store,
      projectionName: 'accounts',
      keyName: 'accountId',
      entry: path.join(functionsDir, 'accounts/projector.handler.ts'),
      replication: props.replication,
      alarmTopic: props.alarmTopic,
    });
    const outbox = this.store.addStreamReader('Outbox', {
      entry: path.join(functionsDir, 'accounts/events-publisher.handler.ts'),
      serviceName: 'outbox',
      errorMeaning: 'integration events stop reaching the domain-events topic.',
    });
    props.publishing.grantPublish(outbox.function);

    const { fn } = createServiceFunction(new Construct(this, 'ApiFunction'), {
      entry: path.join(functionsDir, 'accounts/api.handler.ts'),
      serviceName: 'accounts',
      timeout: Duration.seconds(10),
      memorySize: 256,
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause: INVOKED_BY_API_GATEWAY,
      errorMeaning: 'Accounts routes answer 500.',
    });
    this.store.grantAppend(fn);
    this.view.grantRead(fn);

    const target = { function: fn };
    const gateway = props.gateway;
    gateway.addRoute({
      method: 'POST',
      path: '/v1/accounts',
      target,
      scopes: ['accounts:write'],
      body: OpenAccount,
      idempotent: true,
    });
    for (const movement of ['deposits', 'withdrawals']) {
      gateway.addRoute({
        method: 'POST',
        path: `/v1/accounts/{accountId}/${movement}`,
        target,
        scopes: ['accounts:write'],
        body: Movement,
        idempotent: true,
      });
    }
    gateway.addRoute({ method: 'GET', path: '/v1/accounts/{accountId}', target, scopes: ['accounts:read'] });
    gateway.addRoute({
      method: 'GET',
      path: '/v1/accounts/{accountId}/events',
      target,
      scopes: ['accounts:read'],
    });
  }
}
