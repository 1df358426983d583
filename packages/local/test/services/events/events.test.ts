import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** Records every invocation to a file, and fails when its NAME is `Failing`. */
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({ fn: process.env.NAME, event }) + '\\n');
  if (process.env.NAME === 'Failing') throw new TypeError('cannot take ' + event['detail-type']);
  return { handled: event.id ?? true };
};`;

/** Puts events with the SDK as a handler would: the endpoint from AWS_ENDPOINT_URL_EVENTBRIDGE alone. */
const publisher = `
const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');
const client = new EventBridgeClient({});
exports.handler = async (event) => client.send(new PutEventsCommand({ Entries: event.entries }));`;

type Queues = 'matched' | 'disabled' | 'fifo' | 'notices' | 'forwarded' | 'dlq' | 'results' | 'scheduled';

interface Recorded {
  fn: string;
  event: Record<string, unknown> & { detail?: Record<string, unknown> };
}

describe('EventBridge, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-events-')), 'calls.jsonl');
  let running: RunningApp;
  let eventBridge: EventBridgeClient;
  let lambdaClient: LambdaClient;
  const queues: Partial<Record<Queues, sqs.Queue>> = {};
  const fx: Partial<{
    bus: events.EventBus;
    nightly: events.Rule;
    toQueue: events.Rule;
    publisher: lambda.Function;
    succeeding: lambda.Function;
    responder: lambda.Function;
  }> = {};

  beforeAll(async () => {
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Events');
        const fn = (id: string, props: Partial<lambda.FunctionProps> = {}) =>
          new lambda.Function(stack, id, {
            runtime: lambda.Runtime.NODEJS_22_X,
            handler: 'index.handler',
            code: lambda.Code.fromInline(recorder),
            environment: { RECORD_FILE: recordFile, NAME: id },
            ...props,
          });
        const queue = (id: Queues, props: sqs.QueueProps = {}) => {
          const made = new sqs.Queue(stack, `${id}Queue`, props);
          queues[id] = made;
          return made;
        };
        const bus = new events.EventBus(stack, 'Orders', { eventBusName: 'orders' });
        fx.bus = bus;
        const defaultBus = events.EventBus.fromEventBusName(stack, 'Default', 'default');
        const recorderFn = fn('Recorder');
        const failing = fn('Failing', {
          retryAttempts: 1,
          maxEventAge: Duration.minutes(5),
          onFailure: new destinations.EventBridgeDestination(bus),
        });
        fx.succeeding = fn('Succeeding', { onSuccess: new destinations.LambdaDestination(recorderFn) });
        // responseOnly: a rule on the default bus passes only the response on (CDK's own wiring).
        fx.responder = fn('Responder', {
          onSuccess: new destinations.LambdaDestination(recorderFn, { responseOnly: true }),
        });
        fx.publisher = new lambda.Function(stack, 'Publisher', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(publisher),
        });
        const topic = new sns.Topic(stack, 'Notices');
        topic.addSubscription(new subscriptions.SqsSubscription(queue('notices')));
        const machine = new sfn.StateMachine(stack, 'Flow', {
          definitionBody: sfn.DefinitionBody.fromChainable(
            new tasks.LambdaInvoke(stack, 'Record', {
              lambdaFunction: recorderFn,
              payloadResponseOnly: true,
            }),
          ),
        });
        const on = (id: string, detailType: string, props: Partial<events.RuleProps> = {}) =>
          new events.Rule(stack, id, {
            eventBus: bus,
            eventPattern: { source: ['com.example.orders'], detailType: [detailType] },
            ...props,
          });

        fx.toQueue = on('ToQueue', 'Order Placed', {
          eventPattern: {
            source: ['com.example.orders'],
            detailType: ['Order Placed'],
            detail: { total: [{ numeric: ['>', 100] }] },
          },
          targets: [
            new targets.SqsQueue(queue('matched'), {
              message: events.RuleTargetInput.fromObject({
                order: events.EventField.fromPath('$.detail.id'),
                summary: `order ${events.EventField.fromPath('$.detail.id')} of ${events.EventField.fromPath('$.detail.total')}`,
              }),
            }),
          ],
        });
        on('Disabled', 'Order Placed', {
          enabled: false,
          targets: [new targets.SqsQueue(queue('disabled'))],
        });
        on('ToFifo', 'Order Placed', {
          targets: [
            new targets.SqsQueue(queue('fifo', { fifo: true, contentBasedDeduplication: false }), {
              messageGroupId: 'orders',
            }),
          ],
        });
        on('ToLambda', 'Order Paid', { targets: [new targets.LambdaFunction(recorderFn)] });
        on('ToTopic', 'Order Paid', { targets: [new targets.SnsTopic(topic)] });
        on('ToMachine', 'Order Shipped', {
          targets: [
            new targets.SfnStateMachine(machine, { input: events.RuleTargetInput.fromEventPath('$.detail') }),
          ],
        });
        on('ToDefaultBus', 'Order Cancelled', { targets: [new targets.EventBus(defaultBus)] });
        new events.Rule(stack, 'BackToOrders', {
          eventPattern: { detailType: ['Order Cancelled'] },
          targets: [new targets.EventBus(bus)],
        });
        new events.Rule(stack, 'FromOrders', {
          eventPattern: { detailType: ['Order Cancelled'] },
          targets: [new targets.SqsQueue(queue('forwarded'))],
        });
        on('ToMissing', 'Order Lost', {
          targets: [
            new targets.LambdaFunction(
              lambda.Function.fromFunctionAttributes(stack, 'Gone', {
                functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:gone',
                sameEnvironment: true,
              }),
              { deadLetterQueue: queue('dlq'), retryAttempts: 2, maxEventAge: Duration.hours(1) },
            ),
          ],
        });
        on('ToFailing', 'Order Broken', { targets: [new targets.LambdaFunction(failing)] });
        new events.Rule(stack, 'FailureResults', {
          eventBus: bus,
          eventPattern: { source: ['lambda'], detailType: ['Lambda Function Invocation Result - Failure'] },
          targets: [new targets.SqsQueue(queue('results'))],
        });
        fx.nightly = new events.Rule(stack, 'Nightly', {
          schedule: events.Schedule.cron({ minute: '0', hour: '3' }),
          targets: [new targets.SqsQueue(queue('scheduled'))],
        });
      },
      { asyncRetryDelaysMs: [100], eventsRetryDelaysMs: [50] },
    );
    const clientConfig = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    eventBridge = new EventBridgeClient({ ...clientConfig, endpoint: running.runtime.endpoints.events });
    lambdaClient = new LambdaClient({ ...clientConfig, endpoint: running.runtime.endpoints.lambda });
  });
  afterAll(async () => {
    eventBridge.destroy();
    lambdaClient.destroy();
    await running.stop();
  });

  const calls = (fn: string): Recorded[] =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Recorded)
          .filter((c) => c.fn === fn)
      : [];
  const callsWhere = (fn: string, accept: (c: Recorded) => boolean, count = 1) =>
    eventually(() => {
      const found = calls(fn).filter(accept);
      return Promise.resolve(found.length >= count ? found : undefined);
    });
  /** Receives (and deletes, so that a FIFO group moves on) what a queue holds. */
  const receive = async (queue: Queues, waitSeconds = 1) => {
    const QueueUrl = running.physical(queues[queue] as sqs.Queue);
    const { Messages = [] } = await running.runtime.engines.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        WaitTimeSeconds: waitSeconds,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (Messages.length > 0) {
      await running.runtime.engines.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages;
  };
  const receiveOne = (queue: Queues) => eventually<Message>(async () => (await receive(queue))[0]);
  const put = (detailType: string, detail: Record<string, unknown>, busName = 'orders') =>
    eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'com.example.orders',
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            EventBusName: busName,
          },
        ],
      }),
    );

  it('delivers a matching event to an SQS target through its input transformer, and no other', async () => {
    // GIVEN a rule for orders over 100 WHEN a small order and then a large one are put
    const small = await put('Order Placed', { id: 'o-small', total: 50 });
    const large = await put('Order Placed', { id: 'o-large', total: 250 });
    // THEN both are accepted, and the queue gets only the large one, transformed
    expect(small.FailedEntryCount).toBe(0);
    expect(large.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    const message = await receiveOne('matched');
    expect(JSON.parse(message.Body ?? '')).toEqual({
      order: 'o-large',
      summary: 'order o-large of 250',
    });
    expect(await receive('matched')).toHaveLength(0);
  });

  it('does not deliver to the targets of a disabled rule', async () => {
    // GIVEN a disabled rule with the same pattern WHEN an order is put and another rule has delivered it
    await put('Order Placed', { id: 'o-disabled', total: 500 });
    await receiveOne('matched');
    // THEN the disabled rule's queue stays empty
    expect(await receive('disabled')).toHaveLength(0);
  });

  it('sends to a FIFO queue with the target’s MessageGroupId', async () => {
    // GIVEN a FIFO target with MessageGroupId "orders" WHEN an order is put (the earlier ones came too)
    await put('Order Placed', { id: 'o-fifo', total: 1 });
    const message = await eventually(async () =>
      (await receive('fifo')).find((m) => m.Body?.includes('o-fifo')),
    );
    // THEN each message is the whole event, in the "orders" group
    expect(message.Attributes?.MessageGroupId).toBe('orders');
    expect(JSON.parse(message.Body ?? '')).toMatchObject({
      version: '0',
      source: 'com.example.orders',
      'detail-type': 'Order Placed',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { id: 'o-fifo', total: 1 },
    });
  });

  it('invokes a Lambda target asynchronously with the event, and publishes it to an SNS target', async () => {
    // GIVEN a Lambda target and an SNS target of one pattern WHEN an event is put
    const result = await put('Order Paid', { id: 'o-paid' });
    const eventId = result.Entries?.[0]?.EventId;
    // THEN the function gets the event envelope
    const [call] = await callsWhere('Recorder', (c) => c.event.id === eventId);
    expect(call?.event).toMatchObject({ 'detail-type': 'Order Paid', detail: { id: 'o-paid' } });
    expect(call?.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // AND the topic's subscriber gets it as the SNS message
    const notice = await receiveOne('notices');
    const envelope = JSON.parse(notice.Body ?? '') as { Type: string; Message: string };
    expect(envelope.Type).toBe('Notification');
    expect(JSON.parse(envelope.Message)).toMatchObject({ id: eventId, detail: { id: 'o-paid' } });
  });

  it('starts a Step Functions execution with the InputPath of the event', async () => {
    // GIVEN a state machine target with InputPath $.detail WHEN an event is put
    await put('Order Shipped', { id: 'o-shipped', carrier: 'NZ Post' });
    // THEN the machine ran with the detail as its input (its task records it)
    const [call] = await callsWhere('Recorder', (c) => c.event.id === 'o-shipped');
    expect(call?.event).toEqual({ id: 'o-shipped', carrier: 'NZ Post' });
  });

  it('forwards an event to another bus, where that bus’s rules match it', async () => {
    // GIVEN a rule on the orders bus targeting the default bus WHEN an event is put on the orders bus
    const result = await put('Order Cancelled', { id: 'o-cancelled' });
    // THEN the default bus's rule delivers the same event
    const message = await receiveOne('forwarded');
    expect(JSON.parse(message.Body ?? '')).toMatchObject({
      id: result.Entries?.[0]?.EventId,
      'detail-type': 'Order Cancelled',
    });
    // AND the default bus's rule back to the orders bus does not make it loop
    expect(await receive('forwarded')).toHaveLength(0);
  });

  it('sends the event to the target’s DLQ with the attributes AWS sets when the target does not exist', async () => {
    // GIVEN a target naming a function that does not exist, with a DLQ WHEN an event is put
    const result = await put('Order Lost', { id: 'o-lost' });
    // THEN the DLQ gets the event with the rule, target and error, at once (no retry helps)
    const message = await receiveOne('dlq');
    expect(JSON.parse(message.Body ?? '')).toMatchObject({ id: result.Entries?.[0]?.EventId });
    const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
    expect(attribute('RULE_ARN')).toMatch(/^arn:aws:events:us-east-1:000000000000:rule\/orders\//);
    expect(attribute('TARGET_ARN')).toBe('arn:aws:lambda:us-east-1:000000000000:function:gone');
    expect(attribute('ERROR_CODE')).toBe('ResourceNotFoundException');
    expect(attribute('ERROR_MESSAGE')).toContain('function:gone');
    expect(attribute('RETRY_ATTEMPTS')).toBe('0');
  });

  it('retries a failing Lambda target as an asynchronous invocation, then sends the failure record to the event bus destination', async () => {
    // GIVEN a target function that fails, 1 retry and an EventBridge on-failure destination
    const result = await put('Order Broken', { id: 'o-broken' });
    const eventId = result.Entries?.[0]?.EventId;
    // WHEN Lambda has retried it THEN it ran twice
    await callsWhere('Failing', (c) => c.event.id === eventId, 2);
    // AND the bus got the invocation record as a "lambda" event, which a rule delivered
    const message = await receiveOne('results');
    const record = JSON.parse(message.Body ?? '') as Recorded['event'];
    expect(record).toMatchObject({
      source: 'lambda',
      'detail-type': 'Lambda Function Invocation Result - Failure',
      detail: {
        version: '1.0',
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
        requestPayload: { id: eventId },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'TypeError', errorMessage: 'cannot take Order Broken' },
      },
    });
    expect(record.resources).toEqual([
      running
        .physical(fx.bus as events.EventBus)
        .replace(/^/, 'arn:aws:events:us-east-1:000000000000:event-bus/'),
      expect.stringMatching(/:function:Events-Failing\w*:\$LATEST$/) as unknown,
    ]);
  });

  it('sends a success record to a Lambda function destination as its payload', async () => {
    // GIVEN a function with a Lambda on-success destination WHEN it is invoked asynchronously
    await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.succeeding as lambda.Function),
        InvocationType: 'Event',
        Payload: JSON.stringify({ id: 'o-success' }),
      }),
    );
    // THEN the destination function gets the invocation record
    const [call] = await callsWhere(
      'Recorder',
      (c) => (c.event.requestPayload as { id?: string } | undefined)?.id === 'o-success',
    );
    expect(call?.event).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'Success', approximateInvokeCount: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { handled: 'o-success' },
    });
    expect(call?.event.responseContext).not.toHaveProperty('functionError');
  });

  it('passes only the response to a responseOnly Lambda destination, through a rule on the default bus', async () => {
    // GIVEN a function whose on-success destination is a function, response only
    await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.responder as lambda.Function),
        InvocationType: 'Event',
        Payload: JSON.stringify({ id: 'o-response' }),
      }),
    );
    // THEN the destination function gets the function's response, nothing else
    const [call] = await callsWhere('Recorder', (c) => c.event.handled === 'o-response');
    expect(call?.event).toEqual({ handled: 'o-response' });
  });

  it('lists the rules with the next fire time of a schedule, and fires a scheduled rule now', async () => {
    // GIVEN a rule scheduled for 03:00 UTC every day
    const base = running.runtime.endpoints.events ?? '';
    const ruleName = running.physical(fx.nightly as events.Rule);
    // WHEN the rules are listed
    const listing = (await (await fetch(`${base}/_conflux/rules`)).json()) as {
      rules: {
        name: string;
        arn: string;
        scheduleExpression?: string;
        nextFireTime?: string;
        state: string;
      }[];
    };
    // THEN the scheduled rule shows when it fires next
    const nightly = listing.rules.find((r) => r.name === ruleName);
    expect(nightly?.scheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(nightly?.nextFireTime).toMatch(/T03:00:00.000Z$/);
    expect(listing.rules.find((r) => r.name.includes('Disabled'))?.state).toBe('DISABLED');
    // WHEN it is fired now
    const response = await fetch(`${base}/_conflux/rules/${encodeURIComponent(ruleName)}/fire`, {
      method: 'POST',
    });
    const fired = (await response.json()) as { ruleArn: string; eventId: string };
    // THEN its target gets the scheduled event
    expect(response.status).toBe(200);
    const message = await receiveOne('scheduled');
    expect(JSON.parse(message.Body ?? '')).toMatchObject({
      id: fired.eventId,
      version: '0',
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: [fired.ruleArn],
      detail: {},
    });
    expect(fired.ruleArn).toBe(`arn:aws:events:us-east-1:000000000000:rule/${ruleName}`);
  });

  it('refuses to fire a rule that is unknown or has no schedule', async () => {
    const base = running.runtime.endpoints.events ?? '';
    const unknown = await fetch(`${base}/_conflux/rules/nope/fire`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const toQueue = running.physical(fx.toQueue as events.Rule).split('|')[1] ?? '';
    const patternRule = await fetch(`${base}/_conflux/rules/${toQueue}/fire`, { method: 'POST' });
    expect(patternRule.status).toBe(409);
    expect(((await patternRule.json()) as { message: string }).message).toMatch(/no ScheduleExpression/);
  });

  it('answers PutEvents per entry as AWS does, from a handler whose SDK knows only AWS_ENDPOINT_URL_EVENTBRIDGE', async () => {
    // GIVEN a function that puts the entries it is given WHEN it puts one good and three bad entries
    const response = await lambdaClient.send(
      new InvokeCommand({
        FunctionName: running.physical(fx.publisher as lambda.Function),
        Payload: JSON.stringify({
          entries: [
            { Source: 'com.example.orders', DetailType: 'Order Noted', Detail: '{"id":"o-noted"}' },
            { Source: 'com.example.orders', DetailType: 'Order Noted', Detail: '[1,2]' },
            { Source: 'com.example.orders', Detail: '{}' },
            { Source: 'com.example.orders', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
          ],
        }),
      }),
    );
    const out = JSON.parse(Buffer.from(response.Payload ?? []).toString()) as {
      FailedEntryCount: number;
      Entries: Record<string, string>[];
    };
    // THEN one was accepted and each other one says why not
    expect(response.FunctionError).toBeUndefined();
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries.slice(1)).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
    ]);
  });

  it('refuses a call with more than 10 entries as a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 'a', DetailType: 'b', Detail: '{}' }));
    await expect(eventBridge.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('EventBridge templates the runtime refuses', () => {
  it('names every rule problem before anything starts', async () => {
    // GIVEN rules with an invalid pattern, an invalid schedule and a target the runtime does not deliver to
    const start = runApp((app) => {
      const stack = new Stack(app, 'Refused');
      new events.CfnRule(stack, 'BadPattern', { eventPattern: { source: 'com.example' } });
      new events.CfnRule(stack, 'BadSchedule', { scheduleExpression: 'rate(1 minutes)' });
      new events.CfnRule(stack, 'BadTarget', {
        eventPattern: { source: ['com.example'] },
        targets: [{ id: 'Kinesis', arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' }],
      });
      const bus = new events.EventBus(stack, 'Bus');
      new events.CfnRule(stack, 'ScheduleOnBus', {
        eventBusName: bus.eventBusName,
        scheduleExpression: 'rate(1 hour)',
      });
      const queue = new sqs.Queue(stack, 'Queue');
      new events.CfnRule(stack, 'BadTargetSettings', {
        eventPattern: { source: ['com.example'] },
        targets: [
          {
            id: 'Q',
            arn: queue.queueArn,
            input: 'not json',
            retryPolicy: { maximumRetryAttempts: 200 },
          },
        ],
      });
      new lambda.CfnEventInvokeConfig(stack, 'ToStream', {
        functionName: 'f',
        qualifier: '$LATEST',
        destinationConfig: {
          onFailure: { destination: new kinesis.CfnStream(stack, 'Stream', { shardCount: 1 }).attrArn },
        },
      });
    });
    // THEN start-up lists each problem with the rule and the property
    const message = await start.then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(message).toMatch(
      /Refused\/BadPattern \(AWS::Events::Rule\): EventPattern: source: "com.example" must be an object or an array/,
    );
    expect(message).toMatch(
      /Refused\/BadSchedule \(AWS::Events::Rule\): ScheduleExpression "rate\(1 minutes\)" is not valid/,
    );
    expect(message).toMatch(
      /Refused\/BadTarget \(AWS::Events::Rule\): Targets\[0\]\.Arn arn:aws:kinesis:.* is not a target/,
    );
    expect(message).toMatch(
      /Refused\/ScheduleOnBus\w* \(AWS::Events::Rule\): ScheduleExpression: scheduled rules run only on the default event bus/,
    );
    expect(message).toMatch(
      /Refused\/BadTargetSettings \(AWS::Events::Rule\): Targets\[0\]\.Input must be valid JSON/,
    );
    expect(message).toMatch(
      /Targets\[0\]\.RetryPolicy\.MaximumRetryAttempts 200 must be a whole number from 0 to 185/,
    );
    expect(message).toMatch(
      /Refused\/ToStream \(AWS::Lambda::EventInvokeConfig\): DestinationConfig\.OnFailure\.Destination is a AWS::Kinesis::Stream/,
    );
  });
});
