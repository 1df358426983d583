/**
 * What the console shows of each kind of resource, read from the engines and the services' state; each
 * reader is read-only (nothing here changes a resource).
 */
import { DescribeTableCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RunningApplication } from '../core/services.js';
import type { InvocationRecord, LambdaHost } from '../services/lambda/host.js';
import { ConsoleRequestError, type ConsoleResource } from './resources.js';

/** The most items of a table one page shows. */
export const TABLE_PAGE_ITEMS = 25;

/** The logical id an intrinsic (`Ref`, `Fn::GetAtt`) points at, when it is one. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** A topic's subscriptions as the templates declare them, with their filter policies. */
export function topicSubscriptions(application: RunningApplication, topic: ConsoleResource) {
  const subscriptions: {
    id: string;
    protocol: string;
    endpoint: string;
    filterPolicy?: unknown;
    filterPolicyScope: string;
    rawMessageDelivery: boolean;
  }[] = [];
  for (const stack of application.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::SNS::Subscription') continue;
      const p = resource.Properties ?? {};
      const topicId = referencedId(p.TopicArn);
      const sameStack = stack.stackName === topic.stackName;
      if (!(topicId === topic.logicalId && sameStack) && p.TopicArn !== topic.physical) continue;
      const endpointId = referencedId(p.Endpoint);
      subscriptions.push({
        id: `${stack.stackName}/${logicalId}`,
        protocol: typeof p.Protocol === 'string' ? p.Protocol : '?',
        endpoint: endpointId ? `${stack.stackName}/${endpointId}` : JSON.stringify(p.Endpoint),
        ...(p.FilterPolicy !== undefined ? { filterPolicy: p.FilterPolicy } : {}),
        filterPolicyScope:
          typeof p.FilterPolicyScope === 'string' ? p.FilterPolicyScope : 'MessageAttributes',
        rawMessageDelivery: p.RawMessageDelivery === true || p.RawMessageDelivery === 'true',
      });
    }
  }
  return subscriptions;
}

/** A table's description: keys, item count, stream. */
export async function tableState(dynamodb: DynamoDBClient, name: string) {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
  return {
    name,
    itemCount: Table?.ItemCount ?? 0,
    sizeBytes: Table?.TableSizeBytes ?? 0,
    keySchema: (Table?.KeySchema ?? []).map((k) => ({ name: k.AttributeName, type: k.KeyType })),
    indexes: (Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName),
    stream: Table?.StreamSpecification?.StreamEnabled
      ? { viewType: Table.StreamSpecification.StreamViewType, arn: Table.LatestStreamArn }
      : undefined,
  };
}

/** The most items a count scans; a bigger table shows as `10000+`. */
export const COUNT_LIMIT = 10_000;

/**
 * Counts a table's items with a scan (DynamoDB Local's `ItemCount` is not always current), up to
 * {@link COUNT_LIMIT}: the console counts once a second while it is open.
 */
export async function countItems(dynamodb: DynamoDBClient, name: string): Promise<number | string> {
  let count = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: name, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
    if (start && count >= COUNT_LIMIT) return `${COUNT_LIMIT}+`;
  } while (start);
  return count;
}

/** Encodes a scan's `LastEvaluatedKey` as an opaque cursor for the next page. */
const encodeCursor = (key: Record<string, AttributeValue> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

function decodeCursor(cursor: string | null): Record<string, AttributeValue> | undefined {
  if (cursor === null || cursor === '') return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new Error('not an object');
    return key as Record<string, AttributeValue>;
  } catch {
    throw new ConsoleRequestError('cursor is not one this console gave out: start from the first page', 400);
  }
}

/** One page of a table's items (plain JSON), and the cursor of the next page. */
export async function tableItems(dynamodb: DynamoDBClient, name: string, cursor: string | null) {
  const page = await dynamodb.send(
    new ScanCommand({ TableName: name, Limit: TABLE_PAGE_ITEMS, ExclusiveStartKey: decodeCursor(cursor) }),
  );
  const next = encodeCursor(page.LastEvaluatedKey);
  return {
    items: (page.Items ?? []).map((item) => unmarshall(item, { wrapNumbers: false }) as unknown),
    ...(next ? { next } : {}),
  };
}

/** Most records of a shard read to find its latest position. */
const SHARD_READ_LIMIT = 10_000;

/** A consumer of a stream (an event source mapping) and how far it has read each shard. */
export interface StreamReader {
  readonly mapping: string;
  readonly functionName: string;
  readonly shards: readonly { shardId: string; sequenceNumber: string; arrival: Date }[];
}

/**
 * A Kinesis stream's shards: each one's range, the latest sequence number written to it, and for each
 * consumer its position (the last record it is done with) and its lag: records behind, and how much older
 * its position is than the latest record.
 */
export async function streamState(kinesis: KinesisClient, name: string, readers: readonly StreamReader[]) {
  const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
  const shards = await Promise.all(
    (StreamDescription?.Shards ?? []).map(async (shard) => {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: name,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      let records = 0;
      let latest: string | undefined;
      let latestArrival: Date | undefined;
      const sequenceNumbers: bigint[] = [];
      while (iterator && records < SHARD_READ_LIMIT) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const last = page.Records?.[page.Records.length - 1];
        if (last) {
          latest = last.SequenceNumber;
          latestArrival = last.ApproximateArrivalTimestamp;
        }
        records += page.Records?.length ?? 0;
        for (const record of page.Records ?? []) sequenceNumbers.push(BigInt(record.SequenceNumber ?? '0'));
        if (!page.Records?.length || page.MillisBehindLatest === 0) break;
        iterator = page.NextShardIterator;
      }
      return {
        shardId: shard.ShardId ?? '',
        startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber,
        endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber,
        records,
        ...(latest ? { latestSequenceNumber: latest } : {}),
        ...(latestArrival ? { latestArrival: latestArrival.toISOString() } : {}),
        consumers: readers.map((reader) => {
          const at = reader.shards.find((p) => p.shardId === shard.ShardId);
          const done = at ? BigInt(at.sequenceNumber) : undefined;
          return {
            mapping: reader.mapping,
            functionName: reader.functionName,
            position: at?.sequenceNumber ?? 'not started',
            behind: done === undefined ? records : sequenceNumbers.filter((n) => n > done).length,
            ...(at && latestArrival
              ? { lagMs: Math.max(0, latestArrival.getTime() - at.arrival.getTime()) }
              : {}),
          };
        }),
      };
    }),
  );
  return {
    name,
    status: StreamDescription?.StreamStatus,
    retentionHours: StreamDescription?.RetentionPeriodHours,
    shards,
  };
}

/** The first objects of a bucket. */
export async function bucketObjects(s3: S3Client, name: string) {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 50 }));
  return {
    name,
    objects: (page.Contents ?? []).map((o) => ({
      key: o.Key,
      size: o.Size,
      lastModified: o.LastModified?.toISOString(),
    })),
    truncated: page.IsTruncated === true,
  };
}

/** A function's configuration, counts and recent invocations (newest first). */
export function functionState(host: LambdaHost, name: string) {
  const spec = host.get(name);
  if (!spec) throw new ConsoleRequestError(`no function ${name} runs in the host`, 404);
  const invocations: readonly InvocationRecord[] = host.invocations(spec.name);
  return {
    name: spec.name,
    arn: spec.arn,
    handler: spec.handler,
    runtime: spec.runtime,
    timeoutSeconds: spec.timeoutSeconds,
    memorySize: spec.memorySize,
    stats: host.stats(spec.name),
    invocations: [...invocations].reverse(),
  };
}
