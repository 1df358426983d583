import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { SqsService } from '../sqs/service.js';
import { EventsApi } from './api.js';
import { TargetDelivery, type TargetSpec } from './delivery.js';
import { checkRequest, envelope, toEnvelope, type EntryResult, type EventEnvelope } from './envelope.js';
import { matchesPattern, type EventPattern } from './pattern.js';
import type { Schedule } from './schedule.js';
import { targetSender } from './targets.js';

/** A rule of the application. */
export interface RuleSpec {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  /** `State` is `ENABLED` (or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`). */
  readonly enabled: boolean;
  readonly pattern?: EventPattern;
  readonly schedule?: Schedule;
  readonly targets: readonly TargetSpec[];
}

/** A rule as `GET /_conflux/rules` lists it. */
export interface RuleListing {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly scheduleExpression?: string;
  readonly eventPattern?: EventPattern;
  readonly targets: readonly { id: string; arn: string }[];
  /** The next time the schedule fires, while the runtime runs an enabled scheduled rule. */
  readonly nextFireTime?: string;
}

/** What firing a scheduled rule now did. */
export interface FireResult {
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly eventId: string;
  readonly targets: number;
}

/** A rule that cannot be fired: unknown (`status` 404), or with no schedule (409). */
export class RuleFireError extends Error {
  public override readonly name = 'RuleFireError';
  constructor(
    message: string,
    public readonly status: 404 | 409,
  ) {
    super(message);
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * EventBridge of one runtime: the buses (`default` always), their rules, the `PutEvents` API, delivery
 * to targets with retries and dead-letter queues, scheduled rules (timers from `start` to `halt`), and
 * Lambda destinations on buses.
 */
export class EventsService implements ServiceState {
  /** The rules of each bus, by bus name. */
  private readonly buses = new Map<string, RuleSpec[]>([['default', []]]);
  private readonly delivery: TargetDelivery;
  private readonly api: EventsApi;
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; next: Date }>();
  /** The buses each event in flight has been put on. */
  private readonly visited = new WeakMap<EventEnvelope, Set<string>>();
  private readonly report: (line: string) => void;

  constructor(private readonly runtime: ServiceRuntime) {
    const report =
      runtime.options.log ??
      ((line: string) => {
        process.stderr.write(`${line}\n`);
      });
    this.report = report;
    this.delivery = new TargetDelivery(
      targetSender(runtime, (arn, event) => this.forward(arn, event)),
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
      runtime.options.eventsRetryDelaysMs,
      report,
    );
    // Lambda destinations on a bus: the invocation record as `detail` of a `lambda` event.
    runtime.service(LambdaService).asyncInvoker.addRoute({
      accepts: (arn) => this.busName(arn) !== undefined,
      send: async (arn, record, outcome) => {
        const functionArn = record.requestContext.functionArn;
        this.put(
          this.busName(arn) ?? 'default',
          envelope(runtime.env, {
            source: 'lambda',
            detailType: `Lambda Function Invocation Result - ${outcome}`,
            detail: record,
            resources: [arn, functionArn],
          }),
        );
        return Promise.resolve();
      },
    });
    this.api = new EventsApi(this);
  }

  /** The ARN of a bus, by name. */
  public busArn(name: string): string {
    const { partition, region, accountId } = this.runtime.env;
    return `arn:${partition}:events:${region}:${accountId}:event-bus/${name}`;
  }

  /** The name of a bus of the application, by name or ARN; undefined for any other. */
  public busName(nameOrArn: string): string | undefined {
    const name = nameOrArn.startsWith('arn:') ? /:event-bus\/(.+)$/.exec(nameOrArn)?.[1] : nameOrArn;
    return name !== undefined &&
      this.buses.has(name) &&
      (name === nameOrArn || this.busArn(name) === nameOrArn)
      ? name
      : undefined;
  }

  /** Adds a custom bus; fails if one of that name exists (`default` always does). */
  public addBus(name: string): string {
    if (this.buses.has(name)) throw new Error(`event bus ${name} already exists`);
    this.buses.set(name, []);
    return this.busArn(name);
  }

  /** Adds a rule to its bus; fails if the bus has a rule of that name. */
  public addRule(rule: RuleSpec): void {
    const rules = this.buses.get(rule.busName);
    if (!rules) throw new Error(`event bus ${rule.busName} does not exist`);
    if (rules.some((r) => r.name === rule.name)) {
      throw new Error(`rule ${rule.name} already exists on event bus ${rule.busName}`);
    }
    rules.push(rule);
  }

  /**
   * `PutEvents`: each entry becomes an event on its bus (`EventBusName`, name or ARN; `default` when
   * absent) or the error AWS answers for it; throws for a request AWS refuses whole.
   */
  public putEvents(entries: unknown): EntryResult[] {
    checkRequest(entries);
    return entries.map((entry) => {
      const busName = this.busName(typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default');
      if (busName === undefined) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.`,
        };
      }
      const event = toEnvelope(entry, this.runtime.env);
      if ('ErrorCode' in event) return event;
      this.put(busName, event);
      return { EventId: event.id };
    });
  }

  /** Delivers an event to the targets of every enabled rule of the bus whose pattern matches; how many. */
  public put(busName: string, event: EventEnvelope): number {
    const visited = this.visited.get(event) ?? new Set<string>();
    this.visited.set(event, visited.add(busName));
    const ingestionTime = new Date().toISOString();
    let matched = 0;
    for (const rule of this.buses.get(busName) ?? []) {
      if (!rule.enabled || !rule.pattern || !matchesPattern(rule.pattern, event)) continue;
      matched += 1;
      this.deliver(rule, event, ingestionTime);
    }
    return matched;
  }

  /** Fires a scheduled rule now, by name or ARN, as its schedule would, whatever its state. */
  public fire(ruleNameOrArn: string): FireResult {
    const rule = this.rule(ruleNameOrArn);
    if (!rule.schedule) {
      throw new RuleFireError(
        `rule ${rule.name} has no ScheduleExpression; it runs when events match its pattern`,
        409,
      );
    }
    const event = this.scheduledEvent(rule, new Date());
    this.deliver(rule, event, new Date().toISOString());
    return { ruleName: rule.name, ruleArn: rule.arn, eventId: event.id, targets: rule.targets.length };
  }

  /** Every rule of the application, with the next fire time of the running schedules. */
  public rules(): RuleListing[] {
    return [...this.buses.values()].flat().map((rule) => {
      const next = this.timers.get(rule.arn)?.next;
      return {
        name: rule.name,
        arn: rule.arn,
        eventBusName: rule.busName,
        state: rule.enabled ? 'ENABLED' : 'DISABLED',
        ...(rule.schedule ? { scheduleExpression: rule.schedule.expression } : {}),
        ...(rule.pattern ? { eventPattern: rule.pattern } : {}),
        targets: rule.targets.map((t) => ({ id: t.id, arn: t.arn })),
        ...(next ? { nextFireTime: next.toISOString() } : {}),
      };
    });
  }

  /** Settles once every delivery in flight (retries included) has ended. */
  public async idle(): Promise<void> {
    await this.delivery.idle();
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'events', sdkId: 'EVENTBRIDGE', url: await this.api.listen() }];
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async start(): Promise<void> {
    const now = new Date();
    for (const rule of [...this.buses.values()].flat()) {
      if (!rule.enabled || !rule.schedule) continue;
      const next = rule.schedule.next(now);
      if (next) this.arm(rule, next);
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

  private rule(nameOrArn: string): RuleSpec {
    const all = [...this.buses.values()].flat();
    const found = nameOrArn.startsWith('arn:')
      ? all.filter((r) => r.arn === nameOrArn)
      : all.filter((r) => r.name === nameOrArn || `${r.busName}/${r.name}` === nameOrArn);
    const [rule] = found;
    if (!rule) throw new RuleFireError(`no rule ${nameOrArn} in the application`, 404);
    if (found.length > 1) {
      throw new RuleFireError(
        `rule name ${nameOrArn} is on several buses (${found.map((r) => r.busName).join(', ')}); name it <bus>/<rule> or by ARN`,
        409,
      );
    }
    return rule;
  }

  private deliver(rule: RuleSpec, event: EventEnvelope, ingestionTime: string): void {
    const context = { ruleArn: rule.arn, ruleName: rule.name, ingestionTime };
    for (const target of rule.targets) this.delivery.deliver(target, event, context);
  }

  /**
   * An event bus target: the same event, put on that bus. An event that was on that bus already is not put
   * on it again, so that buses targeting each other do not loop.
   */
  private forward(busArn: string, event: EventEnvelope): boolean {
    const name = this.busName(busArn);
    if (name === undefined) return false;
    if (this.visited.get(event)?.has(name)) {
      this.report(`[events] event ${event.id} was on event bus ${name} already; it is not put on it again`);
      return true;
    }
    this.put(name, event);
    return true;
  }

  private scheduledEvent(rule: RuleSpec, time: Date): EventEnvelope {
    return envelope(this.runtime.env, {
      source: 'aws.events',
      detailType: 'Scheduled Event',
      detail: {},
      resources: [rule.arn],
      time,
    });
  }

  /** Sets the timer of a scheduled rule for `next`; a timer longer than Node allows wakes early and waits on. */
  private arm(rule: RuleSpec, next: Date): void {
    const wait = Math.max(0, Math.min(next.getTime() - Date.now(), MAX_TIMER_MS));
    const timer = setTimeout(() => {
      if (Date.now() < next.getTime()) {
        this.arm(rule, next);
        return;
      }
      this.deliver(rule, this.scheduledEvent(rule, next), new Date().toISOString());
      const after = rule.schedule?.next(next);
      if (after) this.arm(rule, after);
      else this.timers.delete(rule.arn);
    }, wait);
    timer.unref();
    this.timers.set(rule.arn, { timer, next });
  }
}
