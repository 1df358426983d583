import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** Records every invocation to a file. */
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify(event) + '\\n');
};`;

/** Writes an object with the SDK as a handler would: the endpoint from AWS_ENDPOINT_URL_S3 alone. */
const writer = `
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const client = new S3Client({});
exports.handler = async (event) => {
  await client.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: event.key, Body: event.body }));
  return 'written';
};`;

interface S3Record {
  eventName: string;
  s3: { configurationId: string; object: Record<string, unknown>; bucket: Record<string, unknown> };
  [field: string]: unknown;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('S3 event notifications, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-s3-')), 'calls.jsonl');
  let running: RunningApp;
  let bucketName: string;
  const fx: Partial<
    Record<'bucket', s3.Bucket> &
      Record<'removals' | 'viaTopic' | 'viaBus' | 'rawQueue', sqs.Queue> &
      Record<'raw', s3.CfnBucket> &
      Record<'writer', lambda.Function>
  > = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Uploads');
      const bucket = new s3.Bucket(stack, 'Uploads', { eventBridgeEnabled: true });
      const onText = new lambda.Function(stack, 'OnText', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(recorder),
        environment: { RECORD_FILE: recordFile },
      });
      fx.writer = new lambda.Function(stack, 'Writer', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(writer),
        environment: { BUCKET: bucket.bucketName },
      });
      fx.removals = new sqs.Queue(stack, 'Removals');
      fx.viaTopic = new sqs.Queue(stack, 'ViaTopic');
      fx.viaBus = new sqs.Queue(stack, 'ViaBus');
      const topic = new sns.Topic(stack, 'Puts');
      topic.addSubscription(new subscriptions.SqsSubscription(fx.viaTopic));
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(onText), {
        prefix: 'in/',
        suffix: '.txt',
      });
      bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, new s3n.SqsDestination(fx.removals));
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED_PUT, new s3n.SnsDestination(topic), {
        prefix: 'put/',
      });
      new events.Rule(stack, 'Created', {
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { object: { key: [{ prefix: 'bus/' }] } },
        },
        targets: [new targets.SqsQueue(fx.viaBus)],
      });
      fx.bucket = bucket;
      fx.rawQueue = new sqs.Queue(stack, 'Csv');
      fx.raw = new s3.CfnBucket(stack, 'Raw', {
        notificationConfiguration: {
          queueConfigurations: [
            {
              event: 's3:ObjectCreated:*',
              queue: fx.rawQueue.queueArn,
              filter: { s3Key: { rules: [{ name: 'suffix', value: '.csv' }] } },
            },
          ],
        },
      });
    });
    bucketName = running.physical(fx.bucket as s3.Bucket);
  });
  afterAll(async () => {
    await running.stop();
  });

  const s3Client = () => running.runtime.engines.s3;
  const calls = (): S3Record[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => (JSON.parse(l) as { Records: S3Record[] }).Records[0] as S3Record)
      : [];
  /** The next message of a queue (deleted once read). */
  const next = (queue: sqs.Queue) =>
    eventually(async () => {
      const url = running.physical(queue);
      const { Messages } = await running.runtime.engines.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }),
      );
      const message = Messages?.[0];
      if (!message) return undefined;
      await running.runtime.engines.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
      );
      return JSON.parse(message.Body ?? '') as Record<string, unknown>;
    });

  it('sends s3:TestEvent to a queue when the configuration is applied, before any object event', async () => {
    // GIVEN the running app, whose bucket notifies the Removals queue

    // WHEN the queue is read before anything is written
    const message = await next(fx.removals as sqs.Queue);

    // THEN it holds S3's test event for the bucket
    expect(message).toEqual({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      Bucket: bucketName,
      RequestId: expect.stringMatching(/^[0-9A-F]{16}$/) as unknown,
      HostId: expect.any(String) as unknown,
    });
  });

  it('invokes the function with the ObjectCreated record of each key its prefix and suffix match, the key URL-encoded', async () => {
    // GIVEN keys outside the filter, then a put, a copy and a multipart upload inside it
    const body = 'hello, world';
    await s3Client().send(new PutObjectCommand({ Bucket: bucketName, Key: 'in/skipped.json', Body: body }));
    await s3Client().send(new PutObjectCommand({ Bucket: bucketName, Key: 'out/skipped.txt', Body: body }));
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucketName, Key: 'in/my file (1).txt', Body: body }),
    );
    await s3Client().send(
      new CopyObjectCommand({
        Bucket: bucketName,
        Key: 'in/copy.txt',
        CopySource: `${bucketName}/in/skipped.json`,
      }),
    );
    const { UploadId } = await s3Client().send(
      new CreateMultipartUploadCommand({ Bucket: bucketName, Key: 'in/multi.txt' }),
    );
    const { ETag } = await s3Client().send(
      new UploadPartCommand({
        Bucket: bucketName,
        Key: 'in/multi.txt',
        UploadId,
        PartNumber: 1,
        Body: 'part',
      }),
    );
    await s3Client().send(
      new CompleteMultipartUploadCommand({
        Bucket: bucketName,
        Key: 'in/multi.txt',
        UploadId,
        MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
      }),
    );

    // WHEN the function has been invoked for the three
    const records = await eventually(() => Promise.resolve(calls().length >= 3 ? calls() : undefined));

    // THEN each is the record S3 documents, for the matching keys only
    const byKey = new Map(records.map((r) => [r.s3.object.key, r]));
    expect([...byKey.keys()].sort()).toEqual(['in/copy.txt', 'in/multi.txt', 'in/my+file+%281%29.txt']);
    expect(byKey.get('in/my+file+%281%29.txt')).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) as unknown },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': expect.stringMatching(/^[0-9A-F]{16}$/) as unknown,
        'x-amz-id-2': expect.any(String) as unknown,
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: expect.any(String) as unknown,
        bucket: {
          name: bucketName,
          ownerIdentity: { principalId: expect.any(String) as unknown },
          arn: `arn:aws:s3:::${bucketName}`,
        },
        object: {
          key: 'in/my+file+%281%29.txt',
          size: body.length,
          eTag: md5(body),
          sequencer: expect.stringMatching(/^[0-9A-F]+$/) as unknown,
        },
      },
    });
    expect(byKey.get('in/copy.txt')?.eventName).toBe('ObjectCreated:Copy');
    expect(byKey.get('in/multi.txt')?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(byKey.get('in/multi.txt')?.s3.object.eTag).toMatch(/^[0-9a-f]{32}-1$/);
  });

  it('sends the ObjectRemoved record to the queue as the message body, with no size or eTag', async () => {
    // GIVEN an object
    await s3Client().send(new PutObjectCommand({ Bucket: bucketName, Key: 'gone/a b.bin', Body: 'x' }));

    // WHEN it is deleted
    await s3Client().send(new DeleteObjectCommand({ Bucket: bucketName, Key: 'gone/a b.bin' }));

    // THEN the queue gets the deletion's record
    let message = await next(fx.removals as sqs.Queue);
    if (message.Event === 's3:TestEvent') message = await next(fx.removals as sqs.Queue);
    const [record] = (message as { Records: S3Record[] }).Records;
    expect(record?.eventName).toBe('ObjectRemoved:Delete');
    expect(record?.s3.object).toEqual({ key: 'gone/a+b.bin', sequencer: expect.any(String) as unknown });
  });

  it('publishes only ObjectCreated:Put records to the topic, with S3’s subject', async () => {
    // GIVEN a put, a copy and another put under the topic's prefix
    await s3Client().send(new PutObjectCommand({ Bucket: bucketName, Key: 'put/source', Body: 'abc' }));
    await s3Client().send(
      new CopyObjectCommand({
        Bucket: bucketName,
        Key: 'put/copied',
        CopySource: `${bucketName}/put/source`,
      }),
    );
    await s3Client().send(new PutObjectCommand({ Bucket: bucketName, Key: 'put/last', Body: 'abcd' }));

    // WHEN the topic's subscribed queue is read until both puts came (a TestEvent may come first)
    const records: S3Record[] = [];
    const subjects = new Set<unknown>();
    while (records.length < 2) {
      const notification = await next(fx.viaTopic as sqs.Queue);
      subjects.add(notification.Subject);
      const message = JSON.parse(String(notification.Message)) as { Records?: S3Record[] };
      records.push(...(message.Records ?? []));
    }

    // THEN they are the two puts' records, and the copy was not published
    expect(subjects).toEqual(new Set(['Amazon S3 Notification']));
    expect(records.map((r) => [r.eventName, r.s3.object.key, r.s3.object.size]).sort()).toEqual([
      ['ObjectCreated:Put', 'put/last', 4],
      ['ObjectCreated:Put', 'put/source', 3],
    ]);
  });

  it('puts Object Created on the default event bus for a write by a function through the SDK', async () => {
    // GIVEN a function that writes with the SDK's defaults and AWS_ENDPOINT_URL_S3
    const client = new LambdaClient({
      endpoint: running.runtime.endpoints.lambda,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });

    // WHEN it writes under the rule's prefix
    const { FunctionError } = await client.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.writer as lambda.Function),
        Payload: JSON.stringify({ key: 'bus/x y.json', body: '{}' }),
      }),
    );
    client.destroy();

    // THEN the rule's queue gets the EventBridge event, its key not encoded
    expect(FunctionError).toBeUndefined();
    const event = await next(fx.viaBus as sqs.Queue);
    expect(event).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      resources: [`arn:aws:s3:::${bucketName}`],
      detail: {
        version: '0',
        bucket: { name: bucketName },
        object: { key: 'bus/x y.json', size: 2, etag: md5('{}') },
        reason: 'PutObject',
      },
    });
  });

  it("applies AWS::S3::Bucket's own NotificationConfiguration, test event first", async () => {
    // GIVEN a bucket whose CloudFormation NotificationConfiguration sends *.csv creations to a queue
    const raw = running.physical(fx.raw as s3.CfnBucket);

    // WHEN a text file and then a CSV file are written
    await s3Client().send(new PutObjectCommand({ Bucket: raw, Key: 'notes.txt', Body: 'n' }));
    await s3Client().send(new PutObjectCommand({ Bucket: raw, Key: 'rows.csv', Body: 'a,b' }));

    // THEN the queue got S3's test event, then the CSV file's record only
    const first = await next(fx.rawQueue as sqs.Queue);
    const second = await next(fx.rawQueue as sqs.Queue);
    expect(first).toMatchObject({ Event: 's3:TestEvent', Bucket: raw });
    expect((second as { Records: S3Record[] }).Records.map((r) => [r.eventName, r.s3.object.key])).toEqual([
      ['ObjectCreated:Put', 'rows.csv'],
    ]);
  });
});
