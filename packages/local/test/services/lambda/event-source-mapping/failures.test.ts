import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../../../../src/services/lambda/event-source-mapping/sqs-poller.js';
import type { StreamBatchOutcome } from '../../../../src/services/lambda/event-source-mapping/stream-poller.js';
import { MAX_MESSAGE_CHARS } from '../../../../src/services/lambda/event-source-mapping/failure-line.js';
import { eventually, runApp, type RunningApp } from '../../../../../../test/support/runtime.js';

// Records what a stream record says about where it came from, then fails with a long multi-line message.
const streamRecorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  for (const r of event.Records) {
    fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ awsRegion: r.awsRegion, eventSourceARN: r.eventSourceARN, id: r.dynamodb.Keys.id.S }) + '\\n');
  }
  if (event.Records.some((r) => r.dynamodb.Keys.id.S === 'bad')) {
    throw new RangeError('line one of a long story\\n' + 'x'.repeat(1000));
  }
};`;

describe('event source mappings: failures in the log, and stream records in the runtime region', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-failures-')), 'records.jsonl');
  const lines: string[] = [];
  const sqsOutcomes: BatchOutcome[] = [];
  const streamOutcomes: StreamBatchOutcome[] = [];
  let running: RunningApp;
  const fx: { queue?: sqs.Queue; table?: dynamodb.Table; esm?: lambda.Function } = {};

  beforeAll(async () => {
    // An ES module handler as a file asset; the assembly lives in a temporary folder with no node_modules above.
    const esmCode = mkdtempSync(path.join(tmpdir(), 'conflux-esm-asset-'));
    writeFileSync(
      path.join(esmCode, 'index.mjs'),
      'import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";\n' +
        'const client = new DynamoDBClient({});\n' +
        'export const handler = async () => (await client.send(new ListTablesCommand({}))).TableNames.length > 0;\n',
    );
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Failures');
        fx.queue = new sqs.Queue(stack, 'Orders', { visibilityTimeout: Duration.seconds(30) });
        new lambda.Function(stack, 'Rejecting', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(
            'exports.handler = async () => { const e = new TypeError("order 42 has no lines"); throw e; };',
          ),
        }).addEventSource(new sources.SqsEventSource(fx.queue, { batchSize: 1 }));
        fx.table = new dynamodb.Table(stack, 'Items', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          stream: dynamodb.StreamViewType.NEW_IMAGE,
        });
        new lambda.Function(stack, 'StreamRecorder', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(streamRecorder),
          environment: { RECORD_FILE: recordFile },
        }).addEventSource(
          new sources.DynamoEventSource(fx.table, {
            startingPosition: lambda.StartingPosition.TRIM_HORIZON,
            batchSize: 1,
            retryAttempts: 0,
          }),
        );
        fx.esm = new lambda.Function(stack, 'EsmAsset', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset(esmCode),
        });
      },
      {
        log: (line) => lines.push(line),
        onBatch: (outcome) => sqsOutcomes.push(outcome),
        onStreamBatch: (outcome) => streamOutcomes.push(outcome),
      },
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it("logs the function's error type and message for a failed SQS batch", async () => {
    // GIVEN a function that throws a TypeError
    // WHEN a message reaches it
    await running.runtime.engines.sqs.send(
      new SendMessageCommand({ QueueUrl: running.physical(fx.queue as sqs.Queue), MessageBody: 'order 42' }),
    );
    // THEN one line names the error, and the batch outcome carries it
    const line = await eventually(() =>
      Promise.resolve(lines.find((l) => l.includes('failed on a batch of 1'))),
    );
    expect(line).toMatch(
      /^\[esm Failures\/\S+\] \S+Rejecting\S* failed on a batch of 1: TypeError: order 42 has no lines$/,
    );
    expect(sqsOutcomes.find((o) => o.failed.length === 1)?.error).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'order 42 has no lines',
    });
  });

  it('delivers DynamoDB stream records with the runtime region, in awsRegion and eventSourceARN', async () => {
    // GIVEN a table with a stream, whose ARN DynamoDB Local makes in its own region
    const TableName = running.physical(fx.table as dynamodb.Table);
    const { Table } = await running.runtime.engines.dynamodb.send(new DescribeTableCommand({ TableName }));
    const engineArn = Table?.LatestStreamArn ?? '';
    expect(engineArn.split(':')[3]).toBe('ddblocal');
    // WHEN an item is written
    await running.runtime.engines.dynamodb.send(
      new PutItemCommand({ TableName, Item: { id: { S: 'good' } } }),
    );
    // THEN its record names the runtime's region and account, not DynamoDB Local's
    const record = await eventually(() => Promise.resolve(records().find((r) => r.id === 'good')));
    expect(record.awsRegion).toBe('us-east-1');
    expect(record.eventSourceARN).toBe(
      engineArn.replace(/^arn:aws:dynamodb:ddblocal:[^:]*:/, 'arn:aws:dynamodb:us-east-1:000000000000:'),
    );
  });

  it("logs a failed stream batch once, on one line, with the function's error cut to a readable length", async () => {
    // GIVEN a stream function that throws a RangeError with a long multi-line message
    // WHEN the record that makes it fail is written
    await running.runtime.engines.dynamodb.send(
      new PutItemCommand({
        TableName: running.physical(fx.table as dynamodb.Table),
        Item: { id: { S: 'bad' } },
      }),
    );
    // THEN one line names the error type and the start of the message, and the discard follows
    const discarded = await eventually(() =>
      Promise.resolve(lines.find((l) => l.includes('discarded after 1 attempt(s) (RetryAttemptsExhausted)'))),
    );
    expect(discarded).toContain('StreamRecorder');
    const failure = lines.filter((l) => l.includes('RangeError'));
    expect(failure).toHaveLength(1);
    expect(failure[0]).toContain('failed on a batch of 1 from shardId-');
    expect(failure[0]).toContain('RangeError: line one of a long story xxx');
    expect(failure[0]).not.toContain('\n');
    expect(failure[0]?.endsWith('…')).toBe(true);
    expect(failure[0]?.length).toBeLessThan(MAX_MESSAGE_CHARS + 200);
    expect(streamOutcomes.find((o) => o.discarded === 1)?.error?.errorType).toBe('RangeError');
  });

  it('runs an ES module asset that imports the provided SDK from an assembly with no node_modules above it', async () => {
    // GIVEN an index.mjs asset importing @aws-sdk/client-dynamodb, bundled with nothing
    const name = running.physical(fx.esm as lambda.Function);
    // WHEN it is invoked
    const result = await running.runtime.host.invoke(name, {});
    // THEN the import resolved to the SDK the runtime provides, and the client reached DynamoDB Local
    expect(result).toEqual({ ok: true, payload: true });
  });

  const records = (): { awsRegion: string; eventSourceARN: string; id: string }[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { awsRegion: string; eventSourceARN: string; id: string })
      : [];
});
