import { Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EventStream } from '../event-stream/event-stream.js';
import { builtHandler, builtHandlerDir } from '../private/built-handler.js';
import { mapStream } from '../private/stream-mapping.js';
import { PropsValidator } from '../private/validation.js';
import { createServiceFunction } from '../service-function/service-function.js';
import { tableFacts } from './table-facts.js';

/** Where a {@link ChangeCapture} reads a table's changes. */
export type ChangeCaptureSource = 'dynamodb-stream' | 'kinesis';

/** The tag on the EventStream's stream naming the captured table (`cdc:snapshot` finds the stream by it). */
export const CDC_TABLE_TAG = 'conflux:cdc:table';
/** The tag on the EventStream's stream naming the logical server of the change events' `source.name`. */
export const CDC_SERVER_NAME_TAG = 'conflux:cdc:server-name';

/** A DynamoDB stream keeps its records 24 hours. */
const DYNAMODB_STREAM_RETENTION = Duration.hours(24);

/** Properties of a {@link ChangeCapture}. */
export interface ChangeCaptureProps {
  /** The table whose changes are captured. */
  readonly table: dynamodb.ITable;

  /**
   * Where the changes are read: the table's DynamoDB stream (`'dynamodb-stream'`, which must show
   * `NEW_AND_OLD_IMAGES`), or its Kinesis Data Streams for DynamoDB destination (`'kinesis'`, with
   * `tableChangeStream`): that one keeps records up to a year and carries both images always, but no
   * sequence number and possibly duplicates, which the processor orders and drops by
   * `ApproximateCreationDateTime`.
   * @default 'dynamodb-stream'
   */
  readonly source?: ChangeCaptureSource;

  /**
   * With `source: 'kinesis'` only (and required then): the Kinesis stream the table streams its changes to
   * (`kinesisStream` of the `Table` or `TableV2`).
   * @default - none
   */
  readonly tableChangeStream?: kinesis.IStream;

  /** The table's key schema, partition key first: the change events' record key, in this order. */
  readonly keyAttributes: string[];

  /**
   * The stream the change events go to. One ChangeCapture per EventStream: the stream is tagged with its
   * table.
   * @default - a new EventStream (on-demand, 24 hours, a customer-managed key)
   */
  readonly eventStream?: EventStream;

  /**
   * The logical name of the source database, Debezium's `topic.prefix`: the events' `source.name`
   * (letters, digits, `_`, `-`, `.`).
   */
  readonly serverName: string;

  /**
   * Write a tombstone (same key, empty data) after each delete, as Debezium's `tombstones.on.delete`, so a
   * compacting consumer can forget the key.
   * @default true
   */
  readonly tombstonesOnDelete?: boolean;

  /**
   * Give each event a `transaction` block (`id`, `total_order`, `data_collection_order`). DynamoDB streams
   * carry no transaction id: each change is its own transaction, identified by the stream record's id.
   * @default false - `transaction: null`
   */
  readonly transactionMetadata?: boolean;

  /**
   * Where the processor's and the new EventStream's alarms notify.
   * @default - the alarms are created without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long the processor's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the new EventStream and the on-failure queue when they leave the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const claimedStreams = new WeakMap<EventStream, string>();

/**
 * Log-based change data capture of a DynamoDB table: every change of the table's log becomes a
 * Debezium-format change event (`before`, `after`, `op`, `ts_ms`, `source`, `transaction`) on an
 * {@link EventStream}, with partition key `<table>:<key JSON>` so the order per key holds, and a tombstone
 * after each delete.
 *
 * The processor is the package's built `cdc-processor` handler, mapped to the source like an EventStream
 * consumer: from the oldest record, bisection on error, 10 retries, partial batch responses, one batch
 * per shard at a time, an on-failure queue, and alarms on its iterator age and failures. The EventStream's
 * stream is tagged `conflux:cdc:table` and `conflux:cdc:server-name`, which `npm run cdc:snapshot` uses.
 */
export class ChangeCapture extends Construct {
  /** The stream the change events are written to. */
  public readonly eventStream: EventStream;
  /** The CDC processor function. */
  public readonly processor: lambda.Function;
  /** The processor mapping's on-failure queue: source batches it gave up on are described here. */
  public readonly failures: sqs.IQueue;
  /** Where the changes are read. */
  public readonly source: ChangeCaptureSource;

  constructor(scope: Construct, id: string, props: ChangeCaptureProps) {
    super(scope, id);
    this.source = props.source ?? 'dynamodb-stream';
    validate(this, props, this.source);

    this.eventStream =
      props.eventStream ??
      new EventStream(this, 'EventStream', {
        alarmTopic: props.alarmTopic,
        removalPolicy: props.removalPolicy,
      });
    claimedStreams.set(this.eventStream, this.node.path);

    const stack = Stack.of(this);
    const { fn } = createServiceFunction(new Construct(this, 'Processor'), {
      code: builtHandler(builtHandlerDir('cdc-processor')),
      serviceName: 'cdc-processor',
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: {
        CDC_SOURCE: this.source,
        CDC_STREAM_NAME: this.eventStream.stream.streamName,
        CDC_SERVER_NAME: props.serverName,
        CDC_DB: `${stack.account}/${stack.region}`,
        CDC_TABLE: props.table.tableName,
        CDC_KEY_ATTRIBUTES: props.keyAttributes.join(','),
        CDC_TOMBSTONES: String(props.tombstonesOnDelete ?? true),
        CDC_TRANSACTION_METADATA: String(props.transactionMetadata ?? false),
      },
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause:
        'Stream mappings invoke it synchronously; source batches it gives up on go to the mapping’s on-failure queue.',
      errorMeaning: 'changes of the table wait, retried, and reach the on-failure queue after the retries.',
    });
    this.processor = fn;

    const mapping = mapStream(
      this,
      fn,
      this.source === 'kinesis' && props.tableChangeStream
        ? { kind: 'stream', stream: props.tableChangeStream }
        : { kind: 'table', table: props.table },
      {},
      {
        retention:
          this.source === 'kinesis' && props.tableChangeStream
            ? (retentionOf(props.tableChangeStream) ?? DYNAMODB_STREAM_RETENTION)
            : DYNAMODB_STREAM_RETENTION,
        meaning: `changes of the table are not on ${this.eventStream.node.path} yet; its consumers see stale data.`,
        alarmTopic: props.alarmTopic,
        removalPolicy: props.removalPolicy,
      },
    );
    this.failures = mapping.failures;
    this.eventStream.grantWrite(fn);

    Tags.of(this.eventStream.stream).add(CDC_TABLE_TAG, props.table.tableName);
    Tags.of(this.eventStream.stream).add(CDC_SERVER_NAME_TAG, props.serverName);
  }
}

/** The retention of a stream made in this app, when its template says it; else undefined. */
function retentionOf(stream: kinesis.IStream): Duration | undefined {
  const cfn = stream.node.defaultChild;
  if (!(cfn instanceof kinesis.CfnStream)) return undefined;
  const hours = cfn.retentionPeriodHours;
  return hours === undefined || Token.isUnresolved(hours) ? undefined : Duration.hours(hours);
}

function validate(scope: Construct, props: ChangeCaptureProps, source: ChangeCaptureSource): void {
  const v = new PropsValidator('ChangeCapture', scope);
  // Typed, but JavaScript callers can pass anything.
  const given: unknown = source;
  v.require(
    given === 'dynamodb-stream' || given === 'kinesis',
    `source must be 'dynamodb-stream' or 'kinesis'; received ${String(given)}.`,
  );
  const facts = tableFacts(props.table);
  if (source === 'kinesis') {
    v.require(
      props.tableChangeStream !== undefined,
      "source 'kinesis' reads the table's Kinesis Data Streams for DynamoDB destination: give it as tableChangeStream (the stream set as the table's kinesisStream).",
    );
    if (props.tableChangeStream && facts.kinesisStreamArns) {
      const arn = JSON.stringify(Stack.of(props.table).resolve(props.tableChangeStream.streamArn));
      v.require(
        facts.kinesisStreamArns.includes(arn),
        `the table does not stream its changes to tableChangeStream ${props.tableChangeStream.node.path}: set kinesisStream: <that stream> on the table.`,
      );
    }
  } else {
    v.require(
      props.tableChangeStream === undefined,
      "tableChangeStream is read with source 'kinesis' only: set source: 'kinesis', or remove tableChangeStream to read the table's DynamoDB stream.",
    );
    v.require(
      props.table.tableStreamArn !== undefined,
      "the table has no DynamoDB stream (source 'dynamodb-stream'): set stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES on a Table, dynamoStream on a TableV2, or tableStreamArn when importing one.",
    );
    if (facts.streamViewType !== undefined && facts.streamViewType !== 'none') {
      v.require(
        facts.streamViewType === 'NEW_AND_OLD_IMAGES',
        `the table's stream shows ${facts.streamViewType}; change events need both images: set the stream view type to NEW_AND_OLD_IMAGES.`,
      );
    }
  }

  const keys = props.keyAttributes;
  v.require(
    keys.length >= 1 &&
      keys.length <= 2 &&
      keys.every((k) => k.length > 0) &&
      new Set(keys).size === keys.length,
    `keyAttributes must be the table's partition key, then its sort key if it has one (1 or 2 distinct names); received ${JSON.stringify(keys)}.`,
  );
  if (facts.keyAttributes && !keys.some((k) => Token.isUnresolved(k))) {
    v.require(
      JSON.stringify(facts.keyAttributes) === JSON.stringify(keys),
      `keyAttributes ${JSON.stringify(keys)} are not the table's key schema ${JSON.stringify(facts.keyAttributes)} (partition key first): set keyAttributes: ${JSON.stringify(facts.keyAttributes)}.`,
    );
  }

  if (!Token.isUnresolved(props.serverName)) {
    v.require(
      /^[A-Za-z0-9_.-]{1,255}$/.test(props.serverName),
      `serverName "${props.serverName}" must be 1 to 255 letters, digits, "_", "-" or "." (Debezium's topic.prefix rules; it is also a tag value).`,
    );
  }
  const claimedBy = props.eventStream ? claimedStreams.get(props.eventStream) : undefined;
  v.require(
    claimedBy === undefined,
    `the EventStream ${props.eventStream?.node.path ?? ''} already carries the changes of ${claimedBy ?? ''}; one ChangeCapture per EventStream (its stream is tagged with the table): give this one its own EventStream.`,
  );
  v.throwIfInvalid();
}
