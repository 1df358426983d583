import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceRuntime } from '../../../src/core/services.js';
import type { EventEnvelope } from '../../../src/services/events/envelope.js';
import { EventsService } from '../../../src/services/events/service.js';
import { LambdaService } from '../../../src/services/lambda/service.js';
import { scheduleTimes } from '../../../src/services/scheduler/expression.js';
import type { ScheduleSpec } from '../../../src/services/scheduler/schedule.js';
import { SchedulerService } from '../../../src/services/scheduler/service.js';
import { SqsService } from '../../../src/services/sqs/service.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:jobs';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:jobs-dlq';
const BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/orders';

interface DeadLetter {
  body: string;
  attributes: Record<string, { DataType: string; StringValue: string }>;
}

/**
 * A SchedulerService on a runtime whose only engine is SQS: a queue that records what it is sent (or fails
 * while `failing` is set) and a dead-letter queue that records its messages.
 */
function schedulerWithQueue() {
  const sent: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const state = { failing: false };
  const put: { bus: string; event: EventEnvelope }[] = [];
  const events = {
    busName: (arn: string) => (arn === BUS_ARN ? 'orders' : undefined),
    put: (bus: string, event: EventEnvelope) => put.push({ bus, event }),
  };
  const urls: Record<string, string> = {
    [QUEUE_ARN]: 'http://sqs.local/jobs',
    [DLQ_ARN]: 'http://sqs.local/dlq',
  };
  const sqs = {
    queueUrl: (arn: string) => urls[arn],
    client: {
      send: async (command: SendMessageCommand) => {
        if (state.failing)
          throw Object.assign(new Error('SQS is unavailable'), { name: 'ServiceUnavailable' });
        sent.push(command.input.MessageBody ?? '');
        return Promise.resolve({});
      },
    },
    send: async (_url: string, body: string, attributes: DeadLetter['attributes']) => {
      deadLetters.push({ body, attributes });
      return Promise.resolve();
    },
  };
  const lambda = { asyncInvoker: { addRoute: () => undefined } };
  const runtime = {
    env: { accountId: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
    options: { cdkOut: '.', eventsRetryDelaysMs: [1000], log: () => undefined },
    service: (s: unknown) =>
      s === SqsService ? sqs : s === LambdaService ? lambda : s === EventsService ? events : undefined,
  } as unknown as ServiceRuntime;
  return { scheduler: new SchedulerService(runtime), sent, deadLetters, state, put };
}

/** A schedule of the default group sending `input` to the jobs queue. */
function schedule(name: string, expression: string, more: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    name,
    groupName: 'default',
    arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${more.groupName ?? 'default'}/${name}`,
    enabled: true,
    times: scheduleTimes(expression),
    deleteAfterCompletion: false,
    target: {
      arn: QUEUE_ARN,
      input:
        '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","id":"<aws.scheduler.execution-id>","attempt":<aws.scheduler.attempt-number>}',
      maxRetryAttempts: 185,
      maxEventAgeSeconds: 86_400,
    },
    ...more,
  };
}

const parsed = (texts: string[]) => texts.map((t) => JSON.parse(t) as Record<string, unknown>);

describe('the offline Scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-12-03T05:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('invokes a rate schedule at once, then every period, with the context attributes filled, until halted', async () => {
    // GIVEN rate(5 minutes) to a queue, and a disabled schedule
    const { scheduler, sent } = schedulerWithQueue();
    scheduler.addSchedule(schedule('ticker', 'rate(5 minutes)'));
    scheduler.addSchedule(schedule('off', 'rate(1 minute)', { enabled: false }));

    // WHEN the runtime starts
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);

    // THEN it has invoked once, now, and the listing shows the next time; the disabled one is not armed
    expect(parsed(sent)).toEqual([
      {
        arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/ticker',
        at: '2026-12-03T05:00:00Z',
        id: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
        attempt: 1,
      },
    ]);
    expect(scheduler.schedules().find((s) => s.name === 'ticker')?.nextFireTime).toBe(
      '2026-12-03T05:05:00.000Z',
    );
    expect(scheduler.schedules().find((s) => s.name === 'off')?.nextFireTime).toBeUndefined();

    // WHEN 11 minutes pass THEN two more, each its own execution id
    await vi.advanceTimersByTimeAsync(11 * 60_000);
    await scheduler.idle();
    const all = parsed(sent);
    expect(all.map((m) => m.at)).toEqual([
      '2026-12-03T05:00:00Z',
      '2026-12-03T05:05:00Z',
      '2026-12-03T05:10:00Z',
    ]);
    expect(new Set(all.map((m) => m.id)).size).toBe(3);

    // WHEN halted THEN no more
    await scheduler.halt();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sent).toHaveLength(3);
  });

  it('invokes a cron schedule at the wall-clock time of its time zone', async () => {
    // GIVEN 02:00 Europe/London in summer (01:00Z)
    vi.setSystemTime(new Date('2026-07-01T00:59:00.000Z'));
    const { scheduler, sent } = schedulerWithQueue();
    scheduler.addSchedule(
      schedule('nightly', 'cron(0 2 * * ? *)', {
        times: scheduleTimes('cron(0 2 * * ? *)', { timezone: 'Europe/London' }),
      }),
    );

    // WHEN the runtime runs for 59 s, then 1 s more
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);

    // THEN it invoked at 01:00Z with that scheduled time
    expect(parsed(sent).map((m) => m.at)).toEqual(['2026-07-01T01:00:00Z']);
  });

  it('invokes a one-time schedule once, then deletes it when ActionAfterCompletion is DELETE', async () => {
    // GIVEN two at() schedules a second away, one deleted after completion
    const { scheduler, sent } = schedulerWithQueue();
    scheduler.addSchedule(schedule('once', 'at(2026-12-03T05:00:01)', { deleteAfterCompletion: true }));
    scheduler.addSchedule(schedule('kept', 'at(2026-12-03T05:00:01)'));
    await scheduler.start();

    // WHEN the second has passed, and an hour more
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(3_600_000);

    // THEN each fired once; the DELETE one is gone, the other stays with no next time
    expect(parsed(sent).map((m) => m.at)).toEqual(['2026-12-03T05:00:01Z', '2026-12-03T05:00:01Z']);
    expect(scheduler.schedules().map((s) => [s.name, s.nextFireTime])).toEqual([['kept', undefined]]);
  });

  it('invokes within its flexible window at a random instant, with the scheduled time as it was due', async () => {
    // GIVEN a 10-minute flexible window and a random draw of one half
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { scheduler, sent } = schedulerWithQueue();
    scheduler.addSchedule(schedule('flex', 'cron(10 5 * * ? *)', { flexibleWindowMinutes: 10 }));
    await scheduler.start();
    expect(scheduler.schedules()[0]).toMatchObject({
      nextFireTime: '2026-12-03T05:10:00.000Z',
      nextInvocationTime: '2026-12-03T05:15:00.000Z',
    });

    // WHEN 14 minutes pass THEN nothing yet; WHEN 15 THEN one invocation, scheduled-time 05:10
    await vi.advanceTimersByTimeAsync(14 * 60_000);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(parsed(sent).map((m) => m.at)).toEqual(['2026-12-03T05:10:00Z']);
  });

  it('retries a failing target, counting attempts, then sends Scheduler’s dead-letter event', async () => {
    // GIVEN a queue that fails, two retries and a DLQ
    const { scheduler, deadLetters, state } = schedulerWithQueue();
    state.failing = true;
    const s = schedule('flaky', 'at(2026-12-03T05:00:00)');
    scheduler.addSchedule({ ...s, target: { ...s.target, maxRetryAttempts: 2, deadLetterArn: DLQ_ARN } });

    // WHEN it fires and the retries run out
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(5000);
    await scheduler.idle();

    // THEN the DLQ has the last attempt's input and the attributes Scheduler documents
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters;
    const body = JSON.parse(letter?.body ?? '{}') as Record<string, unknown>;
    expect(body.attempt).toBe(3);
    const attributes = Object.fromEntries(
      Object.entries(letter?.attributes ?? {}).map(([k, v]) => [k, `${v.DataType}:${v.StringValue}`]),
    );
    expect(attributes).toEqual({
      ERROR_CODE: 'String:ServiceUnavailable',
      ERROR_MESSAGE: 'String:SQS is unavailable',
      EXECUTION_ID: `String:${String(body.id)}`,
      EXHAUSTED_RETRY_CONDITION: 'String:MaximumRetryAttempts',
      IS_PAYLOAD_TRUNCATED: 'String:false',
      RETRY_ATTEMPTS: 'String:2',
      SCHEDULED_TIME: 'String:2026-12-03T05:00:00Z',
      SCHEDULE_ARN: `String:${s.arn}`,
      TARGET_ARN: `String:${QUEUE_ARN}`,
    });
  });

  it('sends a target that does not exist to the DLQ at once, with the SQS error code and no retry condition', async () => {
    // GIVEN a schedule to a queue the application does not have
    const { scheduler, deadLetters } = schedulerWithQueue();
    const s = schedule('lost', 'at(2026-12-03T05:00:00)');
    const missing = 'arn:aws:sqs:us-east-1:000000000000:gone';
    scheduler.addSchedule({ ...s, target: { ...s.target, arn: missing, deadLetterArn: DLQ_ARN } });

    // WHEN it fires
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    await scheduler.idle();

    // THEN one dead-letter event, not retried
    expect(deadLetters.map((d) => d.attributes)).toEqual([
      expect.objectContaining({
        ERROR_CODE: { DataType: 'String', StringValue: 'AWS.SimpleQueueService.NonExistentQueue' },
        RETRY_ATTEMPTS: { DataType: 'String', StringValue: '0' },
        TARGET_ARN: { DataType: 'String', StringValue: missing },
      }),
    ]);
    expect(deadLetters[0]?.attributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
  });

  it('puts an event made from EventBridgeParameters on an event bus target, the input as its detail', async () => {
    // GIVEN a schedule to the orders bus
    const { scheduler, put } = schedulerWithQueue();
    const s = schedule('audit', 'at(2026-12-03T05:00:00)');
    scheduler.addSchedule({
      ...s,
      target: {
        ...s.target,
        arn: BUS_ARN,
        eventBridge: { source: 'com.example.audit', detailType: 'Audit Due' },
      },
    });

    // WHEN it fires
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    await scheduler.idle();

    // THEN the bus got one event with that source and detail-type, and the filled input as detail
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({
      bus: 'orders',
      event: {
        source: 'com.example.audit',
        'detail-type': 'Audit Due',
        resources: [s.arn],
        detail: { arn: s.arn, at: '2026-12-03T05:00:00Z', attempt: 1 },
      },
    });
  });

  it('fires now by name, by <group>/<name> and by ARN, a disabled one too, and says which name is unclear', async () => {
    // GIVEN a disabled schedule, and two of one name in different groups
    const { scheduler, sent } = schedulerWithQueue();
    scheduler.addGroup('nightly');
    scheduler.addSchedule(schedule('report', 'cron(0 3 * * ? *)', { enabled: false }));
    scheduler.addSchedule(schedule('twice', 'rate(1 day)'));
    scheduler.addSchedule(schedule('twice', 'rate(1 day)', { groupName: 'nightly' }));

    // WHEN they are fired by name, by ARN and by group
    const byName = scheduler.fire('report');
    scheduler.fire(byName.scheduleArn);
    const byGroup = scheduler.fire('nightly/twice');
    await scheduler.idle();

    // THEN each invoked its target now; an ambiguous or unknown name is refused with a status
    expect(byName).toMatchObject({
      scheduleName: 'report',
      groupName: 'default',
      scheduledTime: '2026-12-03T05:00:00Z',
    });
    expect(byGroup.scheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/nightly/twice');
    expect(sent).toHaveLength(3);
    expect(() => scheduler.fire('twice')).toThrow(/several groups \(default, nightly\)/);
    expect(() => scheduler.fire('nope')).toThrow(expect.objectContaining({ status: 404 }) as Error);
  });
});
