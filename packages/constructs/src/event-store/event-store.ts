import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmAbove } from '../private/alarm.js';
import { synthesizedProperties } from '../replication/private/synthesized.js';
import { createStreamReader, type StreamReader, type StreamReaderOptions } from '../private/stream-reader.js';
import { PropsValidationError, PropsValidator } from '../private/validation.js';
import {
  EVENT_STORE_SNAPSHOT_EVERY,
  EVENT_STORE_SNAPSHOT_TABLE_NAME,
  EVENT_STORE_TABLE_NAME,
} from '../contracts/index.js';

export type { StreamReader, StreamReaderOptions } from '../private/stream-reader.js';

/** Properties of an {@link EventStore}. */
export interface EventStoreProps {
  /** Write a snapshot each time a stream crosses a multiple of this many events (2 to 10 000). @default 100 */
  readonly snapshotEvery?: number;
  /** Refuse table deletion (CloudFormation and API). @default false */
  readonly deletionProtection?: boolean;
  /** What happens to the tables when they leave the stack. @default RemovalPolicy.RETAIN - events are the record */
  readonly removalPolicy?: RemovalPolicy;
  /** Where the store's alarms notify. */
  readonly alarmTopic?: sns.ITopic;
  /** Retention of the stream readers' logs. */
  readonly logRetention?: logs.RetentionDays;
}

/** DynamoDB streams serve at most two concurrent readers per shard before reads are throttled. */
export const MAX_STREAM_READERS = 2;

/**
 * An event store on DynamoDB: the events table (partition key `streamId`, sort key `version`, a
 * `NEW_IMAGE` stream, PITR, encryption) and a snapshots table, with grants that set the environment the
 * handlers' `eventStoreFromEnv` reads. Readers of the change stream (projections, the outbox relay) are
 * added with {@link EventStore.addStreamReader}; each gets an on-failure queue, bisection, retries and
 * alarms on its errors, its iterator age and its failure queue. More than two readers fail synth.
 */
export class EventStore extends Construct {
  public readonly table: dynamodb.TableV2;
  public readonly snapshots: dynamodb.TableV2;
  public readonly snapshotEvery: number;
  /**
   * Which read-model table of each projection is active (partition key `projection`), named
   * `<stack name>-projections` so the rebuild command finds it from the stage alone.
   */
  public readonly projectionControl: dynamodb.TableV2;
  private readonly readers: string[] = [];
  private readonly props: EventStoreProps;

  constructor(scope: Construct, id: string, props: EventStoreProps = {}) {
    super(scope, id);
    this.props = props;
    const check = new PropsValidator('EventStore', this);
    check.integerInRange('snapshotEvery', props.snapshotEvery, 2, 10_000);
    check.throwIfInvalid();
    this.snapshotEvery = props.snapshotEvery ?? 100;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = {
      partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.deletionProtection ?? false,
    };
    this.table = new dynamodb.TableV2(this, 'Events', {
      ...common,
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      removalPolicy,
    });
    this.table.node.addValidation({ validate: () => this.singleRegionProblems() });
    // Snapshots are an optimisation only: losing them changes no answer.
    this.snapshots = new dynamodb.TableV2(this, 'Snapshots', {
      ...common,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.projectionControl = new dynamodb.TableV2(this, 'ProjectionControl', {
      tableName: `${Stack.of(this).stackName}-projections`,
      partitionKey: { name: 'projection', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const errors = new cloudwatch.MathExpression({
      expression: 'm1',
      usingMetrics: {
        m1: this.table.metricSystemErrorsForOperations({
          operations: [dynamodb.Operation.TRANSACT_WRITE_ITEMS, dynamodb.Operation.QUERY],
          period: Duration.minutes(1),
        }),
      },
      period: Duration.minutes(1),
    });
    alarmAbove(this, 'SystemErrors', errors, {
      description: 'DynamoDB failed appends or reads of the event store.',
      topic: props.alarmTopic,
    });
  }

  /** Lets `fn` append (transactions of conditional puts), load and snapshot; sets its environment. */
  public grantAppend(fn: lambda.Function): void {
    this.table.grant(fn, 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query');
    this.snapshots.grant(fn, 'dynamodb:PutItem', 'dynamodb:Query');
    this.setEnvironment(fn);
  }

  /** Lets `fn` load streams (with snapshots); sets its environment. */
  public grantRead(fn: lambda.Function): void {
    this.table.grant(fn, 'dynamodb:Query');
    this.snapshots.grant(fn, 'dynamodb:Query');
    this.setEnvironment(fn);
  }

  /** Adds a reader of the change stream, from the oldest record, in order per stream. */
  public addStreamReader(id: string, options: StreamReaderOptions): StreamReader {
    if (this.readers.length >= MAX_STREAM_READERS) {
      throw new PropsValidationError(
        `Invalid EventStore stream reader ${id} at ${this.node.path}: the stream already has ${this.readers.join(' and ')}; ` +
          `DynamoDB streams serve at most ${MAX_STREAM_READERS} readers per shard before throttling them. ` +
          'Subscribe to the domain-events topic the outbox publishes to instead.',
      );
    }
    this.readers.push(id);
    return createStreamReader(this, id, [this.table], {
      ...options,
      logRetention: this.props.logRetention,
      alarmTopic: this.props.alarmTopic,
      lagMeaning: `${id} is more than a minute behind the event store.`,
    });
  }

  /**
   * The events table stays in one Region, however replicas reach it (`addReplica`, escape hatches): an append
   * is a TransactWriteItems over the stream head and the new events, which MREC replicates item by item (another
   * Region can see a head without its events, and concurrent appends in two Regions both win), and MRSC does not
   * support transactions at all.
   */
  private singleRegionProblems(): string[] {
    const properties = synthesizedProperties(this.table);
    const stack = Stack.of(this);
    // Env-agnostic, the table's own replica renders as `{"Ref": "AWS::Region"}`: compare resolved forms.
    const home = JSON.stringify(stack.resolve(stack.region));
    const replicas = Array.isArray(properties.Replicas)
      ? (properties.Replicas as { Region?: unknown }[])
      : [];
    const others = replicas
      .filter((replica) => JSON.stringify(replica.Region) !== home)
      .map((replica) =>
        typeof replica.Region === 'string' ? replica.Region : JSON.stringify(replica.Region),
      );
    const witnesses = Array.isArray(properties.GlobalTableWitnesses) ? properties.GlobalTableWitnesses : [];
    if (others.length === 0 && witnesses.length === 0) return [];
    return [
      `Invalid EventStore at ${this.node.path}: its events table must stay single-Region, but it has ` +
        `${others.length > 0 ? `replicas in ${others.join(', ')}` : 'a witness Region'}. Appends are ` +
        'optimistic-concurrency transactions (TransactWriteItems over the stream head and the events): under ' +
        'multi-Region eventual consistency they do not replicate as a unit and concurrent appends in two Regions ' +
        'both succeed, and multi-Region strong consistency supports no transactions. Remove the replicas; the table ' +
        'keeps point-in-time recovery for restores (copy its backups to another Region with AWS Backup for disaster ' +
        'recovery), and replicate the read models (Projection replication) instead.',
    ];
  }

  private setEnvironment(fn: lambda.Function): void {
    fn.addEnvironment(EVENT_STORE_TABLE_NAME, this.table.tableName);
    fn.addEnvironment(EVENT_STORE_SNAPSHOT_TABLE_NAME, this.snapshots.tableName);
    fn.addEnvironment(EVENT_STORE_SNAPSHOT_EVERY, String(this.snapshotEvery));
  }
}
