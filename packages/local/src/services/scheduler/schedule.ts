import type { ScheduleTimes } from './expression.js';

/** A schedule's target, as the runtime invokes it. */
export interface ScheduleTarget {
  readonly arn: string;
  /** `Input`, with its context attributes still in it. @default `{}` is sent */
  readonly input?: string;
  /** `SqsParameters.MessageGroupId`, for a FIFO queue. */
  readonly messageGroupId?: string;
  /** `EventBridgeParameters`, for an event bus target. */
  readonly eventBridge?: { readonly source: string; readonly detailType: string };
  /** `RetryPolicy.MaximumRetryAttempts`: 0 to 185. @default 185 */
  readonly maxRetryAttempts: number;
  /** `RetryPolicy.MaximumEventAgeInSeconds`: 60 to 86400. @default 86400 */
  readonly maxEventAgeSeconds: number;
  /** `DeadLetterConfig.Arn`: a standard SQS queue. */
  readonly deadLetterArn?: string;
}

/** A schedule of the application. */
export interface ScheduleSpec {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  /** `State` is `ENABLED`. */
  readonly enabled: boolean;
  readonly times: ScheduleTimes;
  /** `FlexibleTimeWindow.MaximumWindowInMinutes` when `Mode` is `FLEXIBLE`; undefined when `OFF`. */
  readonly flexibleWindowMinutes?: number;
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** `ActionAfterCompletion` is `DELETE`: the schedule goes once it has invoked its target for the last time. */
  readonly deleteAfterCompletion: boolean;
  readonly target: ScheduleTarget;
}

/** A schedule as `GET /_conflux/schedules` lists it. */
export interface ScheduleListing {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly scheduleExpression: string;
  readonly scheduleExpressionTimezone: string;
  readonly flexibleTimeWindow: {
    readonly mode: 'OFF' | 'FLEXIBLE';
    readonly maximumWindowInMinutes?: number;
  };
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly target: { readonly arn: string };
  /** When the schedule is next due, while the runtime runs an enabled schedule. */
  readonly nextFireTime?: string;
  /** When it will invoke its target: the due time, or the instant picked in its flexible window. */
  readonly nextInvocationTime?: string;
}

/** What firing a schedule now did. */
export interface ScheduleFireResult {
  readonly scheduleName: string;
  readonly groupName: string;
  readonly scheduleArn: string;
  readonly executionId: string;
  readonly scheduledTime: string;
  readonly targetArn: string;
}

/** A schedule that cannot be fired: unknown (`status` 404), or named ambiguously (409). */
export class ScheduleFireError extends Error {
  public override readonly name = 'ScheduleFireError';
  constructor(
    message: string,
    public readonly status: 404 | 409,
  ) {
    super(message);
  }
}
