import {
  accepted,
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  regional,
  staticText,
  str,
  TAGS,
  UNRESOLVED,
  UnsupportedResourceError,
  type CheckContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import type { TargetSpec } from './delivery.js';
import { parsePattern, type EventPattern } from './pattern.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { EventsService } from './service.js';
import { TARGET_KINDS, isJson, retryPolicyProblems, targetKind } from './targets.js';

const eventBus: Provisioner = {
  applies: ['Name'],
  accepts: {
    Policy: NOT_ENFORCED,
    KmsKeyIdentifier: NOT_ENFORCED,
    DeadLetterConfig:
      'a bus’s dead-letter queue takes events that cannot be decrypted with its KMS key; encryption is not emulated',
    LogConfig: NO_OBSERVABILITY,
    Description: 'descriptive only',
    Tags: TAGS,
  },
  check(ctx, p) {
    return p.EventSourceName === undefined
      ? []
      : [`${ctx.where}: EventSourceName: partner event buses are not supported offline`];
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 256);
    if (name === 'default') {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::Events::EventBus): the default bus always exists`,
      );
    }
    const arn = ctx.service(EventsService).addBus(name);
    return { ref: name, attributes: { Arn: arn, Name: name, Policy: '' } };
  },
};

/** The target property names a rule's target may have, with what the runtime does with them. */
const TARGET_PROPERTIES = [
  'Id',
  'Arn',
  'RoleArn',
  'Input',
  'InputPath',
  'InputTransformer',
  'RetryPolicy',
  'DeadLetterConfig',
  'SqsParameters',
] as const;

/** The target kind of each CloudFormation type a rule may target. */
const TARGET_TYPES: Readonly<Record<string, keyof typeof TARGET_KINDS>> = {
  'AWS::Lambda::Function': 'lambda',
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::StepFunctions::StateMachine': 'states',
  'AWS::Events::EventBus': 'events',
};

type TargetProps = Partial<Record<(typeof TARGET_PROPERTIES)[number], unknown>> & Record<string, unknown>;

const rule: Provisioner = {
  applies: ['Name', 'EventBusName', 'EventPattern', 'ScheduleExpression', 'State', 'Targets'],
  accepts: { Description: 'descriptive only', RoleArn: NOT_ENFORCED, Tags: TAGS },
  check(ctx, p) {
    const problems: string[] = [];
    if (p.EventPattern === undefined && p.ScheduleExpression === undefined) {
      problems.push(`${ctx.where}: a rule needs an EventPattern or a ScheduleExpression`);
    }
    if (p.EventPattern !== undefined) {
      try {
        parsePattern(withoutIntrinsics(p.EventPattern));
      } catch (error: unknown) {
        problems.push(`${ctx.where}: EventPattern: ${message(error)}`);
      }
    }
    const schedule = staticText(p.ScheduleExpression);
    if (schedule !== undefined && !schedule.includes(UNRESOLVED)) {
      try {
        parseSchedule(schedule);
      } catch (error: unknown) {
        problems.push(`${ctx.where}: ${message(error)}`);
      }
    }
    const bus =
      ctx.typeOf(p.EventBusName) === 'AWS::Events::EventBus' ? 'custom' : staticText(p.EventBusName);
    if (p.ScheduleExpression !== undefined && bus !== undefined && !/(^|\/)default$/.test(bus)) {
      problems.push(`${ctx.where}: ScheduleExpression: scheduled rules run only on the default event bus`);
    }
    const targets = Array.isArray(p.Targets) ? (p.Targets as TargetProps[]) : [];
    if (targets.length > 5) problems.push(`${ctx.where}: Targets: a rule has at most 5 targets`);
    targets.forEach((target, i) => {
      problems.push(...targetProblems(ctx, `${ctx.where}: Targets[${i}]`, target));
    });
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Events::Rule)`;
    const events = ctx.service(EventsService);
    const busText = str(p.EventBusName) ?? 'default';
    const busName = events.busName(busText);
    if (busName === undefined) {
      throw new UnsupportedResourceError(
        `${where}: EventBusName ${busText} names no event bus of the application`,
      );
    }
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    const { partition, region, accountId } = ctx.env;
    const path = busName === 'default' ? name : `${busName}/${name}`;
    const arn = `arn:${partition}:events:${region}:${accountId}:rule/${path}`;
    let pattern: EventPattern | undefined;
    let schedule: Schedule | undefined;
    try {
      if (p.EventPattern !== undefined) pattern = parsePattern(p.EventPattern);
      const expression = str(p.ScheduleExpression);
      if (expression !== undefined) schedule = parseSchedule(expression);
    } catch (error: unknown) {
      throw new UnsupportedResourceError(`${where}: ${message(error)}`);
    }
    const targets = ((p.Targets as TargetProps[] | undefined) ?? []).map((t, i) =>
      targetSpec(t, `${where}: Targets[${i}]`),
    );
    events.addRule({
      name,
      arn,
      busName,
      enabled: str(p.State) !== 'DISABLED',
      pattern,
      schedule,
      targets,
    });
    return {
      ref: busName === 'default' ? name : `${busName}|${name}`,
      attributes: { Arn: arn },
    };
  },
};

/** What in a target the runtime cannot deliver to as AWS would. */
function targetProblems(ctx: CheckContext, at: string, target: TargetProps): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(target)) {
    if (!(TARGET_PROPERTIES as readonly string[]).includes(key)) {
      problems.push(`${at}.${key} is not supported by the offline runtime`);
    }
  }
  const type = ctx.typeOf(target.Arn);
  const text = staticText(target.Arn);
  const kind = type !== undefined ? TARGET_TYPES[type] : text === undefined ? undefined : targetKind(text);
  if (kind === undefined && (type !== undefined || text !== undefined)) {
    problems.push(
      `${at}.Arn ${type ?? text ?? ''} is not a target the offline runtime delivers to; it delivers to ${Object.values(TARGET_KINDS).join(', ')}`,
    );
  }
  const inputs = ['Input', 'InputPath', 'InputTransformer'].filter((k) => target[k] !== undefined);
  if (inputs.length > 1) problems.push(`${at}: ${inputs.join(' and ')} exclude each other`);
  if (kind === 'events' && inputs.length > 0) {
    problems.push(`${at}.${inputs[0] ?? ''}: an event bus target forwards the event as it is`);
  }
  const input = staticText(target.Input);
  if (typeof target.Input === 'string' && input !== undefined && !isJson(input)) {
    problems.push(`${at}.Input must be valid JSON text`);
  }
  problems.push(...retryPolicyProblems(target.RetryPolicy, at));
  const dlq = (target.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
  const dlqType = ctx.typeOf(dlq);
  const dlqText = staticText(dlq);
  if (dlq !== undefined && (dlqType ?? 'AWS::SQS::Queue') !== 'AWS::SQS::Queue') {
    problems.push(`${at}.DeadLetterConfig.Arn must be an SQS queue, not ${dlqType ?? ''}`);
  } else if (dlqType === undefined && dlqText !== undefined && !/^arn:[^:]+:sqs:/.test(dlqText)) {
    problems.push(`${at}.DeadLetterConfig.Arn ${dlqText} must be an SQS queue`);
  }
  if (typeof dlqText === 'string' && dlqText.endsWith('.fifo')) {
    problems.push(`${at}.DeadLetterConfig.Arn: a FIFO queue cannot be a rule's dead-letter queue`);
  }
  return problems;
}

function targetSpec(t: TargetProps, at: string): TargetSpec {
  const arn = str(t.Arn) ?? '';
  if (targetKind(arn) === undefined) {
    throw new UnsupportedResourceError(`${at}.Arn ${arn} is not a target the offline runtime delivers to`);
  }
  const messageGroupId = str((t.SqsParameters as { MessageGroupId?: unknown } | undefined)?.MessageGroupId);
  if (targetKind(arn) === 'sqs' && arn.endsWith('.fifo') && messageGroupId === undefined) {
    throw new UnsupportedResourceError(`${at}: a FIFO queue target needs SqsParameters.MessageGroupId`);
  }
  const deadLetterArn = str((t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn);
  if (deadLetterArn?.endsWith('.fifo')) {
    throw new UnsupportedResourceError(
      `${at}.DeadLetterConfig.Arn ${deadLetterArn}: a FIFO queue cannot be a rule's dead-letter queue`,
    );
  }
  const retry = (t.RetryPolicy ?? {}) as {
    MaximumRetryAttempts?: unknown;
    MaximumEventAgeInSeconds?: unknown;
  };
  const transformer = t.InputTransformer as
    { InputPathsMap?: Record<string, unknown>; InputTemplate?: unknown } | undefined;
  return {
    id: str(t.Id) ?? arn,
    arn,
    input: {
      input: str(t.Input),
      inputPath: str(t.InputPath),
      transformer: transformer && {
        pathsMap: Object.fromEntries(
          Object.entries(transformer.InputPathsMap ?? {}).map(([k, v]) => [k, str(v) ?? '']),
        ),
        template: str(transformer.InputTemplate) ?? '',
      },
    },
    messageGroupId,
    maxRetryAttempts: retry.MaximumRetryAttempts === undefined ? 185 : Number(retry.MaximumRetryAttempts),
    maxEventAgeSeconds:
      retry.MaximumEventAgeInSeconds === undefined ? 86_400 : Number(retry.MaximumEventAgeInSeconds),
    deadLetterArn,
  };
}

/**
 * A pattern with every intrinsic (`{ Ref }`, `{ "Fn::…" }`) replaced by {@link UNRESOLVED}: a value in a
 * list, or a list of one where a field's alternatives are.
 */
function withoutIntrinsics(value: unknown, inList = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutIntrinsics(v, true));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::'))) {
    return inList ? UNRESOLVED : [UNRESOLVED];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutIntrinsics(v)]));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** EventBridge: buses, rules, targets, PutEvents and scheduled rules. */
export const events: ServiceModule = {
  name: 'events',
  state: EventsService,
  provisioners: {
    'AWS::Events::EventBus': eventBus,
    'AWS::Events::Rule': rule,
    'AWS::Events::EventBusPolicy': accepted(NOT_ENFORCED, regional('events', 'event-bus/')),
    'AWS::Events::Archive': accepted(
      'events are not archived offline and cannot be replayed; delivery to rules is unaffected',
      regional('events', 'archive/'),
    ),
  },
};
