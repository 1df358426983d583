import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DeliveryStream,
  type BufferedRecord,
  type DeliveryDeps,
  type DeliveryReport,
  type S3Destination,
} from '../../../src/services/kinesisfirehose/delivery-stream.js';
import type { InvokeTransform } from '../../../src/services/kinesisfirehose/transform.js';

const ARN = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/telemetry';
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:json-lines';
const START = new Date('2026-03-07T04:59:58.000Z');

/** The raw zone's destination of the lake layout, with a one-minute, 1 KiB buffer unless told. */
const destination = (over: Partial<S3Destination> = {}): S3Destination => ({
  bucket: 'lake',
  prefix: 'raw/telemetry/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
  errorOutputPrefix: 'errors/telemetry/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
  sizeBytes: 1024,
  intervalMs: 60_000,
  gzip: true,
  fileExtension: '.gz',
  ...over,
});

let ids = 0;
/** A record that reached Firehose now (the fake clock's now). */
const record = (data: string, arrival = new Date()): BufferedRecord => ({
  recordId: `r${(ids += 1)}`,
  data: Buffer.from(data),
  arrival,
});

/** Local S3 in memory, which can be told to fail the next writes. */
class MemoryS3 {
  public readonly objects = new Map<string, Buffer>();
  public failNext = 0;
  public readonly put = (bucket: string, key: string, body: Buffer): Promise<void> => {
    if (this.failNext > 0) {
      this.failNext -= 1;
      const error = new Error('S3 is down');
      error.name = 'ServiceUnavailable';
      return Promise.reject(error);
    }
    this.objects.set(`${bucket}/${key}`, body);
    return Promise.resolve();
  };
  public keys(): string[] {
    return [...this.objects.keys()].sort();
  }
  public text(key: string): string {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString();
  }
}

describe('a Firehose delivery stream into S3', () => {
  let s3: MemoryS3;
  let logs: string[];
  let reports: DeliveryReport[];
  const streamOf = (over: Partial<S3Destination> = {}, deps: Partial<DeliveryDeps> = {}) =>
    new DeliveryStream(
      'telemetry',
      ARN,
      destination(over),
      {
        putObject: s3.put,
        invoke: () => Promise.reject(new Error('no transformation configured')),
        region: 'us-east-1',
        log: (line) => logs.push(line),
        retryDelayMs: () => 1,
        ...deps,
      },
      (report) => reports.push(report),
    );

  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    s3 = new MemoryS3();
    logs = [];
    reports = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers small records accepted within the interval as one object, their bytes concatenated as they came', async () => {
    // GIVEN a stream with a one-minute interval and records arriving over 50 s, across an hour boundary
    const stream = streamOf();
    stream.accept([record('{"a":1}\n'), record('{"a":2}\n')]);
    await vi.advanceTimersByTimeAsync(30_000);
    stream.accept([record('{"a":3}')]);
    await vi.advanceTimersByTimeAsync(20_000);
    stream.accept([record('{"a":4}\n')]);

    // WHEN the interval has not yet passed THEN nothing is written
    await vi.advanceTimersByTimeAsync(9_999);
    expect(s3.keys()).toEqual([]);

    // WHEN it passes
    await vi.advanceTimersByTimeAsync(1);
    await stream.idle();

    // THEN one gzip object holds the four records, no delimiter added, dated by the oldest record (hour 04)
    // and named after the delivery time (05:00:58)
    const [key] = s3.keys();
    expect(s3.keys()).toHaveLength(1);
    expect(key).toMatch(
      /^lake\/raw\/telemetry\/dt=2026-03-07\/hour=04\/telemetry-1-2026-03-07-05-00-58-[0-9a-f-]{36}\.gz$/,
    );
    expect(s3.text(key ?? '')).toBe('{"a":1}\n{"a":2}\n{"a":3}{"a":4}\n');
    expect(reports).toEqual([{ objects: [key?.slice('lake/'.length)], delivered: 4, dropped: 0, failed: 0 }]);
  });

  it('flushes early when the buffer reaches its size, and keeps the rest for the interval', async () => {
    // GIVEN a 100-byte buffer
    const stream = streamOf({ sizeBytes: 100 });

    // WHEN five 40-byte records arrive at once
    stream.accept(Array.from({ length: 5 }, (_, i) => record(`${String(i).repeat(39)}\n`)));
    await stream.idle();

    // THEN the first three (120 bytes) are written at once, before the interval
    expect(s3.keys()).toHaveLength(1);
    expect(s3.text(s3.keys()[0] ?? '').split('\n')).toHaveLength(4);

    // WHEN the interval passes THEN the last two follow in a second object
    await vi.advanceTimersByTimeAsync(60_000);
    await stream.idle();
    expect(s3.keys()).toHaveLength(2);
    expect(reports.map((r) => r.delivered)).toEqual([3, 2]);
  });

  it('delivers at once with an interval of 0 seconds', async () => {
    // GIVEN a stream with IntervalInSeconds 0
    const stream = streamOf({ intervalMs: 0 });

    // WHEN a record arrives and the event loop turns once
    stream.accept([record('now\n')]);
    expect(s3.keys()).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    await stream.idle();

    // THEN it is written
    expect(s3.keys()).toHaveLength(1);
  });

  it('dates the object by the oldest record it holds, for every timestamp of the prefix', async () => {
    // GIVEN records from a Kinesis source, the oldest arrived in the stream the day before
    const stream = streamOf({
      prefix: '!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}-',
    });
    stream.accept([
      record('b', new Date('2026-03-07T04:59:00.000Z')),
      record('a', new Date('2026-03-06T23:10:00.000Z')),
    ]);

    // WHEN flushed
    await stream.flush();

    // THEN each timestamp is of the oldest record's instant
    expect(s3.keys()[0]).toMatch(/^lake\/2026\/03\/06\/23-telemetry-1-/);
  });

  it('delivers a buffer of more records than a function call takes arguments', async () => {
    // GIVEN 200,000 one-byte records, the oldest last
    const stream = streamOf({ sizeBytes: 5 * 1024 * 1024, gzip: false, fileExtension: '' });
    const many = Array.from({ length: 200_000 }, () => record('x'));
    many.push(record('y', new Date('2026-03-06T01:00:00.000Z')));
    stream.accept(many);

    // WHEN flushed
    await stream.flush();

    // THEN one object holds them all, dated by the oldest
    const [key] = s3.keys();
    expect(key).toMatch(/^lake\/raw\/telemetry\/dt=2026-03-06\/hour=01\//);
    expect(s3.objects.get(key ?? '')?.length).toBe(200_001);
  });

  it('writes uncompressed data with the FileExtension given', async () => {
    // GIVEN an UNCOMPRESSED destination with a .json extension
    const stream = streamOf({ gzip: false, fileExtension: '.json' });

    // WHEN a record is flushed
    stream.accept([record('{"plain":true}')]);
    await stream.flush();

    // THEN the object holds the bytes as they are
    const [key] = s3.keys();
    expect(key).toMatch(/\.json$/);
    expect(s3.objects.get(key ?? '')?.toString()).toBe('{"plain":true}');
  });

  it('appends a newline to each record with the AppendDelimiterToRecord processor', async () => {
    // GIVEN a destination with the delimiter processor
    const stream = streamOf({ appendDelimiter: true });

    // WHEN two records are flushed
    stream.accept([record('{"a":1}'), record('{"a":2}')]);
    await stream.flush();

    // THEN each ends with \n
    expect(s3.text(s3.keys()[0] ?? '')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('retries an S3 write that failed until it succeeds, losing nothing', async () => {
    // GIVEN S3 failing the next two writes (real timers: the retries wait 1 ms)
    vi.useRealTimers();
    s3.failNext = 2;
    const stream = streamOf();

    // WHEN a record is delivered
    stream.accept([record('kept\n')]);
    await stream.flush();

    // THEN it is written on the third attempt, and the failures were logged
    expect(s3.keys()).toHaveLength(1);
    expect(logs.filter((l) => l.includes('failed (ServiceUnavailable); retrying'))).toHaveLength(2);
  });

  it('delivers what is buffered on stop, and a delivery that failed for good does not stop later ones', async () => {
    // GIVEN a stopping stream whose S3 writes fail three times (a stopping runtime's limit)
    vi.useRealTimers();
    const stream = streamOf();
    s3.failNext = 3;
    stream.accept([record('lost\n')]);
    await stream.stop();
    expect(logs.some((l) => l.includes('1 records were not delivered'))).toBe(true);

    // WHEN S3 is back and more is flushed
    stream.accept([record('kept\n')]);
    await stream.flush();

    // THEN the later delivery is written
    expect(s3.keys()).toHaveLength(1);
    expect(s3.text(s3.keys()[0] ?? '')).toBe('kept\n');
  });

  it('writes only the records a transformation kept, with their new data, and the failed ones under the error prefix', async () => {
    // GIVEN a transformation that upper-cases, drops "drop" and fails "bad"
    const invoke: InvokeTransform = (_arn, event) => {
      const { records } = event as { records: { recordId: string; data: string }[] };
      return Promise.resolve({
        ok: true as const,
        payload: {
          records: records.map(({ recordId, data }) => {
            const text = Buffer.from(data, 'base64').toString();
            if (text === 'drop') return { recordId, result: 'Dropped' };
            if (text === 'bad') return { recordId, result: 'ProcessingFailed', data };
            return {
              recordId,
              result: 'Ok',
              data: Buffer.from(`${text.toUpperCase()}\n`).toString('base64'),
            };
          }),
        },
      });
    };
    const stream = streamOf(
      { transform: { lambdaArn: LAMBDA, retries: 3, maxBytes: 1024 * 1024 } },
      { invoke },
    );
    const bad = record('bad', new Date('2026-03-07T04:00:00.000Z'));

    // WHEN the buffer is delivered
    stream.accept([record('one'), record('drop'), bad, record('two')]);
    await stream.flush();

    // THEN the kept records are in the raw prefix, the dropped one nowhere
    const keys = s3.keys();
    const raw = keys.find((k) => k.startsWith('lake/raw/')) ?? '';
    const failed = keys.find((k) => k.startsWith('lake/errors/')) ?? '';
    expect(keys).toHaveLength(2);
    expect(s3.text(raw)).toBe('ONE\nTWO\n');
    // AND the failed one is one JSON line, in Firehose's format, gzip as the destination is
    expect(failed).toMatch(
      /^lake\/errors\/telemetry\/processing-failed\/dt=2026-03-07\/telemetry-1-2026-03-07-04-59-58-[0-9a-f-]{36}\.gz$/,
    );
    expect(s3.objects.get(failed)?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const lines = s3.text(failed).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      attemptsMade: 1,
      arrivalTimestamp: bad.arrival.getTime(),
      errorCode: 'Lambda.ProcessingFailed',
      errorMessage: expect.any(String) as unknown,
      attemptEndingTimestamp: START.getTime(),
      rawData: Buffer.from('bad').toString('base64'),
      lambdaArn: LAMBDA,
    });
    expect(reports).toEqual([
      { objects: [raw.slice(5), failed.slice(5)], delivered: 2, dropped: 1, failed: 1 },
    ]);
  });
});
