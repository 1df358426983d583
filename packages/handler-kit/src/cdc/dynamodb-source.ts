import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import {
  changeEvent,
  keyOf,
  padPosition,
  recordsOf,
  type CaptureOptions,
  type ChangeOperation,
  type ChangeRecord,
} from './envelope.js';
import { MalformedChangeError } from './errors.js';
import { imageToJson } from './images.js';

/** A table-log change as both sources describe it, before it becomes an event. */
export interface TableChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventId: string;
  readonly keys: Record<string, AttributeValue>;
  readonly oldImage?: Record<string, AttributeValue>;
  readonly newImage?: Record<string, AttributeValue>;
  /** When the change happened, epoch microseconds. */
  readonly changedAtUs: number;
  /** `source.sequence`, 40 digits. */
  readonly sequence: string;
}

const OPERATIONS = { INSERT: 'c', MODIFY: 'u', REMOVE: 'd' } as const satisfies Record<
  string,
  ChangeOperation
>;

/**
 * The change records of one table change: `c` for an insert, `u` for a modify, `d` and its tombstone for a
 * remove. A primary-key change is a remove of the old key and an insert of the new one in DynamoDB, so it
 * comes out as Debezium writes it: `d`, tombstone (old key), `c` (new key).
 */
export function changeRecordsOf(change: TableChange, options: CaptureOptions, what: string): ChangeRecord[] {
  const op = OPERATIONS[change.eventName];
  const keys = imageToJson(change.keys);
  const key = keyOf(keys, options.keyAttributes, `${what} (Keys)`, (m) => new MalformedChangeError(m));
  const before = change.oldImage ? imageToJson(change.oldImage) : undefined;
  const after = change.newImage ? imageToJson(change.newImage) : undefined;
  if (op !== 'd' && !after) {
    throw new MalformedChangeError(
      `${what} (${change.eventName}) has no NewImage: the table's stream view type must be NEW_IMAGE or NEW_AND_OLD_IMAGES`,
    );
  }
  const event = changeEvent(
    {
      op,
      // Without old images (stream view NEW_IMAGE), an update has no before and a delete only its key, as
      // Debezium writes them for a PostgreSQL table with REPLICA IDENTITY DEFAULT.
      before: op === 'c' ? null : (before ?? (op === 'd' ? keys : null)),
      after: op === 'd' ? null : (after ?? null),
      changedAtUs: change.changedAtUs,
      snapshot: 'false',
      sequence: change.sequence,
      transactionId: change.eventId,
    },
    options,
  );
  return recordsOf(key, event, options);
}

/**
 * The change records of one DynamoDB stream record, in order: `source.sequence` is its `SequenceNumber`
 * padded to 40 digits, `source.ts_ms` its `ApproximateCreationDateTime` (whole seconds in stream records).
 * Throws {@link MalformedChangeError} for a record without the fields a change event needs.
 */
export function changeRecordsFromStream(record: DynamoDBRecord, options: CaptureOptions): ChangeRecord[] {
  const what = `stream record ${record.eventID ?? '(no eventID)'}`;
  const stream = record.dynamodb;
  const eventName = record.eventName;
  if (!stream || !eventName || !(eventName in OPERATIONS)) {
    throw new MalformedChangeError(
      `${what} is not a DynamoDB stream change (eventName ${String(eventName)})`,
    );
  }
  if (!stream.SequenceNumber || !/^\d+$/.test(stream.SequenceNumber)) {
    throw new MalformedChangeError(`${what} has no SequenceNumber`);
  }
  const keys = stream.Keys;
  if (!keys) throw new MalformedChangeError(`${what} has no Keys`);
  const seconds = stream.ApproximateCreationDateTime;
  const changedAtUs =
    typeof seconds === 'number' ? Math.round(seconds * 1000) * 1000 : (options.now ?? Date.now)() * 1000;
  return changeRecordsOf(
    {
      eventName,
      eventId: record.eventID ?? stream.SequenceNumber,
      keys,
      oldImage: stream.OldImage,
      newImage: stream.NewImage,
      changedAtUs,
      sequence: padPosition(stream.SequenceNumber),
    },
    options,
    what,
  );
}
