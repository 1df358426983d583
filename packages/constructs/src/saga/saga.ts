import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { alarmAbove } from '../private/alarm.js';
import { PropsValidator } from '../private/validation.js';

/** A Lambda operation of a saga: the function and the `operation` it is asked to perform. */
export interface SagaTask {
  readonly function: lambda.IFunction;
  readonly operation: string;
}

/** One step: its action and the compensation that undoes it. */
export interface SagaStep {
  /** Names the step; its result lands at `$.results.<name>` for later steps. */
  readonly name: string;
  readonly action: SagaTask;
  /** Undoes the action; only the last step may go without. Must be idempotent (it may run more than once). */
  readonly compensation?: SagaTask;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
}

/** Properties of a {@link Saga}. */
export interface SagaProps {
  readonly steps: readonly SagaStep[];
  /**
   * The field under which every step (and the compensation DLQ message) receives the saga's input: a step
   * gets `{ operation, <inputName>, results }`. A letter, then letters, digits or `_`.
   * @default 'input'
   */
  readonly inputName?: string;
  /** Error names that mean "this cannot succeed": never retried, straight to compensation. */
  readonly businessErrors: readonly string[];
  /** Error names worth retrying, besides Lambda's own service errors. @default ['TransientError'] */
  readonly transientErrors?: readonly string[];
  /** Where the saga records its failure: the item whose `status` becomes `FAILED` with the error and cause. */
  readonly statusRecord?: {
    readonly table: dynamodb.ITable;
    readonly keyName: string;
    /** JSONPath of the key's value in the saga input, e.g. `$.order.orderId`. */
    readonly keyPath: string;
  };
  /** Whole-saga timeout. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  readonly alarmTopic?: sns.ITopic;
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * A saga orchestrated on a Standard state machine (JSONPath). Each step gets `{ operation, <inputName>,
 * results }`, the saga's input under `inputName`. A step retries transient errors with exponential backoff and full
 * jitter; a business error, a timeout or retries exhausted at step k runs the compensations of steps
 * k … 1 in reverse (step k's too: a timed-out step may have acted, and compensations are idempotent), records
 * the failure and ends `Failed` with error `SagaCompensated` — or `SagaCompensationIncomplete` when a
 * compensation kept failing and was sent, with its cause, to the compensation DLQ (which alarms).
 * Logging ALL, X-Ray, per-step and whole-saga timeouts.
 */
export class Saga extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's execution log (level ALL): what compensation metrics are counted from. */
  public readonly logGroup: logs.LogGroup;
  /** Compensations that failed all their retries, with the saga input and the error. */
  public readonly compensationDlq: sqs.Queue;
  /** Error names a step retries. */
  public readonly transientErrors: readonly string[];

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    const transient = [...LAMBDA_TRANSIENT, ...(props.transientErrors ?? ['TransientError'])];
    this.transientErrors = transient;
    validate(this, props, transient);
    const input = props.inputName ?? 'input';

    this.compensationDlq = new sqs.Queue(this, 'CompensationDlq', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const isDlq =
      'This queue is the dead-letter queue of compensations that failed every retry; it alarms when not empty.';
    Validations.of(this.compensationDlq).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDlq },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: isDlq },
    );
    alarmAbove(
      this,
      'CompensationDlqNotEmpty',
      this.compensationDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        description: 'a compensation failed every retry; undo its step by hand, then redrive.',
        topic: props.alarmTopic,
      },
    );

    const invoke = (stateId: string, task: SagaTask, timeout: Duration, resultPath: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: task.function,
        payload: sfn.TaskInput.fromObject({
          operation: task.operation,
          [`${input}.$`]: `$.${input}`,
          'results.$': '$.results',
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
        taskTimeout: sfn.Timeout.duration(timeout),
      });

    // The end of every failure: record it, then fail with what happened.
    const incomplete = new sfn.Fail(this, 'CompensationIncomplete', {
      error: 'SagaCompensationIncomplete',
      cause:
        'A compensation failed every retry and is in the compensation DLQ; the saga is not fully undone.',
    });
    const compensated = new sfn.Fail(this, 'Compensated', {
      error: 'SagaCompensated',
      cause: 'A step failed; every completed step was compensated. The failure is recorded with its cause.',
    });
    const outcome = new sfn.Choice(this, 'AllCompensated')
      .when(sfn.Condition.isPresent('$.compensationIncomplete'), incomplete)
      .otherwise(compensated);
    let failureEnd: sfn.IChainable = outcome;
    if (props.statusRecord) {
      const { table, keyName, keyPath } = props.statusRecord;
      failureEnd = new tasks.DynamoUpdateItem(this, 'RecordFailure', {
        table,
        key: { [keyName]: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt(keyPath)) },
        updateExpression: 'SET #s = :failed, failureError = :error, failureCause = :cause',
        expressionAttributeNames: { '#s': 'status' },
        expressionAttributeValues: {
          ':failed': tasks.DynamoAttributeValue.fromString('FAILED'),
          ':error': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.failure.Error')),
          ':cause': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.failure.Cause')),
        },
        resultPath: sfn.JsonPath.DISCARD,
      }).next(outcome);
    }

    // Compensating step i leads to compensating step i − 1 (so a failure unwinds in reverse), step 0 to the
    // failure end. Each retries until it succeeds or lands in the DLQ, and then the next one runs.
    const compensationEntry: (sfn.IChainable | undefined)[] = [];
    let next: sfn.IChainable = failureEnd;
    for (let i = 0; i < props.steps.length; i += 1) {
      const step = props.steps[i];
      if (!step?.compensation) {
        compensationEntry[i] = next;
        continue;
      }
      const compensate = invoke(
        `Compensate ${step.name}`,
        step.compensation,
        step.timeout ?? Duration.seconds(30),
        sfn.JsonPath.DISCARD,
      );
      compensate.addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.seconds(30),
        jitterStrategy: sfn.JitterType.FULL,
      });
      const deadLetter = new tasks.SqsSendMessage(this, `Dead-letter ${step.name} compensation`, {
        queue: this.compensationDlq,
        messageBody: sfn.TaskInput.fromObject({
          step: step.name,
          operation: step.compensation.operation,
          [`${input}.$`]: `$.${input}`,
          'failure.$': '$.failure',
          'compensationError.$': '$.compensationError',
          'execution.$': '$$.Execution.Id',
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      const flag = new sfn.Pass(this, `Flag ${step.name} compensation incomplete`, {
        result: sfn.Result.fromBoolean(true),
        resultPath: '$.compensationIncomplete',
      });
      compensate.addCatch(deadLetter.next(flag).next(next), {
        errors: ['States.ALL'],
        resultPath: '$.compensationError',
      });
      compensate.next(next);
      next = compensate;
      compensationEntry[i] = compensate;
    }

    const init = new sfn.Pass(this, 'Start', { parameters: { [`${input}.$`]: '$', results: {} } });
    let chain: sfn.INextable & sfn.IChainable = init;
    props.steps.forEach((step, i) => {
      const action = invoke(
        step.name,
        step.action,
        step.timeout ?? Duration.seconds(30),
        `$.results.${step.name}`,
      );
      action.addRetry({
        errors: [...transient],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 3,
        maxDelay: Duration.seconds(10),
        jitterStrategy: sfn.JitterType.FULL,
      });
      const undo = compensationEntry[i] ?? failureEnd;
      action.addCatch(undo, { errors: [...props.businessErrors], resultPath: '$.failure' });
      action.addCatch(undo, { errors: ['States.ALL'], resultPath: '$.failure' });
      chain.next(action);
      chain = action;
    });
    chain.next(new sfn.Succeed(this, 'Completed'));

    const logGroup = (this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    }));
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(init),
      timeout: props.timeout ?? Duration.minutes(5),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    const functions = [...new Set(props.steps.flatMap((s) => [s.action.function, s.compensation?.function]))];
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
      },
      ...functions
        .filter((fn): fn is lambda.IFunction => fn !== undefined)
        .map((fn) => ({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
          reason:
            'LambdaInvoke grants lambda:InvokeFunction on a step function and its versions (<arn>:*); nothing else.',
        })),
    );

    alarmAbove(
      this,
      'ExecutionsFailed',
      this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      {
        description: 'sagas failed (compensated or not); look at the failure recorded on each.',
        topic: props.alarmTopic,
      },
    );
  }
}

function validate(scope: Construct, props: SagaProps, transient: readonly string[]): void {
  const check = new PropsValidator('Saga', scope);
  check.require(props.steps.length > 0, 'steps must list at least one step.');
  const input = props.inputName ?? 'input';
  check.require(
    /^[A-Za-z][A-Za-z0-9_]*$/.test(input) && !['operation', 'results', 'failure'].includes(input),
    `inputName must be a letter then letters, digits or _, and not operation, results or failure (the saga's own fields); received ${JSON.stringify(input)}.`,
  );
  const names = props.steps.map((s) => s.name);
  check.require(
    new Set(names).size === names.length,
    `step names must be unique; received ${names.join(', ')}.`,
  );
  props.steps.slice(0, -1).forEach((s) => {
    check.require(
      s.compensation !== undefined,
      `step ${s.name} has no compensation: a failure after it could not be undone. Give it one, or make it the last step.`,
    );
  });
  for (const s of props.steps) {
    check.require(
      /^[a-zA-Z][a-zA-Z0-9]*$/.test(s.name),
      `step name ${s.name} must be letters and digits (it is a JSONPath key).`,
    );
    check.durationInRange(`steps.${s.name}.timeout`, s.timeout, Duration.seconds(1), Duration.minutes(15));
  }
  const both = props.businessErrors.filter((e) => transient.includes(e));
  check.require(both.length === 0, `${both.join(', ')} cannot be both a business error and a transient one.`);
  check.throwIfInvalid();
}
