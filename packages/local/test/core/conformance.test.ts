import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../src/core/runtime.js';
import { UnsupportedResourceError } from '../../src/core/registry.js';
import { cdkJsonContext } from '../../../../test/support/cdk.js';
import { eventually, runApp, type RunningApp } from '../../../../test/support/runtime.js';

const inline = (code: string, props: Partial<lambda.FunctionProps> = {}) => ({
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(code),
  ...props,
});

/** Fixture stacks, not the reference app: each checks one documented AWS behaviour on the offline runtime. */
describe('offline runtime conformance', () => {
  let running: RunningApp;
  const fx: Record<string, lambda.Function | sqs.Queue | s3.Bucket> = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Fixture');
      const dlq = new sqs.Queue(stack, 'Dlq');
      const queue = new sqs.Queue(stack, 'Queue', {
        visibilityTimeout: Duration.seconds(2),
        deadLetterQueue: { queue: dlq, maxReceiveCount: 2 },
      });
      const consumer = new lambda.Function(
        stack,
        'Consumer',
        inline(
          `exports.handler = async (e) => ({ batchItemFailures: e.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) });`,
        ),
      );
      consumer.addEventSource(
        new sources.SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true }),
      );
      fx.consumer = consumer;
      fx.filtered = new sqs.Queue(stack, 'Filtered');
      fx.picky = new lambda.Function(
        stack,
        'Picky',
        inline(`exports.handler = async (e) => ({ batchItemFailures: [] });`),
      );
      // The pattern FilterCriteria.filter({ body: { kind: FilterRule.isEqual('keep') } }) makes, written out (those helpers are typed `any`).
      const keepOnly = { pattern: JSON.stringify({ body: { kind: ['keep'] } }) };
      fx.picky.addEventSource(new sources.SqsEventSource(fx.filtered, { filters: [keepOnly] }));
      fx.queue = queue;
      fx.dlq = dlq;
      fx.outbox = new sqs.Queue(stack, 'Outbox');
      fx.sender = new lambda.Function(
        stack,
        'Sender',
        inline(
          `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs'); const sqs = new SQSClient({}); exports.handler = async () => { await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'from a handler' })); return 'sent'; };`,
          { environment: { QUEUE_URL: fx.outbox.queueUrl } },
        ),
      );
      fx.bucket = new s3.Bucket(stack, 'RawZone', { enforceSSL: true, versioned: true });
      fx.sleepy = new lambda.Function(
        stack,
        'Sleepy',
        inline(`exports.handler = () => new Promise((r) => setTimeout(r, 3000));`, {
          timeout: Duration.seconds(1),
        }),
      );
      const counter = `let count = 0; exports.handler = async () => ({ count: ++count, name: process.env.FIXTURE_NAME, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });`;
      fx.one = new lambda.Function(stack, 'One', inline(counter, { environment: { FIXTURE_NAME: 'one' } }));
      fx.two = new lambda.Function(stack, 'Two', inline(counter, { environment: { FIXTURE_NAME: 'two' } }));
      fx.thrower = new lambda.Function(
        stack,
        'Thrower',
        inline(
          `class OutOfStockError extends Error { name = 'OutOfStockError' }; exports.handler = async () => { throw new OutOfStockError('sku-1 is out of stock'); };`,
        ),
      );

      const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'test' } });
      const echo = new lambda.Function(
        stack,
        'Echo',
        inline(
          `exports.handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ resource: e.resource, path: e.path, pathParameters: e.pathParameters, query: e.queryStringParameters, multi: e.multiValueQueryStringParameters, stage: e.requestContext.stage, method: e.httpMethod }) });`,
        ),
      );
      const items = api.root.addResource('items');
      const item = items.addResource('{id}');
      item.addMethod('GET', new apigw.LambdaIntegration(echo));
      items.addResource('special').addMethod('GET', new apigw.LambdaIntegration(echo));
      items.addResource('files').addResource('{path+}').addMethod('GET', new apigw.LambdaIntegration(echo));
      item.addCorsPreflight({ allowOrigins: ['https://example.com'], allowMethods: ['GET'] });
      const broken = new lambda.Function(
        stack,
        'Broken',
        inline(`exports.handler = async () => ({ statusCode: 'teapot' });`),
      );
      api.root.addResource('broken').addMethod('GET', new apigw.LambdaIntegration(broken));
      const validator = api.addRequestValidator('Params', { validateRequestParameters: true });
      fx.searcher = new lambda.Function(
        stack,
        'Searcher',
        inline(`exports.handler = async () => ({ statusCode: 200, body: '[]' });`),
      );
      api.root.addResource('search').addMethod('GET', new apigw.LambdaIntegration(fx.searcher), {
        requestParameters: { 'method.request.querystring.q': true },
        requestValidator: validator,
      });
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const base = () => running.runtime.baseUrl ?? '';
  const fnName = (f: lambda.Function | sqs.Queue | s3.Bucket | undefined) =>
    running.physical(f as lambda.Function);

  describe('SQS event source mapping', () => {
    it('deletes what succeeded and moves a poison message to the DLQ after maxReceiveCount', async () => {
      const { sqs: client } = running.runtime.engines;
      const queueUrl = running.physical(fx.queue as sqs.Queue);
      const dlqUrl = running.physical(fx.dlq as sqs.Queue);
      // WHEN a good and a poison message arrive
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'good' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
      // THEN the poison ends in the DLQ after its two receives (two invocations at least), and the queue is empty
      const dead = await eventually(async () => {
        const { Messages } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MessageSystemAttributeNames: ['All'],
            WaitTimeSeconds: 1,
          }),
        );
        return Messages?.[0];
      }, 30_000);
      expect(dead.Body).toBe('poison');
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      expect(Attributes).toMatchObject({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
      expect(running.runtime.host.stats(fnName(fx.consumer)).invocations).toBeGreaterThanOrEqual(2);
    });
  });

  describe('SQS queue URLs', () => {
    it('name a host that resolves, so a handler with the SDK defaults sends to its queue URL', async () => {
      // GIVEN a queue URL as the template hands it to a function (the SDK then sends to the URL's host)
      const queueUrl = running.physical(fx.outbox as sqs.Queue);
      expect(new URL(queueUrl).hostname).toBe('127.0.0.1');
      // WHEN the function, with a plain new SQSClient({}), sends to it
      const result = await running.runtime.host.invoke(fnName(fx.sender), {});
      // THEN the message is on the queue
      expect(result).toEqual({ ok: true, payload: 'sent' });
      const { Messages } = await running.runtime.engines.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      expect(Messages?.[0]?.Body).toBe('from a handler');
    });
  });

  describe('S3', () => {
    it('creates the bucket on fauxqs, where objects can be written and read', async () => {
      const Bucket = running.physical(fx.bucket as s3.Bucket);
      await running.runtime.engines.s3.send(
        new PutObjectCommand({ Bucket, Key: 'raw/1.json', Body: '{"n":1}' }),
      );
      const object = await running.runtime.engines.s3.send(
        new GetObjectCommand({ Bucket, Key: 'raw/1.json' }),
      );
      expect(await object.Body?.transformToString()).toBe('{"n":1}');
    });
  });

  describe('SQS filter criteria', () => {
    it('deletes a message no filter matches without invoking, and delivers the one that matches', async () => {
      const { sqs: client } = running.runtime.engines;
      const queueUrl = running.physical(fx.filtered as sqs.Queue);
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"kind":"drop"}' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"kind":"keep"}' }));
      await eventually(async () => {
        const { Attributes } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Attributes?.ApproximateNumberOfMessages === '0' &&
          Attributes.ApproximateNumberOfMessagesNotVisible === '0'
          ? true
          : undefined;
      });
      expect(running.runtime.host.stats(fnName(fx.picky)).invocations).toBe(1);
    });
  });

  describe('Lambda host', () => {
    it('ends an invocation at the function timeout with the Sandbox.Timedout error', async () => {
      const result = await running.runtime.host.invoke(fnName(fx.sleepy), {});
      expect(result).toMatchObject({
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) as unknown,
        },
      });
    });

    it('initialises module scope once per worker and keeps each function’s environment its own', async () => {
      const one = fnName(fx.one);
      const a = await running.runtime.host.invoke(one, {});
      const b = await running.runtime.host.invoke(one, {});
      const c = await running.runtime.host.invoke(fnName(fx.two), {});
      expect([a, b, c]).toEqual([
        { ok: true, payload: { count: 1, name: 'one', fn: one } },
        { ok: true, payload: { count: 2, name: 'one', fn: one } },
        { ok: true, payload: { count: 1, name: 'two', fn: fnName(fx.two) } },
      ]);
      expect(running.runtime.host.stats(one)).toEqual({ invocations: 2, coldStarts: 1 });
    });

    it('reports a thrown error by its name, as Step Functions Catch and API mappers need', async () => {
      const result = await running.runtime.host.invoke(fnName(fx.thrower), {});
      expect(result).toMatchObject({
        ok: false,
        error: { errorType: 'OutOfStockError', errorMessage: 'sku-1 is out of stock' },
      });
    });
  });

  describe('REST gateway', () => {
    it('builds the proxy event with the resource template, path parameters and query', async () => {
      const response = await fetch(`${base()}/items/42?tag=a&tag=b`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: '/items/{id}',
        path: '/items/42',
        pathParameters: { id: '42' },
        query: { tag: 'b' },
        multi: { tag: ['a', 'b'] },
        stage: 'test',
        method: 'GET',
      });
    });

    it('prefers a literal segment to a parameter, and gives a greedy parameter the rest of the path', async () => {
      expect(((await (await fetch(`${base()}/items/special`)).json()) as { resource: string }).resource).toBe(
        '/items/special',
      );
      const greedy = (await (await fetch(`${base()}/items/files/a/b.txt`)).json()) as {
        pathParameters: unknown;
      };
      expect(greedy.pathParameters).toEqual({ path: 'a/b.txt' });
    });

    it('answers a CORS preflight from its MOCK integration', async () => {
      const response = await fetch(`${base()}/items/1`, { method: 'OPTIONS' });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://example.com');
    });

    it('turns a malformed proxy result into 502 Internal server error', async () => {
      const response = await fetch(`${base()}/broken`);
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ message: 'Internal server error' });
    });

    it('rejects a request missing a required parameter with 400, without invoking the integration', async () => {
      const before = running.runtime.host.stats(fnName(fx.searcher)).invocations;
      const response = await fetch(`${base()}/search`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: 'Missing required request parameters: [q]' });
      expect(running.runtime.host.stats(fnName(fx.searcher)).invocations).toBe(before);
      expect((await fetch(`${base()}/search?q=x`)).status).toBe(200);
    });
  });
});

describe('offline runtime refusals', () => {
  const synth = (build: (stack: Stack) => void) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-refuse-'));
    const app = new App({ outdir, context: cdkJsonContext() });
    build(new Stack(app, 'Refused'));
    app.synth();
    return outdir;
  };

  it('refuses an unsupported resource type by stack and logical id', async () => {
    const cdkOut = synth((stack) => {
      new CfnResource(stack, 'Network', { type: 'AWS::EC2::VPC', properties: { CidrBlock: '10.0.0.0/16' } });
    });
    const start = startRuntime({ cdkOut });
    await expect(start).rejects.toThrow(UnsupportedResourceError);
    await expect(start).rejects.toThrow(
      /Refused\/Network \(AWS::EC2::VPC\): resource type AWS::EC2::VPC is not supported/,
    );
  });

  it('refuses an unsupported property by name, listing every problem at once', async () => {
    const cdkOut = synth((stack) => {
      const q = new sqs.Queue(stack, 'Queue');
      (q.node.defaultChild as sqs.CfnQueue).addPropertyOverride('Bogus', 1);
      new CfnResource(stack, 'Bucket', { type: 'AWS::EC2::Subnet' });
    });
    await expect(startRuntime({ cdkOut })).rejects.toThrow(
      /Refused\/Queue\w+ \(AWS::SQS::Queue\): property Bogus is not supported[\s\S]*Refused\/Bucket/,
    );
  });

  it('finds what only a closer look at the properties refuses from the templates, each once, before any engine starts', async () => {
    // GIVEN a subscription by e-mail and a state machine with a task the local engine does not run
    const cdkOut = synth((stack) => {
      const topic = new sns.Topic(stack, 'Topic');
      new sns.Subscription(stack, 'Mail', {
        topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: 'a@example.com',
      });
      new CfnResource(stack, 'Machine', {
        type: 'AWS::StepFunctions::StateMachine',
        properties: {
          RoleArn: 'arn:aws:iam::000000000000:role/r',
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.sync","Parameters":{"Cluster":"',
                { Ref: 'Topic' },
                '"},"End":true}}}',
              ],
            ],
          },
        },
      });
    });
    // WHEN the runtime starts with no Java to start DynamoDB Local with (an engine that started would fail on it)
    const java = process.env.CONFLUX_JAVA;
    process.env.CONFLUX_JAVA = path.join(cdkOut, 'no-java');
    try {
      const start = startRuntime({ cdkOut });
      // THEN both refusals are reported, each once, and no engine was started
      await expect(start).rejects.toThrow(UnsupportedResourceError);
      const message = await start.then(
        () => 'started',
        (error: unknown) => String(error),
      );
      expect(message).toMatch(
        /Refused\/Mail\w* \(AWS::SNS::Subscription\): Protocol "email" is not supported offline/,
      );
      expect(message).toMatch(
        /Refused\/Machine \(AWS::StepFunctions::StateMachine\): state "Run" uses task resource arn:aws:states:::ecs:runTask.sync/,
      );
      expect(message.split('Protocol "email"').length).toBe(2);
    } finally {
      if (java === undefined) delete process.env.CONFLUX_JAVA;
      else process.env.CONFLUX_JAVA = java;
    }
  });
});
