import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putChangeRecords, type ChangeRecord } from '../../src/cdc/index.js';
import { changeRecordsFromStream } from '../../src/cdc/index.js';
import { capture, customerImage, streamRecord } from './factories.js';
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

/** A burst of interleaved updates: `perKey` versions of each of `keys` customers, then a delete of the first. */
function burst(keys: number, perKey: number): ChangeRecord[] {
  const records: ChangeRecord[] = [];
  for (let version = 1; version <= perKey; version += 1) {
    for (let k = 0; k < keys; k += 1) {
      const image = customerImage(`c-${k}`, { version: { N: String(version) } });
      records.push(
        ...changeRecordsFromStream(streamRecord('MODIFY', `c-${k}`, { newImage: image }), capture),
      );
    }
  }
  records.push(...changeRecordsFromStream(streamRecord('REMOVE', 'c-0'), capture));
  return records;
}

/** Each partition key's data in the order the stream holds it. */
function byKey(stored: { partitionKey: string; data: string }[]) {
  const out = new Map<string, string[]>();
  for (const { partitionKey, data } of stored)
    out.set(partitionKey, [...(out.get(partitionKey) ?? []), data]);
  return out;
}

const expectedByKey = (records: ChangeRecord[]) =>
  byKey(records.map((r) => ({ partitionKey: r.partitionKey, data: r.value ? JSON.stringify(r.value) : '' })));

describe('putChangeRecords against kinesalite', () => {
  it("writes every record, each key's in order, and a tombstone as empty data", async () => {
    // GIVEN a burst of 5 keys × 4 versions and a delete with its tombstone
    const stream = await createStream(kinesis.client);
    const records = burst(5, 4);

    // WHEN they are written
    const result = await putChangeRecords(kinesis.client, stream, records);

    // THEN all are there, in order per key, and the tombstone came back as 0 bytes
    expect(result).toEqual({});
    const stored = await readAll(kinesis.client, stream);
    expect(stored).toHaveLength(records.length);
    expect(byKey(stored)).toEqual(expectedByKey(records));
    const last = byKey(stored).get('customers:{"customerId":"c-0"}') ?? [];
    expect(last.at(-1)).toBe('');
    expect(JSON.parse(last.at(-2) ?? '{}')).toMatchObject({ op: 'd' });
  });

  it('keeps per-key order when entries fail and are retried', async () => {
    // GIVEN a client on which every key's first two offers fail, alternately throttled and internal failures
    const stream = await createStream(kinesis.client);
    const flaky = kinesisClient(kinesis.endpoint);
    injectFailures(flaky, (_, offered) =>
      offered === 0
        ? 'ProvisionedThroughputExceededException'
        : offered === 1
          ? 'InternalFailure'
          : undefined,
    );
    const records = burst(6, 3);

    // WHEN the burst is written through it
    const result = await putChangeRecords(flaky, stream, records, { baseDelayMs: 1 });

    // THEN everything is written once, in order per key
    expect(result).toEqual({});
    const stored = await readAll(kinesis.client, stream);
    expect(stored).toHaveLength(records.length);
    expect(byKey(stored)).toEqual(expectedByKey(records));
    flaky.destroy();
  });

  it('retries a call throttled as a whole', async () => {
    // GIVEN a client whose first two calls are refused with ProvisionedThroughputExceededException
    const stream = await createStream(kinesis.client);
    const flaky = kinesisClient(kinesis.endpoint);
    const { calls } = injectFailures(
      flaky,
      () => undefined,
      (call) => call <= 2,
    );
    const records = burst(3, 1);

    // WHEN the records are written
    const result = await putChangeRecords(flaky, stream, records, { baseDelayMs: 1 });

    // THEN all are written after the throttled calls
    expect(result).toEqual({});
    expect(calls()).toBeGreaterThan(2);
    expect(await readAll(kinesis.client, stream)).toHaveLength(records.length);
    flaky.destroy();
  });

  it('gives up on a key that keeps failing and answers the first record not written', async () => {
    // GIVEN a client on which c-2's entries always fail
    const stream = await createStream(kinesis.client);
    const flaky = kinesisClient(kinesis.endpoint);
    injectFailures(flaky, (entry) => (entry.PartitionKey?.includes('"c-2"') ? 'InternalFailure' : undefined));
    const records = burst(4, 3);

    // WHEN the burst is written with 3 attempts per record
    const result = await putChangeRecords(flaky, stream, records, { maxAttempts: 3, baseDelayMs: 1 });

    // THEN failedFrom is c-2's first record; every record before it is on the stream, none of c-2's is
    const firstC2 = records.findIndex((r) => r.partitionKey.includes('"c-2"'));
    expect(result).toEqual({ failedFrom: firstC2 });
    const stored = await readAll(kinesis.client, stream);
    expect(stored.some((s) => s.partitionKey.includes('"c-2"'))).toBe(false);
    const storedData = new Set(stored.map((s) => s.data));
    for (const record of records.slice(0, firstC2))
      expect(storedData.has(JSON.stringify(record.value))).toBe(true);
    flaky.destroy();
  });

  it('splits a wave into requests of at most 500 entries', async () => {
    // GIVEN 600 changes of 600 keys (one wave) and a client that counts its calls
    const stream = await createStream(kinesis.client);
    const counting = kinesisClient(kinesis.endpoint);
    const { calls } = injectFailures(counting, () => undefined);
    const records = burst(600, 1).slice(0, 600);

    // WHEN they are written
    const result = await putChangeRecords(counting, stream, records);

    // THEN two PutRecords calls wrote them all
    expect(result).toEqual({});
    expect(calls()).toBe(2);
    expect(await readAll(kinesis.client, stream)).toHaveLength(600);
    counting.destroy();
  });

  it('throws what no retry can help, such as a missing stream', async () => {
    // GIVEN a stream that does not exist
    const records = burst(1, 1);

    // WHEN / THEN the error reaches the caller
    await expect(putChangeRecords(kinesis.client, 'no-such-stream', records)).rejects.toThrow(
      /not found|ResourceNotFound/i,
    );
  });
});
