import { gunzipSync } from 'node:zlib';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** The json-lines transformation: drops empty records, fails what is not JSON, appends \n to the rest. */
const jsonLines = `
exports.handler = async (event) => ({
  records: event.records.map(({ recordId, data }) => {
    const text = Buffer.from(data, 'base64').toString('utf8');
    if (text.trim() === '') return { recordId, result: 'Dropped', data };
    try {
      return { recordId, result: 'Ok', data: Buffer.from(JSON.stringify(JSON.parse(text)) + '\\n').toString('base64') };
    } catch {
      return { recordId, result: 'ProcessingFailed', data };
    }
  }),
});`;

const DATED = 'dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/';
const errorsOf = (source: string) =>
  `errors/${source}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;

describe('Firehose delivery streams, offline', () => {
  let running: RunningApp;
  let client: FirehoseClient;
  let bucket: string;
  const fx: { bucket?: s3.Bucket; stream?: kinesis.Stream } = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Lake');
      fx.bucket = new s3.Bucket(stack, 'Lake');
      fx.stream = new kinesis.Stream(stack, 'Telemetry', { shardCount: 1 });
      const transform = new lambda.Function(stack, 'JsonLines', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(jsonLines),
      });
      // Direct put, a five-minute buffer (flushed by the tests), transformed by the function.
      new firehose.DeliveryStream(stack, 'Orders', {
        deliveryStreamName: 'orders',
        destination: new firehose.S3Bucket(fx.bucket, {
          dataOutputPrefix: `raw/orders/${DATED}`,
          errorOutputPrefix: errorsOf('orders'),
          bufferingInterval: Duration.minutes(5),
          bufferingSize: Size.mebibytes(5),
          compression: firehose.Compression.GZIP,
          processors: [new firehose.LambdaFunctionProcessor(transform, { retries: 1 })],
        }),
      });
      // From the Kinesis stream, delivered within a second (interval 0).
      new firehose.DeliveryStream(stack, 'FromTelemetry', {
        deliveryStreamName: 'telemetry',
        source: new firehose.KinesisStreamSource(fx.stream),
        destination: new firehose.S3Bucket(fx.bucket, {
          dataOutputPrefix: `raw/telemetry/${DATED}`,
          errorOutputPrefix: errorsOf('telemetry'),
          bufferingInterval: Duration.seconds(0),
          compression: firehose.Compression.GZIP,
        }),
      });
    });
    bucket = running.physical(fx.bucket as s3.Bucket);
    client = new FirehoseClient({
      endpoint: running.runtime.endpoints.firehose,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    client.destroy();
    await running.stop();
  });

  /** Every object under a prefix, gunzipped, by key. */
  const objects = async (prefix: string): Promise<Map<string, string>> => {
    const s3Client = running.runtime.engines.s3;
    const { Contents = [] } = await s3Client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }),
    );
    const out = new Map<string, string>();
    for (const { Key = '' } of Contents) {
      const { Body } = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      out.set(Key, gunzipSync(Buffer.from((await Body?.transformToByteArray()) ?? [])).toString());
    }
    return out;
  };
  const flush = async (name: string) => {
    const response = await fetch(`${running.runtime.endpoints.firehose}/_conflux/firehose/flush/${name}`, {
      method: 'POST',
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const data = (text: string) => ({ Data: Buffer.from(text) });

  it('delivers a PutRecordBatch through the transformation: kept records in the raw zone, failed ones in the error prefix, dropped ones nowhere', async () => {
    // GIVEN JSON records, an empty one (a tombstone) and one that is not JSON
    const put = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'orders',
        Records: [data('{"id": 1}'), data(''), data('not json'), data(' {"id":2} ')],
      }),
    );
    expect(put.FailedPutCount).toBe(0);
    expect(put.RequestResponses?.map((r) => typeof r.RecordId)).toEqual([
      'string',
      'string',
      'string',
      'string',
    ]);

    // WHEN the buffer is flushed (its interval is five minutes)
    const flushed = await flush('orders');

    // THEN one object holds the two JSON records as lines, under the dated raw prefix
    expect(flushed).toEqual({
      status: 200,
      body: {
        delivered: {
          orders: [
            {
              objects: [expect.stringMatching(/^raw\/orders\//), expect.stringMatching(/^errors\/orders\//)],
              delivered: 2,
              dropped: 1,
              failed: 1,
            },
          ],
        },
      },
    });
    const raw = await objects('raw/orders/');
    expect([...raw.keys()]).toEqual([
      expect.stringMatching(
        /^raw\/orders\/dt=\d{4}-\d\d-\d\d\/hour=\d\d\/orders-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f-]{36}\.gz$/,
      ),
    ]);
    expect([...raw.values()]).toEqual(['{"id":1}\n{"id":2}\n']);
    // AND the record that is not JSON is one failed-record line under errors/orders/processing-failed/
    const errors = await objects('errors/orders/');
    expect([...errors.keys()]).toEqual([
      expect.stringMatching(/^errors\/orders\/processing-failed\/dt=\d{4}-\d\d-\d\d\/orders-1-.*\.gz$/),
    ]);
    const [line] = [...errors.values()];
    expect(JSON.parse(line ?? '')).toEqual({
      attemptsMade: 1,
      arrivalTimestamp: expect.any(Number) as unknown,
      errorCode: 'Lambda.ProcessingFailed',
      errorMessage: expect.any(String) as unknown,
      attemptEndingTimestamp: expect.any(Number) as unknown,
      rawData: Buffer.from('not json').toString('base64'),
      lambdaArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:000000000000:function:/) as unknown,
    });
  });

  it('delivers what is put on the Kinesis source within about a second, with no flush', async () => {
    // GIVEN records put on the telemetry Kinesis stream after the runtime started
    const streamName = running.physical(fx.stream as kinesis.Stream);
    await running.runtime.engines.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: [
          { PartitionKey: 'device-1', Data: Buffer.from('{"deviceId":"device-1","value":1}\n') },
          { PartitionKey: 'device-1', Data: Buffer.from('{"deviceId":"device-1","value":2}\n') },
        ],
      }),
    );

    // WHEN the reader has polled (IntervalInSeconds 0)
    const delivered = await eventually(async () => {
      const found = await objects('raw/telemetry/');
      const text = [...found.values()].join('');
      return text.split('\n').length > 2 ? found : undefined;
    });

    // THEN the raw zone holds both records in order, in objects named after the stream
    expect([...delivered.values()].join('')).toBe(
      '{"deviceId":"device-1","value":1}\n{"deviceId":"device-1","value":2}\n',
    );
    for (const key of delivered.keys())
      expect(key).toMatch(/^raw\/telemetry\/dt=[\d-]{10}\/hour=\d\d\/telemetry-1-/);
  });

  it('answers PutRecord to a Kinesis-source stream with InvalidArgumentException, as AWS does', async () => {
    // GIVEN the stream reading Kinesis WHEN a record is put on it directly THEN Firehose refuses it
    await expect(
      client.send(new PutRecordCommand({ DeliveryStreamName: 'telemetry', Record: data('{}') })),
    ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });

  it.each([
    [
      'more than 500 records',
      Array.from({ length: 501 }, () => data('{}')),
      'ValidationException',
      "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    ],
    [
      'records over 1,000 KiB',
      [data('{}'), { Data: Buffer.alloc(1000 * 1024 + 1, 97) }, { Data: Buffer.alloc(1000 * 1024 + 1, 97) }],
      'ValidationException',
      "2 validation errors detected: Value at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000; Value at 'records.3.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    ],
    [
      'more than 4 MiB in all',
      Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(900 * 1024, 97) })),
      'InvalidArgumentException',
      'Records size exceeds 4 MB limit',
    ],
  ])('refuses a PutRecordBatch with %s, taking none of it', async (_case, Records, name, message) => {
    // GIVEN a batch beyond Firehose's limits WHEN put
    const refused = client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'orders', Records }));
    // THEN it is refused whole, with the error AWS answers
    await expect(refused).rejects.toMatchObject({ name, message });
    const flushed = await flush('orders');
    expect(flushed.body).toEqual({ delivered: { orders: [] } });
  });

  it('answers ResourceNotFoundException for a stream the application does not have', async () => {
    // GIVEN no stream named "nope" WHEN put to or flushed THEN not found
    await expect(
      client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'nope', Records: [data('{}')] })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await flush('nope')).status).toBe(404);
  });

  it('describes and lists the delivery streams of the templates', async () => {
    // GIVEN the two streams WHEN described and listed
    const { DeliveryStreamDescription: d } = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'telemetry' }),
    );
    const all = await client.send(new ListDeliveryStreamsCommand({}));
    const direct = await client.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: 'DirectPut' }));

    // THEN each says its type, source and destination
    expect(d).toMatchObject({
      DeliveryStreamName: 'telemetry',
      DeliveryStreamARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/telemetry',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'KinesisStreamAsSource',
      Destinations: [
        {
          ExtendedS3DestinationDescription: {
            BucketARN: `arn:aws:s3:::${bucket}`,
            Prefix: `raw/telemetry/${DATED}`,
            CompressionFormat: 'GZIP',
            BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 5 },
          },
        },
      ],
    });
    expect(all.DeliveryStreamNames).toEqual(['orders', 'telemetry']);
    expect(direct.DeliveryStreamNames).toEqual(['orders']);
  });
});
