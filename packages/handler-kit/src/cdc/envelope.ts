import { createHash } from 'node:crypto';

/**
 * The version Conflux writes in `source.version`: this package's version (a test holds it equal to
 * package.json, which the compiler cannot import from outside `src`).
 */
export const CONNECTOR_VERSION = '0.1.0';

/** The `source.connector` of Conflux's DynamoDB capture (Debezium's are `postgresql`, `mysql`, …). */
export const CONNECTOR_NAME = 'dynamodb';

/** Debezium's operations: create, update, delete and read (a snapshot row). */
export type ChangeOperation = 'c' | 'u' | 'd' | 'r';

/**
 * `source.snapshot` as Debezium spells it: the string `"false"` for a streamed change, `"first"`, `"true"` and
 * `"last"` for the rows of a snapshot (Debezium's `SnapshotRecord`, lower-cased).
 */
export type SnapshotMarker = 'false' | 'first' | 'true' | 'last';

/**
 * The `source` block, in Debezium's field order (`SchemaFactory.sourceInfoSchemaBuilder`: the common fields,
 * then the connector's own, here `table`).
 */
export interface ChangeSourceBlock {
  readonly version: string;
  readonly connector: string;
  /** The logical server name (Debezium's `topic.prefix`). */
  readonly name: string;
  /** When the change was made in the table (a snapshot row: when it was read), epoch milliseconds. */
  readonly ts_ms: number;
  readonly snapshot: SnapshotMarker;
  readonly db: string;
  /** The change's position in the table's log, 40 digits; null for snapshot rows. */
  readonly sequence: string | null;
  readonly ts_us: number;
  readonly ts_ns: number;
  readonly table: string;
}

/** Debezium's transaction block (`provide.transaction.metadata`). */
export interface ChangeTransaction {
  readonly id: string;
  readonly total_order: number;
  readonly data_collection_order: number;
}

/**
 * A Debezium change event's value (the JSON converter with `schemas.enable=false`), in Debezium 3's field
 * order: `before`, `after`, `source`, `transaction`, `op`, `ts_ms`, `ts_us`, `ts_ns`. The envelope's
 * timestamps are when the event was made; `source.ts_ms` is when the change happened.
 */
export interface ChangeEvent {
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly source: ChangeSourceBlock;
  readonly transaction: ChangeTransaction | null;
  readonly op: ChangeOperation;
  readonly ts_ms: number;
  readonly ts_us: number;
  readonly ts_ns: number;
}

/** One record for the event stream: the key as partition key and as a value, and the event or null (tombstone). */
export interface ChangeRecord {
  /** `<table>:<key JSON>` (see {@link partitionKeyOf}). */
  readonly partitionKey: string;
  /** The primary-key attributes in key-schema order. */
  readonly key: Record<string, unknown>;
  /** The change event; null for the tombstone that follows a delete. */
  readonly value: ChangeEvent | null;
}

/** How a table's changes become change events. */
export interface CaptureOptions {
  /** The logical server name written in `source.name` (Debezium's `topic.prefix`). */
  readonly serverName: string;
  /** `source.db`, e.g. `<accountId>/<region>`. */
  readonly db: string;
  /** The source table's name (`source.table`, and the partition key's prefix). */
  readonly table: string;
  /**
   * The table's key schema, partition key first. @default - the attributes of the stream record's `Keys`, in
   * the order they arrive (which DynamoDB does not promise: set it)
   */
  readonly keyAttributes?: readonly string[];
  /** A tombstone (same key, empty data) after each delete, as Debezium's `tombstones.on.delete`. @default true */
  readonly tombstonesOnDelete?: boolean;
  /**
   * A `transaction` block in each event, as Debezium's `provide.transaction.metadata`. DynamoDB's logs carry
   * no transaction id, so each change is its own transaction: its id is the log record's event id and both
   * orders are 1. @default false
   */
  readonly transactionMetadata?: boolean;
  /** The clock of the envelope's `ts_ms`. @default Date.now */
  readonly now?: () => number;
}

/** What differs between one change event and another. */
export interface ChangeFacts {
  readonly op: ChangeOperation;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  /** When the change happened, epoch microseconds. */
  readonly changedAtUs: number;
  readonly snapshot: SnapshotMarker;
  readonly sequence: string | null;
  /** The transaction id, when `transactionMetadata` is on. */
  readonly transactionId?: string;
}

/** Kinesis's limit on a partition key (Unicode characters; UTF-16 units counted, which is never fewer). */
const MAX_PARTITION_KEY_LENGTH = 256;

/**
 * The partition key of a table's row: `<table>:<key JSON>`, the key attributes in the order given (key-schema
 * order), so every change of one row lands on one shard, in order. A key too long for Kinesis (256
 * characters) becomes `<table>:sha256:<hex of key JSON>`, or `sha256:<hex of table:key JSON>` when even that
 * is too long; such a tombstone carries no readable key.
 */
export function partitionKeyOf(table: string, key: Record<string, unknown>): string {
  const keyJson = JSON.stringify(key);
  const plain = `${table}:${keyJson}`;
  if (plain.length <= MAX_PARTITION_KEY_LENGTH) return plain;
  const hashed = `${table}:sha256:${sha256(keyJson)}`;
  return hashed.length <= MAX_PARTITION_KEY_LENGTH ? hashed : `sha256:${sha256(plain)}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A log position as sinks compare it: the decimal digits left-padded with zeros to 40. */
export function padPosition(digits: string | number | bigint): string {
  return String(digits).padStart(40, '0');
}

/** The key attributes of an item, in the order of `keyAttributes` (or the item's own order without them). */
export function keyOf(
  item: Record<string, unknown>,
  keyAttributes: readonly string[] | undefined,
  what: string,
  onMissing: (message: string) => Error,
): Record<string, unknown> {
  if (!keyAttributes) return { ...item };
  const key: Record<string, unknown> = {};
  for (const name of keyAttributes) {
    if (!(name in item)) throw onMissing(`${what} has no key attribute ${name}`);
    key[name] = item[name];
  }
  return key;
}

/** The change event of `facts`, its fields written in Debezium's order. */
export function changeEvent(facts: ChangeFacts, options: CaptureOptions): ChangeEvent {
  const madeAtMs = (options.now ?? Date.now)();
  return {
    before: facts.before,
    after: facts.after,
    source: {
      version: CONNECTOR_VERSION,
      connector: CONNECTOR_NAME,
      name: options.serverName,
      ts_ms: Math.floor(facts.changedAtUs / 1000),
      snapshot: facts.snapshot,
      db: options.db,
      sequence: facts.sequence,
      ts_us: facts.changedAtUs,
      ts_ns: facts.changedAtUs * 1000,
      table: options.table,
    },
    transaction:
      options.transactionMetadata && facts.transactionId !== undefined
        ? { id: facts.transactionId, total_order: 1, data_collection_order: 1 }
        : null,
    op: facts.op,
    ts_ms: madeAtMs,
    ts_us: madeAtMs * 1000,
    ts_ns: madeAtMs * 1_000_000,
  };
}

/**
 * The records of one change: the event, and after a delete its tombstone (unless `tombstonesOnDelete` is
 * false).
 */
export function recordsOf(
  key: Record<string, unknown>,
  event: ChangeEvent,
  options: CaptureOptions,
): ChangeRecord[] {
  const partitionKey = partitionKeyOf(options.table, key);
  const records: ChangeRecord[] = [{ partitionKey, key, value: event }];
  if (event.op === 'd' && options.tombstonesOnDelete !== false)
    records.push({ partitionKey, key, value: null });
  return records;
}
