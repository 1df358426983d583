import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runApp, type RunningApp } from '../../../../../../test/support/runtime.js';

// The functions append what they receive to a file, so the test sees every delivery in order.
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  const poisoned = event.Records.some((r) => r.dynamodb.NewImage && r.dynamodb.NewImage.poison);
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, ok: !poisoned, records: event.Records.map((r) => ({
    event: r.eventName, id: r.dynamodb.Keys.id.S, old: r.dynamodb.OldImage && r.dynamodb.OldImage.v && r.dynamodb.OldImage.v.N,
    new: r.dynamodb.NewImage && r.dynamodb.NewImage.v && r.dynamodb.NewImage.v.N, seq: r.dynamodb.SequenceNumber, source: r.eventSource })) }) + '\\n');
  if (poisoned) throw new Error('poison record');
};`;

const kinesisRecorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
  const poisoned = data.includes('poison');
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, ok: !poisoned, records: event.Records.map((r, i) => ({
    event: r.eventName, id: data[i], seq: r.kinesis.sequenceNumber, source: r.eventSource })) }) + '\\n');
  if (poisoned) throw new Error('poison record');
};`;

// Reports k3 as failed the first time it sees it, so the retry must start at k3.
const partialReporter = `
const fs = require('node:fs');
const seen = new Set();
exports.handler = async (event) => {
  const records = event.Records.map((r) => ({ id: Buffer.from(r.kinesis.data, 'base64').toString(), seq: r.kinesis.sequenceNumber }));
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, ok: true, records }) + '\\n');
  const failing = records.find((r) => r.id === 'k3' && !seen.has(r.id));
  records.forEach((r) => seen.add(r.id));
  return { batchItemFailures: failing ? [{ itemIdentifier: failing.seq }] : [] };
};`;

interface Delivery {
  fn: string;
  ok: boolean;
  records: { event: string; id: string; old?: string; new?: string; seq: string; source: string }[];
}

describe('DynamoDB Streams event source mapping, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-streams-')), 'deliveries.jsonl');
  let running: RunningApp;
  const fx: {
    ordered?: dynamodb.Table;
    picky?: dynamodb.Table;
    failures?: sqs.Queue;
    stream?: kinesis.Stream;
    partialStream?: kinesis.Stream;
    kinesisFailures?: sqs.Queue;
  } = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Streams');
      const table = (id: string) =>
        new dynamodb.Table(stack, id, {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        });
      const fn = (id: string, code = recorder) =>
        new lambda.Function(stack, id, {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(code),
          environment: { RECORD_FILE: recordFile, NAME: id },
        });
      fx.ordered = table('Ordered');
      fn('Recorder').addEventSource(
        new sources.DynamoEventSource(fx.ordered, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 10,
        }),
      );
      fx.picky = table('Picky');
      fx.failures = new sqs.Queue(stack, 'Failures');
      fn('Bisector').addEventSource(
        new sources.DynamoEventSource(fx.picky, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 10,
          bisectBatchOnError: true,
          retryAttempts: 1,
          onFailure: new sources.SqsDlq(fx.failures),
        }),
      );
      fx.partialStream = new kinesis.Stream(stack, 'Partial', { shardCount: 1 });
      fn('PartialReporter', partialReporter).addEventSource(
        new sources.KinesisEventSource(fx.partialStream, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 10,
          reportBatchItemFailures: true,
        }),
      );
      fx.stream = new kinesis.Stream(stack, 'Telemetry', { shardCount: 1 });
      fx.kinesisFailures = new sqs.Queue(stack, 'KinesisFailures');
      fn('KinesisBisector', kinesisRecorder).addEventSource(
        new sources.KinesisEventSource(fx.stream, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: 10,
          bisectBatchOnError: true,
          retryAttempts: 0,
          onFailure: new sources.SqsDlq(fx.kinesisFailures),
        }),
      );
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  /** The first on-failure record that reaches `queue`. */
  const failureRecord = async (queue: sqs.Queue) => {
    const message = await eventually(async () => {
      const { Messages } = await running.runtime.engines.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: running.physical(queue), WaitTimeSeconds: 1 }),
      );
      return Messages?.[0];
    }, 30_000);
    return JSON.parse(message.Body ?? '{}') as Record<string, Record<string, unknown>>;
  };

  const deliveries = (fn: string): Delivery[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Delivery)
          .filter((d) => d.fn === fn)
      : [];

  it('delivers the changes of an item in order, with old and new images', async () => {
    // GIVEN
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.ordered as dynamodb.Table);
    // WHEN item a is created, changed and deleted, with b created in between
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'a' }, v: { N: '1' } } }));
    await db.send(
      new UpdateItemCommand({
        TableName,
        Key: { id: { S: 'a' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'b' }, v: { N: '7' } } }));
    await db.send(new DeleteItemCommand({ TableName, Key: { id: { S: 'a' } } }));
    // THEN
    const records = await eventually(() => {
      const seen = deliveries('Recorder').flatMap((d) => d.records);
      return Promise.resolve(seen.length >= 4 ? seen : undefined);
    });
    expect(records.map(({ event, id, old, new: v }) => ({ event, id, old, new: v }))).toEqual([
      { event: 'INSERT', id: 'a', old: undefined, new: '1' },
      { event: 'MODIFY', id: 'a', old: '1', new: '2' },
      { event: 'INSERT', id: 'b', old: undefined, new: '7' },
      { event: 'REMOVE', id: 'a', old: '2', new: undefined },
    ]);
    expect(records.every((r) => r.source === 'aws:dynamodb')).toBe(true);
    const sequence = records.map((r) => BigInt(r.seq));
    expect(sequence).toEqual([...sequence].sort((x, y) => (x < y ? -1 : 1)));
  });

  it('isolates a poison record by bisection, processes its neighbours, and sends the metadata record on', async () => {
    // GIVEN three items written together, the middle one poison
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.picky as dynamodb.Table);
    for (const [id, poison] of [
      ['n1', false],
      ['p', true],
      ['n2', false],
    ] as const) {
      await db.send(
        new PutItemCommand({
          TableName,
          Item: { id: { S: id }, v: { N: '1' }, ...(poison ? { poison: { BOOL: true } } : {}) },
        }),
      );
    }
    // THEN the on-failure queue gets one invocation record for the poison alone
    const record = await failureRecord(fx.failures as sqs.Queue);
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    expect(record.responseContext).toMatchObject({ functionError: 'Unhandled' });
    expect(record.DDBStreamBatchInfo).toMatchObject({ batchSize: 1 });
    expect(String(record.DDBStreamBatchInfo?.streamArn)).toContain('/stream/');
    expect(record.DDBStreamBatchInfo?.approximateArrivalOfFirstRecord).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    // and both neighbours were processed successfully (the half after the poison may come after its record)
    const processed = await eventually(() => {
      const ids = deliveries('Bisector')
        .filter((d) => d.ok)
        .flatMap((d) => d.records.map((r) => r.id));
      return Promise.resolve(ids.length >= 2 ? ids : undefined);
    });
    expect(processed.sort()).toEqual(['n1', 'n2']);
  });

  it('isolates a Kinesis poison record by bisection and sends the Kinesis metadata record on', async () => {
    // GIVEN five records in one put, the fourth poison
    const streamName = running.physical(fx.stream as kinesis.Stream);
    await running.runtime.engines.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: ['k1', 'k2', 'k3', 'poison', 'k5'].map((d) => ({
          PartitionKey: 'device-1',
          Data: Buffer.from(d),
        })),
      }),
    );
    // THEN with no retries the poison alone is discarded to the destination
    const record = await failureRecord(fx.kinesisFailures as sqs.Queue);
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
    });
    expect(record.KinesisBatchInfo).toMatchObject({
      shardId: expect.stringMatching(/^shardId-/) as unknown,
      batchSize: 1,
    });
    expect(String(record.KinesisBatchInfo?.streamArn)).toContain(`:stream/${streamName}`);
    // and every neighbour was processed, in order
    const processed = await eventually(() => {
      const records = deliveries('KinesisBisector')
        .filter((d) => d.ok)
        .flatMap((d) => d.records);
      return Promise.resolve(records.length >= 4 ? records : undefined);
    });
    expect(processed.map((r) => r.id)).toEqual(['k1', 'k2', 'k3', 'k5']);
    expect(processed.every((r) => r.source === 'aws:kinesis')).toBe(true);
  });

  it('retries a stream batch from the lowest failed sequence number of a partial batch response', async () => {
    // GIVEN five records in one put; the function reports k3 as failed once
    await running.runtime.engines.kinesis.send(
      new PutRecordsCommand({
        StreamName: running.physical(fx.partialStream as kinesis.Stream),
        Records: ['k1', 'k2', 'k3', 'k4', 'k5'].map((d) => ({ PartitionKey: 'p', Data: Buffer.from(d) })),
      }),
    );
    // THEN the retry holds k3 and everything after it, and nothing before it
    const batches = await eventually(() => {
      const seen = deliveries('PartialReporter').map((d) => d.records.map((r) => r.id));
      return Promise.resolve(seen.length >= 2 ? seen : undefined);
    });
    expect(batches).toEqual([
      ['k1', 'k2', 'k3', 'k4', 'k5'],
      ['k3', 'k4', 'k5'],
    ]);
  });
});
