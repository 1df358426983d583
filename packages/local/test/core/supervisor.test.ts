import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type { App } from 'aws-cdk-lib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LambdaHost } from '../../src/services/lambda/host.js';
import {
  StreamPoller,
  type ShardReader,
  type StreamSource,
} from '../../src/services/lambda/event-source-mapping/stream-poller.js';
import { eventually, runApp, type RunningApp } from '../../../../test/support/runtime.js';

/** A table whose stream feeds a function, and a REST API in front of another function. */
function tableBehindApi(app: App): void {
  const stack = new Stack(app, 'Supervised');
  const fn = (id: string, body: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(`exports.handler = async () => (${body});`),
    });
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  fn('Projector', '{}').addEventSource(
    new sources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  new apigw.LambdaRestApi(stack, 'Api', { handler: fn('Hello', `{ statusCode: 200, body: '"hi"' }`) });
}

interface Health {
  status: string;
  reason?: string;
  engines: Record<string, { state: string; pid?: number; exitStatus?: string }>;
}

describe('engine supervision', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await running?.stop();
    running = undefined;
  });

  it('answers 503 EngineUnavailable, reports the exit once and stops the pollers when DynamoDB Local is killed', async () => {
    // GIVEN a running app, healthy, whose stream poller reads DynamoDB Local
    const lines: string[] = [];
    running = await runApp(tableBehindApi, {
      log: (line) => {
        lines.push(line);
      },
    });
    const { baseUrl, engines } = running.runtime;
    const javaPid = engines.javaPid ?? 0;
    const before = await fetch(`${baseUrl}/_conflux/health`);
    expect(before.status).toBe(200);
    expect(((await before.json()) as Health).engines).toEqual({
      dynamodb: { state: 'running', pid: javaPid },
      fauxqs: { state: 'running' },
      kinesalite: { state: 'running' },
      stepfunctions: { state: 'running' },
      lambda: { state: 'running' },
    });
    expect(await (await fetch(`${baseUrl}/items`)).json()).toBe('hi');

    // WHEN its Java process is killed
    process.kill(javaPid, 'SIGKILL');
    const exit = await running.runtime.engineExit;

    // THEN health says which engine exited and how
    expect(exit).toMatchObject({ engine: 'dynamodb', pid: javaPid, exitStatus: 'signal SIGKILL' });
    const after = await fetch(`${baseUrl}/_conflux/health`);
    expect(after.status).toBe(503);
    const health = (await after.json()) as Health;
    expect(health.status).toBe('unavailable');
    expect(health.reason).toBe(
      "DynamoDB Local exited (signal SIGKILL); the runtime's tables are lost. Restart `npm start`.",
    );
    expect(health.engines.dynamodb).toEqual({ state: 'exited', pid: javaPid, exitStatus: 'signal SIGKILL' });
    expect(health.engines.fauxqs).toEqual({ state: 'running' });
    // AND the API answers 503 JSON instead of a 500 from the function
    const api = await fetch(`${baseUrl}/items`);
    expect(api.status).toBe(503);
    const { error } = (await api.json()) as { error: { code: string; message: string; requestId: string } };
    expect(error.code).toBe('EngineUnavailable');
    expect(error.message).toBe(health.reason);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // AND exactly one line says so, naming the engine, its pid, the signal and the loss
    // (the Lambda host's line saying which Node each runtime runs on is not about supervision)
    expect(lines.filter((l) => !l.startsWith('[lambda] '))).toEqual([
      `DynamoDB Local (pid ${javaPid}) exited unexpectedly (signal SIGKILL); the runtime's tables were in its memory and are lost. Restart \`npm start\`.`,
    ]);
    // AND the stream poller was stopped before engineExit settled: running, it would read the stream at
    // least once in this wait (every 250 ms, or 1 s to list shards).
    const reads = vi.spyOn(engines.dynamodbStreams, 'send');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reads).not.toHaveBeenCalled();
  });

  it('does not report the engines it stops itself', async () => {
    // GIVEN a running app
    const lines: string[] = [];
    running = await runApp(tableBehindApi, {
      log: (line) => {
        lines.push(line);
      },
    });
    const { health, engines } = running.runtime;
    let exited = false;
    void running.runtime.engineExit.then(() => (exited = true));

    // WHEN it is stopped
    await running.stop();
    running = undefined;
    await engines.javaExited;
    await new Promise((resolve) => setImmediate(resolve));

    // THEN DynamoDB Local exited, but nothing was reported
    expect(health.engines().dynamodb?.state).toBe('exited');
    expect(health.unavailable()).toBeUndefined();
    // (the Lambda host's line saying which Node each runtime runs on is not about supervision)
    expect(lines.filter((l) => !l.startsWith('[lambda] '))).toEqual([]);
    expect(exited).toBe(false);
  });
});

describe('stream poller on a source that keeps failing', () => {
  it('logs the run of failures once and backs off instead of printing a line per poll', async () => {
    // GIVEN a source whose shard cannot be opened, as when its engine is gone
    let opens = 0;
    const source: StreamSource = {
      kind: 'DDBStream',
      arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
      shards: () => Promise.resolve(['shard-1']),
      open: (): Promise<ShardReader> => {
        opens += 1;
        const error = new Error('connect ECONNREFUSED 127.0.0.1:8000');
        error.name = 'ECONNREFUSED';
        return Promise.reject(error);
      },
    };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const poller = new StreamPoller(
      new LambdaHost(),
      source,
      {
        id: 'esm-1',
        functionName: 'f',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
        region: 'us-east-1',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        bisectOnError: false,
        maxRetryAttempts: -1,
        maxRecordAgeSeconds: -1,
        reportBatchItemFailures: false,
        filters: [],
      },
      undefined,
      10,
    );

    // WHEN it has failed several polls in a row
    poller.start();
    await eventually(() => Promise.resolve(opens >= 5 ? true : undefined));
    await poller.stop();
    const logged = stderr.mock.calls.map(([chunk]) => String(chunk));
    stderr.mockRestore();

    // THEN one line says so
    expect(logged).toEqual(['[esm esm-1] shard-1: ECONNREFUSED; reopening\n']);
  });
});
