import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Size, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CreateOrderV1, CreateOrderV2 } from '../functions/orders/contract';
import { TelemetryReading, WEBHOOK_PROVIDERS, WebhookBody } from '../functions/webhooks/contract';
import { familyReplication, type ConfluxConfig } from '../config';
import {
  IdempotencyTable,
  QueueConsumer,
  QueueWithDlq,
  SecureRestApi,
  type FanOutTopic,
} from '@conflux/constructs';
import { Accounts } from './accounts';
import { Cancellation } from './cancellation';
import { Catalog } from './catalog';
import { Customers } from './customers';
import { Fulfilment } from './fulfilment';
import { Lake } from './lake';
import { DomainEventPublishing } from './publishing';
import { createServiceFunction, INVOKED_BY_API_GATEWAY, replicatedTable } from '@conflux/constructs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const functionsDir = path.join(root, 'app', 'functions');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

/** Properties of the {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  readonly config: ConfluxConfig;
  /** Where the API's alarms notify. */
  readonly alarmTopic?: sns.ITopic;
  /** The topic integration events are published to (the accounts' outbox). */
  readonly domainEvents: FanOutTopic;
}

/**
 * The reference application's REST API on a {@link SecureRestApi}: `GET /v1/health` (open), the orders
 * routes in two versions (`/v1/orders` deprecated in favour of `/v2/orders`), webhooks straight into SQS and
 * telemetry straight into Kinesis, with no Lambda in either path.
 */
export class ApiStack extends Stack {
  public readonly gateway: SecureRestApi;
  /** The REST API. */
  public readonly api: apigw.RestApi;
  public readonly ordersTable: dynamodb.TableV2;
  /** Webhooks as received, with their DLQ. */
  public readonly webhooks: QueueWithDlq;
  /** Where consumed webhooks are recorded, once per provider event id. */
  public readonly webhookInbox: dynamodb.TableV2;
  /** Telemetry readings, partitioned by device. */
  public readonly telemetry: kinesis.Stream;
  /** Producers' access to domain-events, and the queue of events rejected by their schema. */
  public readonly publishing: DomainEventPublishing;
  /** The event-sourced accounts. */
  public readonly accounts: Accounts;
  /** Order placement: the saga and its services. */
  public readonly fulfilment: Fulfilment;
  /** Cancellation after confirmation, choreographed on domain-events. */
  public readonly cancellation: Cancellation;
  /** The catalog and its product view. */
  public readonly catalog: Catalog;
  /** Customers: CRUD on a table, captured as change events into a search view and a raw archive. */
  public readonly customers: Customers;
  /** The data lake: telemetry and customer changes raw, the catalog, the nightly customers ETL. */
  public readonly lake: Lake;
  /** API keys of the demo clients, by tier. */
  public readonly apiKeys: Readonly<Record<string, apigw.IApiKey>>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, alarmTopic } = props;
    const { api: apiConfig } = config;

    this.gateway = new SecureRestApi(this, 'Api', {
      apiName: `conflux-${config.stage}`,
      stageName: config.stage,
      auth: apiConfig.auth,
      tiers: apiConfig.tiers,
      deprecations: apiConfig.deprecations,
      corsOrigins: apiConfig.corsOrigins,
      waf: { enabled: apiConfig.waf, ratePer5Minutes: apiConfig.wafRateLimit },
      stageThrottle: apiConfig.stageThrottle,
      idempotencyWindow: Duration.seconds(apiConfig.idempotencyWindowSeconds),
      maxBodyBytes: apiConfig.maxBodyBytes,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      alarmTopic,
    });
    this.api = this.gateway.api;
    this.apiKeys = Object.fromEntries(
      Object.keys(apiConfig.tiers).map((tier) => [tier, this.gateway.addApiKey(`DemoKey-${tier}`, tier)]),
    );

    const fn = (name: string, entry: string, environment: Record<string, string>, meaning: string) =>
      createServiceFunction(new Construct(this, name), {
        entry: path.join(functionsDir, entry),
        serviceName: name.replace(/Function$/, '').toLowerCase(),
        timeout: Duration.seconds(10),
        memorySize: 256,
        environment,
        logRetention: config.logRetention,
        alarmTopic,
        noDeadLetterQueueBecause: INVOKED_BY_API_GATEWAY,
        errorMeaning: meaning,
      }).fn;

    const health = fn(
      'HealthFunction',
      'platform/health.handler.ts',
      { SERVICE_VERSION: version },
      'GET /v1/health answers 500.',
    );
    this.gateway.addRoute({
      method: 'GET',
      path: '/v1/health',
      target: { function: health },
      open: {
        reason:
          'GET /v1/health is public by design (the API contract): it reveals only liveness and the version.',
      },
    });

    const readModels = familyReplication(config.replication, 'readModels');
    // The `orders` family: strong (MRSC) where the Regions allow it, so a confirmed order survives a Region's loss.
    this.ordersTable = replicatedTable(
      this,
      'OrdersTable',
      {
        partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
        dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: config.removalPolicy,
      },
      { replication: familyReplication(config.replication, 'orders'), alarmTopic },
    );
    const orders = fn(
      'OrdersFunction',
      'orders/api.handler.ts',
      { ORDERS_TABLE_NAME: this.ordersTable.tableName },
      'Orders routes answer 500.',
    );
    this.ordersTable.grant(orders, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    this.fulfilment = new Fulfilment(this, 'Fulfilment', {
      gateway: this.gateway,
      ordersTable: this.ordersTable,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      alarmTopic,
      stockReplication: familyReplication(config.replication, 'stock'),
    });
    this.fulfilment.grantStart(orders);
    this.addOrderRoutes(orders);

    this.webhooks = new QueueWithDlq(this, 'Webhooks', {
      maxReceiveCount: 5,
      // Pinned, so that a webhook over 256 KiB is a 413 wherever the stack runs.
      maxMessageSize: Size.kibibytes(256),
      visibilityTimeout: Duration.seconds(180),
      alarmTopic,
      removalPolicy: config.removalPolicy,
    });
    this.webhookInbox = new dynamodb.TableV2(this, 'WebhookInboxTable', {
      partitionKey: { name: 'webhookId', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: config.removalPolicy,
    });
    const inbox = new QueueConsumer(this, 'WebhooksConsumer', {
      queue: this.webhooks,
      serviceName: 'webhooks',
      entry: path.join(functionsDir, 'webhooks/inbox.handler.ts'),
      environment: { WEBHOOK_INBOX_TABLE_NAME: this.webhookInbox.tableName },
      maxConcurrency: config.consumerMaxConcurrency,
      logRetention: config.logRetention,
      alarmTopic,
    });
    this.webhookInbox.grant(inbox.function, 'dynamodb:PutItem');
    const consumerIdempotency = new IdempotencyTable(this, 'ConsumerIdempotency', {
      removalPolicy: config.removalPolicy,
    });
    consumerIdempotency.grantTo(inbox.function);
    this.addWebhookRoutes();

    this.telemetry = new kinesis.Stream(this, 'Telemetry', {
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      encryption: kinesis.StreamEncryption.MANAGED,
    });
    this.addTelemetryRoute();

    this.publishing = new DomainEventPublishing(this, 'Publishing', {
      domainEvents: props.domainEvents,
      alarmTopic,
    });
    this.accounts = new Accounts(this, 'Accounts', {
      gateway: this.gateway,
      publishing: this.publishing,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      alarmTopic,
      replication: readModels,
    });

    this.cancellation = new Cancellation(this, 'Cancellation', {
      ordersTable: this.ordersTable,
      fulfilment: this.fulfilment,
      domainEvents: props.domainEvents,
      publishing: this.publishing,
      idempotency: consumerIdempotency,
      maxConcurrency: config.consumerMaxConcurrency,
      logRetention: config.logRetention,
      alarmTopic,
    });

    this.catalog = new Catalog(this, 'Catalog', {
      gateway: this.gateway,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      alarmTopic,
      replication: readModels,
    });

    this.customers = new Customers(this, 'Customers', {
      gateway: this.gateway,
      stage: config.stage,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      alarmTopic,
      replication: readModels,
    });

    this.lake = new Lake(this, 'Lake', {
      stage: config.stage,
      telemetry: this.telemetry,
      customers: this.customers,
      bufferSeconds: config.lakeBufferSeconds,
      settleSeconds: config.etlSettleSeconds,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      alarmTopic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.gateway.url });
  }

  private addOrderRoutes(orders: lambda.Function): void {
    const route = { target: { function: orders } };
    this.gateway.addRoute({
      ...route,
      method: 'POST',
      path: '/v1/orders',
      scopes: ['orders:write'],
      body: CreateOrderV1,
      idempotent: true,
      successor: '/v2/orders',
    });
    this.gateway.addRoute({
      ...route,
      method: 'GET',
      path: '/v1/orders/{orderId}',
      scopes: ['orders:read'],
      successor: '/v2/orders/{orderId}',
    });
    this.gateway.addRoute({
      ...route,
      method: 'POST',
      path: '/v2/orders',
      scopes: ['orders:write'],
      body: CreateOrderV2,
      idempotent: true,
    });
    this.gateway.addRoute({ ...route, method: 'GET', path: '/v2/orders/{orderId}', scopes: ['orders:read'] });
    this.gateway.addRoute({
      ...route,
      method: 'POST',
      path: '/v2/orders/{orderId}/cancel',
      scopes: ['orders:write'],
    });
  }

  /**
   * `POST /v1/webhooks/{provider}` for each known provider: the body (validated against its model) becomes
   * the message, with the provider and the gateway's received-at time as message attributes. A provider
   * not listed has no resource, so the gateway answers 404 without queueing anything.
   */
  private addWebhookRoutes(): void {
    const role = new iam.Role(this, 'WebhooksIntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway send webhooks to their queue',
    });
    this.webhooks.queue.grantSendMessages(role);
    for (const provider of WEBHOOK_PROVIDERS) {
      const attributes =
        `&MessageAttribute.1.Name=provider&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=${provider}` +
        '&MessageAttribute.2.Name=receivedAt&MessageAttribute.2.Value.DataType=Number&MessageAttribute.2.Value.StringValue=$context.requestTimeEpoch';
      this.gateway.addRoute({
        method: 'POST',
        path: `/v1/webhooks/${provider}`,
        scopes: ['webhooks:write'],
        body: WebhookBody,
        target: {
          integration: new apigw.AwsIntegration({
            service: 'sqs',
            path: `${this.account}/${this.webhooks.queue.queueName}`,
            options: {
              credentialsRole: role,
              passthroughBehavior: apigw.PassthroughBehavior.NEVER,
              requestParameters: {
                'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
              },
              requestTemplates: {
                'application/json': `Action=SendMessage&MessageBody=$util.urlEncode($input.body)${attributes}`,
              },
              integrationResponses: accepted(
                '{"accepted":true,"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')","requestId":"$context.requestId"}',
                {
                  tooLarge:
                    'The webhook body and its attributes are larger than the queue accepts (262,144 bytes).',
                },
              ),
            },
          }),
          methodResponses: methodResponses(['202', '413', '500']),
        },
      });
    }
  }

  /** `POST /v1/telemetry`: one reading into the stream, partitioned by its device. */
  private addTelemetryRoute(): void {
    const role = new iam.Role(this, 'TelemetryIntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway put telemetry records',
    });
    this.telemetry.grantWrite(role);
    this.gateway.addRoute({
      method: 'POST',
      path: '/v1/telemetry',
      scopes: ['telemetry:write'],
      body: TelemetryReading,
      target: {
        integration: new apigw.AwsIntegration({
          service: 'kinesis',
          action: 'PutRecord',
          options: {
            credentialsRole: role,
            passthroughBehavior: apigw.PassthroughBehavior.NEVER,
            requestTemplates: {
              'application/json': `{"StreamName":"${this.telemetry.streamName}","Data":"$util.base64Encode($input.body)","PartitionKey":"$util.escapeJavaScript($input.path('$.deviceId'))"}`,
            },
            integrationResponses: accepted(
              '{"accepted":true,"sequenceNumber":"$input.path(\'$.SequenceNumber\')","requestId":"$context.requestId"}',
              {
                tooLarge: 'The reading is larger than a stream record may be (1 MiB).',
                busyErrorType: 'ProvisionedThroughputExceeded',
              },
            ),
          },
        }),
        methodResponses: methodResponses(['202', '413', '500', '503']),
      },
    });
  }
}

/**
 * 202 on success; the backend refusing is a 500 in the API's error shape (the client's input was valid).
 * With `tooLarge`, a 400 from the backend is the client's 413: once the model has validated the body, the
 * only request SQS or Kinesis refuses with a 400 is one over its size limit, and no retry of it can
 * succeed — except Kinesis's throughput refusal, also a 400, whose error type `busyErrorType` names: that
 * one is a 503 to retry.
 */
function accepted(
  successTemplate: string,
  options: { tooLarge?: string; busyErrorType?: string } = {},
): apigw.IntegrationResponse[] {
  const tooLargeBody = `{"error":{"code":"PayloadTooLarge","message":"${options.tooLarge ?? ''}","requestId":"$context.requestId"}}`;
  const tooLargeTemplate = options.busyErrorType
    ? [
        "#set($type = $input.path('$.__type'))",
        `#if($type && $type.contains('${options.busyErrorType}'))`,
        '#set($context.responseOverride.status = 503)',
        '{"error":{"code":"ServiceUnavailable","message":"The stream is busy; retry later.","requestId":"$context.requestId"}}',
        '#else',
        tooLargeBody,
        '#end',
      ].join('\n')
    : tooLargeBody;
  const tooLarge: apigw.IntegrationResponse[] = options.tooLarge
    ? [
        {
          statusCode: '413',
          selectionPattern: '400',
          responseTemplates: { 'application/json': tooLargeTemplate },
          responseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
        },
      ]
    : [];
  return [
    ...tooLarge,
    {
      statusCode: '202',
      responseTemplates: { 'application/json': successTemplate },
      responseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
    },
    {
      statusCode: '500',
      selectionPattern: options.tooLarge ? '40[1-9]|4[1-9]\\d|5\\d{2}' : '[45]\\d{2}',
      responseTemplates: {
        'application/json':
          '{"error":{"code":"BackendRejected","message":"The request could not be stored; retry later.","requestId":"$context.requestId"}}',
      },
      responseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
    },
  ];
}

function methodResponses(statuses: readonly string[] = ['202', '500']): apigw.MethodResponse[] {
  return statuses.map((statusCode) => ({
    statusCode,
    responseParameters: { 'method.response.header.Cache-Control': true },
  }));
}
