import { describe, expect, it } from 'vitest';
import {
  changeRecordsFromKinesisForDynamoDb,
  kdsRecordsWithOrigin,
  MalformedChangeError,
  parseKdsRecord,
} from '../../src/cdc/index.js';
import { capture, kdsChange, kdsKinesisRecord, kinesisRecord } from './factories.js';

const T = 1_700_000_000_000_000; // microseconds

describe('change records from Kinesis Data Streams for DynamoDB', () => {
  it("sorts each key's changes by ApproximateCreationDateTime and drops duplicates", () => {
    // GIVEN a batch with c-1's changes out of order and one of them delivered twice, and c-2 between them
    const batch = [
      kdsChange('MODIFY', 'c-1', T + 30, { name: 'third' }),
      kdsChange('INSERT', 'c-2', T + 5),
      kdsChange('INSERT', 'c-1', T + 10, { name: 'first' }),
      kdsChange('MODIFY', 'c-1', T + 20, { name: 'second' }),
      kdsChange('MODIFY', 'c-1', T + 20, { name: 'second', eventId: 'redelivered' }),
    ];

    // WHEN they become change records
    const records = changeRecordsFromKinesisForDynamoDb(batch, capture);

    // THEN c-1's are in time order and once each, in the places c-1's changes held; c-2 keeps its place
    expect(records.map((r) => [r.key.customerId, r.value?.after?.name, r.value?.source.sequence])).toEqual([
      ['c-1', 'first', String(T + 10).padStart(40, '0')],
      ['c-2', 'name of c-2', String(T + 5).padStart(40, '0')],
      ['c-1', 'second', String(T + 20).padStart(40, '0')],
      ['c-1', 'third', String(T + 30).padStart(40, '0')],
    ]);
  });

  it('keeps two different changes made in the same microsecond, in delivery order', () => {
    // GIVEN two different updates of c-1 with one timestamp
    const batch = [
      kdsChange('MODIFY', 'c-1', T, { name: 'a' }),
      kdsChange('MODIFY', 'c-1', T, { name: 'b' }),
    ];

    // WHEN they become change records
    const records = changeRecordsFromKinesisForDynamoDb(batch, capture);

    // THEN both, a before b
    expect(records.map((r) => r.value?.after?.name)).toEqual(['a', 'b']);
  });

  it('reads millisecond timestamps as well as microsecond ones', () => {
    // GIVEN a change with millisecond precision
    const [record] = changeRecordsFromKinesisForDynamoDb(
      [kdsChange('INSERT', 'c-1', 1_700_000_000_123)],
      capture,
    );

    // THEN source times and the sequence are the same instant in microseconds
    expect(record?.value?.source).toMatchObject({
      ts_ms: 1_700_000_000_123,
      ts_us: 1_700_000_000_123_000,
      sequence: '1700000000123000'.padStart(40, '0'),
    });
  });

  it('follows a remove with a tombstone, and names the change each record comes from', () => {
    // GIVEN an insert and a remove delivered in reverse order
    const batch = [kdsChange('REMOVE', 'c-1', T + 2), kdsChange('INSERT', 'c-1', T + 1)];

    // WHEN they become records with origins
    const { records, malformed } = kdsRecordsWithOrigin(batch, capture);

    // THEN c, d, tombstone, each naming the batch index of its change
    expect(malformed).toBeUndefined();
    expect(records.map(({ record, origin }) => [record.value?.op ?? 'tombstone', origin])).toEqual([
      ['c', 1],
      ['d', 0],
      ['tombstone', 0],
    ]);
  });

  it('stops at the first change that cannot be converted', () => {
    // GIVEN a good change, then one whose key is not the table's
    const bad = kdsChange('INSERT', 'c-2', T + 2);
    const batch = [
      kdsChange('INSERT', 'c-1', T + 1),
      { ...bad, dynamodb: { ...bad.dynamodb, Keys: { id: { S: 'c-2' } } } },
      kdsChange('INSERT', 'c-3', T + 3),
    ];

    // WHEN they become records
    const { records, malformed } = kdsRecordsWithOrigin(batch, capture);

    // THEN the first change's records and the index of the bad one; the public function throws
    expect(records.map(({ record }) => record.key)).toEqual([{ customerId: 'c-1' }]);
    expect(malformed?.at).toBe(1);
    expect(() => changeRecordsFromKinesisForDynamoDb(batch, capture)).toThrow(MalformedChangeError);
  });
});

describe('parseKdsRecord', () => {
  it("reads a table destination's Kinesis record", () => {
    // GIVEN a change as the destination writes it
    const change = kdsChange('INSERT', 'c-1', T);

    // WHEN / THEN it parses back
    expect(parseKdsRecord(kdsKinesisRecord(change))).toEqual(change);
  });

  it.each([
    ['not JSON', 'nope'],
    ['no dynamodb block', JSON.stringify({ eventName: 'INSERT', eventID: 'x' })],
    ['another eventName', JSON.stringify({ ...kdsChange('INSERT', 'c-1', T), eventName: 'TRUNCATE' })],
    [
      'no ApproximateCreationDateTime',
      JSON.stringify({
        ...kdsChange('INSERT', 'c-1', T),
        dynamodb: { Keys: { customerId: { S: 'c-1' } } },
      }),
    ],
  ])('refuses data with %s', (_, data) => {
    // GIVEN a record of such data
    const record = kinesisRecord('{}', data);

    // WHEN / THEN MalformedChangeError
    expect(() => parseKdsRecord(record)).toThrow(MalformedChangeError);
  });
});
