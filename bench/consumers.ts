/**
 * Records per second through the handler kit's consumers (Powertools batch processor + idempotency, its
 * records in DynamoDB Local) against the SAME handler body with no framework around it (a plain loop over
 * the batch calling the body, returning no failures), on the local engines:
 *
 *  - SQS: `createSqsConsumer` over batches of 10 received from a fauxqs queue;
 *  - Kinesis: the kit has no Kinesis consumer, so this file builds one the way `createSqsConsumer` is
 *    built (see {@link createKinesisConsumer}) over batches read from a kinesalite stream;
 *  - DynamoDB Streams: `createProjector` (the kit's DynamoDB-stream consumer: batch processor, a version
 *    check per record instead of Powertools idempotency, a checkpoint per batch) over batches read from a
 *    DynamoDB Local table's stream.
 *
 * The body is identical in subject and baseline: the payload parsed and one PutItem per record into a
 * results table. Records are fetched from the engines once; only the consumer invocations over those
 * batches are timed, subject and baseline interleaved (A B A B …), each run with fresh tables (results,
 * idempotency, read model), so the framework really writes its records every run.
 *
 * Besides the figures, diagnostics (`CONSUMER_DIAGNOSE=0` turns them off) say where the time goes: the
 * DynamoDB calls per record by table and operation with their mean round trip (in each figure's note, and
 * on stderr), Node CPU per record, and variants, each paired with the bare loop of its round: idempotency
 * disabled (`POWERTOOLS_IDEMPOTENCY_DISABLED`), `useLocalCache`, the bare loop as parallel as the batch
 * processor, and PROTOTYPES of suggested kit changes (idempotency per batch; a projector that reads each
 * row once per batch), built here only to put numbers on the suggestions. `CONSUMER_PROFILE=1` adds a CPU
 * profile of one framework run per consumer, summarised by package (`CONSUMER_PROFILE=<dir>` also writes the
 * `.cpuprofile` files there).
 *
 *   npx tsx bench/consumers.ts
 *   CONSUMER_RECORDS=100 CONSUMER_RUNS=9 CONSUMER_STREAM_BATCH=100 CONSUMER_DIAGNOSE=1 npx tsx bench/consumers.ts
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session, type Profiler } from 'node:inspector/promises';
import * as path from 'node:path';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  TransactWriteItemsCommand,
  type AttributeDefinition,
  type BatchWriteItemCommandInput,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
  type AttributeValue as StreamsAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type {
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { startFauxqs } from '@conflux/local';
import kinesalite from 'kinesalite';
import * as z from 'zod/mini';
import { IDEMPOTENCY_TABLE_NAME, PROJECTIONS } from '@conflux/constructs/contracts';
import type * as KitModule from '@conflux/handler-kit';
import type { ProjectionSpec } from '@conflux/handler-kit';
import type { StoredEvent } from '@conflux/handler-kit/event-store';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '@conflux/local';
import { figure, formatFigure, stats, type Benchmark, type Figure, type Stats } from './support/figures';
import { isMain } from './support/main';
import { dynamoDbPort } from './support/dynamodb-port';

type Kit = typeof KitModule;
type Kind = 'sqs' | 'kinesis' | 'dynamodb-stream';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SQS_BATCH = 10;
/** Idempotency records are written with this prefix, results with `results-`: the call timer tells them apart. */
const ROLES = {
  idem: 'idempotency',
  results: 'body',
  control: 'projector control',
  view: 'read model',
} as const;

/** The message every consumer here receives (JSON: the SQS body, the Kinesis data). */
const Payload = z.object({
  eventId: z.uuid(),
  accountId: z.string().check(z.minLength(1)),
  amountMinor: z.number().check(z.int()),
  occurredAt: z.iso.datetime({ offset: true }),
});
type Payload = z.infer<typeof Payload>;

interface Settings {
  readonly records: number;
  readonly runs: number;
  readonly streamBatch: number;
  readonly diagnose: boolean;
  readonly profile?: string;
}

function settings(env = process.env): Settings {
  const positive = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    return value;
  };
  return {
    records: positive('CONSUMER_RECORDS', 100),
    runs: positive('CONSUMER_RUNS', 9),
    streamBatch: positive('CONSUMER_STREAM_BATCH', 100),
    diagnose: env.CONSUMER_DIAGNOSE !== '0',
    profile: env.CONSUMER_PROFILE || undefined,
  };
}

const progress = (line: string) => process.stderr.write(`[consumers] ${line}\n`);

const context = {
  functionName: 'bench-consumer',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:bench-consumer`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/bench-consumer',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as Partial<Context> as Context;

// --- DynamoDB call accounting ----------------------------------------------------------------------------

/** Calls by `role:operation`: how many, and their summed round trip (ms). */
type Calls = Map<string, { n: number; ms: number }>;
let recording: Calls | undefined;

function roleOf(table: string | undefined): string {
  const prefix = table?.split('-')[0] ?? '';
  return (ROLES as Record<string, string>)[prefix] ?? table ?? '?';
}

/** Times every call through the kit's DynamoDB client (the body's, idempotency's and the projector's). */
function installCallTimer(kit: Kit): () => void {
  const name = 'benchConsumersCallTimer';
  kit.dynamodb.middlewareStack.add(
    (next, ctx) => async (args) => {
      const calls = recording;
      if (!calls) return next(args);
      const t0 = performance.now();
      try {
        return await next(args);
      } finally {
        const operation = ctx.commandName?.replace(/Command$/, '').replace(/Item$/, '') ?? '?';
        const input = args.input as {
          TableName?: string;
          RequestItems?: Record<string, unknown>;
          TransactItems?: { Put?: { TableName?: string } }[];
        };
        const table =
          input.TableName ??
          Object.keys(input.RequestItems ?? {})[0] ??
          input.TransactItems?.[0]?.Put?.TableName;
        const label = `${roleOf(table)}:${operation}`;
        const entry = calls.get(label) ?? { n: 0, ms: 0 };
        entry.n += 1;
        entry.ms += performance.now() - t0;
        calls.set(label, entry);
      }
    },
    { step: 'initialize', name },
  );
  return () => {
    kit.dynamodb.middlewareStack.remove(name);
  };
}

// --- Tables ----------------------------------------------------------------------------------------------

class Tables {
  private readonly made = new Set<string>();
  constructor(private readonly client: DynamoDBClient) {}

  async create(prefix: keyof typeof ROLES | 'events', keys: [string, 'S' | 'N'][], stream = false) {
    const TableName = `${prefix}-${randomUUID().slice(0, 8)}`;
    await this.client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map(([AttributeName, AttributeType]): AttributeDefinition => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: keys.map(([AttributeName], i): KeySchemaElement => ({
          AttributeName,
          KeyType: i === 0 ? 'HASH' : 'RANGE',
        })),
        ...(stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
          : {}),
      }),
    );
    this.made.add(TableName);
    return TableName;
  }

  async count(TableName: string): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey }),
      );
      total += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (ExclusiveStartKey);
    return total;
  }

  async drop(...names: string[]) {
    for (const TableName of names) {
      if (!this.made.delete(TableName)) continue;
      await this.client.send(new DeleteTableCommand({ TableName }));
    }
  }
}

// --- The consumers under test ----------------------------------------------------------------------------

interface KinesisConsumerSpec<T> {
  readonly schema: z.core.$ZodType<T>;
  readonly what: string;
  readonly idempotencyKey: string;
  readonly handle: (message: T) => Promise<unknown>;
  /** Powertools' in-memory cache of completed records (a variant for the diagnostics). */
  readonly useLocalCache?: boolean;
  /** @default false: records of a shard are applied in order, as the kit's projector does. */
  readonly processInParallel?: boolean;
}

/**
 * A Kinesis consumer built the way the kit's `createSqsConsumer` builds its SQS one: the record's data
 * (base64 JSON) parsed with zod at the edge, the effect made idempotent with the kit's `idempotencySetup`
 * (Powertools idempotency on DynamoDB), Powertools' `BatchProcessor(EventType.KinesisDataStreams)` and a
 * partial batch response, the same failure log and metrics. THE KIT HAS NO KINESIS CONSUMER: this lives in
 * the bench only, as what one would be. Unlike the SQS consumer it processes records one after another
 * (`processInParallel: false`), as a shard's order asks and as the kit's DynamoDB-stream projector does.
 */
function createKinesisConsumer<T>(kit: Kit, spec: KinesisConsumerSpec<T>) {
  const { persistenceStore, config } = spec.useLocalCache
    ? {
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: kit.requireEnv(IDEMPOTENCY_TABLE_NAME),
          awsSdkV3Client: kit.dynamodb,
        }),
        config: new IdempotencyConfig({
          eventKeyJmesPath: spec.idempotencyKey,
          expiresAfterSeconds: 24 * 60 * 60,
          throwOnNoIdempotencyKey: true,
          useLocalCache: true,
        }),
      }
    : kit.idempotencySetup(spec.idempotencyKey);
  const handleOnce = makeIdempotent(spec.handle, { persistenceStore, config });

  const recordHandler = async (record: KinesisStreamRecord): Promise<unknown> => {
    try {
      const what = `${spec.what} in record ${record.kinesis.sequenceNumber}`;
      const message = kit.parseJson(
        spec.schema,
        Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
        what,
      );
      return await handleOnce(message);
    } catch (error: unknown) {
      kit.logger.error('record failed', {
        sequenceNumber: record.kinesis.sequenceNumber,
        partitionKey: record.kinesis.partitionKey,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      kit.metrics.addMetric('RecordsFailed', MetricUnit.Count, 1);
      throw error;
    }
  };

  return async (event: KinesisStreamEvent, ctx: Context): Promise<KinesisStreamBatchResponse> => {
    config.registerLambdaContext(ctx);
    kit.logger.addContext(ctx);
    try {
      const response = await processPartialResponse(
        event,
        recordHandler,
        new BatchProcessor(EventType.KinesisDataStreams),
        { context: ctx, processInParallel: spec.processInParallel ?? false, throwOnFullBatchFailure: false },
      );
      kit.metrics.addMetric(
        'RecordsProcessed',
        MetricUnit.Count,
        event.Records.length - response.batchItemFailures.length,
      );
      return response;
    } finally {
      kit.metrics.publishStoredMetrics();
    }
  };
}

// --- Prototypes of suggested kit changes (bench only, to put numbers on the suggestions) ------------------

/**
 * PROTOTYPE, not the kit: idempotency per batch instead of per record. One TransactWriteItems claims every
 * key of the batch conditionally (`attribute_not_exists`, as Powertools' conditional PutItem claims one), the
 * batch runs, and BatchWriteItem (25 a call) marks the keys that succeeded COMPLETED: 2 calls per batch of up
 * to 25 instead of 2 per record. A kit version must add what this leaves out: when the claim is refused
 * (a key in flight or done), find the refused keys (CancellationReasons) and take the per-record path for
 * them; expired in-progress records; the stored result (the kit's handlers do not read it back).
 */
function batchIdempotency(kit: Kit, ttlSeconds = 24 * 60 * 60) {
  const TableName = kit.requireEnv(IDEMPOTENCY_TABLE_NAME);
  const keyOf = (value: string) =>
    `bench#${createHash('md5').update(JSON.stringify(value)).digest('base64')}`;
  return {
    keyOf,
    claim: async (keys: readonly string[]) => {
      const now = Date.now();
      for (const part of chunk(keys, 100)) {
        await kit.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: part.map((id) => ({
              Put: {
                TableName,
                Item: {
                  id: { S: id },
                  status: { S: 'INPROGRESS' },
                  expiration: { N: String(Math.floor(now / 1000) + ttlSeconds) },
                  in_progress_expiration: { N: String(now + 60_000) },
                },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            })),
          }),
        );
      }
    },
    complete: async (keys: readonly string[]) => {
      const expiration = String(Math.floor(Date.now() / 1000) + ttlSeconds);
      for (const part of chunk(keys, 25)) {
        let pending: BatchWriteItemCommandInput['RequestItems'] = {
          [TableName]: part.map((id) => ({
            PutRequest: {
              Item: { id: { S: id }, status: { S: 'COMPLETED' }, expiration: { N: expiration } },
            },
          })),
        };
        while (pending && Object.keys(pending).length > 0) {
          pending = (await kit.dynamodb.send(new BatchWriteItemCommand({ RequestItems: pending })))
            .UnprocessedItems;
        }
      }
    },
  };
}

/** PROTOTYPE: `createSqsConsumer` with {@link batchIdempotency} in place of Powertools' per-record idempotency. */
function createBatchIdempotentConsumer(
  kit: Kit,
  eventType: typeof EventType.SQS | typeof EventType.KinesisDataStreams,
  handle: (message: Payload) => Promise<unknown>,
) {
  const idempotency = batchIdempotency(kit);
  type RecordOf = SQSRecord | KinesisStreamRecord;
  const idOf = (r: RecordOf) => ('messageId' in r ? r.messageId : r.kinesis.sequenceNumber);
  const textOf = (r: RecordOf) =>
    'body' in r ? r.body : Buffer.from(r.kinesis.data, 'base64').toString('utf8');
  return async (event: SQSEvent | KinesisStreamEvent, ctx: Context) => {
    const messages = new Map<string, Payload>();
    for (const r of event.Records) {
      try {
        messages.set(idOf(r), kit.parseJson(Payload, textOf(r), `bench message ${idOf(r)}`));
      } catch {
        // The record fails in the batch below.
      }
    }
    const keys = [...new Set([...messages.values()].map((m) => idempotency.keyOf(m.eventId)))];
    await idempotency.claim(keys);
    const done: string[] = [];
    const response = await processPartialResponse(
      event,
      async (r: RecordOf) => {
        const message = messages.get(idOf(r));
        if (!message) throw new Error(`record ${idOf(r)} is not a valid message`);
        await handle(message);
        done.push(idempotency.keyOf(message.eventId));
      },
      new BatchProcessor(eventType),
      {
        context: ctx,
        processInParallel: eventType === EventType.SQS,
        throwOnFullBatchFailure: false,
      },
    );
    await idempotency.complete(done);
    return response;
  };
}

/**
 * PROTOTYPE, not the kit: `createProjector` reading each read-model row once per batch instead of once per
 * record. A batch holds several events of a stream; after the first, the row and its version are known from
 * the write just made (the write stays conditional on that version, so a racing delivery is still caught: on
 * a conditional failure this falls back to the kit's `applyToReadModel`, which reads again).
 */
function createCachedProjector<V extends Record<string, unknown>>(
  kit: Kit,
  name: string,
  spec: ProjectionSpec<V>,
) {
  const projection = kit.projectionsFromEnv()[name];
  if (!projection) throw new Error(`PROJECTIONS names no projection ${name}`);
  return async (event: DynamoDBStreamEvent, ctx: Context) => {
    const { Item: control } = await kit.documents.send(
      new GetCommand({ TableName: projection.control, Key: { projection: name }, ConsistentRead: true }),
    );
    const table = projection.tables[(control?.active as 'a' | 'b' | undefined) ?? 'a'];
    const rows = new Map<string, { row: V | undefined; version: number }>();
    let last: DynamoDBRecord | undefined;
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        last = record;
        const stored = kit.storedEventOf(record);
        if (!stored?.streamId.startsWith(spec.streamPrefix)) return 'ignored';
        const key = spec.keyOf(stored);
        let known = rows.get(key);
        if (!known) {
          const { Item } = await kit.documents.send(
            new GetCommand({ TableName: table, Key: { [spec.keyName]: key }, ConsistentRead: true }),
          );
          known = { row: Item as V | undefined, version: Number(Item?.version ?? 0) };
        }
        if (known.version >= stored.version) return 'duplicate';
        if (known.version !== stored.version - 1) {
          rows.delete(key);
          throw new kit.ProjectionGapError(`${stored.streamId} v${stored.version} after v${known.version}`);
        }
        const row = {
          ...spec.evolve(known.row, stored),
          [spec.keyName]: key,
          version: stored.version,
          updatedAt: stored.occurredAt,
        };
        try {
          await kit.documents.send(
            new PutCommand({
              TableName: table,
              Item: row,
              ConditionExpression: known.version === 0 ? 'attribute_not_exists(version)' : 'version = :seen',
              ExpressionAttributeValues: known.version === 0 ? undefined : { ':seen': known.version },
            }),
          );
        } catch (error: unknown) {
          rows.delete(key);
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          return kit.applyToReadModel(table, spec, stored);
        }
        rows.set(key, { row, version: stored.version });
        return 'applied';
      },
      new BatchProcessor(EventType.DynamoDBStreams),
      { context: ctx, processInParallel: false, throwOnFullBatchFailure: false },
    );
    if (last?.dynamodb?.SequenceNumber) {
      await kit.documents.send(
        new UpdateCommand({
          TableName: projection.control,
          Key: { projection: name },
          UpdateExpression:
            'SET active = if_not_exists(active, :a), checkpoint = :c, eventsTable = :e, checkpointAt = :at, tables = :t',
          ExpressionAttributeValues: {
            ':a': 'a',
            ':c': last.dynamodb.SequenceNumber,
            ':e': /:table\/([^/]+)\//.exec(last.eventSourceARN ?? '')?.[1] ?? '',
            ':at': new Date().toISOString(),
            ':t': projection.tables,
          },
        }),
      );
    }
    return response;
  };
}

// --- Fetching records from the engines (once) ------------------------------------------------------------

function payloads(count: number): Payload[] {
  const base = Date.UTC(2025, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    accountId: `account-${String(i % 20).padStart(3, '0')}`,
    amountMinor: 100 + i,
    occurredAt: new Date(base + i * 1000).toISOString(),
  }));
}

async function fetchSqs(sqs: SQSClient, count: number): Promise<SQSEvent[]> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `bench-${randomUUID().slice(0, 8)}` }),
  );
  if (!QueueUrl) throw new Error('fauxqs returned no queue URL');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn ?? `arn:aws:sqs:${REGION}:${ACCOUNT}:bench`;
  const messages = payloads(count);
  for (let i = 0; i < messages.length; i += 10) {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
      }),
    );
    if ((sent.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(sent.Failed)}`);
  }
  const batches: SQSEvent[] = [];
  let received = 0;
  for (let attempt = 0; received < count; attempt += 1) {
    if (attempt > count) throw new Error(`received ${received} of ${count} messages`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: SQS_BATCH,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 900,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) continue;
    received += Messages.length;
    batches.push({
      Records: Messages.map((m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: m.Attributes?.SenderId ?? 'AIDALOCAL',
          ApproximateFirstReceiveTimestamp:
            m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: REGION,
      })),
    });
  }
  return batches;
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function fetchKinesis(
  kinesis: KinesisClient,
  count: number,
  batchSize: number,
): Promise<KinesisStreamEvent[]> {
  const StreamName = `bench-${randomUUID().slice(0, 8)}`;
  const streamArn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${StreamName}`;
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  for (let i = 0; ; i += 1) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    if (i > 100) throw new Error(`stream ${StreamName} did not become active`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const part of chunk(payloads(count), 500)) {
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName,
        Records: part.map((m) => ({ PartitionKey: m.accountId, Data: Buffer.from(JSON.stringify(m)) })),
      }),
    );
    if (put.FailedRecordCount) throw new Error(`PutRecords failed ${put.FailedRecordCount} records`);
  }
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
  const records: KinesisStreamRecord[] = [];
  for (const shard of Shards) {
    const shardId = shard.ShardId ?? '';
    let { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (ShardIterator && records.length < count) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      if ((page.Records ?? []).length === 0) break;
      for (const r of page.Records ?? []) {
        const arrival = r.ApproximateArrivalTimestamp ?? new Date();
        const sequenceNumber = r.SequenceNumber ?? '';
        records.push({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: r.PartitionKey ?? '',
            sequenceNumber,
            data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp: arrival.getTime() / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${shardId}:${sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/bench`,
          awsRegion: REGION,
          eventSourceARN: streamArn,
        });
      }
      ShardIterator = page.NextShardIterator;
    }
  }
  if (records.length !== count) throw new Error(`read ${records.length} of ${count} Kinesis records`);
  return chunk(records, batchSize).map((Records) => ({ Records }));
}

/** An image as Lambda sends it: attribute values in DynamoDB JSON, binary as base64. */
function image(item: Record<string, StreamsAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attribute(v)]));
}
function attribute(v: StreamsAttributeValue): unknown {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: image(v.M) };
  if (v.L !== undefined) return { L: v.L.map(attribute) };
  return v;
}

/** The streams the DynamoDB-stream records belong to: 20 accounts, versions 1, 2, … each. */
const STREAMS = 20;

async function fetchDynamoDbStream(
  client: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  tables: Tables,
  count: number,
  batchSize: number,
): Promise<DynamoDBStreamEvent[]> {
  const events = await tables.create(
    'events',
    [
      ['streamId', 'S'],
      ['version', 'N'],
    ],
    true,
  );
  const documents = DynamoDBDocumentClient.from(client);
  const all = payloads(count);
  // Streams written side by side, each one's events in order (the projector needs version n-1 before n).
  await Promise.all(
    Array.from({ length: STREAMS }, async (_, s) => {
      const own = all.filter((_p, i) => i % STREAMS === s);
      for (const [v, p] of own.entries()) {
        const stored: StoredEvent = {
          streamId: p.accountId,
          version: v + 1,
          eventId: p.eventId,
          type: 'MoneyDeposited',
          schemaVersion: 1,
          data: { amountMinor: p.amountMinor },
          metadata: { correlationId: 'bench' },
          occurredAt: p.occurredAt,
        };
        await documents.send(new PutCommand({ TableName: events, Item: stored }));
      }
    }),
  );
  const { Table } = await client.send(new DescribeTableCommand({ TableName: events }));
  const StreamArn = Table?.LatestStreamArn;
  if (!StreamArn) throw new Error(`table ${events} has no stream`);
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
  const records: DynamoDBRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(
      new GetStreamShardIteratorCommand({
        StreamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (ShardIterator && records.length < count) {
      const page = await streams.send(new GetStreamRecordsCommand({ ShardIterator, Limit: 1000 }));
      if ((page.Records ?? []).length === 0) break;
      for (const r of page.Records ?? []) {
        const d = r.dynamodb ?? {};
        records.push({
          eventID: r.eventID,
          eventName: r.eventName,
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: REGION,
          dynamodb: {
            ApproximateCreationDateTime: Math.floor(
              (d.ApproximateCreationDateTime ?? new Date()).getTime() / 1000,
            ),
            Keys: image(d.Keys) as never,
            ...(d.NewImage ? { NewImage: image(d.NewImage) as never } : {}),
            ...(d.OldImage ? { OldImage: image(d.OldImage) as never } : {}),
            SequenceNumber: d.SequenceNumber,
            SizeBytes: d.SizeBytes,
            StreamViewType: d.StreamViewType,
          },
          eventSourceARN: StreamArn,
        });
      }
      ShardIterator = page.NextShardIterator;
    }
  }
  if (records.length !== count) throw new Error(`read ${records.length} of ${count} stream records`);
  return chunk(records, batchSize).map((Records) => ({ Records }));
}

// --- Measuring -------------------------------------------------------------------------------------------

interface Prepared<E> {
  readonly invoke: (event: E) => Promise<{ readonly batchItemFailures: readonly unknown[] }>;
  /** Checks the run's effect (after the warm-up run); throws when it is not what the records ask. */
  readonly verify: () => Promise<void>;
  readonly tables: readonly string[];
}

interface Variant<E> {
  readonly key: string;
  readonly label: string;
  /** Fresh tables and a fresh consumer over them (not timed). */
  readonly prepare: () => Promise<Prepared<E>>;
  /**
   * The diagnostic figure of this variant: by default `<kind>.<key>.overhead`, its time ÷ the bare loop's;
   * with `frameworkOver`, the framework's time ÷ this variant's, under that id suffix.
   */
  readonly frameworkOver?: string;
}

interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly calls: Calls;
}

async function runOnce<E>(tables: Tables, variant: Variant<E>, batches: readonly E[], check = false) {
  const prepared = await variant.prepare();
  try {
    const calls: Calls = new Map();
    let failures = 0;
    recording = calls;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      for (const batch of batches) failures += (await prepared.invoke(batch)).batchItemFailures.length;
    } finally {
      recording = undefined;
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (failures > 0) throw new Error(`${variant.label}: ${failures} records failed`);
    if (check) await prepared.verify();
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, calls };
  } finally {
    await tables.drop(...prepared.tables);
  }
}

/** One warm-up (checked) run of each variant, then `runs` rounds of all variants in turn: A B C A B C … */
async function measure<E>(
  kind: Kind,
  tables: Tables,
  variants: readonly Variant<E>[],
  batches: readonly E[],
  runs: number,
): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.key, []]));
  for (const v of variants) await runOnce(tables, v, batches, true);
  for (let r = 0; r < runs; r += 1) {
    for (const v of variants) samples.get(v.key)?.push(await runOnce(tables, v, batches));
    progress(`${kind}: round ${r + 1}/${runs}`);
  }
  return samples;
}

/** Summed calls of several samples, per record. */
function callsPerRecord(samples: readonly Sample[], records: number) {
  const total = new Map<string, { n: number; ms: number }>();
  for (const s of samples) {
    for (const [label, c] of s.calls) {
      const t = total.get(label) ?? { n: 0, ms: 0 };
      t.n += c.n;
      t.ms += c.ms;
      total.set(label, t);
    }
  }
  const per = records * samples.length;
  return [...total.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, c]) => ({ label, perRecord: c.n / per, meanMs: c.ms / c.n, msPerRecord: c.ms / per }));
}

function describeCalls(samples: readonly Sample[], records: number): string {
  const rows = callsPerRecord(samples, records);
  const ddb = rows.reduce((sum, r) => sum + r.msPerRecord, 0);
  return `${rows.map((r) => `${r.label} ${r.perRecord.toFixed(2)}/rec × ${r.meanMs.toFixed(2)} ms`).join(', ')}; DynamoDB ${ddb.toFixed(2)} ms/rec (summed round trips)`;
}

function figuresOf(
  kind: Kind,
  samples: Map<string, Sample[]>,
  variants: readonly Variant<unknown>[],
  records: number,
  batchSize: number,
): Figure[] {
  const subject = samples.get('framework') ?? [];
  const bare = samples.get('bare') ?? [];
  const rate = (s: readonly Sample[]) => stats(s.map((x) => (records / x.ms) * 1000));
  const paired = (s: readonly Sample[]): Stats => stats(s.map((x, i) => x.ms / (bare[i]?.ms ?? NaN)));
  const perRecordMs = (s: readonly Sample[]) => (stats(s.map((x) => x.ms)).median / records).toFixed(2);
  const label = variants.find((v) => v.key === 'framework')?.label ?? 'framework';
  const figures: Figure[] = [
    figure({
      id: `consumers.${kind}.records-per-s`,
      group: 'consumers',
      title: `${kind} records/s through ${label}`,
      unit: 'records/s',
      better: 'higher',
      subject: rate(subject),
      baseline: { label: 'bare body loop', stats: rate(bare) },
      note: `${records} records per run in batches of up to ${batchSize}; a run = every batch invoked in turn. Framework: ${describeCalls(subject, records)}. Bare: ${describeCalls(bare, records)}.`,
    }),
    figure({
      id: `consumers.${kind}.overhead`,
      group: 'consumers',
      title: `${kind} framework time per record ÷ bare time per record`,
      unit: 'x',
      better: 'lower',
      subject: paired(subject),
      note: `Paired by round (A B interleaved): ${perRecordMs(subject)} ms vs ${perRecordMs(bare)} ms per record (medians). The target is under 1.20×.`,
    }),
    figure({
      id: `consumers.${kind}.cpu-ms-per-record`,
      group: 'consumers',
      title: `${kind} Node CPU per record, framework vs bare`,
      unit: 'ms',
      better: 'lower',
      subject: stats(subject.map((x) => x.cpuMs / records)),
      baseline: { label: 'bare body loop', stats: stats(bare.map((x) => x.cpuMs / records)) },
      note: 'process.cpuUsage() of the bench process over the timed invocations (the engines serve from other threads/processes: DynamoDB Local is Java).',
    }),
  ];
  for (const v of variants) {
    if (v.key === 'framework' || v.key === 'bare') continue;
    const own = samples.get(v.key) ?? [];
    figures.push(
      v.frameworkOver
        ? figure({
            id: `consumers.${kind}.${v.frameworkOver}`,
            group: 'consumers',
            title: `${kind}: framework time per record ÷ ${v.label}`,
            unit: 'x',
            better: 'lower',
            subject: stats(subject.map((x, i) => x.ms / (own[i]?.ms ?? NaN))),
            note: `Diagnostic, paired by round. ${v.label}: ${describeCalls(own, records)}.`,
          })
        : figure({
            id: `consumers.${kind}.${v.key}.overhead`,
            group: 'consumers',
            title: `${kind}: ${v.label}, time per record ÷ bare`,
            unit: 'x',
            better: 'lower',
            subject: paired(own),
            note: `Diagnostic variant, paired with the bare loop of the same round. ${describeCalls(own, records)}.`,
          }),
    );
  }
  return figures;
}

// --- CPU profile -----------------------------------------------------------------------------------------

function categoryOf(node: Profiler.ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg?.startsWith('@aws-lambda-powertools/'))
    return pkg.replace('@aws-lambda-powertools/', 'powertools/');
  if (pkg?.startsWith('@aws-sdk/') || pkg?.startsWith('@smithy/') || pkg?.startsWith('@aws-crypto/'))
    return 'aws-sdk';
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/packages/handler-kit/')) return 'handler-kit';
  if (url.includes('/bench/')) return 'bench';
  return 'other';
}

async function profileRun<E>(
  kind: Kind,
  tables: Tables,
  variant: Variant<E>,
  batches: readonly E[],
  where: string,
): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    await runOnce(tables, variant, batches);
    const { profile } = await session.post('Profiler.stop');
    const total = profile.endTime - profile.startTime;
    const perSample = total / Math.max(1, profile.samples?.length ?? 1);
    const byCategory = new Map<string, number>();
    for (const node of profile.nodes) {
      const category = categoryOf(node);
      byCategory.set(category, (byCategory.get(category) ?? 0) + (node.hitCount ?? 0) * perSample);
    }
    const busy = [...byCategory.entries()].filter(([c]) => c !== '(idle)').reduce((s, [, v]) => s + v, 0);
    const top = [...byCategory.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 10)
      .map(([c, us]) => `${c} ${((us / total) * 100).toFixed(0)}%`)
      .join(', ');
    progress(
      `${kind} profile of ${variant.label}: ${(total / 1000).toFixed(0)} ms, busy ${((busy / total) * 100).toFixed(0)}%: ${top}`,
    );
    if (where !== '1') {
      await mkdir(where, { recursive: true });
      const file = path.join(where, `consumers-${kind}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      progress(`wrote ${file}`);
    }
  } finally {
    session.disconnect();
  }
}

// --- The benchmark ---------------------------------------------------------------------------------------

/** Undoes one thing the run started; run in reverse order, also on error. */
type Stop = () => Promise<void> | void;

async function startEnginesForBench(stops: Stop[]) {
  const kinesisServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  const [dynamo, fauxqs, kinesisPort] = await Promise.allSettled([
    dynamoDbPort().then((port) => startDynamoDbLocal({ port })),
    startFauxqs(REGION),
    new Promise<number>((resolve, reject) => {
      kinesisServer.once('error', reject);
      kinesisServer.listen(0, '127.0.0.1', () => {
        const address = kinesisServer.address();
        resolve(address && typeof address === 'object' ? address.port : 0);
      });
    }),
  ]);
  if (dynamo.status === 'fulfilled') stops.push(() => dynamo.value.stop());
  if (fauxqs.status === 'fulfilled') stops.push(() => fauxqs.value.stop());
  if (kinesisPort.status === 'fulfilled')
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          kinesisServer.close(() => {
            resolve();
          });
        }),
    );
  for (const started of [dynamo, fauxqs, kinesisPort])
    if (started.status === 'rejected') throw started.reason;
  if (dynamo.status !== 'fulfilled' || fauxqs.status !== 'fulfilled' || kinesisPort.status !== 'fulfilled')
    throw new Error('unreachable');
  return {
    dynamodb: dynamo.value.endpoint,
    sqs: fauxqs.value.address,
    kinesis: `http://127.0.0.1:${kinesisPort.value}`,
  };
}

async function run(): Promise<Figure[]> {
  const s = settings();
  const stops: Stop[] = [];
  try {
    const endpoints = await startEnginesForBench(stops);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      POWERTOOLS_SERVICE_NAME: 'bench-consumers',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_NAMESPACE: 'bench',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    // After the environment: the kit's logger, metrics and clients read it when its modules load.
    const kit: Kit = await import('@conflux/handler-kit');
    kit.logger.setLogLevel('ERROR');
    const clientConfig = { region: REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    const dynamodbStreams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    const sqs = new SQSClient({ ...clientConfig, endpoint: endpoints.sqs });
    // kinesalite speaks HTTP/1.1 only.
    const kinesis = new KinesisClient({
      ...clientConfig,
      endpoint: endpoints.kinesis,
      requestHandler: new NodeHttpHandler(),
    });
    stops.push(() => {
      for (const client of [dynamodb, dynamodbStreams, sqs, kinesis]) client.destroy();
    });
    stops.push(installCallTimer(kit));
    const tables = new Tables(dynamodb);
    const figures: Figure[] = [];

    // The handler body, identical in subject and baseline: one PutItem of the message into a results table.
    const bodyInto = (table: string) => async (m: Payload) => {
      await kit.documents.send(
        new PutCommand({
          TableName: table,
          Item: {
            eventId: m.eventId,
            accountId: m.accountId,
            amountMinor: m.amountMinor,
            occurredAt: m.occurredAt,
          },
        }),
      );
    };
    const expectCount = async (table: string, expected: number) => {
      const n = await tables.count(table);
      if (n !== expected) throw new Error(`${table} holds ${n} items, expected ${expected}`);
    };
    /** Fresh results and idempotency tables, `IDEMPOTENCY_TABLE_NAME` pointing at the latter. */
    const freshTables = async () => {
      const results = await tables.create('results', [['eventId', 'S']]);
      const idempotency = await tables.create('idem', [['id', 'S']]);
      process.env[IDEMPOTENCY_TABLE_NAME] = idempotency;
      return { results, idempotency };
    };
    const withIdempotencyDisabled = <T>(make: () => T): T => {
      process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
      try {
        return make();
      } finally {
        delete process.env.POWERTOOLS_IDEMPOTENCY_DISABLED;
      }
    };
    const n = s.records;
    const batchedPrototype =
      <E extends SQSEvent | KinesisStreamEvent>(
        eventType: typeof EventType.SQS | typeof EventType.KinesisDataStreams,
      ) =>
      async (): Promise<Prepared<E>> => {
        const { results, idempotency } = await freshTables();
        const consumer = createBatchIdempotentConsumer(kit, eventType, bodyInto(results));
        return {
          invoke: (event) => consumer(event, context),
          verify: async () => {
            await expectCount(results, n);
            await expectCount(idempotency, n);
          },
          tables: [results, idempotency],
        };
      };

    // SQS ---------------------------------------------------------------------------------------------
    {
      progress(`sqs: sending and receiving ${n} messages`);
      const batches = await fetchSqs(sqs, n);
      const kitConsumer = (disabled: boolean) => async (): Promise<Prepared<SQSEvent>> => {
        const { results, idempotency } = await freshTables();
        const make = () =>
          kit.createSqsConsumer({
            schema: Payload,
            what: 'bench message',
            idempotencyKey: 'eventId',
            handle: bodyInto(results),
          });
        const consumer = disabled ? withIdempotencyDisabled(make) : make();
        return {
          invoke: (event) => consumer(event, context),
          verify: async () => {
            await expectCount(results, n);
            await expectCount(idempotency, disabled ? 0 : n);
          },
          tables: [results, idempotency],
        };
      };
      const bare = (parallel: boolean) => async (): Promise<Prepared<SQSEvent>> => {
        const results = await tables.create('results', [['eventId', 'S']]);
        const body = bodyInto(results);
        return {
          invoke: async (event) => {
            if (parallel) await Promise.all(event.Records.map((r) => body(JSON.parse(r.body) as Payload)));
            else for (const r of event.Records) await body(JSON.parse(r.body) as Payload);
            return { batchItemFailures: [] };
          },
          verify: () => expectCount(results, n),
          tables: [results],
        };
      };
      const variants: Variant<SQSEvent>[] = [
        { key: 'framework', label: 'createSqsConsumer', prepare: kitConsumer(false) },
        { key: 'bare', label: 'bare loop', prepare: bare(false) },
        ...(s.diagnose
          ? [
              {
                key: 'no-idempotency',
                label: 'createSqsConsumer, POWERTOOLS_IDEMPOTENCY_DISABLED',
                prepare: kitConsumer(true),
              },
              {
                key: 'parallel-bare',
                label: 'bare, batch in parallel (Promise.all, as BatchProcessor)',
                prepare: bare(true),
                frameworkOver: 'overhead-same-concurrency',
              },
              {
                key: 'batched-idempotency',
                label: 'PROTOTYPE idempotency per batch',
                prepare: batchedPrototype<SQSEvent>(EventType.SQS),
              },
            ]
          : []),
      ];
      const samples = await measure('sqs', tables, variants, batches, s.runs);
      figures.push(...figuresOf('sqs', samples, variants as Variant<unknown>[], n, SQS_BATCH));
      if (s.profile) await profileRun('sqs', tables, variants[0] as Variant<SQSEvent>, batches, s.profile);
    }

    // Kinesis -----------------------------------------------------------------------------------------
    {
      progress(`kinesis: putting and reading ${n} records`);
      const batches = await fetchKinesis(kinesis, n, s.streamBatch);
      const benchConsumer =
        (options: { disabled?: boolean; useLocalCache?: boolean; processInParallel?: boolean }) =>
        async (): Promise<Prepared<KinesisStreamEvent>> => {
          const { results, idempotency } = await freshTables();
          const make = () =>
            createKinesisConsumer(kit, {
              schema: Payload,
              what: 'bench record',
              idempotencyKey: 'eventId',
              handle: bodyInto(results),
              useLocalCache: options.useLocalCache,
              processInParallel: options.processInParallel,
            });
          const consumer = options.disabled ? withIdempotencyDisabled(make) : make();
          return {
            invoke: (event) => consumer(event, context),
            verify: async () => {
              await expectCount(results, n);
              await expectCount(idempotency, options.disabled ? 0 : n);
            },
            tables: [results, idempotency],
          };
        };
      const bare = async (): Promise<Prepared<KinesisStreamEvent>> => {
        const results = await tables.create('results', [['eventId', 'S']]);
        const body = bodyInto(results);
        return {
          invoke: async (event) => {
            for (const r of event.Records)
              await body(JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as Payload);
            return { batchItemFailures: [] };
          },
          verify: () => expectCount(results, n),
          tables: [results],
        };
      };
      const variants: Variant<KinesisStreamEvent>[] = [
        { key: 'framework', label: 'bench Kinesis consumer (kit-style)', prepare: benchConsumer({}) },
        { key: 'bare', label: 'bare loop', prepare: bare },
        ...(s.diagnose
          ? [
              {
                key: 'no-idempotency',
                label: 'Kinesis consumer, POWERTOOLS_IDEMPOTENCY_DISABLED',
                prepare: benchConsumer({ disabled: true }),
              },
              {
                key: 'local-cache',
                label: 'Kinesis consumer, useLocalCache',
                prepare: benchConsumer({ useLocalCache: true }),
              },
              {
                key: 'batched-idempotency',
                label: 'PROTOTYPE idempotency per batch',
                prepare: batchedPrototype<KinesisStreamEvent>(EventType.KinesisDataStreams),
              },
            ]
          : []),
      ];
      const samples = await measure('kinesis', tables, variants, batches, s.runs);
      figures.push(...figuresOf('kinesis', samples, variants as Variant<unknown>[], n, s.streamBatch));
      if (s.profile)
        await profileRun('kinesis', tables, variants[0] as Variant<KinesisStreamEvent>, batches, s.profile);
    }

    // DynamoDB Streams --------------------------------------------------------------------------------
    {
      progress(`dynamodb-stream: writing and reading ${n} stream records`);
      const batches = await fetchDynamoDbStream(dynamodb, dynamodbStreams, tables, n, s.streamBatch);
      type Row = { accountId: string; lastEventId: string; lastType: string; amountMinor: number };
      // The row depends on the event only, so the bare loop needs no read to make the same row.
      const rowOf = (e: StoredEvent): Row => ({
        accountId: e.streamId,
        lastEventId: e.eventId,
        lastType: e.type,
        amountMinor: Number(e.data.amountMinor),
      });
      const spec: ProjectionSpec<Row> = {
        streamPrefix: 'account-',
        keyName: 'accountId',
        keyOf: (e) => e.streamId,
        evolve: (_row, e) => rowOf(e),
      };
      const putRow = (table: string) => async (e: StoredEvent) => {
        await kit.documents.send(
          new PutCommand({
            TableName: table,
            Item: { ...rowOf(e), version: e.version, updatedAt: e.occurredAt },
          }),
        );
      };
      const projector = async (): Promise<Prepared<DynamoDBStreamEvent>> => {
        const control = await tables.create('control', [['projection', 'S']]);
        const view = await tables.create('view', [['accountId', 'S']]);
        process.env[PROJECTIONS] = JSON.stringify({ bench: { control, tables: { a: view, b: view } } });
        const consumer = kit.createProjector('bench', spec);
        return {
          invoke: (event) => consumer(event, context),
          verify: () => expectCount(view, Math.min(STREAMS, n)),
          tables: [control, view],
        };
      };
      const cachedProjector = async (): Promise<Prepared<DynamoDBStreamEvent>> => {
        const control = await tables.create('control', [['projection', 'S']]);
        const view = await tables.create('view', [['accountId', 'S']]);
        process.env[PROJECTIONS] = JSON.stringify({ bench: { control, tables: { a: view, b: view } } });
        const consumer = createCachedProjector(kit, 'bench', spec);
        return {
          invoke: (event) => consumer(event, context),
          verify: () => expectCount(view, Math.min(STREAMS, n)),
          tables: [control, view],
        };
      };
      const bare = async (): Promise<Prepared<DynamoDBStreamEvent>> => {
        const results = await tables.create('results', [['accountId', 'S']]);
        const body = putRow(results);
        return {
          invoke: async (event) => {
            for (const r of event.Records) {
              const e = kit.storedEventOf(r);
              if (e) await body(e);
            }
            return { batchItemFailures: [] };
          },
          verify: () => expectCount(results, Math.min(STREAMS, n)),
          tables: [results],
        };
      };
      const batchOnly = async (): Promise<Prepared<DynamoDBStreamEvent>> => {
        const results = await tables.create('results', [['accountId', 'S']]);
        const body = putRow(results);
        return {
          invoke: (event) =>
            processPartialResponse(
              event,
              async (r: DynamoDBRecord) => {
                const e = kit.storedEventOf(r);
                if (e) await body(e);
              },
              new BatchProcessor(EventType.DynamoDBStreams),
              { context, processInParallel: false, throwOnFullBatchFailure: false },
            ),
          verify: () => expectCount(results, Math.min(STREAMS, n)),
          tables: [results],
        };
      };
      const variants: Variant<DynamoDBStreamEvent>[] = [
        { key: 'framework', label: 'createProjector', prepare: projector },
        { key: 'bare', label: 'bare loop', prepare: bare },
        ...(s.diagnose
          ? [
              {
                key: 'batch-processor-only',
                label: 'BatchProcessor around the bare body',
                prepare: batchOnly,
              },
              {
                key: 'cached-reads',
                label: 'PROTOTYPE projector reading each row once per batch',
                prepare: cachedProjector,
              },
            ]
          : []),
      ];
      const samples = await measure('dynamodb-stream', tables, variants, batches, s.runs);
      figures.push(
        ...figuresOf('dynamodb-stream', samples, variants as Variant<unknown>[], n, s.streamBatch),
      );
      if (s.profile)
        await profileRun(
          'dynamodb-stream',
          tables,
          variants[0] as Variant<DynamoDBStreamEvent>,
          batches,
          s.profile,
        );
    }
    for (const f of figures) if (f.note?.includes('ms/rec')) progress(`${f.id}: ${f.note}`);
    return figures;
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error: unknown) {
        progress(`stop failed: ${String(error)}`);
      }
    }
  }
}

export const benchmark: Benchmark = { group: 'consumers', run };

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
