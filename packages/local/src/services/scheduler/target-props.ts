import {
  staticText,
  str,
  UNRESOLVED,
  UnsupportedResourceError,
  type CheckContext,
} from '../../core/provisioning.js';
import { TARGET_KINDS, isJson, retryPolicyProblems, targetKind } from '../events/targets.js';
import { fillInput } from './dispatch.js';
import type { ScheduleTarget } from './schedule.js';

/** The properties of a schedule's `Target` the runtime reads; `RoleArn` is required but has no effect offline. */
const APPLIED = [
  'Arn',
  'RoleArn',
  'Input',
  'RetryPolicy',
  'DeadLetterConfig',
  'SqsParameters',
  'EventBridgeParameters',
] as const;

/** Target parameters of services the runtime does not invoke from a schedule, each with why. */
const REFUSED: Readonly<Record<string, string>> = {
  EcsParameters: 'ECS RunTask targets are not run offline (there is no container engine)',
  KinesisParameters: 'Kinesis PutRecord targets are not invoked by the offline Scheduler',
  SageMakerPipelineParameters: 'SageMaker pipelines are not run offline',
};

/** The target kind of each CloudFormation type a schedule may target. */
const TARGET_TYPES: Readonly<Record<string, keyof typeof TARGET_KINDS>> = {
  'AWS::Lambda::Function': 'lambda',
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::StepFunctions::StateMachine': 'states',
  'AWS::Events::EventBus': 'events',
};

/** A schedule's `Target` as synthesized. */
export type TargetProps = Partial<Record<(typeof APPLIED)[number], unknown>> & Record<string, unknown>;

/** What in a schedule's target the runtime cannot invoke as Scheduler would. */
export function targetProblems(ctx: CheckContext, at: string, target: TargetProps): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(target)) {
    const refused = REFUSED[key];
    if (refused) problems.push(`${at}.${key}: ${refused}`);
    else if (!(APPLIED as readonly string[]).includes(key)) {
      problems.push(`${at}.${key} is not supported by the offline runtime`);
    }
  }
  if (target.Arn === undefined) problems.push(`${at}.Arn is required`);
  if (target.RoleArn === undefined)
    problems.push(`${at}.RoleArn is required (Scheduler assumes it to invoke the target)`);
  const type = ctx.typeOf(target.Arn);
  const text = staticText(target.Arn);
  if (text !== undefined && /^arn:[^:]+:scheduler:::aws-sdk:/.test(text)) {
    problems.push(
      `${at}.Arn ${text}: universal targets (arn:aws:scheduler:::aws-sdk:<service>:<action>) are not invoked offline; use a templated target: ${Object.values(TARGET_KINDS).join(', ')}`,
    );
    return problems;
  }
  const kind = type !== undefined ? TARGET_TYPES[type] : text === undefined ? undefined : targetKind(text);
  if (kind === undefined && (type !== undefined || (text !== undefined && !text.includes(UNRESOLVED)))) {
    problems.push(
      `${at}.Arn ${type ?? text ?? ''} is not a target the offline Scheduler invokes; it invokes ${Object.values(TARGET_KINDS).join(', ')}`,
    );
  }
  const input = staticText(target.Input);
  if (
    kind !== undefined &&
    kind !== 'sqs' &&
    kind !== 'sns' &&
    input !== undefined &&
    !input.includes(UNRESOLVED) &&
    !isJson(sample(input))
  ) {
    problems.push(`${at}.Input must be JSON text for ${TARGET_KINDS[kind]}`);
  }
  if (kind === 'events') {
    const params = (target.EventBridgeParameters ?? {}) as { Source?: unknown; DetailType?: unknown };
    if (params.Source === undefined || params.DetailType === undefined) {
      problems.push(
        `${at}.EventBridgeParameters with Source and DetailType is required for an event bus target`,
      );
    }
  }
  const groupId = (target.SqsParameters as { MessageGroupId?: unknown } | undefined)?.MessageGroupId;
  if (kind === 'sqs' && text?.endsWith('.fifo') && groupId === undefined) {
    problems.push(`${at}: a FIFO queue target needs SqsParameters.MessageGroupId`);
  }
  problems.push(...retryPolicyProblems(target.RetryPolicy, at));
  const dlq = (target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
  const dlqType = ctx.typeOf(dlq);
  const dlqText = staticText(dlq);
  if (dlq !== undefined && (dlqType ?? 'AWS::SQS::Queue') !== 'AWS::SQS::Queue') {
    problems.push(`${at}.DeadLetterConfig.Arn must be an SQS queue, not ${dlqType ?? ''}`);
  } else if (
    dlqType === undefined &&
    dlqText !== undefined &&
    !dlqText.includes(UNRESOLVED) &&
    !/^arn:[^:]+:sqs:/.test(dlqText)
  ) {
    problems.push(`${at}.DeadLetterConfig.Arn ${dlqText} must be an SQS queue`);
  }
  if (dlqText?.endsWith('.fifo')) {
    problems.push(`${at}.DeadLetterConfig.Arn: Scheduler does not take a FIFO queue as a dead-letter queue`);
  }
  return problems;
}

/** The target as the runtime invokes it, from its resolved properties. */
export function targetOf(t: TargetProps, at: string): ScheduleTarget {
  const arn = str(t.Arn) ?? '';
  const kind = targetKind(arn);
  if (kind === undefined) {
    throw new UnsupportedResourceError(`${at}.Arn ${arn} is not a target the offline Scheduler invokes`);
  }
  const messageGroupId = str((t.SqsParameters as { MessageGroupId?: unknown } | undefined)?.MessageGroupId);
  if (kind === 'sqs' && arn.endsWith('.fifo') && messageGroupId === undefined) {
    throw new UnsupportedResourceError(`${at}: a FIFO queue target needs SqsParameters.MessageGroupId`);
  }
  const deadLetterArn = str((t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn);
  if (deadLetterArn?.endsWith('.fifo')) {
    throw new UnsupportedResourceError(
      `${at}.DeadLetterConfig.Arn ${deadLetterArn}: Scheduler does not take a FIFO queue as a dead-letter queue`,
    );
  }
  const retry = (t.RetryPolicy ?? {}) as {
    MaximumRetryAttempts?: unknown;
    MaximumEventAgeInSeconds?: unknown;
  };
  const params = t.EventBridgeParameters as { Source?: unknown; DetailType?: unknown } | undefined;
  return {
    arn,
    input: str(t.Input),
    messageGroupId,
    eventBridge: params && { source: str(params.Source) ?? '', detailType: str(params.DetailType) ?? '' },
    maxRetryAttempts: retry.MaximumRetryAttempts === undefined ? 185 : Number(retry.MaximumRetryAttempts),
    maxEventAgeSeconds:
      retry.MaximumEventAgeInSeconds === undefined ? 86_400 : Number(retry.MaximumEventAgeInSeconds),
    deadLetterArn,
  };
}

/** The input with each context attribute replaced by a value that reads as JSON in or out of quotes. */
function sample(input: string): string {
  return fillInput(input, {
    scheduleArn: '1',
    scheduledTime: new Date(0),
    executionId: '1',
    attemptNumber: 1,
  }).replace(/1970-01-01T00:00:00Z/g, '1');
}
