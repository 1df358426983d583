import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DescribeStreamConsumerCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCloudAssembly } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import { cdkJsonContext } from '../../../../../test/support/cdk.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

// Appends each delivery to a file, so the test sees every record each function got, in order.
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, at: Date.now(), records: event.Records.map((r) => ({
    data: r.kinesis.data, text: Buffer.from(r.kinesis.data, 'base64').toString(), key: r.kinesis.partitionKey,
    arrival: r.kinesis.approximateArrivalTimestamp, source: r.eventSourceARN })) }) + '\\n');
};`;

interface Delivery {
  fn: string;
  at: number;
  records: { data: string; text: string; key: string; arrival: number; source: string }[];
}

/** Far enough ahead that the runtime is up before it, near enough to keep the test short. */
const AT_TIMESTAMP_LEAD_MS = 12_000;

interface Fixtures {
  fanOut: kinesis.Stream;
  consumer: kinesis.StreamConsumer;
  timed: kinesis.Stream;
  tombstones: kinesis.Stream;
}

/** The app: a stream with a consumer and tags, an AT_TIMESTAMP mapping at `timestamp` (epoch seconds), a tombstone reader. */
function buildApp(app: App, recordFile: string, timestamp: number): Fixtures {
  const fx: Partial<Fixtures> = {};
  const stack = new Stack(app, 'KinesisConsumers');
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(recorder),
      environment: { RECORD_FILE: recordFile, NAME: id },
    });
  fx.fanOut = new kinesis.Stream(stack, 'FanOut', { shardCount: 2 });
  Tags.of(fx.fanOut).add('conflux:cdc:table', 'customers');
  Tags.of(fx.fanOut).add('team', 'data platform');
  fx.consumer = new kinesis.StreamConsumer(stack, 'Consumer', {
    streamConsumerName: 'efo-reader',
    stream: fx.fanOut,
  });
  fn('FanOutReader').addEventSource(
    new sources.KinesisConsumerEventSource(fx.consumer, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
    }),
  );
  fx.timed = new kinesis.Stream(stack, 'Timed', { shardCount: 1 });
  fn('TimedReader').addEventSource(
    new sources.KinesisEventSource(fx.timed, {
      startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
      startingPositionTimestamp: timestamp,
    }),
  );
  fx.tombstones = new kinesis.Stream(stack, 'Tombstones', { shardCount: 1 });
  fn('TombstoneReader').addEventSource(
    new sources.KinesisEventSource(fx.tombstones, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  return fx as Fixtures;
}

describe('Kinesis stream consumers, AT_TIMESTAMP, tags and empty records, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-consumers-')), 'deliveries.jsonl');
  const timestamp = (Date.now() + AT_TIMESTAMP_LEAD_MS) / 1000;
  let running: RunningApp;
  let fx: Fixtures;
  /** A client of the endpoint functions get (`AWS_ENDPOINT_URL_KINESIS`). */
  let client: KinesisClient;

  beforeAll(async () => {
    running = await runApp((app) => {
      fx = buildApp(app, recordFile, timestamp);
    });
    client = new KinesisClient({
      region: LOCAL_ENV.region,
      endpoint: running.runtime.endpoints.kinesis,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: new NodeHttpHandler(),
    });
  });
  afterAll(async () => {
    client.destroy();
    await running.stop();
  });

  const deliveries = (fn: string): Delivery[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Delivery)
          .filter((d) => d.fn === fn)
      : [];
  const received = (fn: string, count: number) =>
    eventually(() => {
      const records = deliveries(fn).flatMap((d) => d.records);
      return Promise.resolve(records.length >= count ? records : undefined);
    });

  it('refuses nothing of an app with a stream consumer, an enhanced fan-out mapping, AT_TIMESTAMP and tags', () => {
    // GIVEN the same app, synthesized
    const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-consumers-synth-'));
    const app = new App({ outdir, context: cdkJsonContext() });
    buildApp(app, recordFile, timestamp);
    app.synth();
    // WHEN its templates are checked
    const problems = readCloudAssembly(outdir).flatMap((stack) => unsupported(stack, LOCAL_ENV));
    rmSync(outdir, { recursive: true, force: true });
    // THEN nothing is refused
    expect(problems).toEqual([]);
  });

  it('answers the consumer ARN as Kinesis makes it, and describes the consumer', async () => {
    // GIVEN the consumer of the fan-out stream
    const streamName = running.physical(fx.fanOut);
    const consumerArn = running.physical(fx.consumer);
    // THEN its ARN is the stream's, then /consumer/<name>:<creation time in epoch seconds>
    const streamArn = `arn:aws:kinesis:${LOCAL_ENV.region}:${LOCAL_ENV.accountId}:stream/${streamName}`;
    expect(consumerArn).toMatch(new RegExp(`^${streamArn}/consumer/efo-reader:\\d{10}$`));
    // and DescribeStreamConsumer answers it, ACTIVE
    const { ConsumerDescription } = await client.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }),
    );
    expect(ConsumerDescription).toMatchObject({
      ConsumerName: 'efo-reader',
      ConsumerARN: consumerArn,
      ConsumerStatus: 'ACTIVE',
      StreamARN: streamArn,
    });
  });

  it('delivers the stream’s records to a mapping on the consumer, with the stream’s ARN as their source', async () => {
    // GIVEN records on both shards of the fan-out stream
    const streamName = running.physical(fx.fanOut);
    await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: ['a', 'b', 'c', 'd', 'e', 'f'].map((d) => ({ PartitionKey: d, Data: Buffer.from(d) })),
      }),
    );
    // THEN the function on the consumer gets every one
    const records = await received('FanOutReader', 6);
    expect(records.map((r) => r.text).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(new Set(records.map((r) => r.source))).toEqual(
      new Set([`arn:aws:kinesis:${LOCAL_ENV.region}:${LOCAL_ENV.accountId}:stream/${streamName}`]),
    );
  });

  it('starts an AT_TIMESTAMP mapping at its timestamp, passing over the records that arrived before it', async () => {
    // GIVEN a record that arrives before the mapping's timestamp and one after it
    const StreamName = running.physical(fx.timed);
    const timestampMs = timestamp * 1000;
    const before = await client.send(
      new PutRecordCommand({ StreamName, PartitionKey: 'p', Data: Buffer.from('before') }),
    );
    expect(before.SequenceNumber).toBeDefined();
    expect(Date.now()).toBeLessThan(timestampMs);
    await new Promise((resolve) => setTimeout(resolve, timestampMs - Date.now() + 50));
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'p', Data: Buffer.from('after') }));
    // THEN the function gets the later record only
    const records = await received('TimedReader', 1);
    expect(records.map((r) => r.text)).toEqual(['after']);
    expect((records[0]?.arrival ?? 0) * 1000).toBeGreaterThanOrEqual(timestampMs);
  });

  it('positions an AT_TIMESTAMP iterator at the first record that recent, or after the last one, without hanging', async () => {
    // GIVEN a record before a first instant, one between it and a second instant, none after the second
    const StreamName = running.physical(fx.tombstones);
    const ShardId = 'shardId-000000000000';
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'p', Data: Buffer.from('old') }));
    await pause();
    const first = new Date();
    await pause();
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'p', Data: Buffer.from('mid') }));
    await pause();
    const second = new Date();
    // WHEN AT_TIMESTAMP iterators are asked for at both (kinesalite alone never answers the second)
    const at = async (Timestamp: Date) =>
      (
        await client.send(
          new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: 'AT_TIMESTAMP', Timestamp }),
        )
      ).ShardIterator;
    const fromFirst = await at(first);
    const fromSecond = await at(second);
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'p', Data: Buffer.from('new') }));
    // THEN the first reads from the record after it, the second only what arrived later
    const read = async (ShardIterator: string | undefined) =>
      ((await client.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []).map((r) =>
        Buffer.from(r.Data ?? new Uint8Array()).toString(),
      );
    expect(await read(fromFirst)).toEqual(['mid', 'new']);
    expect(await read(fromSecond)).toEqual(['new']);
  });

  it('lists the stream’s tags, colons and spaces included, by stream name or ARN', async () => {
    // GIVEN the fan-out stream, tagged in the template
    const streamName = running.physical(fx.fanOut);
    // WHEN its tags are listed by name, and by ARN as newer SDKs send it
    const byName = await client.send(new ListTagsForStreamCommand({ StreamName: streamName }));
    const byArn = await client.send(
      new ListTagsForStreamCommand({
        StreamARN: `arn:aws:kinesis:${LOCAL_ENV.region}:${LOCAL_ENV.accountId}:stream/${streamName}`,
      }),
    );
    // THEN both answer the template's tags
    for (const answer of [byName, byArn]) {
      expect(answer.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'conflux:cdc:table', Value: 'customers' },
          { Key: 'team', Value: 'data platform' },
        ]),
      );
      expect(answer.HasMoreTags).toBe(false);
    }
  });

  it('round-trips records with empty data (tombstones) through PutRecord, PutRecords, GetRecords and a mapping', async () => {
    // GIVEN empty records put one by one and in a batch, between two records with data
    const StreamName = running.physical(fx.tombstones);
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'k', Data: Buffer.from('first') }));
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: 'k', Data: new Uint8Array() }));
    await client.send(
      new PutRecordsCommand({
        StreamName,
        Records: [
          { PartitionKey: 'k', Data: new Uint8Array() },
          { PartitionKey: 'k', Data: Buffer.from('last') },
        ],
      }),
    );
    // THEN GetRecords answers them with empty data
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
    const texts = Records.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString());
    expect(texts.slice(texts.indexOf('first'))).toEqual(['first', '', '', 'last']);
    // and the function gets them in order, with data ""
    const records = await eventually(() => {
      const seen = deliveries('TombstoneReader').flatMap((d) => d.records);
      return Promise.resolve(seen.some((r) => r.text === 'last') ? seen : undefined);
    });
    const delivered = records.slice(records.findIndex((r) => r.text === 'first'));
    expect(delivered.map((r) => ({ data: r.data, key: r.key }))).toEqual([
      { data: Buffer.from('first').toString('base64'), key: 'k' },
      { data: '', key: 'k' },
      { data: '', key: 'k' },
      { data: Buffer.from('last').toString('base64'), key: 'k' },
    ]);
  });
});
