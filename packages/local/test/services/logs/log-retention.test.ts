import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

describe('CloudWatch Logs resources, offline', () => {
  let running: RunningApp | undefined;
  const fx: Partial<Record<'fn', lambda.Function> & Record<'stream', logs.LogStream>> = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Logs');
      fx.fn = new lambda.Function(stack, 'Greeter', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => "hi";'),
        // Deprecated in favour of logGroup, and still what many apps synthesize: Custom::LogRetention.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        logRetention: logs.RetentionDays.ONE_WEEK,
      });
      const group = new logs.LogGroup(stack, 'Audit');
      fx.stream = new logs.LogStream(stack, 'AuditStream', { logGroup: group, logStreamName: 'audit' });
    });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("starts a function with logRetention without running CDK's log retention function", async () => {
    // GIVEN the running app: a function with logRetention (a Custom::LogRetention and its function)
    const app = running as RunningApp;
    const retentionFunction = Object.entries(app.runtime.resources).find(([id]) =>
      /^LogRetention[0-9a-f]{32}[0-9A-F]{8}$/.test(id),
    )?.[1];
    const client = new LambdaClient({
      endpoint: app.runtime.endpoints.lambda,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });

    // WHEN the function is invoked
    const { Payload } = await client.send(
      new InvokeCommand({ FunctionName: app.physical(fx.fn as lambda.Function) }),
    );
    client.destroy();

    // THEN it answers, and the log retention function exists but was never invoked
    expect(JSON.parse(Buffer.from(Payload ?? []).toString())).toBe('hi');
    expect(retentionFunction).toBeDefined();
    expect(app.runtime.host.stats(retentionFunction ?? '').invocations).toBe(0);
  });

  it('accepts a log stream, answering Ref with its name', () => {
    // GIVEN the running app with a LogStream

    // WHEN its physical name is looked up
    const name = (running as RunningApp).physical(fx.stream as logs.LogStream);

    // THEN it is the stream's name, as on AWS
    expect(name).toBe('audit');
  });
});
