import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceRuntime } from '../../../src/core/services.js';
import type { TargetSpec } from '../../../src/services/events/delivery.js';
import { parseSchedule } from '../../../src/services/events/schedule.js';
import { EventsService } from '../../../src/services/events/service.js';
import { LambdaService } from '../../../src/services/lambda/service.js';
import { SqsService } from '../../../src/services/sqs/service.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:ticks';

/** An EventsService on a runtime whose only engine is an SQS queue that records what it is sent. */
function eventsWithQueue() {
  const sent: Record<string, unknown>[] = [];
  const sqs = {
    queueUrl: (arn: string) => (arn === QUEUE_ARN ? 'http://sqs.local/ticks' : undefined),
    client: {
      send: async (command: SendMessageCommand) => {
        sent.push(JSON.parse(command.input.MessageBody ?? '') as Record<string, unknown>);
        return Promise.resolve({});
      },
    },
  };
  const lambda = { asyncInvoker: { addRoute: () => undefined } };
  const runtime = {
    env: { accountId: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
    options: { cdkOut: '.' },
    service: (state: unknown) => (state === SqsService ? sqs : state === LambdaService ? lambda : undefined),
  } as unknown as ServiceRuntime;
  return { events: new EventsService(runtime), sent };
}

const target: TargetSpec = {
  id: 'Ticks',
  arn: QUEUE_ARN,
  input: {},
  maxRetryAttempts: 0,
  maxEventAgeSeconds: 60,
};

describe('scheduled rules', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-12-02T15:57:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fire from start on their schedule with the scheduled event, until halted', async () => {
    // GIVEN an enabled rule scheduled every 5 minutes, and a disabled one
    const { events, sent } = eventsWithQueue();
    const arn = 'arn:aws:events:us-east-1:000000000000:rule/ticker';
    events.addRule({
      name: 'ticker',
      arn,
      busName: 'default',
      enabled: true,
      schedule: parseSchedule('rate(5 minutes)'),
      targets: [target],
    });
    events.addRule({
      name: 'off',
      arn: `${arn}-off`,
      busName: 'default',
      enabled: false,
      schedule: parseSchedule('rate(1 minute)'),
      targets: [target],
    });
    // WHEN the runtime starts THEN nothing fires before the period and the listing shows the next time
    await events.start();
    expect(events.rules().find((r) => r.name === 'ticker')?.nextFireTime).toBe('2026-12-02T16:02:00.000Z');
    expect(events.rules().find((r) => r.name === 'off')?.nextFireTime).toBeUndefined();
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    expect(sent).toHaveLength(0);
    // WHEN 11 minutes have passed THEN it fired twice, with the scheduled time and the rule as resource
    await vi.advanceTimersByTimeAsync(7 * 60_000);
    await events.idle();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      version: '0',
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      account: '000000000000',
      region: 'us-east-1',
      time: '2026-12-02T16:02:00Z',
      resources: [arn],
      detail: {},
    });
    expect(sent[1]).toMatchObject({ time: '2026-12-02T16:07:00Z' });
    // WHEN it is halted THEN it fires no more
    await events.halt();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(sent).toHaveLength(2);
    expect(events.rules().find((r) => r.name === 'ticker')?.nextFireTime).toBeUndefined();
  });

  it('fire now by name or ARN, a disabled one too', async () => {
    // GIVEN a disabled scheduled rule
    const { events, sent } = eventsWithQueue();
    const arn = 'arn:aws:events:us-east-1:000000000000:rule/nightly';
    events.addRule({
      name: 'nightly',
      arn,
      busName: 'default',
      enabled: false,
      schedule: parseSchedule('cron(0 3 * * ? *)'),
      targets: [target],
    });
    // WHEN it is fired by name, then by ARN
    const byName = events.fire('nightly');
    events.fire(arn);
    await events.idle();
    // THEN both fired its target with the scheduled event of now
    expect(byName).toEqual({ ruleName: 'nightly', ruleArn: arn, eventId: sent[0]?.id, targets: 1 });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ 'detail-type': 'Scheduled Event', time: '2026-12-02T15:57:00Z' });
    expect(() => events.fire('nope')).toThrow(/no rule nope/);
  });

  it('match the events of their bus only, not scheduled rules', async () => {
    // GIVEN a pattern rule on a custom bus
    const { events, sent } = eventsWithQueue();
    events.addBus('orders');
    events.addRule({
      name: 'placed',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/orders/placed',
      busName: 'orders',
      enabled: true,
      pattern: { source: ['shop'] },
      targets: [target],
    });
    // WHEN events are put on the default bus and on the custom bus
    const entry = { Source: 'shop', DetailType: 'Placed', Detail: '{}' };
    const results = events.putEvents([
      entry,
      { ...entry, EventBusName: 'orders' },
      { ...entry, EventBusName: events.busArn('orders') },
    ]);
    await events.idle();
    // THEN all are accepted and only those of the custom bus reach the target
    expect(results.every((r) => 'EventId' in r)).toBe(true);
    expect(sent.map((e) => e.id)).toEqual(results.slice(1).map((r) => ('EventId' in r ? r.EventId : '')));
  });
});
