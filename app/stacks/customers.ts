import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BY_TERM_INDEX, CustomerBody } from '../functions/customers/contract';
import {
  ChangeCapture,
  createServiceFunction,
  EventStream,
  INVOKED_BY_API_GATEWAY,
  type SecureRestApi,
  type TableReplication,
} from '@conflux/constructs';
import { serviceTable } from './tables';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Customers}. */
export interface CustomersProps {
  readonly gateway: SecureRestApi;
  /** The deployment stage: names the change-event stream `conflux-<stage>-customer-changes`. */
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
  /**
   * Replicas of the search view in other Regions (the `readModels` family of `conflux:replication`).
   * @default - single-Region
   */
  readonly replication?: TableReplication;
}

const STREAM_MAPPED =
  'Invoked by its stream mapping, synchronously; batches it gives up on go to the mapping’s on-failure queue.';

/**
 * Customers, log-based change data capture: the CRUD routes write a plain table; its DynamoDB stream is
 * captured as Debezium-format change events onto an {@link EventStream}; two sinks consume them, each
 * idempotent by source position: the search view behind `GET /v1/customers/search` (through enhanced
 * fan-out) and a raw change archive in S3 (`cdc/table=<table>/date=<yyyy-mm-dd>/…`, shared throughput).
 */
export class Customers extends Construct {
  /** The source table, the record of truth. */
  public readonly table: dynamodb.TableV2;
  /** The customers' change events. */
  public readonly changes: EventStream;
  /** The table's capture onto {@link changes}. */
  public readonly capture: ChangeCapture;
  /** The search view: a row per customer and an item per search term, indexed `byTerm`. */
  public readonly searchTable: dynamodb.TableV2;
  /** The raw change archive. */
  public readonly archive: s3.Bucket;
  /** The search sink. */
  public readonly searchSink: lambda.Function;
  /** The archive sink. */
  public readonly archiveSink: lambda.Function;

  constructor(scope: Construct, id: string, props: CustomersProps) {
    super(scope, id);
    const { removalPolicy, logRetention, alarmTopic } = props;

    this.table = serviceTable(this, 'Table', {
      partitionKey: 'customerId',
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
    });
    this.searchTable = serviceTable(this, 'SearchView', {
      partitionKey: 'customerId',
      sortKey: 'entry',
      removalPolicy,
      replication: props.replication,
      alarmTopic,
    });
    this.searchTable.addGlobalSecondaryIndex({
      indexName: BY_TERM_INDEX,
      partitionKey: { name: 'term', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['name', 'email', 'phone'],
    });
    this.archive = this.archiveBucket(removalPolicy);

    this.changes = new EventStream(this, 'Changes', {
      streamName: `conflux-${props.stage}-customer-changes`,
      alarmTopic,
      removalPolicy,
    });
    this.capture = new ChangeCapture(this, 'Capture', {
      table: this.table,
      keyAttributes: ['customerId'],
      eventStream: this.changes,
      serverName: 'conflux',
      alarmTopic,
      logRetention,
      removalPolicy,
    });

    const sink = (name: string, entry: string, environment: Record<string, string>, meaning: string) =>
      createServiceFunction(new Construct(this, name), {
        entry: path.join(functionsDir, 'customers', entry),
        serviceName: `customers-${name.replace(/Sink$/, '').toLowerCase()}-sink`,
        timeout: Duration.seconds(60),
        memorySize: 256,
        environment,
        logRetention,
        alarmTopic,
        noDeadLetterQueueBecause: STREAM_MAPPED,
        errorMeaning: meaning,
      }).fn;

    this.searchSink = sink(
      'SearchSink',
      'search-sink.handler.ts',
      { SEARCH_TABLE_NAME: this.searchTable.tableName },
      'customer changes wait, retried, before reaching the search view.',
    );
    // Exact resources: TableV2.grant would add `<table>/index/*`. A transaction's puts and deletes are
    // authorised as PutItem and DeleteItem on the table.
    this.searchSink.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [this.searchTable.tableArn],
      }),
    );
    this.changes.addConsumer('Search', this.searchSink, {
      enhancedFanOut: true,
      alarmMeaning: 'customer search answers miss recent changes.',
    });

    this.archiveSink = sink(
      'ArchiveSink',
      'archive-sink.handler.ts',
      { ARCHIVE_BUCKET_NAME: this.archive.bucketName },
      'customer changes wait, retried, before reaching the raw archive.',
    );
    // PutObject only, under cdc/ (grantPut would add s3:Abort* and more).
    this.archiveSink.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.archive.arnForObjects('cdc/*')],
      }),
    );
    const bucket = Stack.of(this).getLogicalId(this.archive.node.defaultChild as CfnElement);
    Validations.of(this.archiveSink.role ?? this.archiveSink).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/cdc/*]`,
      reason:
        'Writing archive objects, whose keys are made per change: PutObject under the cdc/ prefix of this one bucket only.',
    });
    this.changes.addConsumer('Archive', this.archiveSink, {
      alarmMeaning: 'the raw change archive falls behind the customers table.',
    });

    this.addApi(props);
  }

  /** The archive bucket: S3-managed encryption, TLS only, no public access, access logs to their own bucket. */
  private archiveBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    };
    const accessLogs = new s3.Bucket(this, 'ArchiveAccessLogs', {
      ...secure,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket receives the archive’s server access logs; logging its own access would log the log writes, without end.',
    });
    return new s3.Bucket(this, 'Archive', { ...secure, serverAccessLogsBucket: accessLogs });
  }

  /** The API function and its routes: the table for CRUD, the search view's index for search. */
  private addApi(props: CustomersProps): void {
    const { fn } = createServiceFunction(new Construct(this, 'ApiFunction'), {
      entry: path.join(functionsDir, 'customers/api.handler.ts'),
      serviceName: 'customers',
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        CUSTOMERS_TABLE_NAME: this.table.tableName,
        SEARCH_TABLE_NAME: this.searchTable.tableName,
      },
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause: INVOKED_BY_API_GATEWAY,
      errorMeaning: 'Customers routes answer 500.',
    });
    this.table.grant(
      fn,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.searchTable.tableArn}/index/${BY_TERM_INDEX}`],
      }),
    );

    const target = { function: fn };
    const { gateway } = props;
    const write = ['customers:write'];
    const read = ['customers:read'];
    gateway.addRoute({
      method: 'POST',
      path: '/v1/customers',
      target,
      scopes: write,
      body: CustomerBody,
      idempotent: true,
    });
    gateway.addRoute({ method: 'GET', path: '/v1/customers/search', target, scopes: read });
    gateway.addRoute({
      method: 'PUT',
      path: '/v1/customers/{customerId}',
      target,
      scopes: write,
      body: CustomerBody,
    });
    gateway.addRoute({ method: 'DELETE', path: '/v1/customers/{customerId}', target, scopes: write });
    gateway.addRoute({ method: 'GET', path: '/v1/customers/{customerId}', target, scopes: read });
  }
}
