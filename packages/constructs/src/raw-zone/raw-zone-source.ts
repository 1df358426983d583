import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LAKE_ZONES } from '../contracts/index.js';
import { EventStream } from '../event-stream/event-stream.js';
import { alarmAbove } from '../private/alarm.js';
import { bufferingHints } from './buffering.js';
import { nagResource } from '../private/nag.js';

/** How long Firehose gathers a source's records before it writes an object: whichever comes first. */
export interface RawZoneBuffering {
  /** 1 to 128 MiB, whole MiB. */
  readonly size: Size;
  /** 0 to 900 seconds; 0 delivers within seconds. */
  readonly interval: Duration;
}

/**
 * What a source's records go through before they are written: a function of yours (Firehose's data
 * transformation contract), the bundled `'json-lines'` transform, or `'none'` (the records' bytes as they
 * are, concatenated: they must end in `\n` themselves for the objects to be JSON lines).
 */
export type RawZoneTransform = lambda.IFunction | 'json-lines' | 'none';

/** Properties of a source of a {@link RawZone} (`addSource`). */
export interface RawZoneSourceProps {
  /**
   * The source's name: its folder `raw/<name>/` and the name its Glue table usually takes (a lower-case
   * letter, then up to 63 lower-case letters, digits or `_`).
   */
  readonly name: string;

  /**
   * The Kinesis stream the delivery stream reads (an EventStream, or any `kinesis.IStream`). Firehose then
   * refuses direct puts: producers write to the stream.
   * @default - direct put: grant producers {@link RawZoneSource.grantPutRecords}
   */
  readonly stream?: kinesis.IStream | EventStream;

  /**
   * The delivery's buffering: both hints or neither.
   * @default - the RawZone's `defaultBuffering`, else Firehose's 5 MiB or 300 seconds
   */
  readonly buffering?: RawZoneBuffering;

  /**
   * What the records go through before they are written. The bundled `'json-lines'` transform keeps each
   * record that is one JSON value, compacted, with `\n` appended; drops empty records (change-capture
   * tombstones); and fails anything else (to `errors/<name>/processing-failed/`, with the reason).
   * @default 'json-lines'
   */
  readonly transform?: RawZoneTransform;

  /**
   * The data freshness (age of the oldest record not yet in S3) above which the freshness alarm fires.
   * @default - twice the buffering interval, plus 5 minutes
   */
  readonly freshnessThreshold?: Duration;
}

/** What {@link RawZone.addSource} gives a {@link RawZoneSource} besides the caller's props. */
export interface RawZoneSourceConstructProps extends RawZoneSourceProps {
  /** The lake bucket. */
  readonly bucket: s3.IBucket;
  /** The resolved buffering. */
  readonly buffering: RawZoneBuffering;
  /** The transformation function, when there is one. */
  readonly transformFunction?: lambda.IFunction;
  /** Whether it is the bundled `lake-json-lines` handler (which publishes per-stream failure counts). */
  readonly bundledTransform: boolean;
  /** Where the alarms notify. */
  readonly alarmTopic?: sns.ITopic;
  /** How long the delivery error logs are kept. */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when it leaves the stack. */
  readonly removalPolicy?: RemovalPolicy;
}

/** Retries of a transformation invocation before its records are processing-failed (Firehose's default). */
const TRANSFORM_RETRIES = 3;
/**
 * Input Firehose gathers per transformation invocation. 1 MiB (Firehose's default) keeps the base64
 * answer well under Lambda's 6 MB synchronous response limit.
 */
const TRANSFORM_BUFFER_MIB = 1;

/**
 * One source of a {@link RawZone}: a Firehose delivery stream (direct put, or reading a Kinesis stream)
 * writing gzip JSON lines to `raw/<name>/dt=<yyyy-MM-dd>/hour=<HH>/` of the lake bucket, failures to
 * `errors/<name>/<error-output-type>/dt=<yyyy-MM-dd>/`, with a delivery role that may write only those two
 * folders, error logs in CloudWatch, and alarms on delivery, freshness and transformation. Made by
 * {@link RawZone.addSource}.
 */
export class RawZoneSource extends Construct {
  /** The source's name. */
  public readonly name: string;
  /** The delivery stream. */
  public readonly deliveryStream: firehose.CfnDeliveryStream;
  /** The delivery stream's name. */
  public readonly deliveryStreamName: string;
  /** The delivery stream's ARN. */
  public readonly deliveryStreamArn: string;
  /** The role Firehose assumes to read the source, transform, write the bucket and log. */
  public readonly role: iam.Role;
  /** The delivery stream's error logs (log stream `S3Delivery`). */
  public readonly logGroup: logs.LogGroup;
  /** `raw/<name>/`: where the source's objects land (under `dt=…/hour=…/`). */
  public readonly prefix: string;
  /** The Firehose `Prefix` expression. */
  public readonly prefixExpression: string;
  /** The Firehose `ErrorOutputPrefix` expression. */
  public readonly errorOutputPrefixExpression: string;
  /** The buffering the delivery stream uses. */
  public readonly buffering: RawZoneBuffering;
  /** The transformation function, if any. */
  public readonly transformFunction?: lambda.IFunction;
  /** Whether the delivery stream reads a Kinesis stream (so it takes no direct puts). */
  public readonly fromStream: boolean;
  /** Fires when deliveries to S3 fail. */
  public readonly deliveryFailingAlarm: cloudwatch.Alarm;
  /** Fires when the oldest undelivered record is older than the threshold. */
  public readonly freshnessAlarm: cloudwatch.Alarm;
  /** Fires when transformation invocations fail (only with a transform). */
  public readonly transformFailingAlarm?: cloudwatch.Alarm;
  /** Fires when the bundled transform answers ProcessingFailed for records (only with `'json-lines'`). */
  public readonly recordsProcessingFailedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RawZoneSourceConstructProps) {
    super(scope, id);
    this.name = props.name;
    this.buffering = props.buffering;
    this.transformFunction = props.transformFunction;
    this.prefix = `${LAKE_ZONES.raw}${props.name}/`;
    this.prefixExpression = `${this.prefix}dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
    this.errorOutputPrefixExpression = `${LAKE_ZONES.errors}${props.name}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;
    const stream = props.stream instanceof EventStream ? props.stream.stream : props.stream;
    this.fromStream = stream !== undefined;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const logStream = new logs.LogStream(this, 'S3DeliveryLogs', {
      logGroup: this.logGroup,
      logStreamName: 'S3Delivery',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Delivery role of ${this.node.path}: writes raw/${props.name}/ and errors/${props.name}/ only`,
    });
    props.bucket.grantPut(this.role, `${this.prefix}*`);
    props.bucket.grantPut(this.role, `${LAKE_ZONES.errors}${props.name}/*`);
    props.bucket.grantRead(this.role, `${this.prefix}*`);
    this.logGroup.grantWrite(this.role);
    stream?.grantRead(this.role);
    if (props.transformFunction) {
      props.transformFunction.grantInvoke(this.role);
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:GetFunctionConfiguration'],
          resources: [props.transformFunction.functionArn],
        }),
      );
    }

    const fn = props.transformFunction;
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Resource', {
      deliveryStreamType: stream ? 'KinesisStreamAsSource' : 'DirectPut',
      kinesisStreamSourceConfiguration: stream
        ? { kinesisStreamArn: stream.streamArn, roleArn: this.role.roleArn }
        : undefined,
      // Firehose encrypts what it buffers for direct puts; a Kinesis source's records stay under the
      // stream's own encryption (AWS refuses this setting for such a stream).
      deliveryStreamEncryptionConfigurationInput: stream ? undefined : { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: props.bucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: this.prefixExpression,
        errorOutputPrefix: this.errorOutputPrefixExpression,
        bufferingHints: {
          sizeInMBs: bufferingHints(props.buffering).SizeInMBs,
          intervalInSeconds: bufferingHints(props.buffering).IntervalInSeconds,
        },
        compressionFormat: 'GZIP',
        encryptionConfiguration: props.bucket.encryptionKey
          ? { kmsEncryptionConfig: { awskmsKeyArn: props.bucket.encryptionKey.keyArn } }
          : undefined,
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: this.logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
        s3BackupMode: 'Disabled',
        processingConfiguration: fn
          ? {
              enabled: true,
              processors: [
                {
                  type: 'Lambda',
                  parameters: [
                    { parameterName: 'LambdaArn', parameterValue: fn.functionArn },
                    { parameterName: 'NumberOfRetries', parameterValue: String(TRANSFORM_RETRIES) },
                    { parameterName: 'BufferSizeInMBs', parameterValue: String(TRANSFORM_BUFFER_MIB) },
                    {
                      parameterName: 'BufferIntervalInSeconds',
                      // Never hold records longer for the transform than the destination would.
                      parameterValue: String(Math.min(props.buffering.interval.toSeconds(), 60)),
                    },
                  ],
                },
              ],
            }
          : undefined,
      },
    });
    // Firehose checks the role's access when the stream is created: the policy must exist first.
    this.deliveryStream.node.addDependency(this.role);
    this.deliveryStreamName = this.deliveryStream.ref;
    this.deliveryStreamArn = this.deliveryStream.attrArn;
    if (stream) {
      Validations.of(this.deliveryStream).acknowledge({
        id: 'AwsSolutions::AwsSolutions-KDF1',
        reason:
          'The delivery stream reads a Kinesis stream: its records stay encrypted by that stream; Firehose refuses server-side encryption for a Kinesis-sourced delivery stream.',
      });
    }
    this.acknowledgeRoleFindings(props, stream);

    const fiveMinutes = { period: Duration.minutes(5) };
    this.deliveryFailingAlarm = this.alarmBelowOne(
      'DeliveryToS3Failing',
      this.metric('DeliveryToS3.Success', { ...fiveMinutes, statistic: 'Average' }),
      'deliveries to S3 failed for 5 minutes: Firehose retries for 24 hours, then the records are lost. Read the S3Delivery log stream (permissions, bucket policy, KMS key).',
      props.alarmTopic,
    );
    const threshold =
      props.freshnessThreshold ?? Duration.seconds(2 * props.buffering.interval.toSeconds() + 300);
    this.freshnessAlarm = alarmAbove(
      this,
      'DataFreshness',
      this.metric('DeliveryToS3.DataFreshness', { ...fiveMinutes, statistic: 'Maximum' }),
      {
        description: `the oldest record not yet in raw/${props.name}/ is older than ${threshold.toHumanString()}: deliveries lag or fail, and queries miss recent data.`,
        threshold: threshold.toSeconds(),
        topic: props.alarmTopic,
      },
    );
    if (fn) {
      this.transformFailingAlarm = this.alarmBelowOne(
        'TransformFailing',
        this.metric('ExecuteProcessing.Success', { ...fiveMinutes, statistic: 'Average' }),
        `invocations of the transformation failed for 5 minutes: their records go to errors/${props.name}/processing-failed/. Look at the function's errors and logs.`,
        props.alarmTopic,
      );
    }
    if (props.bundledTransform) {
      this.recordsProcessingFailedAlarm = alarmAbove(
        this,
        'RecordsProcessingFailed',
        new cloudwatch.Metric({
          namespace: 'Conflux',
          metricName: 'RecordsProcessingFailed',
          dimensionsMap: { service: 'lake-json-lines', DeliveryStreamName: this.deliveryStreamName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        {
          description: `records were not one JSON value each and went to errors/${props.name}/processing-failed/ with the reason: fix the producer, then replay them from there.`,
          topic: props.alarmTopic,
        },
      );
    }
  }

  /** A metric of the delivery stream (namespace `AWS/Firehose`, dimension `DeliveryStreamName`). */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName },
      ...props,
    });
  }

  /**
   * Grants `grantee` putting records into the delivery stream (`PutRecord`, `PutRecordBatch`). Only for a
   * direct-put source: a source that reads a Kinesis stream takes its records from that stream.
   */
  public grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    if (this.fromStream) {
      throw new Error(
        `${this.node.path}: the source "${this.name}" reads a Kinesis stream, and Firehose refuses direct puts to such a delivery stream: grant writing the stream instead (EventStream.grantWrite), or leave stream out for a direct-put source.`,
      );
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      resourceArns: [this.deliveryStreamArn],
    });
  }

  private alarmBelowOne(
    id: string,
    metric: cloudwatch.IMetric,
    description: string,
    topic: sns.ITopic | undefined,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: `${this.node.path}: ${description}`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No deliveries, no data: an idle source is not a failing one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (topic) alarm.addAlarmAction(new cwActions.SnsAction(topic));
    return alarm;
  }

  private acknowledgeRoleFindings(props: RawZoneSourceConstructProps, stream: kinesis.IStream | undefined) {
    const stack = Stack.of(this);
    const findings: { id: string; reason: string }[] = [];
    const grantVerbs =
      'The bucket grants (grantPut, grantRead) use S3’s action families (s3:Abort*, s3:GetObject*, s3:GetBucket*, s3:List*), which Firehose needs to write and complete multipart uploads.';
    for (const action of ['s3:Abort*', 's3:GetObject*', 's3:GetBucket*', 's3:List*']) {
      findings.push({ id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`, reason: grantVerbs });
    }
    const bucketArn = nagResource(stack, props.bucket.bucketArn);
    if (bucketArn) {
      for (const folder of [this.prefix, `${LAKE_ZONES.errors}${props.name}/`]) {
        findings.push({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${folder}*]`,
          reason: `Firehose writes objects with generated names under ${folder}; the role is limited to that folder of the lake bucket.`,
        });
      }
    }
    if (props.bucket.encryptionKey) {
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        findings.push({
          id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
          reason:
            'Writing SSE-KMS objects needs data keys from the lake’s key; the grant is on that key only.',
        });
      }
    }
    const logGroupArn = nagResource(stack, this.logGroup.logGroupArn);
    if (logGroupArn) {
      findings.push({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${logGroupArn}:*]`,
        reason: 'Firehose writes its error log streams in this log group only.',
      });
    }
    if (props.transformFunction) {
      const fnArn = nagResource(stack, props.transformFunction.functionArn);
      if (fnArn) {
        findings.push({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${fnArn}:*]`,
          reason: 'grantInvoke allows the transformation function and its versions (<arn>:*); nothing else.',
        });
      }
    }
    if (stream) {
      findings.push({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'kinesis:ListStreams (part of reading a stream) supports no resource-level permissions; every other read action is on the source stream.',
      });
    }
    Validations.of(this.role).acknowledge(...findings);
  }
}
