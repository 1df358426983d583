import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { clearPersistentState, RESET_HINT } from '../../src/core/persistence.js';
import type { RunningRuntime } from '../../src/core/runtime.js';
import { startPersisted } from './support.js';
import { cdkJsonContext } from '../../../../test/support/cdk.js';

const work = mkdtempSync(path.join(tmpdir(), 'conflux-persist-'));

/** A table (key `pk`, or `sortKey` also when asked), a bucket, a queue, a stream and a REST API behind an API key. */
function synth(name: string, options: { sortKey?: boolean } = {}): string {
  const outdir = path.join(work, name);
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'Persisted');
  new dynamodb.Table(stack, 'Items', {
    tableName: 'persisted-items',
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    ...(options.sortKey ? { sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } } : {}),
  });
  new s3.Bucket(stack, 'Files', { bucketName: 'persisted-files' });
  new sqs.Queue(stack, 'Jobs', { queueName: 'persisted-jobs' });
  new kinesis.Stream(stack, 'Events', { streamName: 'persisted-events', shardCount: 1 });
  const api = new apigw.RestApi(stack, 'Api');
  const ping = api.root.addResource('ping');
  ping.addMethod(
    'GET',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }],
    }),
    { apiKeyRequired: true, methodResponses: [{ statusCode: '200' }] },
  );
  const plan = api.addUsagePlan('Plan', { name: 'basic', apiStages: [{ api, stage: api.deploymentStage }] });
  plan.addApiKey(api.addApiKey('Key'));
  app.synth();
  return outdir;
}

const start = startPersisted;

/** The data of every record of the stream's first shard, from its start. */
async function records(runtime: RunningRuntime): Promise<string[]> {
  const client = runtime.engines.kinesis;
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: 'persisted-events' }));
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({
      StreamName: 'persisted-events',
      ShardId: Shards?.[0]?.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
  return (Records ?? []).map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString());
}

describe('--persist: engine state across restarts', () => {
  const cdkOut = synth('app');
  const stateDir = path.join(work, 'state');
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps the item, the message, the object, the record and the API key of a run for the next one', async () => {
    // GIVEN a first run on an empty state folder, with an item written, a message sent, an object put and a record put
    const first = await start(cdkOut, stateDir);
    let key: string | undefined;
    try {
      expect(first.persisted).toEqual({ dir: stateDir, restored: false });
      key = first.apiKeys.basic;
      await first.engines.dynamodb.send(
        new PutItemCommand({ TableName: 'persisted-items', Item: { pk: { S: 'a' }, v: { N: '1' } } }),
      );
      await first.engines.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl(first), MessageBody: 'job-1' }),
      );
      await first.engines.s3.send(
        new PutObjectCommand({
          Bucket: 'persisted-files',
          Key: 'a.txt',
          Body: 'file-1',
          ContentType: 'text/plain',
        }),
      );
      await first.engines.kinesis.send(
        new PutRecordCommand({
          StreamName: 'persisted-events',
          PartitionKey: 'p',
          Data: Buffer.from('event-1'),
        }),
      );
    } finally {
      await first.stop();
    }

    // WHEN the runtime starts again on the same folder
    const second = await start(cdkOut, stateDir);
    try {
      // THEN it says so, and the item, the message, the object, the record and the same API key are there
      expect(second.persisted).toEqual({ dir: stateDir, restored: true });
      const { Item } = await second.engines.dynamodb.send(
        new GetItemCommand({ TableName: 'persisted-items', Key: { pk: { S: 'a' } } }),
      );
      expect(Item?.v).toEqual({ N: '1' });
      const { Messages } = await second.engines.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl(second), MaxNumberOfMessages: 10 }),
      );
      expect(Messages?.map((m) => m.Body)).toEqual(['job-1']);
      expect(await records(second)).toEqual(['event-1']);
      const object = await second.engines.s3.send(
        new GetObjectCommand({ Bucket: 'persisted-files', Key: 'a.txt' }),
      );
      expect(await object.Body?.transformToString()).toBe('file-1');
      expect(object.ContentType).toBe('text/plain');
      expect(key).toMatch(/^[A-Za-z0-9]{20,40}$/);
      expect(second.apiKeys.basic).toBe(key);
      const ping = await fetch(`${second.baseUrl ?? ''}/ping`, { headers: { 'x-api-key': key ?? '' } });
      expect(ping.status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('fails the start with the reset hint when a table key schema changed', async () => {
    // GIVEN the folder of the runs above, and the same app whose table now has a sort key
    const changed = synth('changed', { sortKey: true });

    // WHEN it starts on that folder
    const started = start(changed, stateDir);

    // THEN the start fails, naming the table and telling the user to reset
    await expect(started).rejects.toThrow(/persisted-items.*sk RANGE/s);
    await expect(started).rejects.toThrow(RESET_HINT);
  });

  it('starts fresh once the folder is cleared', async () => {
    // GIVEN the folder of the runs above, cleared
    clearPersistentState(stateDir);
    expect(existsSync(stateDir)).toBe(false);

    // WHEN the runtime starts on it
    const fresh = await start(cdkOut, stateDir);
    try {
      // THEN nothing of the earlier runs is there
      expect(fresh.persisted?.restored).toBe(false);
      const { Item } = await fresh.engines.dynamodb.send(
        new GetItemCommand({ TableName: 'persisted-items', Key: { pk: { S: 'a' } } }),
      );
      expect(Item).toBeUndefined();
      expect(await records(fresh)).toEqual([]);
    } finally {
      await fresh.stop();
    }
  });
});

function queueUrl(runtime: RunningRuntime): string {
  const url = Object.values(runtime.resources).find((r) => r.endsWith('/persisted-jobs'));
  if (!url) throw new Error('no queue persisted-jobs');
  return url;
}
