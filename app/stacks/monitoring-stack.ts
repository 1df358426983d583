import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import type { QueueConsumer, QueueWithDlq } from '@conflux/constructs';
import type { ConfluxConfig } from '../config';
import type { ApiStack } from './api-stack';
import type { MessagingStack } from './messaging-stack';

/** Properties of the {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /** The deployment's configuration: its stage names the dashboards, alarms and custom metrics. */
  readonly config: ConfluxConfig;
  /** The stack whose alarm topic every alarm notifies, and whose consumers it watches. */
  readonly messaging: MessagingStack;
  /** The API stack: gateway, saga, webhooks, telemetry, cancellation and customers. */
  readonly api: ApiStack;
}

/** Any DLQ message is an alarm: `> 0`. */
const ANY_MESSAGE = { Critical: { maxMessageCount: 0 } };
/** A stream reader more than a minute behind. */
const ONE_MINUTE_BEHIND = { Critical: { maxAgeInMillis: 60_000 } };

/**
 * Dashboards and alarms for the deployed application, built with `cdk-monitoring-constructs`: one
 * dashboard (`conflux-<stage>`) with a section per flow and a summary dashboard. Every alarm notifies the
 * messaging stack's alarm topic. In its own stack: the Api stack is near CloudFormation's resource limit.
 */
export class MonitoringStack extends Stack {
  /** The facade that owns the dashboards and the alarms. */
  public readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, messaging, api } = props;
    const prefix = `conflux-${config.stage}`;
    const namespace = `Conflux/${config.stage}`;

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: messaging.alarmTopic }),
      },
      metricFactoryDefaults: {},
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: true,
        createAlarmDashboard: false,
      }),
    });
    const f = this.facade;

    // API edge: golden signals from AWS/ApiGateway; denials and throttles from the access log's status.
    const gateway = api.gateway;
    const denials = this.logCount(
      'AuthorizerDenials',
      gateway.accessLogs,
      '{ $.status = "401" || $.status = "403" }',
      namespace,
    );
    const throttles = this.logCount('ApiThrottles', gateway.accessLogs, '{ $.status = "429" }', namespace);
    f.addLargeHeader('API edge')
      .monitorApiGateway({
        api: api.api,
        apiStage: config.stage,
        humanReadableName: 'REST API',
        alarmFriendlyName: 'Api',
        add5XXFaultRateAlarm: { Critical: { maxErrorRate: 0.05 } },
      })
      .monitorLambdaFunction({ lambdaFunction: gateway.authorizerFunction, humanReadableName: 'Authorizer' })
      .monitorCustom({
        alarmFriendlyName: 'ApiDenialsAndThrottles',
        humanReadableName: 'Authorizer denials (401/403) and throttles (429)',
        metricGroups: [
          { title: 'Denials', metrics: [denials] },
          { title: 'Throttles', metrics: [throttles] },
        ],
      });

    // Place-order saga: executions from AWS/States; compensations from the saga's execution log.
    const saga = api.fulfilment.saga;
    const compensated = this.logCount(
      'SagaCompensations',
      saga.logGroup,
      '{ $.type = "ExecutionFailed" && $.details.error = "SagaCompensated" }',
      namespace,
    );
    const incomplete = this.logCount(
      'SagaCompensationsIncomplete',
      saga.logGroup,
      '{ $.type = "ExecutionFailed" && $.details.error = "SagaCompensationIncomplete" }',
      namespace,
    );
    f.addLargeHeader('Orders: place-order saga')
      .monitorStepFunction({
        stateMachine: saga.stateMachine,
        humanReadableName: 'PlaceOrder saga',
        alarmFriendlyName: 'PlaceOrderSaga',
        addFailedExecutionCountAlarm: { Critical: { maxErrorCount: 0 } },
        addThrottledExecutionCountAlarm: { Warning: { maxErrorCount: 0 } },
      })
      .monitorCustom({
        alarmFriendlyName: 'SagaCompensations',
        humanReadableName: 'Saga compensations',
        metricGroups: [
          {
            title: 'Executions ended compensated / compensation incomplete',
            metrics: [
              compensated,
              {
                metric: incomplete,
                alarmFriendlyName: 'SagaCompensationIncomplete',
                addAlarm: {
                  Critical: {
                    threshold: 0,
                    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              },
            ],
          },
        ],
      })
      .monitorSqsQueue({
        queue: saga.compensationDlq,
        humanReadableName: 'Compensation DLQ',
        alarmFriendlyName: 'CompensationDlq',
        addQueueMaxSizeAlarm: ANY_MESSAGE,
      })
      .monitorDynamoTable({ table: api.ordersTable, humanReadableName: 'Orders table' });
    this.replicationLatency(api, config);

    // Cancellation, choreographed on domain-events.
    f.addLargeHeader('Orders: cancellation').monitorLambdaFunction({
      lambdaFunction: api.cancellation.ordersOutbox,
      humanReadableName: 'Orders outbox (stream reader)',
      alarmFriendlyName: 'OrdersOutbox',
      isIterator: true,
      addMaxIteratorAgeAlarm: ONE_MINUTE_BEHIND,
    });
    this.consumer('InventoryRestock', api.cancellation.queues.InventoryRestock, api.cancellation.restock);
    this.consumer('PaymentsRefund', api.cancellation.queues.PaymentsRefund, api.cancellation.refund);

    // Webhooks: straight into SQS from the gateway.
    f.addLargeHeader('Webhooks');
    this.queue('Webhooks', api.webhooks);

    // Telemetry: straight into Kinesis from the gateway.
    f.addLargeHeader('Telemetry').monitorKinesisDataStream({
      streamName: api.telemetry.streamName,
      humanReadableName: 'Telemetry stream',
      alarmFriendlyName: 'TelemetryStream',
      addIteratorMaxAgeAlarm: ONE_MINUTE_BEHIND,
      addPutRecordsThrottledAlarm: { Warning: { maxRecordsThrottledThreshold: 0 } },
    });

    // Customers change data capture.
    const customers = api.customers;
    f.addLargeHeader('Customers: change data capture')
      .monitorKinesisDataStream({
        streamName: `conflux-${config.stage}-customer-changes`,
        humanReadableName: 'Customer change events',
        alarmFriendlyName: 'CustomerChanges',
        addIteratorMaxAgeAlarm: ONE_MINUTE_BEHIND,
      })
      .monitorLambdaFunction({
        lambdaFunction: customers.searchSink,
        humanReadableName: 'Search sink',
        alarmFriendlyName: 'SearchSink',
        isIterator: true,
        addMaxIteratorAgeAlarm: ONE_MINUTE_BEHIND,
      })
      .monitorLambdaFunction({
        lambdaFunction: customers.archiveSink,
        humanReadableName: 'Archive sink',
        alarmFriendlyName: 'ArchiveSink',
        isIterator: true,
        addMaxIteratorAgeAlarm: ONE_MINUTE_BEHIND,
      });

    // Messaging: the domain-events and ledger subscribers.
    f.addLargeHeader('Messaging: domain-events and ledger');
    for (const [name, { queue, consumer }] of Object.entries(messaging.consumers)) {
      this.consumer(name, queue, consumer);
    }
  }

  /** A queue with its DLQ: depth and age of both; an alarm on any DLQ message. */
  private queue(name: string, queue: QueueWithDlq): void {
    this.facade.monitorSqsQueueWithDlq({
      queue: queue.queue,
      deadLetterQueue: queue.deadLetterQueue,
      humanReadableName: `${name} queue`,
      alarmFriendlyName: `${name}Queue`,
      addDeadLetterQueueMaxSizeAlarm: ANY_MESSAGE,
    });
  }

  /** A queue consumer: its queue and DLQ, then its function (latency, invocations, errors, throttles). */
  private consumer(name: string, queue: QueueWithDlq | undefined, consumer: QueueConsumer): void {
    if (queue) this.queue(name, queue);
    this.facade.monitorLambdaFunction({
      lambdaFunction: consumer.function,
      humanReadableName: `${name} consumer`,
      alarmFriendlyName: `${name}Consumer`,
    });
  }

  /** The orders table's replication latency to each replica Region (AWS/DynamoDB, global tables only). */
  private replicationLatency(api: ApiStack, config: ConfluxConfig): void {
    const regions = config.replication.replicaRegions;
    if (regions.length === 0) return;
    this.facade.monitorCustom({
      alarmFriendlyName: 'OrdersReplication',
      humanReadableName: 'Orders table replication latency',
      metricGroups: [
        {
          title: 'ReplicationLatency (ms)',
          metrics: regions.map(
            (region) =>
              new cloudwatch.Metric({
                namespace: 'AWS/DynamoDB',
                metricName: 'ReplicationLatency',
                dimensionsMap: { TableName: api.ordersTable.tableName, ReceivingRegion: region },
                statistic: 'Average',
                period: Duration.minutes(1),
              }),
          ),
        },
      ],
    });
  }

  /** A count of the log events matching `pattern`, as a custom metric (a metric filter in this stack). */
  private logCount(
    name: string,
    logGroup: logs.ILogGroup,
    pattern: string,
    namespace: string,
  ): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, `${name}Filter`, {
      logGroup,
      filterPattern: logs.FilterPattern.literal(pattern),
      metricNamespace: namespace,
      metricName: name,
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ statistic: 'Sum', period: Duration.minutes(5) });
  }
}
