import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Size, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createServiceFunction, EtlPipeline, LakeCatalog, RawZone } from '@conflux/constructs';
import {
  CUSTOMER_CHANGE_COLUMNS,
  CUSTOMERS_CURATED_COLUMNS,
  CUSTOMERS_CURATED_TABLE,
  LAKE_QUERIES,
  LAKE_SOURCES,
  lakeDatabaseName,
  TELEMETRY_COLUMNS,
} from '../functions/lake/contract';
import { CUSTOMERS_PIPELINE } from '../functions/lake/domain';
import type { Customers } from './customers';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Lake}. */
export interface LakeProps {
  /** The deployment stage: names the Glue database `conflux_<stage>_lake`. */
  readonly stage: string;
  /** The telemetry readings' stream (`POST /v1/telemetry`). */
  readonly telemetry: kinesis.IStream;
  /** Customers: their change events feed the raw zone, their table the nightly pipeline. */
  readonly customers: Customers;
  /** How long the delivery streams buffer, in seconds (`conflux:lakeBufferSeconds`). */
  readonly bufferSeconds: number;
  /** How long a customers write may take to become visible to the ETL's scan (`conflux:etlSettleSeconds`). */
  readonly settleSeconds: number;
  /** What happens to the lake bucket, the watermark table and the catalog when they leave the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Retention of the functions', delivery streams' and state machine's logs. */
  readonly logRetention: logs.RetentionDays;
  /** Where the lake's alarms notify. */
  readonly alarmTopic?: sns.ITopic;
}

const STATE_MACHINE_TASK =
  'Invoked by the ETL state machine, synchronously; the task retries Lambda’s transient errors and a failure fails the execution, which is alarmed.';

/**
 * The data lake: a {@link RawZone} fed by the telemetry stream and the customers' change events (raw,
 * gzip JSON lines, partitioned by the day and hour they arrived), a {@link LakeCatalog} over it (tables
 * `telemetry`, `customer_changes`, `customers_curated`; the named queries of `functions/lake/contract.ts`)
 * and the `customers-nightly` {@link EtlPipeline}: at 02:00 London time (within 15 minutes) it extracts the
 * customers changed since its watermark, cleanses them, quarantines the rejects and loads the rest into
 * `curated/customers-nightly/`.
 */
export class Lake extends Construct {
  /** The lake bucket and its Firehose sources. */
  public readonly rawZone: RawZone;
  /** The Glue database, the Athena workgroup and the named queries. */
  public readonly catalog: LakeCatalog;
  /** The nightly customers ETL. */
  public readonly customersNightly: EtlPipeline;

  constructor(scope: Construct, id: string, props: LakeProps) {
    super(scope, id);
    const { removalPolicy, logRetention, alarmTopic } = props;

    this.rawZone = new RawZone(this, 'RawZone', {
      removalPolicy,
      alarmTopic,
      logRetention,
      defaultBuffering: { size: Size.mebibytes(5), interval: Duration.seconds(props.bufferSeconds) },
    });
    this.rawZone.addSource('Telemetry', { name: LAKE_SOURCES.telemetry, stream: props.telemetry });
    // The json-lines transform drops the tombstone after each delete: it has no data to keep.
    this.rawZone.addSource('CustomerChanges', {
      name: LAKE_SOURCES.customerChanges,
      stream: props.customers.changes,
    });

    const bucket = this.rawZone.bucket;
    this.catalog = new LakeCatalog(this, 'Catalog', {
      databaseName: lakeDatabaseName(props.stage),
      bucket,
      removalPolicy,
    });
    const hourly = [
      { name: 'dt', type: 'date', format: 'yyyy-MM-dd', range: '2026-01-01,NOW' },
      { name: 'hour', type: 'integer', range: '0,23', digits: 2 },
    ] as const;
    this.catalog.addTable('TelemetryTable', {
      name: LAKE_SOURCES.telemetry,
      location: `raw/${LAKE_SOURCES.telemetry}/`,
      columns: [...TELEMETRY_COLUMNS],
      partitions: [...hourly],
    });
    this.catalog.addTable('CustomerChangesTable', {
      name: LAKE_SOURCES.customerChanges,
      location: `raw/${LAKE_SOURCES.customerChanges}/`,
      columns: [...CUSTOMER_CHANGE_COLUMNS],
      partitions: [...hourly],
    });
    this.catalog.addTable('CustomersCuratedTable', {
      name: CUSTOMERS_CURATED_TABLE,
      location: `curated/${CUSTOMERS_PIPELINE}/`,
      columns: [...CUSTOMERS_CURATED_COLUMNS],
      partitions: [{ name: 'dt', type: 'date', format: 'yyyy-MM-dd', range: '2026-01-01,NOW' }],
    });
    for (const query of LAKE_QUERIES) {
      this.catalog.addNamedQuery(pascal(query.name), query);
    }

    this.customersNightly = this.customersPipeline(props);
  }

  /** customers-nightly: its three functions and the pipeline that runs them. */
  private customersPipeline(props: LakeProps): EtlPipeline {
    const { logRetention, alarmTopic } = props;
    const step = (name: string, environment: Record<string, string>, meaning: string): lambda.Function =>
      createServiceFunction(new Construct(this, `CustomersNightly${name}`), {
        entry: path.join(functionsDir, 'lake', `${name.toLowerCase()}.handler.ts`),
        serviceName: `${CUSTOMERS_PIPELINE}-${name.toLowerCase()}`,
        timeout: Duration.minutes(5),
        memorySize: 512,
        environment,
        logRetention,
        alarmTopic,
        noDeadLetterQueueBecause: STATE_MACHINE_TASK,
        errorMeaning: meaning,
      }).fn;
    const table = props.customers.table;
    const extract = step(
      'Extract',
      { CUSTOMERS_TABLE_NAME: table.tableName, SCAN_SEGMENTS: '4' },
      'the nightly customers run fails: the curated customers and the quarantine fall a night behind.',
    );
    // A scan only (with ConsistentRead): TableV2.grantReadData would add Query, GetItem and the indexes.
    extract.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
    );
    const transform = step(
      'Transform',
      {},
      'the nightly customers run fails: nothing is cleansed or quarantined.',
    );
    const load = step('Load', {}, 'the nightly customers run fails: curated customers are not updated.');

    return new EtlPipeline(this, 'CustomersNightly', {
      pipelineName: CUSTOMERS_PIPELINE,
      extract,
      transform,
      load,
      bucket: this.rawZone.bucket,
      schedule: 'cron(0 2 * * ? *)',
      timeZone: 'Europe/London',
      flexibleWindow: Duration.minutes(15),
      settle: Duration.seconds(props.settleSeconds),
      removalPolicy: props.removalPolicy,
      logRetention,
      alarmTopic,
    });
  }
}

/** `daily_device_aggregates` → `DailyDeviceAggregates`: a construct id per named query. */
const pascal = (name: string) =>
  name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
