import { randomBytes } from 'node:crypto';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { TargetDelivery, type TargetSpec } from '../events/delivery.js';
import { envelope, type EventEnvelope } from '../events/envelope.js';
import { SqsService } from '../sqs/service.js';
import { SchedulerApi } from './api.js';
import { deadLetterEvent, scheduleSender, type Invocation } from './dispatch.js';
import { scheduledTimeText } from './expression.js';
import {
  ScheduleFireError,
  type ScheduleFireResult,
  type ScheduleListing,
  type ScheduleSpec,
} from './schedule.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A schedule's timer: when it is due, and when it invokes (later, within a flexible window). */
interface Armed {
  readonly timer: NodeJS.Timeout;
  readonly due: Date;
  readonly at: Date;
}

/**
 * EventBridge Scheduler of one runtime: schedule groups (`default` always), schedules, their timers from
 * `start` to `halt` (a target is invoked at the scheduled instant, not within AWS's minute), delivery with
 * the events service's retries and dead-letter queues, and firing now for `conflux fire`.
 */
export class SchedulerService implements ServiceState {
  private readonly groups = new Map<string, string>();
  /** Schedules by ARN. */
  private readonly all = new Map<string, ScheduleSpec>();
  private readonly timers = new Map<string, Armed>();
  private readonly invocations = new WeakMap<EventEnvelope, Invocation>();
  private readonly delivery: TargetDelivery;
  private readonly api: SchedulerApi;

  constructor(private readonly runtime: ServiceRuntime) {
    const report =
      runtime.options.log ??
      ((line: string) => {
        process.stderr.write(`${line}\n`);
      });
    this.delivery = new TargetDelivery(
      scheduleSender(runtime, this.invocations),
      async (queueArn, body, attributes) => {
        const sqs = runtime.service(SqsService);
        const queueUrl = sqs.queueUrl(queueArn);
        if (!queueUrl) throw new Error(`${queueArn} is not a queue of the application`);
        await sqs.send(
          queueUrl,
          body,
          Object.fromEntries(
            Object.entries(attributes).map(([k, a]) => [k, { DataType: a.type, StringValue: a.value }]),
          ),
        );
      },
      // Scheduler's back-off is EventBridge's: the runtime has one setting for both.
      runtime.options.eventsRetryDelaysMs,
      report,
      {
        deadLetterMessage: (failed) => deadLetterEvent(failed, this.invocations.get(failed.event)),
        describe: ({ rule, event, failure }) =>
          `[scheduler] schedule ${rule.ruleName}: execution ${this.invocations.get(event)?.executionId ?? event.id} not delivered (${failure.code}: ${failure.message})`,
      },
    );
    this.groups.set('default', this.groupArn('default'));
    this.api = new SchedulerApi(this);
  }

  /** The ARN of a schedule group, by name. */
  public groupArn(name: string): string {
    const { partition, region, accountId } = this.runtime.env;
    return `arn:${partition}:scheduler:${region}:${accountId}:schedule-group/${name}`;
  }

  /** The ARN a schedule of a group has. */
  public scheduleArn(groupName: string, name: string): string {
    const { partition, region, accountId } = this.runtime.env;
    return `arn:${partition}:scheduler:${region}:${accountId}:schedule/${groupName}/${name}`;
  }

  /** Adds a schedule group; fails if one of that name exists (`default` always does). */
  public addGroup(name: string): string {
    if (this.groups.has(name)) throw new Error(`schedule group ${name} already exists`);
    const arn = this.groupArn(name);
    this.groups.set(name, arn);
    return arn;
  }

  /** Whether the application has a schedule group of that name. */
  public hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  /** Adds a schedule; fails if its group does not exist or has a schedule of that name. */
  public addSchedule(schedule: ScheduleSpec): void {
    if (!this.groups.has(schedule.groupName)) {
      throw new Error(`schedule group ${schedule.groupName} does not exist`);
    }
    if (this.all.has(schedule.arn)) {
      throw new Error(`schedule ${schedule.name} already exists in group ${schedule.groupName}`);
    }
    this.all.set(schedule.arn, schedule);
  }

  /** Every schedule of the application, with the next due time of the running ones. */
  public schedules(): ScheduleListing[] {
    return [...this.all.values()].map((s) => {
      const armed = this.timers.get(s.arn);
      return {
        name: s.name,
        groupName: s.groupName,
        arn: s.arn,
        state: s.enabled ? 'ENABLED' : 'DISABLED',
        scheduleExpression: s.times.expression,
        scheduleExpressionTimezone: s.times.timezone,
        flexibleTimeWindow:
          s.flexibleWindowMinutes === undefined
            ? { mode: 'OFF' }
            : { mode: 'FLEXIBLE', maximumWindowInMinutes: s.flexibleWindowMinutes },
        actionAfterCompletion: s.deleteAfterCompletion ? 'DELETE' : 'NONE',
        target: { arn: s.target.arn },
        ...(armed
          ? { nextFireTime: armed.due.toISOString(), nextInvocationTime: armed.at.toISOString() }
          : {}),
      };
    });
  }

  /**
   * Invokes a schedule's target now, whatever its state, as its schedule would (scheduled time: now); by
   * `<group>/<name>`, by name when no other group has one of that name, or by ARN. It does not change when
   * the schedule is next due, nor delete a one-time schedule.
   */
  public fire(nameOrArn: string): ScheduleFireResult {
    const schedule = this.find(nameOrArn);
    const now = new Date();
    const invocation = this.invoke(schedule, now);
    return {
      scheduleName: schedule.name,
      groupName: schedule.groupName,
      scheduleArn: schedule.arn,
      executionId: invocation.executionId,
      scheduledTime: scheduledTimeText(now),
      targetArn: schedule.target.arn,
    };
  }

  /** Settles once every invocation in flight (retries included) has ended. */
  public async idle(): Promise<void> {
    await this.delivery.idle();
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'scheduler', sdkId: 'SCHEDULER', url: await this.api.listen() }];
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async start(): Promise<void> {
    const now = new Date();
    for (const schedule of this.all.values()) {
      if (!schedule.enabled) continue;
      const first = schedule.times.first(now);
      if (first) this.arm(schedule, first);
    }
  }

  public async close(): Promise<void> {
    await this.api.close();
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async halt(): Promise<void> {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  public async stop(): Promise<void> {
    await this.halt();
    await this.delivery.stop();
  }

  private find(nameOrArn: string): ScheduleSpec {
    const all = [...this.all.values()];
    const found = nameOrArn.startsWith('arn:')
      ? all.filter((s) => s.arn === nameOrArn)
      : all.filter((s) => s.name === nameOrArn || `${s.groupName}/${s.name}` === nameOrArn);
    const [schedule] = found;
    if (!schedule) throw new ScheduleFireError(`no schedule ${nameOrArn} in the application`, 404);
    if (found.length > 1) {
      throw new ScheduleFireError(
        `schedule name ${nameOrArn} is in several groups (${found.map((s) => s.groupName).join(', ')}); name it <group>/<name> or by ARN`,
        409,
      );
    }
    return schedule;
  }

  /** Starts one invocation of the schedule's target, due at `scheduledTime`. */
  private invoke(schedule: ScheduleSpec, scheduledTime: Date): Invocation {
    const executionId = randomBytes(8).toString('hex');
    const carrier: EventEnvelope = {
      ...envelope(this.runtime.env, {
        source: 'aws.scheduler',
        detailType: 'Scheduled Invocation',
        detail: {},
        resources: [schedule.arn],
        time: scheduledTime,
      }),
      id: executionId,
    };
    const invocation: Invocation = { schedule, scheduledTime, executionId, attempts: 0 };
    this.invocations.set(carrier, invocation);
    const { target } = schedule;
    const spec: TargetSpec = {
      id: schedule.name,
      arn: target.arn,
      input: {},
      messageGroupId: target.messageGroupId,
      maxRetryAttempts: target.maxRetryAttempts,
      maxEventAgeSeconds: target.maxEventAgeSeconds,
      deadLetterArn: target.deadLetterArn,
    };
    this.delivery.deliver(spec, carrier, {
      ruleArn: schedule.arn,
      ruleName: `${schedule.groupName}/${schedule.name}`,
      ingestionTime: new Date().toISOString(),
    });
    return invocation;
  }

  /**
   * Sets the timer of a schedule due at `due`: it invokes then, or at a random instant of its flexible
   * window. A timer longer than Node allows wakes early and waits on.
   */
  private arm(schedule: ScheduleSpec, due: Date, at?: Date): void {
    const windowMs = (schedule.flexibleWindowMinutes ?? 0) * 60_000;
    const when = at ?? new Date(due.getTime() + Math.floor(Math.random() * windowMs));
    const wait = Math.max(0, Math.min(when.getTime() - Date.now(), MAX_TIMER_MS));
    const timer = setTimeout(() => {
      if (Date.now() < when.getTime()) {
        this.arm(schedule, due, when);
        return;
      }
      this.timers.delete(schedule.arn);
      this.invoke(schedule, due);
      const next = schedule.times.next(due);
      if (next) this.arm(schedule, next);
      else if (schedule.deleteAfterCompletion) this.all.delete(schedule.arn);
    }, wait);
    timer.unref();
    this.timers.set(schedule.arn, { timer, due, at: when });
  }
}
