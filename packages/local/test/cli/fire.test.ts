import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/cli.js';
import { runApp, type RunningApp } from '../../../../test/support/runtime.js';

/** `conflux fire` as a user runs it next to a running `conflux local`: from the folder of its `.conflux/local.json`. */
describe('conflux fire', () => {
  let running: RunningApp;
  let queue: sqs.Queue;
  let copies: sqs.Queue;
  let rule: events.Rule;
  let folder: string;
  const out: string[] = [];
  const err: string[] = [];
  const io = (): CliIo => ({
    cwd: folder,
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Nightly');
      queue = new sqs.Queue(stack, 'Jobs');
      rule = new events.Rule(stack, 'Nightly', { schedule: events.Schedule.rate(Duration.days(1)) });
      rule.addTarget(new targets.SqsQueue(queue));
      copies = new sqs.Queue(stack, 'Copies');
      const group = new scheduler.ScheduleGroup(stack, 'Lake', { scheduleGroupName: 'lake' });
      new scheduler.Schedule(stack, 'Copy', {
        scheduleName: 'copy',
        scheduleGroup: group,
        schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }),
        target: new schedulerTargets.SqsSendMessage(copies, {
          input: scheduler.ScheduleTargetInput.fromText('copy at <aws.scheduler.scheduled-time>'),
        }),
      });
      // A schedule named as the rule is: only its ARN tells them apart.
      new scheduler.Schedule(stack, 'Clash', {
        scheduleName: 'clash',
        schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '4' }),
        target: new schedulerTargets.SqsSendMessage(copies),
      });
      new events.Rule(stack, 'ClashRule', {
        ruleName: 'clash',
        schedule: events.Schedule.rate(Duration.days(1)),
        targets: [new targets.SqsQueue(copies)],
      });
    });
    // The state file conflux local writes once it is ready.
    folder = mkdtempSync(path.join(tmpdir(), 'conflux-fire-'));
    mkdirSync(path.join(folder, '.conflux'));
    writeFileSync(
      path.join(folder, '.conflux', 'local.json'),
      JSON.stringify({ endpoints: running.runtime.endpoints }),
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it('fires a scheduled rule now: its target gets the scheduled event', async () => {
    // GIVEN a rule that would fire once a day
    const ruleName = running.physical(rule).split('|').pop() ?? '';

    // WHEN it is fired by name
    const code = await main(['fire', ruleName], io());

    // THEN the command succeeds and the queue has the scheduled event of that rule
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const { Messages } = await running.runtime.engines.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: running.physical(queue), WaitTimeSeconds: 2 }),
    );
    const event = JSON.parse(Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  });

  it('fires a schedule now by <group>/<name>: its target gets the input with the scheduled time', async () => {
    // WHEN the nightly schedule is fired by group and name
    out.length = 0;
    err.length = 0;
    const code = await main(['fire', 'lake/copy'], io());

    // THEN the command prints what it fired and the queue has the filled input
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(JSON.parse(out.join('')) as unknown).toMatchObject({ scheduleName: 'copy', groupName: 'lake' });
    const { Messages } = await running.runtime.engines.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: running.physical(copies), WaitTimeSeconds: 2 }),
    );
    expect(Messages?.[0]?.Body).toMatch(/^copy at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('lists rules and schedules with their next firing', async () => {
    // WHEN conflux fire runs with no name
    out.length = 0;
    const code = await main(['fire'], io());

    // THEN both lists are printed, the schedule with its next firing at 02:00 UTC
    expect(code).toBe(0);
    const listed = JSON.parse(out.join('')) as {
      rules: { name: string }[];
      schedules: { name: string; nextFireTime?: string }[];
    };
    expect(listed.rules.map((r) => r.name)).toContain('clash');
    expect(listed.schedules.find((s) => s.name === 'copy')?.nextFireTime).toMatch(/T02:00:00\.000Z$/);
  });

  it('refuses a name that is both a rule and a schedule, and fires either by ARN', async () => {
    // WHEN the shared name is fired, then the schedule's ARN
    err.length = 0;
    const ambiguous = await main(['fire', 'clash'], io());
    const byArn = await main(
      ['fire', 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/clash'],
      io(),
    );

    // THEN the name is refused with the way out, the ARN fires
    expect(ambiguous).toBe(1);
    expect(err.join('')).toContain('clash names both a rule and a schedule; name it by ARN');
    expect(byArn).toBe(0);
  });

  it('says so in one line, exit 1, for a rule the app does not have', async () => {
    // WHEN an unknown rule is fired
    err.length = 0;
    const code = await main(['fire', 'no-such-rule'], io());

    // THEN it fails with the runtime's answer
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/^conflux fire: .*no-such-rule/s);
  });

  it('tells where to start from when no conflux local runs in the folder', async () => {
    // GIVEN a folder with no .conflux/local.json
    const empty = mkdtempSync(path.join(tmpdir(), 'conflux-fire-none-'));
    const errors: string[] = [];

    // WHEN conflux fire runs there
    const code = await main(['fire', 'x'], {
      cwd: empty,
      env: {},
      stdout: () => undefined,
      stderr: (t) => errors.push(t),
    });

    // THEN it says to start the app first
    expect(code).toBe(1);
    expect(errors.join('')).toContain('start the app with conflux local first');
  });
});
