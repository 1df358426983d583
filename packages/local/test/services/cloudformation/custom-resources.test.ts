import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** The user's onEvent: records the request, answers a physical id and data made from its properties. */
const onEvent = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: 'onEvent', event }) + '\\n');
  return { PhysicalResourceId: 'greeting-' + event.ResourceProperties.Name, Data: { Greeting: 'hello ' + event.ResourceProperties.Name } };
};`;

/** The user's isComplete: not complete the first time it is asked, complete the second. */
const isComplete = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: 'isComplete', event }) + '\\n');
  const asked = fs.readFileSync(process.env.RECORD_FILE, 'utf8').split('\\n').filter((l) => l.includes('"fn":"isComplete"')).length;
  return asked < 2 ? { IsComplete: false } : { IsComplete: true, Data: { Ready: 'after ' + asked } };
};`;

/** A function of its own as ServiceToken: PUTs its response to the ResponseURL with fetch. */
const direct = `
exports.handler = async (event) => {
  const body = JSON.stringify({
    Status: 'SUCCESS', PhysicalResourceId: 'direct-1', StackId: event.StackId, RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId, Data: { Type: event.ResourceType, Count: event.ResourceProperties.Count },
  });
  const res = await fetch(event.ResponseURL, { method: 'PUT', body });
  if (!res.ok) throw new Error('response not taken: ' + res.status);
};`;

/** Returns its environment's values. */
const reader = `exports.handler = async () => ({ ...process.env });`;

const node = (stack: Stack, id: string, code: string, environment: Record<string, string> = {}) =>
  new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    environment,
  });

describe('custom resources, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-cfn-')), 'calls.jsonl');
  let running: RunningApp;
  let lambdaClient: LambdaClient;
  const fx: Partial<
    Record<'reader', lambda.Function> & Record<'table', dynamodb.Table> & Record<'bucket', s3.Bucket>
  > = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Custom');
      const provider = new cr.Provider(stack, 'Greetings', {
        onEventHandler: node(stack, 'OnEvent', onEvent, { RECORD_FILE: recordFile }),
        isCompleteHandler: node(stack, 'IsComplete', isComplete, { RECORD_FILE: recordFile }),
        queryInterval: Duration.seconds(1),
      });
      const greeting = new CustomResource(stack, 'Greeting', {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::Greeting',
        properties: { Name: 'ada', Retries: 3, Enabled: true },
      });
      const plain = new CustomResource(stack, 'Direct', {
        serviceToken: node(stack, 'DirectHandler', direct).functionArn,
        properties: { Count: 2 },
      });
      fx.table = new dynamodb.Table(stack, 'Items', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      });
      const seed = new cr.AwsCustomResource(stack, 'Seed', {
        onCreate: {
          service: 'DynamoDB',
          action: 'putItem',
          parameters: {
            TableName: fx.table.tableName,
            Item: { pk: { S: 'seeded' }, by: { S: 'AwsCustomResource' } },
          },
          physicalResourceId: cr.PhysicalResourceId.of('seed'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [fx.table.tableArn] }),
      });
      fx.bucket = new s3.Bucket(stack, 'Files');
      const file = new cr.AwsCustomResource(stack, 'File', {
        resourceType: 'Custom::File',
        onCreate: {
          service: 's3',
          action: 'PutObject',
          parameters: { Bucket: fx.bucket.bucketName, Key: 'config.json', Body: '{"on":true}' },
          physicalResourceId: cr.PhysicalResourceId.of('config.json'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [fx.bucket.arnForObjects('*')] }),
      });
      file.node.addDependency(seed);
      fx.reader = node(stack, 'Reader', reader, {
        GREETING_ID: greeting.ref,
        GREETING: greeting.getAttString('Greeting'),
        READY: greeting.getAttString('Ready'),
        DIRECT_ID: plain.ref,
        DIRECT_TYPE: plain.getAttString('Type'),
        DIRECT_COUNT: plain.getAttString('Count'),
        ETAG: file.getResponseField('ETag'),
      });
    });
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

  const environment = async () => {
    const { Payload } = await lambdaClient.send(
      new InvokeCommand({ FunctionName: running.physical(fx.reader as lambda.Function) }),
    );
    return JSON.parse(Buffer.from(Payload ?? []).toString()) as Record<string, string>;
  };
  const recorded = () =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { fn: string; event: Record<string, unknown> })
      : [];

  it('runs the provider framework: onEvent gets the Create request, isComplete is polled by the waiter until complete', () => {
    // GIVEN the app started (the custom resource was created during start-up)

    // WHEN the calls the user's functions got are read
    const calls = recorded();

    // THEN onEvent got CloudFormation's Create request once, with the properties as strings
    const onEvents = calls.filter((c) => c.fn === 'onEvent');
    expect(onEvents).toHaveLength(1);
    expect(onEvents[0]?.event).toMatchObject({
      RequestType: 'Create',
      ResourceType: 'Custom::Greeting',
      LogicalResourceId: 'Greeting',
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/Custom/local',
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      ResponseURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//) as unknown,
      ResourceProperties: {
        ServiceToken: expect.stringMatching(/^arn:aws:lambda:/) as unknown,
        Name: 'ada',
        Retries: '3',
        Enabled: 'true',
      },
    });
    // AND isComplete was asked until it answered complete: twice
    expect(calls.filter((c) => c.fn === 'isComplete')).toHaveLength(2);
  });

  it('answers Ref with the physical id and Fn::GetAtt with the Data of the response', async () => {
    // GIVEN a function whose environment names the custom resources' Ref and attributes

    // WHEN it reads its environment
    const env = await environment();

    // THEN onEvent's and isComplete's data are the attributes, and a function of its own PUT through fetch
    expect(env).toMatchObject({
      GREETING_ID: 'greeting-ada',
      GREETING: 'hello ada',
      READY: 'after 2',
      DIRECT_ID: 'direct-1',
      DIRECT_TYPE: 'AWS::CloudFormation::CustomResource',
      DIRECT_COUNT: '2',
    });
    // AND the sandbox's stand-in for the response URL is the runtime's, not in the function's environment
    expect(Object.keys(env).filter((k) => k.startsWith('_CONFLUX'))).toEqual([]);
  });

  it("runs AwsCustomResource's SDK calls against the local engines, its response fields readable", async () => {
    // GIVEN the app started with an AwsCustomResource putting an item and one putting an object

    // WHEN the item, the object and the reader's environment are read
    const { Item } = await running.runtime.engines.dynamodb.send(
      new GetItemCommand({
        TableName: running.physical(fx.table as dynamodb.Table),
        Key: { pk: { S: 'seeded' } },
      }),
    );
    const object = await running.runtime.engines.s3.send(
      new GetObjectCommand({ Bucket: running.physical(fx.bucket as s3.Bucket), Key: 'config.json' }),
    );
    const env = await environment();

    // THEN both calls ran, and the PutObject response's ETag is the object's
    expect(Item?.by).toEqual({ S: 'AwsCustomResource' });
    expect(await object.Body?.transformToString()).toBe('{"on":true}');
    expect(env.ETAG).toBe(`"${createHash('md5').update('{"on":true}').digest('hex')}"`);
  });
});

describe('custom resources that cannot be created, offline', () => {
  it('fails start-up naming the stack, the logical id and the Reason when onEvent throws', async () => {
    // GIVEN a provider whose onEvent throws
    const start = runApp((app) => {
      const stack = new Stack(app, 'Broken');
      const provider = new cr.Provider(stack, 'Provider', {
        onEventHandler: node(
          stack,
          'Throws',
          `exports.handler = async () => { throw new Error('no quota left'); };`,
        ),
      });
      new CustomResource(stack, 'Quota', { serviceToken: provider.serviceToken });
    });

    // THEN the start fails with CloudFormation's message and the function's error
    await expect(start).rejects.toThrow(
      /Broken\/Quota \(AWS::CloudFormation::CustomResource\).*Received response status \[FAILED\].*no quota left/s,
    );
  });

  it('fails start-up when the function responds nothing within ServiceTimeout', async () => {
    // GIVEN a function that returns without responding, and a one-second ServiceTimeout
    const start = runApp((app) => {
      const stack = new Stack(app, 'Silent');
      new CustomResource(stack, 'Mute', {
        serviceToken: node(stack, 'Returns', 'exports.handler = async () => {};').functionArn,
        serviceTimeout: Duration.seconds(1),
      });
    });

    // THEN the start fails, naming the resource and the bound
    await expect(start).rejects.toThrow(
      /Silent\/Mute \(AWS::CloudFormation::CustomResource\): no response .* within 1 s/,
    );
  });

  it('refuses, before anything starts, a custom resource whose function is not Node.js', async () => {
    // GIVEN a custom resource backed by a Python function
    const start = runApp((app) => {
      const stack = new Stack(app, 'Py');
      const fn = new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.PYTHON_3_12,
        handler: 'index.handler',
        code: lambda.Code.fromInline('def handler(event, context): pass'),
      });
      new CustomResource(stack, 'Thing', { serviceToken: fn.functionArn, resourceType: 'Custom::Thing' });
    });

    // THEN the start is refused, naming the resource and the runtime
    await expect(start).rejects.toThrow(
      /Py\/Thing \(Custom::Thing\): ServiceToken is function Handler\w+, whose Runtime "python3\.12" does not run offline/,
    );
  });
});
