import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCdcProcessor } from '../../src/cdc/index.js';
import {
  capture,
  customerImage,
  kdsChange,
  kdsKinesisRecord,
  kinesisRecord,
  streamRecord,
} from './factories.js';
import {
  createStream,
  injectFailures,
  kinesisClient,
  readAll,
  startKinesalite,
  type Kinesalite,
} from './kinesalite.js';

let kinesis: Kinesalite;
beforeAll(async () => {
  kinesis = await startKinesalite();
});
afterAll(async () => {
  await kinesis.stop();
});

/**
 * The stream's records as `[customerId, op or tombstone, name]`, grouped by key (order across keys is not
 * kept, by design), each key's in stream order.
 */
async function written(stream: string) {
  const stored = await readAll(kinesis.client, stream);
  const keys = [...new Set(stored.map((s) => s.partitionKey))];
  stored.sort((a, b) => keys.indexOf(a.partitionKey) - keys.indexOf(b.partitionKey));
  return stored.map(({ partitionKey, data }) => {
    const id = (JSON.parse(partitionKey.slice(partitionKey.indexOf(':') + 1)) as { customerId: string })
      .customerId;
    if (data === '') return [id, 'tombstone'];
    const event = JSON.parse(data) as { op: string; after: { name?: string } | null };
    return [id, event.op, event.after?.name ?? null];
  });
}

const T = 1_700_000_000_000_000;

describe('createCdcProcessor on a DynamoDB stream', () => {
  it('writes a batch as change events and reports no failure', async () => {
    // GIVEN a processor and a batch: insert and update of c-1, delete of c-2
    const stream = await createStream(kinesis.client, 1);
    const process = createCdcProcessor({
      source: 'dynamodb-stream',
      streamName: stream,
      capture,
      kinesis: kinesis.client,
    });
    const event: DynamoDBStreamEvent = {
      Records: [
        streamRecord('INSERT', 'c-1', { newImage: customerImage('c-1', { name: { S: 'Ann' } }) }),
        streamRecord('MODIFY', 'c-1', { newImage: customerImage('c-1', { name: { S: 'Anne' } }) }),
        streamRecord('REMOVE', 'c-2'),
      ],
    };

    // WHEN it processes the batch
    const response = await process(event);

    // THEN c, u, d and the tombstone are on the stream, in order
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await written(stream)).toEqual([
      ['c-1', 'c', 'Ann'],
      ['c-1', 'u', 'Anne'],
      ['c-2', 'd', null],
      ['c-2', 'tombstone'],
    ]);
  });

  it('reports the first record not written and every record after it', async () => {
    // GIVEN a Kinesis client on which c-2's entries always fail
    const stream = await createStream(kinesis.client, 1);
    const flaky = kinesisClient(kinesis.endpoint);
    injectFailures(flaky, (entry) => (entry.PartitionKey?.includes('"c-2"') ? 'InternalFailure' : undefined));
    const process = createCdcProcessor({
      source: 'dynamodb-stream',
      streamName: stream,
      capture,
      kinesis: flaky,
      put: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const records = [
      streamRecord('INSERT', 'c-1'),
      streamRecord('INSERT', 'c-2'),
      streamRecord('INSERT', 'c-3'),
      streamRecord('MODIFY', 'c-1'),
    ];

    // WHEN it processes them
    const response = await process({ Records: records });

    // THEN the failures start at c-2's record, by sequence number; c-1's insert is on the stream
    expect(response.batchItemFailures).toEqual(
      records.slice(1).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber })),
    );
    expect(await written(stream)).toContainEqual(['c-1', 'c', 'name of c-1']);
    flaky.destroy();
  });

  it('reports a malformed record so bisection can isolate it, after writing the records before it', async () => {
    // GIVEN a batch whose second record has no key attribute of the table
    const stream = await createStream(kinesis.client, 1);
    const process = createCdcProcessor({
      source: 'dynamodb-stream',
      streamName: stream,
      capture,
      kinesis: kinesis.client,
    });
    const poison = streamRecord('INSERT', 'c-2');
    const records = [
      streamRecord('INSERT', 'c-1'),
      { ...poison, dynamodb: { ...poison.dynamodb, Keys: { id: { S: 'c-2' } } } },
      streamRecord('INSERT', 'c-3'),
    ];

    // WHEN it processes them
    const response = await process({ Records: records });

    // THEN the poison record and those after it are failures; the first is written
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.slice(1).map((r) => r.dynamodb?.SequenceNumber),
    );
    expect(await written(stream)).toEqual([['c-1', 'c', 'name of c-1']]);
  });

  it('fails the invocation when the event stream does not exist', async () => {
    // GIVEN a processor writing to a missing stream
    const process = createCdcProcessor({
      source: 'dynamodb-stream',
      streamName: 'missing',
      capture,
      kinesis: kinesis.client,
    });

    // WHEN / THEN the batch fails as a whole
    await expect(process({ Records: [streamRecord('INSERT', 'c-1')] })).rejects.toThrow();
  });
});

describe('createCdcProcessor on Kinesis Data Streams for DynamoDB', () => {
  it("writes each key's changes sorted and without duplicates", async () => {
    // GIVEN KDS records of c-1 out of order, one delivered twice
    const stream = await createStream(kinesis.client, 2);
    const process = createCdcProcessor({
      source: 'kinesis',
      streamName: stream,
      capture,
      kinesis: kinesis.client,
    });
    const update = kdsChange('MODIFY', 'c-1', T + 2, { name: 'updated' });
    const event: KinesisStreamEvent = {
      Records: [
        kdsKinesisRecord(update),
        kdsKinesisRecord(kdsChange('INSERT', 'c-1', T + 1, { name: 'created' })),
        kdsKinesisRecord({ ...update, eventID: 'again' }),
        kdsKinesisRecord(kdsChange('REMOVE', 'c-1', T + 3)),
      ],
    };

    // WHEN it processes them
    const response = await process(event);

    // THEN c, u, d, tombstone: once each, in time order
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await written(stream)).toEqual([
      ['c-1', 'c', 'created'],
      ['c-1', 'u', 'updated'],
      ['c-1', 'd', null],
      ['c-1', 'tombstone'],
    ]);
  });

  it('reports a record that is not a change, from its sequence number on', async () => {
    // GIVEN a batch whose third record is not JSON
    const stream = await createStream(kinesis.client, 1);
    const process = createCdcProcessor({
      source: 'kinesis',
      streamName: stream,
      capture,
      kinesis: kinesis.client,
    });
    const records = [
      kdsKinesisRecord(kdsChange('INSERT', 'c-1', T + 1)),
      kdsKinesisRecord(kdsChange('INSERT', 'c-2', T + 2)),
      kinesisRecord('{"customerId":{"S":"c-3"}}', 'garbage'),
      kdsKinesisRecord(kdsChange('INSERT', 'c-4', T + 4)),
    ];

    // WHEN it processes them
    const response = await process({ Records: records });

    // THEN the failures are the garbage record and the one after it; the two before are written
    expect(response.batchItemFailures).toEqual(
      records.slice(2).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    );
    expect((await written(stream)).map(([id]) => id).sort()).toEqual(['c-1', 'c-2']);
  });

  it('reports from the earliest change of a key whose reordered records were not written', async () => {
    // GIVEN c-1's changes delivered newest first, and a client on which c-1's second offer fails for good
    const stream = await createStream(kinesis.client, 1);
    const flaky = kinesisClient(kinesis.endpoint);
    injectFailures(flaky, (entry, offered) =>
      entry.PartitionKey?.includes('"c-1"') && offered >= 1 ? 'InternalFailure' : undefined,
    );
    const process = createCdcProcessor({
      source: 'kinesis',
      streamName: stream,
      capture,
      kinesis: flaky,
      put: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const records = [
      kdsKinesisRecord(kdsChange('MODIFY', 'c-1', T + 2)),
      kdsKinesisRecord(kdsChange('INSERT', 'c-1', T + 1)),
    ];

    // WHEN it processes them (the insert is written, the update is not)
    const response = await process({ Records: records });

    // THEN the failures start at the update's record, the first in the batch: nothing of c-1 is skipped
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.map((r) => r.kinesis.sequenceNumber),
    );
    expect(await written(stream)).toEqual([['c-1', 'c', 'name of c-1']]);
    flaky.destroy();
  });
});
