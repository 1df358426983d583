import type { ServiceRuntime } from '../../core/services.js';
import {
  TargetError,
  type DeadLetterMessage,
  type DeliveryFailure,
  type SendToTarget,
} from '../events/delivery.js';
import { envelope, type EventEnvelope } from '../events/envelope.js';
import { EventsService } from '../events/service.js';
import { targetKind, targetSender } from '../events/targets.js';
import { scheduledTimeText } from './expression.js';
import type { ScheduleSpec } from './schedule.js';

/** One invocation of a schedule's target, across its attempts. */
export interface Invocation {
  readonly schedule: ScheduleSpec;
  /** The time the schedule was due, not the instant a flexible window picked. */
  readonly scheduledTime: Date;
  /** `<aws.scheduler.execution-id>`: 16 hex digits, the same for every attempt of the invocation. */
  readonly executionId: string;
  /** Attempts made so far. */
  attempts: number;
  /** The input of the latest attempt: what a dead-letter message carries. */
  lastInput?: string;
}

/** What the input placeholders stand for in one attempt. */
export interface InputContext {
  readonly scheduleArn: string;
  readonly scheduledTime: Date;
  readonly executionId: string;
  readonly attemptNumber: number;
}

/** Scheduler's payload limit; a longer input is cut in a dead-letter message, which then says so. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The target input of one attempt: `Input` with Scheduler's context attributes replaced wherever they stand
 * (inside a JSON string or not): `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`,
 * `<aws.scheduler.execution-id>` and `<aws.scheduler.attempt-number>`. A schedule with no `Input` sends `{}`.
 */
export function fillInput(input: string | undefined, ctx: InputContext): string {
  const values: Readonly<Record<string, string>> = {
    'schedule-arn': ctx.scheduleArn,
    'scheduled-time': scheduledTimeText(ctx.scheduledTime),
    'execution-id': ctx.executionId,
    'attempt-number': String(ctx.attemptNumber),
  };
  return (input ?? '{}').replace(
    /<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g,
    (_, name: string) => values[name] ?? '',
  );
}

/**
 * Sends one attempt of an invocation through the events service's sender (Lambda asynchronous `Invoke`, SQS
 * `SendMessage`, SNS `Publish`, Step Functions `StartExecution`), with the input filled for that attempt; an
 * event bus target gets `PutEvents` of an event made from `EventBridgeParameters` with the input as `detail`.
 */
export function scheduleSender(
  runtime: ServiceRuntime,
  invocations: WeakMap<EventEnvelope, Invocation>,
): SendToTarget {
  const send = targetSender(runtime, (busArn, event) => {
    const events = runtime.service(EventsService);
    const bus = events.busName(busArn);
    if (bus === undefined) return false;
    events.put(bus, event);
    return true;
  });
  return async (target, carrier, rule) => {
    const invocation = invocations.get(carrier);
    if (!invocation) throw new TargetError('AWS.Scheduler.InternalServerError', 'unknown invocation', false);
    invocation.attempts += 1;
    const { schedule } = invocation;
    const text = fillInput(schedule.target.input, {
      scheduleArn: schedule.arn,
      scheduledTime: invocation.scheduledTime,
      executionId: invocation.executionId,
      attemptNumber: invocation.attempts,
    });
    invocation.lastInput = text;
    if (targetKind(target.arn) !== 'events') {
      await send({ ...target, input: { input: text } }, carrier, rule);
      return;
    }
    let detail: unknown;
    try {
      detail = JSON.parse(text);
    } catch {
      throw new TargetError('ValidationException', 'Detail is malformed: the input is not JSON', false);
    }
    const params = schedule.target.eventBridge;
    const event = envelope(runtime.env, {
      source: params?.source ?? 'aws.scheduler',
      detailType: params?.detailType ?? 'Scheduled Event',
      detail,
      resources: [schedule.arn],
    });
    await send({ ...target, input: {} }, event, rule);
  };
}

/** The error codes of AWS's services where they differ from what the events sender names them. */
function awsError(failed: DeliveryFailure): { code: string; message: string } {
  const { failure, target } = failed;
  if (failure.code === 'ResourceNotFoundException' && targetKind(target.arn) === 'sqs') {
    return {
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      message: 'The specified queue does not exist for this wsdl version.',
    };
  }
  return { code: failure.code, message: failure.message || failure.code };
}

/**
 * Scheduler's dead-letter event: the input of the last attempt as the body (cut at 256 KiB), with
 * `ERROR_CODE`, `ERROR_MESSAGE`, `EXECUTION_ID`, `EXHAUSTED_RETRY_CONDITION` (retryable errors only),
 * `IS_PAYLOAD_TRUNCATED`, `RETRY_ATTEMPTS`, `SCHEDULED_TIME`, `SCHEDULE_ARN` and `TARGET_ARN`, all strings.
 */
export function deadLetterEvent(
  failed: DeliveryFailure,
  invocation: Invocation | undefined,
): DeadLetterMessage {
  const input = invocation?.lastInput ?? '{}';
  const bytes = Buffer.from(input);
  const truncated = bytes.length > MAX_PAYLOAD_BYTES;
  const body = truncated ? bytes.subarray(0, MAX_PAYLOAD_BYTES).toString() : input;
  const { code, message } = awsError(failed);
  const string = (value: string) => ({ type: 'String' as const, value });
  return {
    body,
    attributes: {
      ERROR_CODE: string(code),
      ERROR_MESSAGE: string(message.slice(0, 1024)),
      EXECUTION_ID: string(invocation?.executionId ?? failed.event.id),
      ...(failed.exhausted ? { EXHAUSTED_RETRY_CONDITION: string(failed.exhausted) } : {}),
      IS_PAYLOAD_TRUNCATED: string(String(truncated)),
      RETRY_ATTEMPTS: string(String(failed.retries)),
      SCHEDULED_TIME: string(scheduledTimeText(invocation?.scheduledTime ?? new Date(failed.event.time))),
      SCHEDULE_ARN: string(failed.rule.ruleArn),
      TARGET_ARN: string(failed.target.arn),
    },
  };
}
