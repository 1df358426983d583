import { describe, expect, it } from 'vitest';
import {
  changeRecordsFromStream,
  MalformedChangeError,
  parseChangeRecord,
  partitionKeyOf,
  snapshotRecord,
  type ChangeRecord,
} from '../../src/cdc/index.js';
import { capture, kinesisRecord, recorded, streamRecord } from './factories.js';

/** The Kinesis record a Lambda consumer of the event stream receives for `record`. */
const delivered = (record: ChangeRecord) =>
  kinesisRecord(record.partitionKey, record.value ? JSON.stringify(record.value) : new Uint8Array(0));

/** A Debezium Server record: partition key the key JSON, data the value. */
const foreign = (key: unknown, value: unknown) => kinesisRecord(JSON.stringify(key), JSON.stringify(value));

describe("parseChangeRecord on Conflux's change events", () => {
  it('reads table, key, position and change time of a streamed change', () => {
    // GIVEN an update written to the event stream
    const [update] = changeRecordsFromStream(
      streamRecord('MODIFY', 'c-1', { sequenceNumber: '700', approximateSeconds: 1_700_000_001 }),
      capture,
    );

    // WHEN a sink reads it
    const parsed = parseChangeRecord(delivered(update as ChangeRecord));

    // THEN everything it needs to apply it idempotently
    expect(parsed).toEqual({
      table: 'customers',
      key: { customerId: 'c-1' },
      value: update?.value,
      tombstone: false,
      snapshot: false,
      position: '700'.padStart(40, '0'),
      sourceTsMs: 1_700_000_001_000,
    });
  });

  it('reads a tombstone: the key from the partition key, no value, no position', () => {
    // GIVEN the tombstone after a delete
    const [, tombstone] = changeRecordsFromStream(streamRecord('REMOVE', 'c-1'), capture);

    // WHEN a sink reads it
    const parsed = parseChangeRecord(delivered(tombstone as ChangeRecord));

    // THEN a tombstone of c-1
    expect(parsed).toEqual({
      table: 'customers',
      key: { customerId: 'c-1' },
      value: null,
      tombstone: true,
      snapshot: false,
    });
  });

  it('reads a snapshot row as a snapshot with its read time and no position', () => {
    // GIVEN a snapshot read
    const record = snapshotRecord({ customerId: 'c-1' }, 'first', 1_700_000_000_500, {
      ...capture,
      keyAttributes: ['customerId'],
    });

    // WHEN a sink reads it
    const parsed = parseChangeRecord(delivered(record));

    // THEN snapshot, no position, sourceTsMs the read time
    expect(parsed).toMatchObject({ snapshot: true, tombstone: false, sourceTsMs: 1_700_000_000_500 });
    expect(parsed.position).toBeUndefined();
  });

  it('gives a hashed partition key an empty key and its digest', () => {
    // GIVEN a tombstone of a key too long for a partition key
    const key = { customerId: 'x'.repeat(300) };
    const record = kinesisRecord(partitionKeyOf('customers', key), new Uint8Array(0));

    // WHEN a sink reads it
    const parsed = parseChangeRecord(record);

    // THEN the table, no readable key, and the digest
    expect(parsed).toMatchObject({ table: 'customers', key: {}, tombstone: true });
    expect(parsed.keyDigest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parseChangeRecord on recorded Debezium PostgreSQL events (Debezium Server → Kinesis)', () => {
  it.each([
    ['postgres-create.json', 1005, 'c', '34466480'],
    ['postgres-update.json', 2, 'u', '34251752'],
    ['postgres-delete.json', 1, 'd', '46523128'],
  ])('reads %s with its key and its lsn as position', (name, id, op, lsn) => {
    // GIVEN the recorded value, as Debezium Server puts it on Kinesis
    const value = recorded(name);

    // WHEN a sink reads it
    const parsed = parseChangeRecord(foreign({ id }, value));

    // THEN key from the partition key, table from source.table, position the lsn padded to 40
    expect(parsed).toMatchObject({
      table: (value.source as { table: string }).table,
      key: { id },
      tombstone: false,
      snapshot: false,
      position: lsn.padStart(40, '0'),
      sourceTsMs: (value.source as { ts_ms: number }).ts_ms,
    });
    expect(parsed.value?.op).toBe(op);
  });

  it('reads a recorded snapshot read as a snapshot without position', () => {
    // GIVEN the recorded `r` event
    const parsed = parseChangeRecord(foreign({ id: 1001 }, recorded('postgres-snapshot.json')));

    // THEN a snapshot row
    expect(parsed).toMatchObject({ key: { id: 1001 }, snapshot: true, tombstone: false });
    expect(parsed.position).toBeUndefined();
  });

  it("unwraps the JSON converter's {schema, payload} form of value and key", () => {
    // GIVEN the recorded event with its schema, and a key with schema too
    const withSchema = recorded('postgres-create-with-schema.json');
    const key = { schema: { type: 'struct', fields: [] }, payload: { id: 1 } };

    // WHEN a sink reads it
    const parsed = parseChangeRecord(foreign(key, withSchema));

    // THEN the payload is the value
    expect(parsed.key).toEqual({ id: 1 });
    expect(parsed.value).toEqual(withSchema.payload);
    expect(parsed.position).toBe('24023128'.padStart(40, '0'));
  });

  it('reads a Debezium tombstone (empty data) with the key JSON', () => {
    // GIVEN the tombstone Debezium Server writes after a delete
    const parsed = parseChangeRecord(kinesisRecord('{"id":1}', new Uint8Array(0)));

    // THEN a tombstone with the key and no table
    expect(parsed).toEqual({ key: { id: 1 }, value: null, tombstone: true, snapshot: false });
  });
});

describe('MalformedChangeError', () => {
  it.each([
    ['data that is not JSON', kinesisRecord('customers:{"customerId":"c-1"}', 'not json')],
    ['JSON that is not a change event', kinesisRecord('customers:{"customerId":"c-1"}', '{"hello":"world"}')],
    ['an op that is not a row change', foreign({ id: 1 }, { ...recorded('postgres-create.json'), op: 't' })],
    ['a create without after', foreign({ id: 1 }, { ...recorded('postgres-create.json'), after: null })],
    ['a partition key with no table', kinesisRecord('justtext', '')],
    ['a key JSON that is not an object', kinesisRecord('customers:[1]', '')],
  ])('is thrown for %s', (_, record) => {
    // WHEN / THEN the named error
    expect(() => parseChangeRecord(record)).toThrow(MalformedChangeError);
  });
});
