import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

let kinesisSequence = 0;

/** A customer as the source table holds it. */
export interface CustomerItem {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
  readonly [attribute: string]: unknown;
}

/** What a change record is made of; each field has a default. */
export interface ChangeRecordOptions {
  /** `c`, `u`, `d` from the log, `r` from a snapshot. @default 'c' (or 'd' when only `before` is given) */
  readonly op?: 'c' | 'u' | 'd' | 'r';
  readonly before?: CustomerItem | null;
  readonly after?: CustomerItem | null;
  /** The record key; @default the image's customerId */
  readonly key?: Record<string, unknown>;
  /** The source's position as a number, written 40 digits wide; ignored for `r`. @default 1 */
  readonly position?: number | bigint;
  /** The change time (for `r`: when the row was read). @default 1_795_600_000_000 */
  readonly tsMs?: number;
  /** For `r`: `first`, `true` or `last`. @default 'true' */
  readonly snapshotMarker?: 'first' | 'true' | 'last';
  readonly table?: string;
  /** A tombstone: same partition key, empty data. */
  readonly tombstone?: boolean;
  /** Data sent as is instead of the change event (a malformed record). */
  readonly rawData?: string;
}

/** The Debezium value payload of a change, as Conflux's DynamoDB capture writes it (spec: "wire format"). */
export function changeEvent(options: ChangeRecordOptions): Record<string, unknown> {
  const op = options.op ?? (options.after === undefined && options.before ? 'd' : 'c');
  const tsMs = options.tsMs ?? 1_795_600_000_000;
  const snapshot = op === 'r';
  const madeAtMs = tsMs + 5;
  return {
    before: options.before ?? null,
    after: op === 'd' ? null : (options.after ?? null),
    source: {
      version: '0.1.0',
      connector: 'dynamodb',
      name: 'conflux',
      ts_ms: tsMs,
      snapshot: snapshot ? (options.snapshotMarker ?? 'true') : 'false',
      db: '000000000000/us-east-1',
      sequence: snapshot ? null : String(options.position ?? 1).padStart(40, '0'),
      ts_us: tsMs * 1000,
      ts_ns: tsMs * 1_000_000,
      table: options.table ?? 'customers',
    },
    transaction: null,
    op,
    ts_ms: madeAtMs,
    ts_us: madeAtMs * 1000,
    ts_ns: madeAtMs * 1_000_000,
  };
}

/**
 * A Kinesis record of the customers' EventStream as a Lambda consumer receives it: partition key
 * `<table>:<key JSON>`, data the change event's JSON (empty for a tombstone), a fresh sequence number.
 */
export function changeRecord(options: ChangeRecordOptions = {}): KinesisStreamRecord {
  kinesisSequence += 1;
  const image = options.after ?? options.before;
  const key = options.key ?? { customerId: image?.customerId ?? 'c-1' };
  const table = options.table ?? 'customers';
  const data = options.tombstone
    ? ''
    : (options.rawData ?? JSON.stringify(changeEvent({ ...options, table })));
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: `${table}:${JSON.stringify(key)}`,
      sequenceNumber: String(
        49_650_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(kinesisSequence),
      ),
      data: Buffer.from(data, 'utf8').toString('base64'),
      approximateArrivalTimestamp: (options.tsMs ?? 1_795_600_000_000) / 1000 + 0.5,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${kinesisSequence}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/sink',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/conflux-dev-customer-changes',
  };
}

/** A Kinesis event holding `records`. */
export function kinesisEvent(...records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

/** A customer item with overrides. */
export function customer(overrides: Partial<CustomerItem> = {}): CustomerItem {
  return {
    customerId: 'c-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    ...overrides,
  };
}
