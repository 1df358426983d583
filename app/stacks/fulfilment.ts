import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, Stack, Token, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Saga, type SecureRestApi, type TableReplication } from '@conflux/constructs';
import { createServiceFunction, INVOKED_BY_API_GATEWAY } from '@conflux/constructs';
import { serviceTable } from './tables';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Fulfilment}. */
export interface FulfilmentProps {
  readonly gateway: SecureRestApi;
  /** The orders table, whose items the saga confirms or marks failed. */
  readonly ordersTable: dynamodb.TableV2;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
  /**
   * Replicas of the stock tables (inventory and reservations; the `stock` family of `conflux:replication`).
   * Never strong: a reservation changes both in one transaction, which MRSC tables do not support.
   * @default - single-Region
   */
  readonly stockReplication?: TableReplication;
}

/**
 * Order placement as an orchestrated saga across three small services with their own tables — inventory
 * (stock and reservations), payments (customers with limits, charges) and shipping (shipments) — and the
 * orders service's confirmation. `GET /v1/inventory/{sku}` shows stock.
 */
export class Fulfilment extends Construct {
  public readonly inventory: dynamodb.TableV2;
  public readonly reservations: dynamodb.TableV2;
  public readonly customers: dynamodb.TableV2;
  public readonly charges: dynamodb.TableV2;
  public readonly shipments: dynamodb.TableV2;
  public readonly saga: Saga;

  constructor(scope: Construct, id: string, props: FulfilmentProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const { removalPolicy } = props;
    const table = (name: string, partitionKey: string, tableName?: string, replication?: TableReplication) =>
      serviceTable(this, name, {
        partitionKey,
        tableName,
        removalPolicy,
        replication,
        alarmTopic: props.alarmTopic,
      });
    const stock = props.stockReplication;
    // Named, so the offline runtime's seed (and operators) find them by stage.
    this.inventory = table('Inventory', 'sku', `${stackName}-inventory`, stock);
    this.customers = table('Customers', 'customerId', `${stackName}-customers`);
    this.reservations = table('Reservations', 'sagaId', undefined, stock);
    this.charges = table('Charges', 'sagaId');
    this.shipments = table('Shipments', 'sagaId');

    const service = (name: string, entry: string, environment: Record<string, string>): lambda.Function =>
      createServiceFunction(new Construct(this, name), {
        entry: path.join(functionsDir, entry),
        serviceName: name.replace(/Service$/, '').toLowerCase(),
        timeout: Duration.seconds(10),
        memorySize: 256,
        environment,
        logRetention: props.logRetention,
        alarmTopic: props.alarmTopic,
        noDeadLetterQueueBecause:
          'Step Functions invokes it synchronously and owns retries and compensation; failed compensations go to the saga’s DLQ.',
        errorMeaning: 'saga steps fail and orders are compensated.',
      }).fn;
    const inventoryFn = service('InventoryService', 'inventory/service.handler.ts', {
      INVENTORY_TABLE_NAME: this.inventory.tableName,
      RESERVATIONS_TABLE_NAME: this.reservations.tableName,
    });
    this.inventory.grant(inventoryFn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.reservations.grant(inventoryFn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    const paymentsFn = service('PaymentsService', 'payments/service.handler.ts', {
      CUSTOMERS_TABLE_NAME: this.customers.tableName,
      CHARGES_TABLE_NAME: this.charges.tableName,
    });
    this.customers.grant(paymentsFn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.charges.grant(paymentsFn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    const shippingFn = service('ShippingService', 'shipping/service.handler.ts', {
      SHIPMENTS_TABLE_NAME: this.shipments.tableName,
    });
    this.shipments.grant(shippingFn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    const confirmFn = service('OrdersSagaService', 'orders/saga.handler.ts', {
      ORDERS_TABLE_NAME: props.ordersTable.tableName,
    });
    props.ordersTable.grant(confirmFn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');

    this.saga = new Saga(this, 'PlaceOrder', {
      inputName: 'order',
      steps: [
        {
          name: 'reserve',
          action: { function: inventoryFn, operation: 'reserve' },
          compensation: { function: inventoryFn, operation: 'release' },
        },
        {
          name: 'charge',
          action: { function: paymentsFn, operation: 'charge' },
          compensation: { function: paymentsFn, operation: 'refund' },
        },
        {
          name: 'ship',
          action: { function: shippingFn, operation: 'ship' },
          compensation: { function: shippingFn, operation: 'cancel' },
        },
        { name: 'confirm', action: { function: confirmFn, operation: 'confirm' } },
      ],
      businessErrors: [
        'OutOfStockError',
        'PaymentDeclinedError',
        'UnserviceableRegionError',
        'OrderNoLongerPendingError',
        'SagaAlreadyCompensatedError',
        'InvalidMessageError',
      ],
      statusRecord: { table: props.ordersTable, keyName: 'orderId', keyPath: '$.order.orderId' },
      alarmTopic: props.alarmTopic,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    const inventoryApi = createServiceFunction(new Construct(this, 'InventoryApiFunction'), {
      entry: path.join(functionsDir, 'inventory/api.handler.ts'),
      serviceName: 'inventory-api',
      timeout: Duration.seconds(5),
      memorySize: 256,
      environment: { INVENTORY_TABLE_NAME: this.inventory.tableName },
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause: INVOKED_BY_API_GATEWAY,
      errorMeaning: 'GET /v1/inventory/{sku} answers 500.',
    }).fn;
    this.inventory.grant(inventoryApi, 'dynamodb:GetItem');
    props.gateway.addRoute({
      method: 'GET',
      path: '/v1/inventory/{sku}',
      target: { function: inventoryApi },
      scopes: ['inventory:read'],
    });
  }

  /** Lets the orders function start sagas and read their history; tells it the state machine. */
  public grantStart(fn: lambda.Function): void {
    this.saga.stateMachine.grantStartExecution(fn);
    this.saga.stateMachine.grantExecution(fn, 'states:GetExecutionHistory', 'states:DescribeExecution');
    fn.addEnvironment('PLACE_ORDER_STATE_MACHINE_ARN', this.saga.stateMachine.stateMachineArn);
    const stack = Stack.of(this);
    const machine = stack.getLogicalId(this.saga.stateMachine.node.defaultChild as CfnElement);
    // The finding names the ARN as rendered: pseudo parameters when env-agnostic, literals when the env is set.
    const literal = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
    const arn = `arn:${literal(stack.partition, 'Partition')}:states:${literal(stack.region, 'Region')}:${literal(stack.account, 'AccountId')}`;
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}:*]`,
      reason:
        'Reading the history of the saga executions it started: executions of this one state machine only.',
    });
  }
}
