import type { EventEnvelope } from './envelope.js';
import type { RuleContext, TargetInput } from './transform.js';

/** A rule's target, as the runtime delivers to it. */
export interface TargetSpec {
  readonly id: string;
  readonly arn: string;
  readonly input: TargetInput;
  /** `SqsParameters.MessageGroupId`, for a FIFO queue. */
  readonly messageGroupId?: string;
  /** `RetryPolicy.MaximumRetryAttempts`: 0 to 185. @default 185 */
  readonly maxRetryAttempts: number;
  /** `RetryPolicy.MaximumEventAgeInSeconds`: 60 to 86400. @default 86400 */
  readonly maxEventAgeSeconds: number;
  /** `DeadLetterConfig.Arn`: a standard SQS queue. */
  readonly deadLetterArn?: string;
}

/** Why a delivery to a target failed: the error code and message a DLQ message carries. */
export class TargetError extends Error {
  public override readonly name = 'TargetError';
  constructor(
    public readonly code: string,
    message: string,
    /** False for a target that does not exist or refuses the input: retrying cannot help. */
    public readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Sends one event's input to one target; throws a {@link TargetError} (or anything) when it fails. */
export type SendToTarget = (target: TargetSpec, event: EventEnvelope, rule: RuleContext) => Promise<void>;

/** Sends a message with string and number attributes to an SQS queue, by ARN. */
export type SendToQueue = (
  queueArn: string,
  body: string,
  attributes: Record<string, { type: 'String' | 'Number'; value: string }>,
) => Promise<void>;

/** What a dead-letter queue receives for an event that could not be delivered: its body and attributes. */
export interface DeadLetterMessage {
  readonly body: string;
  readonly attributes: Record<string, { type: 'String' | 'Number'; value: string }>;
}

/** One delivery that gave up: what was sent where, why it failed, after how many retries. */
export interface DeliveryFailure {
  readonly target: TargetSpec;
  readonly event: EventEnvelope;
  readonly rule: RuleContext;
  readonly failure: TargetError;
  readonly retries: number;
  /** Which limit of the retry policy ran out; absent for an error that is not retried. */
  readonly exhausted?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';
}

/** What a service that delivers as EventBridge does, but names its failures its own way, changes. */
export interface TargetDeliveryOptions {
  /**
   * The dead-letter message of a failed delivery.
   * @default EventBridge's: the event, with `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`,
   * `EXHAUSTED_RETRY_CONDITION` and `RETRY_ATTEMPTS`
   */
  readonly deadLetterMessage?: (failed: DeliveryFailure) => DeadLetterMessage;
  /**
   * How a report line names a failed delivery.
   * @default `[events] rule <rule>, target <id>: event <id> not delivered (<code>: <message>)`
   */
  readonly describe?: (failed: DeliveryFailure) => string;
}

/**
 * AWS's retry delays are not published beyond "exponential back-off and jitter": from about a second,
 * doubling up to five minutes, each between half and all of that.
 */
export function defaultRetryDelay(retry: number): number {
  const ceiling = Math.min(1000 * 2 ** (retry - 1), 300_000);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Delivers matched events to targets as EventBridge does, each on its own: a failure is retried after
 * the retry delays until `MaximumRetryAttempts` retries or `MaximumEventAgeInSeconds` are used up, a target
 * that does not exist is not retried, then the event goes to the target's dead-letter queue with
 * `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION` and
 * `RETRY_ATTEMPTS`, or is dropped.
 */
export class TargetDelivery {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  constructor(
    private readonly send: SendToTarget,
    private readonly sendToQueue: SendToQueue,
    /** Delay before each retry; the last repeats. @default {@link defaultRetryDelay} */
    private readonly retryDelaysMs?: readonly number[],
    /** Told every failure that could not reach a DLQ (no DLQ, or the DLQ failed). */
    private readonly report: (line: string) => void = () => undefined,
    private readonly options: TargetDeliveryOptions = {},
  ) {}

  /** Starts delivering an event to a target; returns at once. */
  public deliver(target: TargetSpec, event: EventEnvelope, rule: RuleContext): void {
    const run = this.attempt(target, event, rule).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Settles once every delivery in flight has ended. */
  public async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying (pending retries are dropped) and waits for deliveries in flight. */
  public async stop(): Promise<void> {
    this.stopped = true;
    for (const [timer, wake] of this.sleeping) {
      clearTimeout(timer);
      wake();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private async attempt(target: TargetSpec, event: EventEnvelope, rule: RuleContext): Promise<void> {
    const accepted = Date.now();
    for (let retries = 0; ; retries += 1) {
      let failure: TargetError;
      try {
        await this.send(target, event, rule);
        return;
      } catch (error: unknown) {
        failure =
          error instanceof TargetError
            ? error
            : new TargetError(
                error instanceof Error ? error.name : 'InternalException',
                error instanceof Error ? error.message : String(error),
                true,
              );
      }
      if (!failure.retryable) return this.deadLetter(target, event, rule, failure, retries);
      if (retries >= target.maxRetryAttempts) {
        return this.deadLetter(target, event, rule, failure, retries, 'MaximumRetryAttempts');
      }
      const delay = this.delay(retries + 1);
      if (Date.now() + delay - accepted > target.maxEventAgeSeconds * 1000) {
        return this.deadLetter(target, event, rule, failure, retries, 'MaximumEventAgeInSeconds');
      }
      await this.sleep(delay);
      if (this.stopped) return undefined;
    }
  }

  private delay(retry: number): number {
    const delays = this.retryDelaysMs;
    if (!delays || delays.length === 0) return defaultRetryDelay(retry);
    return delays[retry - 1] ?? (delays.at(-1) as number);
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      this.sleeping.set(timer, resolve);
    });
  }

  private async deadLetter(
    target: TargetSpec,
    event: EventEnvelope,
    rule: RuleContext,
    failure: TargetError,
    retries: number,
    exhausted?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds',
  ): Promise<void> {
    const failed: DeliveryFailure = { target, event, rule, failure, retries, exhausted };
    const what =
      this.options.describe?.(failed) ??
      `[events] rule ${rule.ruleName}, target ${target.id}: event ${event.id} not delivered (${failure.code}: ${failure.message})`;
    if (!target.deadLetterArn) {
      this.report(`${what}; dropped, the target has no dead-letter queue`);
      return;
    }
    const message = this.options.deadLetterMessage?.(failed) ?? eventBridgeDeadLetter(failed);
    try {
      await this.sendToQueue(target.deadLetterArn, message.body, message.attributes);
    } catch (error: unknown) {
      this.report(
        `${what}; its dead-letter queue ${target.deadLetterArn} failed too: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** EventBridge's dead-letter message: the event, with what went wrong as attributes. */
function eventBridgeDeadLetter({
  target,
  event,
  rule,
  failure,
  retries,
  exhausted,
}: DeliveryFailure): DeadLetterMessage {
  return {
    body: JSON.stringify(event),
    attributes: {
      RULE_ARN: { type: 'String', value: rule.ruleArn },
      TARGET_ARN: { type: 'String', value: target.arn },
      ERROR_CODE: { type: 'String', value: failure.code },
      ERROR_MESSAGE: { type: 'String', value: failure.message.slice(0, 1024) || failure.code },
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: { type: 'String', value: exhausted } } : {}),
      RETRY_ATTEMPTS: { type: 'Number', value: String(retries) },
    },
  };
}
