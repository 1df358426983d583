import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** Records every invocation to a file. */
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify(event) + '\\n');
  return {};
};`;

describe('EventBridge Scheduler, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-scheduler-')), 'calls.jsonl');
  let running: RunningApp;
  let sfnClient: SFNClient;
  let schedulerClient: SchedulerClient;
  const fx: Partial<{ machine: sfn.StateMachine }> = {};

  beforeAll(async () => {
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Schedules');
        const fn = new lambda.Function(stack, 'Recorder', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(recorder),
          environment: { RECORD_FILE: recordFile },
        });
        fx.machine = new sfn.StateMachine(stack, 'Copy', {
          definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
        });
        const group = new scheduler.ScheduleGroup(stack, 'Group', { scheduleGroupName: 'lake' });
        // A rate schedule with no start date invokes as soon as it exists, as on AWS.
        new scheduler.Schedule(stack, 'Ticker', {
          scheduleName: 'ticker',
          schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
          target: new targets.LambdaInvoke(fn, {
            input: scheduler.ScheduleTargetInput.fromObject({
              at: scheduler.ContextAttribute.scheduledTime,
              arn: scheduler.ContextAttribute.scheduleArn,
              attempt: scheduler.ContextAttribute.attemptNumber,
            }),
          }),
        });
        new scheduler.Schedule(stack, 'Starter', {
          scheduleName: 'starter',
          scheduleGroup: group,
          schedule: scheduler.ScheduleExpression.rate(Duration.days(1)),
          target: new targets.StepFunctionsStartExecution(fx.machine, {
            input: scheduler.ScheduleTargetInput.fromObject({
              scheduledTime: scheduler.ContextAttribute.scheduledTime,
            }),
          }),
        });
        new scheduler.Schedule(stack, 'Nightly', {
          scheduleName: 'nightly',
          scheduleGroup: group,
          schedule: scheduler.ScheduleExpression.cron({
            minute: '0',
            hour: '2',
            timeZone: TimeZone.EUROPE_LONDON,
          }),
          timeWindow: scheduler.TimeWindow.flexible(Duration.minutes(15)),
          target: new targets.StepFunctionsStartExecution(fx.machine, {
            input: scheduler.ScheduleTargetInput.fromObject({
              scheduledTime: scheduler.ContextAttribute.scheduledTime,
            }),
          }),
        });
      },
      { eventsRetryDelaysMs: [50] },
    );
    const clientConfig = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    sfnClient = new SFNClient({ ...clientConfig, endpoint: running.runtime.endpoints.stepfunctions });
    schedulerClient = new SchedulerClient({ ...clientConfig, endpoint: running.runtime.endpoints.scheduler });
  });
  afterAll(async () => {
    sfnClient.destroy();
    schedulerClient.destroy();
    await running.stop();
  });

  const executions = async () =>
    (
      await sfnClient.send(
        new ListExecutionsCommand({ stateMachineArn: running.physical(fx.machine as sfn.StateMachine) }),
      )
    ).executions ?? [];

  it('invokes a Lambda target with the context attributes filled', async () => {
    // WHEN the runtime has started THEN the rate schedule has invoked the function once, asynchronously
    const [call] = await eventually(() => {
      const lines = existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8').split('\n').filter(Boolean)
        : [];
      return Promise.resolve(
        lines.length > 0 ? lines.map((l) => JSON.parse(l) as Record<string, unknown>) : undefined,
      );
    });
    expect(call).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/ticker',
      attempt: '1',
    });
  });

  it('starts a Step Functions execution with the scheduled time as input', async () => {
    // WHEN the runtime has started THEN the daily rate schedule has started one execution
    const [execution] = await eventually(async () => {
      const found = await executions();
      return found.length > 0 ? found : undefined;
    });
    const described = await sfnClient.send(
      new DescribeExecutionCommand({ executionArn: execution?.executionArn }),
    );
    expect(JSON.parse(described.input ?? '{}')).toEqual({
      scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
    });
  });

  it('lists schedules with their next firing, and fires one now through the endpoint', async () => {
    // GIVEN the nightly schedule, due at 02:00 London time
    const base = running.runtime.endpoints.scheduler ?? '';
    const listed = (await (await fetch(`${base}/_conflux/schedules`)).json()) as {
      schedules: {
        name: string;
        groupName: string;
        nextFireTime?: string;
        scheduleExpressionTimezone: string;
      }[];
    };
    const nightly = listed.schedules.find((s) => s.name === 'nightly');
    expect(nightly).toMatchObject({ groupName: 'lake', scheduleExpressionTimezone: 'Europe/London' });
    expect(
      new Date(nightly?.nextFireTime ?? '').toLocaleTimeString('en-GB', { timeZone: 'Europe/London' }),
    ).toBe('02:00:00');
    const before = (
      await eventually(async () => {
        const found = await executions();
        return found.length > 0 ? found : undefined;
      })
    ).length;

    // WHEN it is fired now by <group>/<name>
    const response = await fetch(`${base}/_conflux/schedules/${encodeURIComponent('lake/nightly')}/fire`, {
      method: 'POST',
    });

    // THEN it answers what it did and the state machine has one execution more
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scheduleName: 'nightly', groupName: 'lake' });
    await eventually(async () => ((await executions()).length > before ? true : undefined));
    const unknown = await fetch(`${base}/_conflux/schedules/nope/fire`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('answers ListSchedules and GetSchedule to the unchanged SDK', async () => {
    // WHEN the SDK lists the lake group and gets the nightly schedule
    const listed = await schedulerClient.send(new ListSchedulesCommand({ GroupName: 'lake' }));
    const got = await schedulerClient.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'lake' }));

    // THEN they read as on AWS
    expect(listed.Schedules?.map((s) => s.Name).sort()).toEqual(['nightly', 'starter']);
    expect(got).toMatchObject({
      Arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/lake/nightly',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
  });
});
