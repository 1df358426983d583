import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, event }) + '\\n');
  if (process.env.NAME === 'Failing') throw new TypeError('cannot handle ' + JSON.stringify(event).length + ' bytes');
  return { handled: true };
};`;

describe('asynchronous invocation and SNS → Lambda, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-async-')), 'calls.jsonl');
  let running: RunningApp;
  let lambdaClient: LambdaClient;
  const fx: Partial<
    Record<'topic', sns.Topic> &
      Record<'dlq' | 'failures', sqs.Queue> &
      Record<'greeter' | 'failing', lambda.Function>
  > = {};

  beforeAll(async () => {
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Async');
        const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
          new lambda.Function(stack, id, {
            runtime: lambda.Runtime.NODEJS_22_X,
            handler: 'index.handler',
            code: lambda.Code.fromInline(recorder),
            environment: { RECORD_FILE: recordFile, NAME: id },
            ...props,
          });
        fx.topic = new sns.Topic(stack, 'Events');
        fx.dlq = new sqs.Queue(stack, 'FunctionDlq');
        fx.failures = new sqs.Queue(stack, 'Failures');
        fx.greeter = fn('Greeter');
        fx.failing = fn('Failing', {
          deadLetterQueue: fx.dlq,
          retryAttempts: 1,
          maxEventAge: Duration.minutes(5),
          onFailure: new destinations.SqsDestination(fx.failures),
        });
        fx.topic.addSubscription(
          new subscriptions.LambdaSubscription(fx.greeter, {
            filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['greeting'] }) },
          }),
        );
        fx.topic.addSubscription(new subscriptions.LambdaSubscription(fx.failing));
      },
      { asyncRetryDelaysMs: [100, 100] },
    );
    lambdaClient = new LambdaClient({
      endpoint: running.runtime.endpoints.lambda,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    lambdaClient.destroy();
    await running.stop();
  });

  const calls = (fn: string) =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map(
            (l) => JSON.parse(l) as { fn: string; event: { Records?: { Sns: Record<string, unknown> }[] } },
          )
          .filter((c) => c.fn === fn)
      : [];
  const receive = (queue: sqs.Queue) =>
    eventually(async () => {
      const { Messages } = await running.runtime.engines.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: running.physical(queue),
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      return Messages?.[0];
    });

  it('invokes a subscribed function with the SNS event, only for messages its filter matches', async () => {
    const topicArn = running.physical(fx.topic as sns.Topic);
    const publish = (kind: string, message: string) =>
      running.runtime.engines.sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: message,
          Subject: 'hello',
          MessageAttributes: { kind: { DataType: 'String', StringValue: kind } },
        }),
      );
    await publish('other', 'not for the greeter');
    await publish('greeting', 'hi there');
    const [call] = await eventually(() =>
      Promise.resolve(calls('Greeter').length > 0 ? calls('Greeter') : undefined),
    );
    expect(calls('Greeter')).toHaveLength(1);
    expect(call?.event.Records?.[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      Sns: {
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: 'hello',
        Message: 'hi there',
        MessageAttributes: { kind: { Type: 'String', Value: 'greeting' } },
      },
    });
  });

  it('retries a failing asynchronous event, then sends it to the DLQ and the on-failure destination', async () => {
    // GIVEN the failing function received the two messages above, each retried once
    const dead = await receive(fx.dlq as sqs.Queue);
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ Records: [{ EventSource: 'aws:sns' }] });
    expect(dead.MessageAttributes?.ErrorMessage?.StringValue).toMatch(/^cannot handle \d+ bytes$/);
    expect(dead.MessageAttributes?.ErrorCode).toMatchObject({ DataType: 'Number', StringValue: '200' });
    const failure = await receive(fx.failures as sqs.Queue);
    expect(JSON.parse(failure.Body ?? '{}')).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError' },
    });
  });

  it('serves Lambda Invoke for SDK clients: request-response and event', async () => {
    const sync = await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.greeter as lambda.Function),
        Payload: Buffer.from('{"a":1}'),
      }),
    );
    expect(sync.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(sync.Payload ?? new Uint8Array()).toString())).toEqual({ handled: true });
    const failed = await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.failing as lambda.Function),
        Payload: Buffer.from('{}'),
      }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    const queued = await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.greeter as lambda.Function),
        InvocationType: 'Event',
        Payload: Buffer.from('{"async":true}'),
      }),
    );
    expect(queued.StatusCode).toBe(202);
    await eventually(() =>
      Promise.resolve(
        calls('Greeter').some((c) => JSON.stringify(c.event) === '{"async":true}') ? true : undefined,
      ),
    );
  });
});
