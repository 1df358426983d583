import { readFileSync } from 'node:fs';
import type { AttributeValue, DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import type { CaptureOptions, KdsChange } from '../../src/cdc/index.js';

/** The capture of the tests' `customers` table. */
export const capture: CaptureOptions = {
  serverName: 'conflux',
  db: '000000000000/us-east-1',
  table: 'customers',
  keyAttributes: ['customerId'],
  now: () => 1_700_000_000_123,
};

/** A recorded Debezium event from `fixtures/` (see its README for where each comes from). */
export function recorded(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** A customer item as DynamoDB's JSON. */
export function customerImage(
  id: string,
  fields: Record<string, AttributeValue> = {},
): Record<string, AttributeValue> {
  return { customerId: { S: id }, name: { S: `name of ${id}` }, ...fields };
}

let sequence = 100_000_000_000_000_000_000n;

/** A DynamoDB stream record (NEW_AND_OLD_IMAGES) of the `customers` table. */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  id: string,
  options: {
    oldImage?: Record<string, AttributeValue>;
    newImage?: Record<string, AttributeValue>;
    sequenceNumber?: string;
    approximateSeconds?: number;
  } = {},
): DynamoDBRecord {
  sequence += 100n;
  const sequenceNumber = options.sequenceNumber ?? String(sequence);
  return {
    awsRegion: 'us-east-1',
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/customers/stream/2024-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: options.approximateSeconds ?? 1_700_000_000,
      Keys: { customerId: { S: id } },
      ...(eventName === 'INSERT' ? {} : { OldImage: options.oldImage ?? customerImage(id) }),
      ...(eventName === 'REMOVE' ? {} : { NewImage: options.newImage ?? customerImage(id) }),
      SequenceNumber: sequenceNumber,
      SizeBytes: 64,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A Kinesis Data Streams for DynamoDB change of the `customers` table (both images, microsecond time). */
export function kdsChange(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  id: string,
  at: number,
  options: { name?: string; eventId?: string } = {},
): KdsChange {
  const image = customerImage(id, options.name === undefined ? {} : { name: { S: options.name } });
  return {
    awsRegion: 'us-east-1',
    eventID: options.eventId ?? `kds-${id}-${at}`,
    eventName,
    userIdentity: null,
    recordFormat: 'application/json',
    tableName: 'customers',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      ApproximateCreationDateTime: at,
      Keys: { customerId: { S: id } },
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      SizeBytes: 64,
    },
  };
}

let kinesisSequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/** A Kinesis record as a Lambda event carries it. */
export function kinesisRecord(partitionKey: string, data: string | Uint8Array): KinesisStreamRecord {
  kinesisSequence += 1n;
  return {
    awsRegion: 'us-east-1',
    eventID: `shardId-000000000000:${String(kinesisSequence)}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/changes',
    eventVersion: '1.0',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/reader',
    kinesis: {
      approximateArrivalTimestamp: 1_700_000_000.5,
      data: Buffer.from(data).toString('base64'),
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: String(kinesisSequence),
    },
  };
}

/** A Kinesis record of a table's Kinesis streaming destination, carrying `change`. */
export function kdsKinesisRecord(change: KdsChange): KinesisStreamRecord {
  return kinesisRecord(JSON.stringify(change.dynamodb.Keys), JSON.stringify(change));
}

/** The name, type and order of every field, recursively: the shape two change events are compared by. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([name, field]) => [name, shapeOf(field)]);
  }
  return typeof value;
}
