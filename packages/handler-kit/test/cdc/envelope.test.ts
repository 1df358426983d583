import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  changeRecordsFromStream,
  CONNECTOR_VERSION,
  MalformedChangeError,
  partitionKeyOf,
  snapshotRecord,
  type ChangeEvent,
} from '../../src/cdc/index.js';
import { capture, customerImage, recorded, shapeOf, streamRecord } from './factories.js';

/** Debezium 3's recorded envelope: `before, after, source, transaction, op, ts_ms, ts_us, ts_ns`. */
const reference = recorded('reference-3x-mysql-update.json');
const referenceSource = reference.source as Record<string, unknown>;
/** The common part of Debezium's source block (up to `ts_ns`), then the connector's `table`. */
const COMMON_SOURCE_FIELDS = Object.keys(referenceSource).slice(
  0,
  Object.keys(referenceSource).indexOf('table') + 1,
);

/** The shape of an envelope with its images and transaction set aside (they differ by table and setting). */
function envelopeShape(event: Record<string, unknown>) {
  const rest = Object.fromEntries(
    Object.entries(event).filter(([name]) => !['before', 'after', 'source', 'transaction'].includes(name)),
  );
  return { keys: Object.keys(event), rest: shapeOf(rest) };
}

/** Asserts `event` has the recorded Debezium 3 event's fields, in its order, with its types. */
function expectDebeziumShape(event: ChangeEvent) {
  const ours = envelopeShape(event as unknown as Record<string, unknown>);
  const theirs = envelopeShape(reference);
  expect(ours.keys).toEqual(theirs.keys);
  expect(ours.rest).toEqual(theirs.rest);
  expect(Object.keys(event.source)).toEqual(COMMON_SOURCE_FIELDS);
  for (const field of COMMON_SOURCE_FIELDS) {
    const value = (event.source as unknown as Record<string, unknown>)[field];
    // Debezium's `sequence` is an optional string: null where the connector has none.
    if (field === 'sequence' && value === null) continue;
    expect([field, typeof value]).toEqual([
      field,
      typeof referenceSource[field] === 'object' ? 'string' : typeof referenceSource[field],
    ]);
  }
}

describe('change events from a DynamoDB stream', () => {
  it('makes an insert a create event shaped like Debezium 3', () => {
    // GIVEN an INSERT of customer c-1
    const record = streamRecord('INSERT', 'c-1', {
      sequenceNumber: '4200000000000000000001',
      approximateSeconds: 1_700_000_000,
    });

    // WHEN it becomes change records
    const records = changeRecordsFromStream(record, capture);

    // THEN one record: key, partition key and a `c` event with Debezium's fields
    expect(records).toHaveLength(1);
    const [only] = records;
    expect(only?.partitionKey).toBe('customers:{"customerId":"c-1"}');
    expect(only?.key).toEqual({ customerId: 'c-1' });
    const event = only?.value as ChangeEvent;
    expectDebeziumShape(event);
    expect(event).toEqual({
      before: null,
      after: { customerId: 'c-1', name: 'name of c-1' },
      source: {
        version: CONNECTOR_VERSION,
        connector: 'dynamodb',
        name: 'conflux',
        ts_ms: 1_700_000_000_000,
        snapshot: 'false',
        db: '000000000000/us-east-1',
        sequence: '0000000000000000004200000000000000000001',
        ts_us: 1_700_000_000_000_000,
        ts_ns: 1_700_000_000_000_000_000,
        table: 'customers',
      },
      transaction: null,
      op: 'c',
      ts_ms: 1_700_000_000_123,
      ts_us: 1_700_000_000_123_000,
      ts_ns: 1_700_000_000_123_000_000,
    });
  });

  it('makes a modify an update event with both images', () => {
    // GIVEN a MODIFY renaming c-1
    const record = streamRecord('MODIFY', 'c-1', {
      oldImage: customerImage('c-1', { name: { S: 'Ann' } }),
      newImage: customerImage('c-1', { name: { S: 'Anne' } }),
    });

    // WHEN it becomes change records
    const [update, ...rest] = changeRecordsFromStream(record, capture);

    // THEN a `u` event with before and after
    expect(rest).toEqual([]);
    expectDebeziumShape(update?.value as ChangeEvent);
    expect(update?.value).toMatchObject({
      op: 'u',
      before: { customerId: 'c-1', name: 'Ann' },
      after: { customerId: 'c-1', name: 'Anne' },
    });
  });

  it('follows a delete with a tombstone of the same key', () => {
    // GIVEN a REMOVE of c-1
    const record = streamRecord('REMOVE', 'c-1');

    // WHEN it becomes change records
    const [deleted, tombstone, ...rest] = changeRecordsFromStream(record, capture);

    // THEN a `d` event (before the old row, after null), then a tombstone with the same partition key
    expect(rest).toEqual([]);
    expectDebeziumShape(deleted?.value as ChangeEvent);
    expect(deleted?.value).toMatchObject({ op: 'd', before: { customerId: 'c-1' }, after: null });
    expect(tombstone).toEqual({
      partitionKey: deleted?.partitionKey,
      key: { customerId: 'c-1' },
      value: null,
    });
  });

  it('writes no tombstone when tombstonesOnDelete is false', () => {
    // GIVEN a REMOVE and a capture without tombstones
    const record = streamRecord('REMOVE', 'c-1');

    // WHEN it becomes change records
    const records = changeRecordsFromStream(record, { ...capture, tombstonesOnDelete: false });

    // THEN only the delete event
    expect(records.map((r) => r.value?.op ?? 'tombstone')).toEqual(['d']);
  });

  it('makes a primary-key change delete, tombstone and create, as Debezium does', () => {
    // GIVEN DynamoDB's key change: REMOVE of the old key, INSERT of the new
    const remove = streamRecord('REMOVE', 'c-old');
    const insert = streamRecord('INSERT', 'c-new');

    // WHEN both become change records
    const records = [remove, insert].flatMap((r) => changeRecordsFromStream(r, capture));

    // THEN d (old key), tombstone (old key), c (new key)
    expect(records.map((r) => [r.value?.op ?? 'tombstone', r.key])).toEqual([
      ['d', { customerId: 'c-old' }],
      ['tombstone', { customerId: 'c-old' }],
      ['c', { customerId: 'c-new' }],
    ]);
  });

  it('adds a transaction block per change when transactionMetadata is on, and null when off', () => {
    // GIVEN one record, captured with and without transaction metadata
    const record = streamRecord('INSERT', 'c-1');

    // WHEN it becomes change records both ways
    const [withMetadata] = changeRecordsFromStream(record, { ...capture, transactionMetadata: true });
    const [without] = changeRecordsFromStream(record, capture);

    // THEN the block is Debezium's {id, total_order, data_collection_order}: the change is its own transaction
    expect(withMetadata?.value?.transaction).toEqual({
      id: record.eventID,
      total_order: 1,
      data_collection_order: 1,
    });
    expect(Object.keys(withMetadata?.value ?? {})).toEqual(Object.keys(reference));
    expect(without?.value?.transaction).toBeNull();
  });

  it('writes numbers as numbers, sets as arrays and binary as base64', () => {
    // GIVEN an item with every attribute type
    const record = streamRecord('INSERT', 'c-1', {
      newImage: customerImage('c-1', {
        age: { N: '42' },
        score: { N: '1.5' },
        huge: { N: '123456789012345678901234567890' },
        tags: { SS: ['a', 'b'] },
        lucky: { NS: ['7', '13'] },
        avatar: { B: 'AAEC' },
        blobs: { BS: ['AA=='] },
        active: { BOOL: true },
        nothing: { NULL: true },
        address: { M: { city: { S: 'Oslo' } } },
        history: { L: [{ S: 'x' }, { N: '1' }] },
      }),
    });

    // WHEN it becomes a change event
    const [created] = changeRecordsFromStream(record, capture);

    // THEN plain JSON (a number a double cannot hold stays text)
    expect(created?.value?.after).toEqual({
      customerId: 'c-1',
      name: 'name of c-1',
      age: 42,
      score: 1.5,
      huge: '123456789012345678901234567890',
      tags: ['a', 'b'],
      lucky: [7, 13],
      avatar: 'AAEC',
      blobs: ['AA=='],
      active: true,
      nothing: null,
      address: { city: 'Oslo' },
      history: ['x', 1],
    });
  });

  it('refuses a record that is no change, has no sequence number or lacks a key attribute', () => {
    // GIVEN three unusable records
    const record = streamRecord('INSERT', 'c-1');
    const noName = { ...record, eventName: undefined };
    const noSequence = { ...record, dynamodb: { ...record.dynamodb, SequenceNumber: undefined } };
    const otherKey = { ...record, dynamodb: { ...record.dynamodb, Keys: { id: { S: 'c-1' } } } };
    const keysOnly = { ...record, dynamodb: { ...record.dynamodb, NewImage: undefined } };

    // WHEN / THEN each is a MalformedChangeError naming the problem
    expect(() => changeRecordsFromStream(noName, capture)).toThrow(MalformedChangeError);
    expect(() => changeRecordsFromStream(noSequence, capture)).toThrow(/no SequenceNumber/);
    expect(() => changeRecordsFromStream(otherKey, capture)).toThrow(/no key attribute customerId/);
    expect(() => changeRecordsFromStream(keysOnly, capture)).toThrow(/NEW_AND_OLD_IMAGES/);
  });
});

describe('snapshot records', () => {
  it.each(['first', 'true', 'last'] as const)(
    'marks a snapshot row %s, with no sequence and the read time',
    (marker) => {
      // GIVEN a row read by a snapshot at a known time
      const item = { customerId: 'c-9', name: 'Nine', tags: new Set(['x']) };

      // WHEN it becomes a snapshot record
      const record = snapshotRecord(item, marker, 1_700_000_005_000, {
        ...capture,
        keyAttributes: ['customerId'],
      });

      // THEN an `r` event shaped like Debezium's, with source.snapshot as Debezium spells it
      const event = record.value as ChangeEvent;
      expectDebeziumShape(event);
      expect(record.partitionKey).toBe('customers:{"customerId":"c-9"}');
      expect(event.op).toBe('r');
      expect(event.before).toBeNull();
      expect(event.after).toEqual({ customerId: 'c-9', name: 'Nine', tags: ['x'] });
      expect(event.source).toMatchObject({ snapshot: marker, sequence: null, ts_ms: 1_700_000_005_000 });
      expect(event.transaction).toBeNull();
    },
  );

  it('spells snapshot markers as the recorded PostgreSQL snapshot does', () => {
    // GIVEN the recorded Debezium snapshot read and ours
    const theirs = recorded('postgres-snapshot.json');
    const ours = snapshotRecord({ customerId: 'c-1' }, 'true', 1, {
      ...capture,
      keyAttributes: ['customerId'],
    });

    // THEN both have op r and the string "true"
    expect([ours.value?.op, ours.value?.source.snapshot]).toEqual([
      theirs.op,
      (theirs.source as { snapshot: string }).snapshot,
    ]);
  });
});

describe('the envelope against recorded PostgreSQL events', () => {
  it.each(['postgres-create.json', 'postgres-update.json'])(
    'has every field of %s that is not PostgreSQL-specific',
    (name) => {
      // GIVEN a recorded streamed PostgreSQL event and our event of the same operation
      const theirs = recorded(name);
      const op = theirs.op as string;
      const [ours] = changeRecordsFromStream(streamRecord(op === 'c' ? 'INSERT' : 'MODIFY', 'c-1'), capture);
      const source = (ours?.value?.source ?? {}) as unknown as Record<string, unknown>;

      // THEN each envelope field of theirs is in ours, of the same type where both have a value, and so is
      // each source field that is not PostgreSQL's own
      const envelope = (ours?.value ?? {}) as unknown as Record<string, unknown>;
      const sameType = (a: unknown, b: unknown) => a === null || b === null || typeof a === typeof b;
      for (const [field, value] of Object.entries(theirs)) {
        expect([field, field in envelope, sameType(envelope[field], value)]).toEqual([field, true, true]);
      }
      for (const [field, value] of Object.entries(theirs.source as Record<string, unknown>)) {
        if (['schema', 'txId', 'lsn', 'xmin'].includes(field)) continue;
        expect([field, typeof source[field]]).toEqual([field, typeof value]);
      }
      expect(source.snapshot).toBe('false');
    },
  );
});

describe('partition keys', () => {
  it('is the table and the key JSON, attributes in key-schema order', () => {
    // GIVEN a two-attribute key given partition key first
    const key = { tenant: 't-1', orderId: 7 };

    // WHEN / THEN the key JSON keeps that order
    expect(partitionKeyOf('orders', key)).toBe('orders:{"tenant":"t-1","orderId":7}');
  });

  it('orders a stream record key by keyAttributes, not by how the record lists it', () => {
    // GIVEN a record whose Keys list the sort key first
    const record = streamRecord('INSERT', 'c-1');
    const keyed = {
      ...record,
      dynamodb: {
        ...record.dynamodb,
        Keys: { orderId: { N: '7' }, tenant: { S: 't-1' } },
        NewImage: { orderId: { N: '7' }, tenant: { S: 't-1' } },
      },
    };

    // WHEN it becomes records with keyAttributes [tenant, orderId]
    const [created] = changeRecordsFromStream(keyed, {
      ...capture,
      table: 'orders',
      keyAttributes: ['tenant', 'orderId'],
    });

    // THEN the partition key follows the key schema
    expect(created?.partitionKey).toBe('orders:{"tenant":"t-1","orderId":7}');
  });

  it('hashes a key that would make the partition key longer than 256 characters', () => {
    // GIVEN a key of 300 characters
    const key = { customerId: 'x'.repeat(300) };

    // WHEN its partition key is made
    const partitionKey = partitionKeyOf('customers', key);

    // THEN `<table>:sha256:<hex>`, within Kinesis's limit
    expect(partitionKey).toMatch(/^customers:sha256:[0-9a-f]{64}$/);
    expect(partitionKey.length).toBeLessThanOrEqual(256);
    // exactly 256 characters stays readable, 257 is hashed
    expect(partitionKeyOf('customers', { customerId: 'x'.repeat(229) })).toHaveLength(256);
    expect(partitionKeyOf('customers', { customerId: 'x'.repeat(230) })).toMatch(/^customers:sha256:/);
  });

  it('hashes table and key together when even the table is too long', () => {
    // GIVEN a 250-character table name
    const partitionKey = partitionKeyOf('t'.repeat(250), { id: 1 });

    // THEN `sha256:<hex>`
    expect(partitionKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('CONNECTOR_VERSION', () => {
  it("is the handler kit's package version", () => {
    // GIVEN the package's manifest
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };

    // THEN source.version names it
    expect(CONNECTOR_VERSION).toBe(manifest.version);
  });
});
