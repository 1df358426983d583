import type { KinesisStreamRecord } from 'aws-lambda';
import { CONNECTOR_NAME, padPosition, type ChangeEvent } from './envelope.js';
import { MalformedChangeError } from './errors.js';

/** One record of an event stream as a sink reads it: Conflux's own change events and Debezium Server's alike. */
export interface ParsedChange {
  /** The source table: the partition key's prefix (Conflux), or `source.table` (a foreign event). */
  readonly table?: string;
  /**
   * The row's key. Empty for a partition key that was hashed because the key was too long (see
   * `keyDigest`): read such a key from the event's `after` or `before`.
   */
  readonly key: Record<string, unknown>;
  /** The change event; null for a tombstone. A foreign event's `source` has its connector's own fields. */
  readonly value: ChangeEvent | null;
  readonly tombstone: boolean;
  /** An `op: "r"` row of a snapshot. */
  readonly snapshot: boolean;
  /**
   * The change's position in its source's log, 40 digits, so positions compare as strings: `source.sequence`
   * (Conflux) or `source.lsn` (PostgreSQL). Absent for snapshot rows, tombstones, and foreign events with
   * neither.
   */
  readonly position?: string;
  /** `source.ts_ms`: when the change happened (a snapshot row: when it was read). Absent for tombstones. */
  readonly sourceTsMs?: number;
  /** The SHA-256 (hex) of the key JSON, when the partition key carries it instead of the key. */
  readonly keyDigest?: string;
}

const OPS = new Set(['c', 'u', 'd', 'r']);
const SHA256 = /^sha256:([0-9a-f]{64})$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON converter's `{schema, payload}` form, unwrapped; any other value as it is. */
function unwrapSchema(value: unknown): unknown {
  return isObject(value) && 'schema' in value && 'payload' in value ? value.payload : value;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedChangeError(`${what} is not JSON`);
  }
}

/** The table, key and key digest a partition key names. */
function parsePartitionKey(partitionKey: string, what: string) {
  if (partitionKey.startsWith('{')) {
    // Debezium Server: the record key's JSON alone.
    const key = unwrapSchema(parseJson(partitionKey, `${what}'s partition key`));
    if (!isObject(key)) throw new MalformedChangeError(`${what}'s partition key is not a key object`);
    return { key };
  }
  const whole = SHA256.exec(partitionKey);
  if (whole) return { key: {}, keyDigest: whole[1] };
  const colon = partitionKey.indexOf(':');
  if (colon <= 0) throw new MalformedChangeError(`${what}'s partition key names no table and key`);
  const table = partitionKey.slice(0, colon);
  const rest = partitionKey.slice(colon + 1);
  const hashed = SHA256.exec(rest);
  if (hashed) return { table, key: {}, keyDigest: hashed[1] };
  const key = parseJson(rest, `${what}'s partition key`);
  if (!isObject(key)) throw new MalformedChangeError(`${what}'s partition key is not <table>:<key JSON>`);
  return { table, key };
}

/** A change event's log position, 40 digits, or undefined when it has none (see {@link ParsedChange}). */
function positionOf(event: ChangeEvent): string | undefined {
  if (event.op === 'r') return undefined;
  const source = event.source as unknown as Record<string, unknown>;
  const digits = (value: unknown) =>
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'string' && /^\d{1,40}$/.test(value));
  if (source.connector === CONNECTOR_NAME && digits(source.sequence))
    return padPosition(source.sequence as string);
  if (digits(source.lsn)) return padPosition(source.lsn as number | string);
  return undefined;
}

/** The change event in a record's data, or null for a tombstone. */
function parseValue(data: string, what: string): ChangeEvent | null {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0) return null;
  const value = unwrapSchema(parseJson(bytes.toString('utf8'), `${what}'s data`));
  if (value === null) return null;
  if (!isObject(value) || typeof value.op !== 'string' || !OPS.has(value.op) || !isObject(value.source)) {
    throw new MalformedChangeError(
      `${what}'s data is not a change event (op c, u, d or r with a source block)`,
    );
  }
  if (value.op !== 'd' && !isObject(value.after)) {
    throw new MalformedChangeError(`${what}'s data is a change event with op ${value.op} and no after`);
  }
  return value as unknown as ChangeEvent;
}

/**
 * Reads one record of an event stream: a Conflux change event (partition key `<table>:<key JSON>`) or a
 * Debezium Server one (partition key the key JSON; data the value payload, or `{schema, payload}`), and a
 * tombstone (empty data) of either. Throws {@link MalformedChangeError} for anything else.
 */
export function parseChangeRecord(record: KinesisStreamRecord): ParsedChange {
  const what = `Kinesis record ${record.kinesis.sequenceNumber}`;
  const { table, key, keyDigest } = parsePartitionKey(record.kinesis.partitionKey, what);
  const value = parseValue(record.kinesis.data, what);
  const digest = keyDigest === undefined ? {} : { keyDigest };
  if (!value)
    return {
      ...(table === undefined ? {} : { table }),
      key,
      value,
      tombstone: true,
      snapshot: false,
      ...digest,
    };
  const sourceTable = (value.source as unknown as Record<string, unknown>).table;
  const resolvedTable = table ?? (typeof sourceTable === 'string' ? sourceTable : undefined);
  const position = positionOf(value);
  return {
    ...(resolvedTable === undefined ? {} : { table: resolvedTable }),
    key,
    value,
    tombstone: false,
    snapshot: value.op === 'r',
    ...(position === undefined ? {} : { position }),
    ...(typeof value.source.ts_ms === 'number' ? { sourceTsMs: value.source.ts_ms } : {}),
    ...digest,
  };
}
