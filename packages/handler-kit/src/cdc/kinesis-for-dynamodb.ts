import type { AttributeValue, KinesisStreamRecord } from 'aws-lambda';
import { changeRecordsOf } from './dynamodb-source.js';
import { padPosition, type CaptureOptions, type ChangeRecord } from './envelope.js';
import { MalformedChangeError } from './errors.js';

/**
 * One record of Kinesis Data Streams for DynamoDB, its data parsed: both images always, no sequence number,
 * `ApproximateCreationDateTime` in milliseconds or microseconds (the destination's precision setting).
 */
export interface KdsChange {
  readonly awsRegion?: string;
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly userIdentity?: unknown;
  readonly recordFormat?: string;
  readonly tableName?: string;
  readonly eventSource?: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly OldImage?: Record<string, AttributeValue>;
    readonly SizeBytes?: number;
  };
}

/** Below this an `ApproximateCreationDateTime` is milliseconds (until the year 5138), above it microseconds. */
const MICROSECONDS_FROM = 1e14;

/** `ApproximateCreationDateTime` in epoch microseconds, whichever precision the destination writes. */
export function kdsChangedAtUs(change: KdsChange): number {
  const at = change.dynamodb.ApproximateCreationDateTime;
  return at >= MICROSECONDS_FROM ? Math.round(at) : Math.round(at * 1000);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The change in a Kinesis record written by a table's Kinesis streaming destination (base64 JSON data).
 * Throws {@link MalformedChangeError} for data that is not such a change.
 */
export function parseKdsRecord(record: KinesisStreamRecord): KdsChange {
  const what = `Kinesis record ${record.kinesis.sequenceNumber}`;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  } catch {
    throw new MalformedChangeError(`${what} is not JSON`);
  }
  if (!isObject(data) || !isObject(data.dynamodb)) {
    throw new MalformedChangeError(`${what} is not a Kinesis Data Streams for DynamoDB change (no dynamodb)`);
  }
  const { eventName, eventID } = data;
  const { ApproximateCreationDateTime: at, Keys, NewImage, OldImage } = data.dynamodb;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new MalformedChangeError(`${what} has eventName ${JSON.stringify(eventName)}`);
  }
  if (typeof eventID !== 'string') throw new MalformedChangeError(`${what} has no eventID`);
  if (typeof at !== 'number' || !Number.isFinite(at) || at <= 0) {
    throw new MalformedChangeError(`${what} has no ApproximateCreationDateTime`);
  }
  if (
    !isObject(Keys) ||
    (NewImage !== undefined && !isObject(NewImage)) ||
    (OldImage !== undefined && !isObject(OldImage))
  ) {
    throw new MalformedChangeError(`${what} has no Keys, or an image that is not a map`);
  }
  return data as unknown as KdsChange;
}

/** A change record and where it came from (its change's index in the batch). */
export interface OriginRecord {
  readonly record: ChangeRecord;
  /** Index of the change this record is of (the earliest delivery, for a change delivered twice). */
  readonly origin: number;
}

/** The records of a batch's changes up to the first that cannot be converted. */
export interface KdsConversion {
  readonly records: OriginRecord[];
  /** Index of the first change that could not be converted, and why. */
  readonly malformed?: { readonly at: number; readonly error: MalformedChangeError };
}

/**
 * The change records of a batch of Kinesis Data Streams for DynamoDB changes with the index of the change
 * each came from, up to the first change that cannot be converted. Each key's changes are sorted by
 * `ApproximateCreationDateTime` (stable: ties keep their order) into the positions that key's changes held,
 * so the batch's order across keys holds; a change delivered twice (same key, same time, same images) is
 * kept once, at its first delivery.
 */
export function kdsRecordsWithOrigin(changes: readonly KdsChange[], options: CaptureOptions): KdsConversion {
  interface Entry {
    readonly origin: number;
    readonly at: number;
    readonly identity: string;
    readonly records: ChangeRecord[];
  }
  const byKey = new Map<string, { slots: number[]; entries: Entry[] }>();
  let malformed: KdsConversion['malformed'];
  for (const [origin, change] of changes.entries()) {
    const what = `change ${change.eventID}`;
    const at = kdsChangedAtUs(change);
    let records: ChangeRecord[];
    try {
      records = changeRecordsOf(
        {
          eventName: change.eventName,
          eventId: change.eventID,
          keys: change.dynamodb.Keys,
          oldImage: change.dynamodb.OldImage,
          newImage: change.dynamodb.NewImage,
          changedAtUs: at,
          sequence: padPosition(at),
        },
        options,
        what,
      );
    } catch (error: unknown) {
      if (!(error instanceof MalformedChangeError)) throw error;
      malformed = { at: origin, error };
      break;
    }
    const partitionKey = (records[0] as ChangeRecord).partitionKey;
    const group = byKey.get(partitionKey) ?? { slots: [], entries: [] };
    byKey.set(partitionKey, group);
    group.slots.push(origin);
    const identity = JSON.stringify([
      change.eventName,
      at,
      change.dynamodb.OldImage,
      change.dynamodb.NewImage,
    ]);
    if (!group.entries.some((e) => e.identity === identity))
      group.entries.push({ origin, at, identity, records });
  }
  const placed: { slot: number; entry: Entry }[] = [];
  for (const { slots, entries } of byKey.values()) {
    const sorted = [...entries].sort((a, b) => a.at - b.at || a.origin - b.origin);
    sorted.forEach((entry, i) => placed.push({ slot: slots[i] ?? entry.origin, entry }));
  }
  placed.sort((a, b) => a.slot - b.slot);
  const records = placed.flatMap(({ entry }) =>
    entry.records.map((record) => ({ record, origin: entry.origin })),
  );
  return malformed ? { records, malformed } : { records };
}

/**
 * The change records of a batch of Kinesis Data Streams for DynamoDB changes (parsed data, see
 * {@link parseKdsRecord}), each key's in the order they happened and without duplicates: `source.sequence`
 * is `ApproximateCreationDateTime` in microseconds, padded to 40 digits. Throws {@link MalformedChangeError}
 * for a change without the fields a change event needs.
 */
export function changeRecordsFromKinesisForDynamoDb(
  records: readonly KdsChange[],
  options: CaptureOptions,
): ChangeRecord[] {
  const { records: converted, malformed } = kdsRecordsWithOrigin(records, options);
  if (malformed) throw malformed.error;
  return converted.map(({ record }) => record);
}
