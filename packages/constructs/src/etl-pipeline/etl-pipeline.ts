import { type CfnElement, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LAKE_ZONES } from '../contracts/index.js';
import { alarmAbove } from '../private/alarm.js';
import { nagResource } from '../private/nag.js';
import { etlDefinition } from './definition.js';
import { validateEtlPipeline } from './validation.js';

/** Properties of an {@link EtlPipeline}. */
export interface EtlPipelineProps {
  /**
   * The pipeline's name: the watermark's key and its folder under `staging/`, `quarantine/` and `curated/`
   * (a lower-case letter, then up to 39 lower-case letters, digits or `-`).
   */
  readonly pipelineName: string;

  /**
   * Reads the window's rows from the source and stages them (`staging/<pipeline>/<window>/extracted.json.gz`);
   * invoked with an `EtlExtractEvent`-shaped payload (`@conflux/handler-kit/lake` `createExtractHandler`).
   * Its read of the source is yours to grant.
   */
  readonly extract: lambda.IFunction;

  /** Cleanses the staged rows: `transformed.json.gz`, and the rejected rows under `quarantine/<pipeline>/`. */
  readonly transform: lambda.IFunction;

  /** Writes the transformed rows under `curated/<pipeline>/`, idempotently. */
  readonly load: lambda.IFunction;

  /** The lake bucket (a RawZone's `bucket`). */
  readonly bucket: s3.IBucket;

  /**
   * When the pipeline runs: a Scheduler expression, `cron(0 2 * * ? *)`, `rate(1 day)` or
   * `at(2026-12-24T02:00:00)`, or a `scheduler.ScheduleExpression`.
   */
  readonly schedule: string | scheduler.ScheduleExpression;

  /**
   * The IANA time zone a `cron` or `at` expression is read in (`Europe/London`); Scheduler follows its
   * daylight-saving changes. Not with a ScheduleExpression that carries a time zone of its own.
   * @default 'UTC'
   */
  readonly timeZone?: string;

  /**
   * Let Scheduler start a run anywhere within this window after the scheduled time (1 to 1,440 minutes), to
   * spread load.
   * @default - off: at the scheduled time
   */
  readonly flexibleWindow?: Duration;

  /**
   * How often Scheduler retries starting an execution (0 to 185) before the attempt goes to the DLQ.
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long Scheduler keeps retrying to start one run (60 seconds to 24 hours).
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * How long a write to the source may take to become visible to the extract: a window ends at most this
   * long before the run starts.
   * @default Duration.minutes(1)
   */
  readonly settle?: Duration;

  /**
   * Whether the schedule is enabled. A disabled pipeline still runs by hand (`StartExecution`).
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The longest a run may take (1 minute to 24 hours); longer, it is timed out and alarms.
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;

  /**
   * Where the pipeline's alarms notify.
   * @default - the alarms are created without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * What happens to the watermark table when it leaves the stack. Without its watermark, the next run
   * starts from the epoch again.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long the state machine's execution logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A scheduled, watermarked ETL pipeline: an EventBridge Scheduler schedule starts a Standard state machine
 * that reads the pipeline's watermark (DynamoDB, consistent), then runs extract → transform → load
 * (Lambda, each staging its output in the lake bucket, see the ETL contract in
 * `@conflux/constructs/contracts`) over the window `(watermark, start − settle]`, and moves the
 * watermark to the window's end only after a successful load, only forward, and never over a gap: re-running
 * a window (`{"since": "<ISO>", "until": "<ISO>"}` of an earlier run) rewrites nothing and leaves the
 * watermark as it is, and so does a `since` past the watermark for the watermark.
 *
 * Logging ALL, X-Ray, a run timeout; the schedule's failed starts go to an encrypted DLQ; alarms on failed,
 * timed-out and throttled executions, the DLQ's depth and the schedule's target errors. Each step's role
 * may touch only its pipeline's folders.
 */
export class EtlPipeline extends Construct {
  /** The pipeline's name. */
  public readonly pipelineName: string;
  /** The ETL state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The watermark table (partition key `pipeline`; attributes `watermark`, `lastExecution`). */
  public readonly watermarkTable: dynamodb.Table;
  /** The schedule that starts the runs. */
  public readonly schedule: scheduler.Schedule;
  /** The schedule's own group, so its metrics are this pipeline's. */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** Runs Scheduler could not start, after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The state machine's execution logs. */
  public readonly logGroup: logs.LogGroup;
  /** Alarms: failed, timed-out and throttled executions, DLQ depth, schedule target errors. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EtlPipelineProps) {
    super(scope, id);
    const { expression, timeZone } = validateEtlPipeline(this, props);
    this.pipelineName = props.pipelineName;
    const p = props.pipelineName;

    this.watermarkTable = new dynamodb.Table(this, 'Watermarks', {
      partitionKey: { name: 'pipeline', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        etlDefinition(this, {
          pipeline: p,
          bucketName: props.bucket.bucketName,
          settle: props.settle ?? Duration.minutes(1),
          table: this.watermarkTable,
          extract: props.extract,
          transform: props.transform,
          load: props.load,
        }),
      ),
      timeout: props.timeout ?? Duration.hours(1),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.acknowledgeStateMachineFindings([props.extract, props.transform, props.load]);

    this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDlq', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const isDlq =
      'This queue is the dead-letter queue of the pipeline’s schedule (runs Scheduler could not start); it alarms when not empty.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: isDlq },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: isDlq },
    );

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(
        expression,
        timeZone === undefined ? undefined : TimeZone.of(timeZone),
      ),
      scheduleGroup: this.scheduleGroup,
      description: `Starts the ETL pipeline ${p}`,
      enabled: props.enabled ?? true,
      timeWindow: props.flexibleWindow
        ? scheduler.TimeWindow.flexible(props.flexibleWindow)
        : scheduler.TimeWindow.off(),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.retryAttempts ?? 3,
        maxEventAge: props.maxEventAge ?? Duration.hours(1),
      }),
    });

    this.grantSteps(props);
    this.alarms = this.addAlarms(props.alarmTopic);
  }

  /** Each step may touch only its pipeline's folders of the lake. */
  private grantSteps(props: EtlPipelineProps): void {
    const p = props.pipelineName;
    const staging = `${LAKE_ZONES.staging}${p}/*`;
    const quarantine = `${LAKE_ZONES.quarantine}${p}/*`;
    const curated = `${LAKE_ZONES.curated}${p}/*`;
    props.bucket.grantPut(props.extract, staging);
    props.bucket.grantRead(props.transform, staging);
    props.bucket.grantPut(props.transform, staging);
    props.bucket.grantPut(props.transform, quarantine);
    // GetObject on quarantine/ serves HeadObject (the object an earlier run of the window left).
    props.bucket.grantRead(props.transform, quarantine);
    props.bucket.grantRead(props.load, staging);
    // GetObject on curated/ serves HeadObject (is the object already there, with these bytes?); the
    // bucket-level List* makes a missing object answer 404 rather than 403.
    props.bucket.grantRead(props.load, curated);
    props.bucket.grantPut(props.load, curated);
    this.acknowledgeStepFindings(props, {
      extract: [staging],
      transform: [staging, quarantine],
      load: [staging, curated],
    });
  }

  /** The wildcards of the grants above are S3's action families and the pipeline's folders: say so. */
  private acknowledgeStepFindings(
    props: EtlPipelineProps,
    folders: Record<'extract' | 'transform' | 'load', string[]>,
  ): void {
    const bucketArn = nagResource(Stack.of(this), props.bucket.bucketArn);
    const families =
      'The bucket grants (grantRead, grantPut) use S3’s action families (s3:Abort*, s3:GetObject*, s3:GetBucket*, s3:List*) on the pipeline’s own folders of the lake only.';
    for (const name of ['extract', 'transform', 'load'] as const) {
      const role = props[name].role;
      if (!role) continue;
      Validations.of(role).acknowledge(
        ...['s3:Abort*', 's3:GetObject*', 's3:GetBucket*', 's3:List*'].map((action) => ({
          id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
          reason: families,
        })),
        ...(props.bucket.encryptionKey
          ? ['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
              id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
              reason:
                'Reading and writing SSE-KMS objects needs data keys from the lake’s key; the grant is on that key only.',
            }))
          : []),
        ...(bucketArn
          ? folders[name].map((folder) => ({
              id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${folder}]`,
              reason: `The ${name} step writes objects with window-derived names under ${folder.slice(0, -1)}, the pipeline’s own folder of the lake.`,
            }))
          : []),
      );
    }
  }

  private addAlarms(topic: sns.ITopic | undefined): cloudwatch.Alarm[] {
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const p = this.pipelineName;
    return [
      alarmAbove(this, 'ExecutionsFailed', this.stateMachine.metricFailed(fiveMinutes), {
        description: `a run of ${p} failed; its watermark did not move, so the next run covers the window again. Read the execution's history for the failing step.`,
        topic,
      }),
      alarmAbove(this, 'ExecutionsTimedOut', this.stateMachine.metricTimedOut(fiveMinutes), {
        description: `a run of ${p} took longer than its timeout and was stopped; the watermark did not move. Raise timeout or make a step faster.`,
        topic,
      }),
      alarmAbove(this, 'ExecutionsThrottled', this.stateMachine.metricThrottled(fiveMinutes), {
        description: `Step Functions throttled ${p}'s state transitions; runs are slowed down.`,
        topic,
      }),
      alarmAbove(
        this,
        'ScheduleDlqNotEmpty',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        {
          description: `Scheduler could not start a run of ${p} after its retries; the message says why. Start it by hand once fixed.`,
          topic,
        },
      ),
      alarmAbove(this, 'ScheduleTargetErrors', this.scheduleGroup.metricTargetErrors(fiveMinutes), {
        description: `Scheduler's StartExecution of ${p} failed (permissions, a deleted state machine, throttling); it retries, then dead-letters.`,
        topic,
      }),
    ];
  }

  private acknowledgeStateMachineFindings(functions: lambda.IFunction[]): void {
    const stack = Stack.of(this);
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
      },
      ...[...new Set(functions)]
        .filter((fn) => fn.node.defaultChild !== undefined)
        .map((fn) => ({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
          reason:
            'LambdaInvoke grants lambda:InvokeFunction on a step function and its versions (<arn>:*); nothing else.',
        })),
    );
  }
}
