import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ServiceRuntime } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { SqsService } from '../sqs/service.js';
import { StepFunctionsService } from '../stepfunctions/service.js';
import { TargetError, type TargetSpec } from './delivery.js';
import type { EventEnvelope } from './envelope.js';
import { targetInput, type RuleContext } from './transform.js';

/** The kinds of target the runtime delivers to, by the service of their ARN. */
export const TARGET_KINDS = {
  lambda: 'a Lambda function (invoked asynchronously)',
  sqs: 'an SQS queue',
  sns: 'an SNS topic',
  states: 'a Step Functions state machine (StartExecution)',
  events: 'an event bus',
} as const;

/** The kind of a target ARN, or undefined for one the runtime does not deliver to. */
export function targetKind(arn: string): keyof typeof TARGET_KINDS | undefined {
  const service = /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];
  if (service === 'lambda' && /:function:[^:]+(:\$LATEST)?$/.test(arn)) return 'lambda';
  if (service === 'states' && arn.includes(':stateMachine:')) return 'states';
  if (service === 'events' && arn.includes(':event-bus/')) return 'events';
  return service === 'sqs' || service === 'sns' ? service : undefined;
}

/** Where an event bus target forwards events: the bus by ARN; false when there is no such bus. */
export type ForwardToBus = (busArn: string, event: EventEnvelope) => boolean;

/**
 * Sends one event to one target as EventBridge calls it: Lambda's asynchronous `Invoke` (the Lambda
 * service's invoker, with its own retries), SQS `SendMessage` (with `MessageGroupId` and the event id as
 * the deduplication id for a FIFO queue), SNS `Publish`, Step Functions `StartExecution`, or `PutEvents`
 * of the event itself to another bus. A target that does not exist fails without retry.
 */
export function targetSender(runtime: ServiceRuntime, forward: ForwardToBus) {
  return async (target: TargetSpec, event: EventEnvelope, rule: RuleContext): Promise<void> => {
    const text = targetInput(target.input, event, rule);
    const missing = (what: string) =>
      new TargetError('ResourceNotFoundException', `${what} does not exist: ${target.arn}`, false);
    switch (targetKind(target.arn)) {
      case 'lambda': {
        const lambda = runtime.service(LambdaService);
        if (!lambda.host.get(target.arn.replace(/:\$LATEST$/, ''))) throw missing('Function');
        let payload: unknown;
        try {
          payload = JSON.parse(text);
        } catch {
          throw new TargetError(
            'InvalidRequestContentException',
            'Could not parse request body into json',
            false,
          );
        }
        lambda.asyncInvoker.invoke(target.arn.replace(/:\$LATEST$/, ''), payload);
        return;
      }
      case 'sqs': {
        const sqs = runtime.service(SqsService);
        const queueUrl = sqs.queueUrl(target.arn);
        if (!queueUrl) throw missing('Queue');
        const fifo = target.arn.endsWith('.fifo');
        await sqs.client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: text,
            ...(fifo ? { MessageGroupId: target.messageGroupId, MessageDeduplicationId: event.id } : {}),
          }),
        );
        return;
      }
      case 'sns': {
        try {
          await runtime.engines.sns.send(new PublishCommand({ TopicArn: target.arn, Message: text }));
        } catch (error: unknown) {
          if (error instanceof Error && /NotFound/.test(error.name)) throw missing('Topic');
          throw error;
        }
        return;
      }
      case 'states': {
        try {
          runtime.service(StepFunctionsService).engine.start(target.arn, text);
        } catch (error: unknown) {
          const code = (error as { code?: string }).code;
          if (code === 'StateMachineDoesNotExist') throw missing('State machine');
          if (error instanceof SyntaxError) {
            throw new TargetError('InvalidExecutionInput', 'Invalid State Machine Execution Input', false);
          }
          throw error;
        }
        return;
      }
      case 'events':
        if (!forward(target.arn, event)) throw missing('Event bus');
        return;
      default:
        throw new TargetError(
          'InvalidTarget',
          `${target.arn} is not a target the runtime delivers to`,
          false,
        );
    }
  };
}

/**
 * What is wrong with a target's `RetryPolicy`, as EventBridge rules and Scheduler schedules both bound it:
 * `MaximumRetryAttempts` 0–185, `MaximumEventAgeInSeconds` 60–86400, whole numbers.
 */
export function retryPolicyProblems(policy: unknown, at: string): string[] {
  const retry = (policy ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, min, max] of [
    ['MaximumRetryAttempts', 0, 185],
    ['MaximumEventAgeInSeconds', 60, 86_400],
  ] as const) {
    const value = retry[key];
    if (typeof value === 'number' && (value < min || value > max || !Number.isInteger(value))) {
      problems.push(`${at}.RetryPolicy.${key} ${value} must be a whole number from ${min} to ${max}`);
    }
  }
  return problems;
}

/** Whether a target's `Input` is JSON text. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
