import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { EventbridgeScheduledLambdaCdkStack } from './apps/eventbridge-scheduled-lambda-cdk-typescript/lib/eventbridge-scheduled-lambda-cdk-stack';
import { clients, invocations, invokedAfter, runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns eventbridge-scheduled-lambda-cdk-typescript: a cron rule every N minutes → Lambda. */
describe('eventbridge-scheduled-lambda-cdk-typescript', () => {
  let running: RunningApp;
  let stack: EventbridgeScheduledLambdaCdkStack;
  let sdk: ReturnType<typeof clients>;
  const fn = () => stack.node.findChild('function-name');
  const events = () => running.runtime.endpoints.events ?? '';

  beforeAll(async () => {
    // README: "cdk deploy --context interval_in_minutes=<value>"
    running = await runThirdPartyApp(
      'eventbridge-scheduled-lambda-cdk-typescript',
      (app) => {
        stack = new EventbridgeScheduledLambdaCdkStack(app, 'EventbridgeScheduledLambdaCdkStack', {});
      },
      { interval_in_minutes: '5' },
    );
    sdk = clients(running);
  });
  afterAll(async () => {
    sdk.destroy();
    await running.stop();
  });

  it('schedules the rule every interval_in_minutes minutes', async () => {
    // README: "After the deployment is complete, the Lambda function will run on an interval of minutes you passed as --context."
    const listing = (await (await fetch(`${events()}/_conflux/rules`)).json()) as {
      rules: { name: string; scheduleExpression?: string; nextFireTime?: string; state: string }[];
    };
    const rule = listing.rules.find((r) => r.name === running.physical(stack.node.findChild('CronRule')));
    expect(rule).toMatchObject({ scheduleExpression: 'cron(0/5 * * * ? *)', state: 'ENABLED' });
    expect(new Date(rule?.nextFireTime ?? 0).getUTCMinutes() % 5).toBe(0);
  });

  it('runs the function when the schedule fires', async () => {
    // README: "On the monitor tab / Logs, you can see recent invocations inteval"
    const before = invocations(running, fn());
    const name = running.physical(stack.node.findChild('CronRule'));
    const fired = await fetch(`${events()}/_conflux/rules/${encodeURIComponent(name)}/fire`, {
      method: 'POST',
    });
    expect(fired.status).toBe(200);
    expect(await invokedAfter(running, fn(), before)).toBe(before + 1);
  });

  // KNOWN GAP, skipped until the runtime serves it — the Lambda API's GetFunctionConfiguration.
  it.skip('gives the function the interval as its environment', async () => {
    // README: "You can check the Lambda configuration / environment variables."
    const config = await sdk.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: running.physical(fn()) }),
    );
    expect(config.Environment?.Variables).toMatchObject({ interval_in_minutes: '5' });
    expect(config.Handler).toBe('index.handler');
  });
});
