import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { changeRecordsFromStream } from '@conflux/handler-kit/cdc';
import { changeRecord, customer } from './fixtures';

/** The sink tests' records stand for what the CDC processor writes: held equal here, field for field. */
describe('the changeRecord fixture', () => {
  it('builds the records the CDC processor writes for an insert, an update and a delete', () => {
    // GIVEN stream records of a customer's life, one second apart
    const at = Date.UTC(2026, 10, 25, 9);
    const ada = customer({ customerId: 'c-7' });
    const king = { ...ada, name: 'Ada King' };
    const stream = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', n: number, before?: object, after?: object) =>
      ({
        eventID: `e-${n}`,
        eventName,
        eventSource: 'aws:dynamodb',
        dynamodb: {
          ApproximateCreationDateTime: (at + n * 1000) / 1000,
          Keys: marshall({ customerId: 'c-7' }),
          ...(before ? { OldImage: marshall(before) } : {}),
          ...(after ? { NewImage: marshall(after) } : {}),
          SequenceNumber: String(n),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      }) as DynamoDBRecord;
    const options = {
      serverName: 'conflux',
      db: '000000000000/us-east-1',
      table: 'customers',
      keyAttributes: ['customerId'],
    };
    const cases = [
      { record: stream('INSERT', 1, undefined, ada), op: 'c', after: ada },
      { record: stream('MODIFY', 2, ada, king), op: 'u', before: ada, after: king },
      { record: stream('REMOVE', 3, king), op: 'd', before: king },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const tsMs = at + (i + 1) * 1000;
      // WHEN the processor converts one, and the fixture builds the same change
      const written = changeRecordsFromStream(c.record, { ...options, now: () => tsMs + 5 });
      const fixture = changeRecord({ ...c, position: i + 1, tsMs });
      // THEN both have the same partition key and the same event, field for field and in order
      expect(written[0]?.partitionKey).toBe(fixture.kinesis.partitionKey);
      const data = Buffer.from(fixture.kinesis.data, 'base64').toString('utf8');
      expect(data).toBe(JSON.stringify(written[0]?.value));
    }
  });
});
