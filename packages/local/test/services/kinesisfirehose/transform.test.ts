import { describe, expect, it } from 'vitest';
import type { BufferedRecord } from '../../../src/services/kinesisfirehose/delivery-stream.js';
import {
  transformRecords,
  type InvokeTransform,
  type TransformConfig,
} from '../../../src/services/kinesisfirehose/transform.js';

const STREAM = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/telemetry';
const SOURCE = 'arn:aws:kinesis:us-east-1:000000000000:stream/telemetry';
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:json-lines';
const config = (over: Partial<TransformConfig> = {}): TransformConfig => ({
  lambdaArn: LAMBDA,
  retries: 3,
  maxBytes: 1024 * 1024,
  ...over,
});

const records = (...data: string[]): BufferedRecord[] =>
  data.map((d, i) => ({
    recordId: `id-${i}`,
    data: Buffer.from(d),
    arrival: new Date(1_772_856_000_000 + i),
  }));

interface SentEvent {
  invocationId: string;
  deliveryStreamArn: string;
  sourceKinesisStreamArn?: string;
  region: string;
  records: { recordId: string; approximateArrivalTimestamp: number; data: string; [k: string]: unknown }[];
}

/** A transformation function that answers `answer(event)` and keeps the events it was sent. */
function fn(answer: (event: SentEvent) => Awaited<ReturnType<InvokeTransform>>) {
  const events: SentEvent[] = [];
  const invoke: InvokeTransform = (_arn, event) => {
    events.push(event as SentEvent);
    return Promise.resolve(answer(event as SentEvent));
  };
  return { events, invoke, deps: { invoke, region: 'us-east-1', log: () => undefined } };
}

const allOk = (event: SentEvent) => ({
  ok: true as const,
  payload: { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) },
});

describe('Firehose data transformation through a Lambda function', () => {
  it("sends AWS's event: invocation id, stream ARN, region and each record's id, arrival and base64 data", async () => {
    // GIVEN a function that keeps every record
    const { events, deps } = fn(allOk);

    // WHEN two records are transformed
    const out = await transformRecords(records('a', 'b'), config(), STREAM, deps);

    // THEN one event carried them as Firehose sends them
    expect(events).toEqual([
      {
        invocationId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        deliveryStreamArn: STREAM,
        region: 'us-east-1',
        records: [
          { recordId: 'id-0', approximateArrivalTimestamp: 1_772_856_000_000, data: 'YQ==' },
          { recordId: 'id-1', approximateArrivalTimestamp: 1_772_856_000_001, data: 'Yg==' },
        ],
      },
    ]);
    expect(out.ok.map((o) => o.data.toString())).toEqual(['a', 'b']);
  });

  it('adds the source stream and kinesisRecordMetadata for a Kinesis source', async () => {
    // GIVEN a record read from a Kinesis shard
    const { events, deps } = fn(allOk);
    const [first] = records('k');
    const fromKinesis: BufferedRecord = {
      ...(first as BufferedRecord),
      kinesis: {
        shardId: 'shardId-000000000000',
        partitionKey: 'device-1',
        sequenceNumber: '4960',
        approximateArrivalTimestamp: 1_772_856_000_000,
      },
    };

    // WHEN transformed
    await transformRecords([fromKinesis], config({ sourceStreamArn: SOURCE }), STREAM, deps);

    // THEN the event names the stream and each record's shard, key and sequence number
    expect(events[0]?.sourceKinesisStreamArn).toBe(SOURCE);
    expect(events[0]?.records[0]?.kinesisRecordMetadata).toEqual({
      shardId: 'shardId-000000000000',
      partitionKey: 'device-1',
      approximateArrivalTimestamp: 1_772_856_000_000,
      sequenceNumber: '4960',
      subsequenceNumber: '',
    });
  });

  it("splits a buffer into invocations of at most the processor's BufferSizeInMBs", async () => {
    // GIVEN a 100-byte processor buffer and five 40-byte records
    const { events, deps } = fn(allOk);

    // WHEN transformed
    const out = await transformRecords(
      records(...Array.from({ length: 5 }, () => 'x'.repeat(40))),
      config({ maxBytes: 100 }),
      STREAM,
      deps,
    );

    // THEN three invocations carried 2, 2 and 1 records, and every record is kept
    expect(events.map((e) => e.records.length)).toEqual([2, 2, 1]);
    expect(out.ok).toHaveLength(5);
  });

  it('retries a function error NumberOfRetries times, then fails every record of the invocation', async () => {
    // GIVEN a function that always fails, with two retries
    const { events, deps } = fn(() => ({
      ok: false,
      error: { errorType: 'Error', errorMessage: 'boom' },
    }));

    // WHEN two records are transformed
    const out = await transformRecords(records('a', 'b'), config({ retries: 2 }), STREAM, deps);

    // THEN it was invoked three times and both records are failed with Lambda.FunctionError
    expect(events).toHaveLength(3);
    expect(out.ok).toEqual([]);
    expect(out.failed.map((f) => [f.record.recordId, f.errorCode, f.attemptsMade])).toEqual([
      ['id-0', 'Lambda.FunctionError', 3],
      ['id-1', 'Lambda.FunctionError', 3],
    ]);
    expect(out.failed[0]?.errorMessage).toBe(
      'The Lambda function was successfully invoked but it returned an error result.',
    );
  });

  it('succeeds on a retry when the function recovers', async () => {
    // GIVEN a function that fails once
    let calls = 0;
    const { deps } = fn((event) => {
      calls += 1;
      return calls === 1 ? { ok: false, error: { errorType: 'Error', errorMessage: 'cold' } } : allOk(event);
    });

    // WHEN transformed THEN the records are kept
    const out = await transformRecords(records('a'), config(), STREAM, deps);
    expect(out.ok).toHaveLength(1);
    expect(out.failed).toEqual([]);
  });

  it.each([
    [
      'a record missing from the answer',
      (e: SentEvent) => ({ records: e.records.slice(1).map((r) => ({ ...r, result: 'Ok' })) }),
      'Lambda.MissingRecordId',
    ],
    [
      'a record answered twice',
      (e: SentEvent) => ({ records: [...e.records, ...e.records].map((r) => ({ ...r, result: 'Ok' })) }),
      'Lambda.DuplicatedRecordId',
    ],
    ['no records array', () => ({ statusCode: 200 }), 'Lambda.InvalidReturnedPayload'],
    [
      'an unknown result',
      (e: SentEvent) => ({ records: e.records.map((r) => ({ ...r, result: 'Fine' })) }),
      'Lambda.InvalidReturnedPayload',
    ],
    [
      'Ok with no data',
      (e: SentEvent) => ({ records: e.records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) }),
      'Lambda.InvalidReturnedPayload',
    ],
  ])('fails every record of an invocation after its retries on %s', async (_case, payload, code) => {
    // GIVEN a function answering badly every time, with one retry
    const { events, deps } = fn((event) => ({ ok: true, payload: payload(event) }));

    // WHEN two records are transformed
    const out = await transformRecords(records('a', 'b'), config({ retries: 1 }), STREAM, deps);

    // THEN both are failed with the error code Firehose uses, after two attempts
    expect(events).toHaveLength(2);
    expect(out.failed.map((f) => [f.errorCode, f.attemptsMade])).toEqual([
      [code, 2],
      [code, 2],
    ]);
  });

  it('treats an invocation that could not be made as a function error', async () => {
    // GIVEN an invoke that rejects (the runtime's Lambda host failing)
    const deps = {
      invoke: () => Promise.reject(new Error('worker gone')),
      region: 'us-east-1',
      log: () => undefined,
    };

    // WHEN transformed with no retries THEN the record is failed, not lost
    const out = await transformRecords(records('a'), config({ retries: 0 }), STREAM, deps);
    expect(out.failed.map((f) => [f.errorCode, f.attemptsMade])).toEqual([['Lambda.FunctionError', 1]]);
  });

  it('counts Dropped records and fails ProcessingFailed ones at once, without a retry', async () => {
    // GIVEN a function that drops the first record and fails the second
    const { events, deps } = fn((event) => ({
      ok: true,
      payload: {
        records: event.records.map((r, i) => ({
          recordId: r.recordId,
          result: ['Dropped', 'ProcessingFailed', 'Ok'][i],
          data: r.data,
        })),
      },
    }));

    // WHEN three records are transformed
    const out = await transformRecords(records('a', 'b', 'c'), config(), STREAM, deps);

    // THEN one invocation; one dropped, one failed after 1 attempt, one kept
    expect(events).toHaveLength(1);
    expect(out.dropped).toBe(1);
    expect(out.failed.map((f) => [f.record.recordId, f.errorCode, f.attemptsMade])).toEqual([
      ['id-1', 'Lambda.ProcessingFailed', 1],
    ]);
    expect(out.ok.map((o) => o.record.recordId)).toEqual(['id-2']);
  });
});
