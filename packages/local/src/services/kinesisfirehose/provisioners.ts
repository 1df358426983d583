import {
  NOT_ENFORCED,
  NO_OBSERVABILITY,
  physicalName,
  staticText,
  str,
  TAGS,
  type CheckContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import type { S3Destination } from './delivery-stream.js';
import { hasExpressions, prefixProblems } from './prefix.js';
import { FirehoseService } from './service.js';

type Props = Readonly<Record<string, unknown>>;
type Parameter = { readonly ParameterName?: unknown; readonly ParameterValue?: unknown };
type Processor = { readonly Type?: unknown; readonly Parameters?: readonly Parameter[] };

const MIB = 1024 * 1024;
/** The destinations Firehose has besides S3: the runtime delivers to S3 only. */
const OTHER_DESTINATIONS = [
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
];

/** The S3 destination of a delivery stream's properties: the extended one or the plain one. */
function destinationOf(p: Props): Props | undefined {
  return (p.ExtendedS3DestinationConfiguration ?? p.S3DestinationConfiguration) as Props | undefined;
}

const processorsOf = (d: Props): readonly Processor[] => {
  const config = d.ProcessingConfiguration as
    { Enabled?: unknown; Processors?: readonly Processor[] } | undefined;
  if (!config || config.Enabled === false || config.Enabled === 'false') return [];
  return config.Processors ?? [];
};

const parameter = (processor: Processor, name: string): unknown =>
  processor.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;

/** The problems that stop a delivery stream from running faithfully offline. */
function problemsOf(ctx: CheckContext, p: Props): string[] {
  const problems: string[] = [];
  const bad = (text: string) => problems.push(`${ctx.where}: ${text}`);
  const type = staticText(p.DeliveryStreamType) ?? 'DirectPut';
  if (type !== 'DirectPut' && type !== 'KinesisStreamAsSource') {
    bad(`DeliveryStreamType ${type} is not run offline; use DirectPut or KinesisStreamAsSource`);
  }
  if (
    type === 'KinesisStreamAsSource' &&
    !(p.KinesisStreamSourceConfiguration as Props | undefined)?.KinesisStreamARN
  ) {
    bad('KinesisStreamSourceConfiguration.KinesisStreamARN is required for a KinesisStreamAsSource stream');
  }
  for (const other of OTHER_DESTINATIONS) {
    if (p[other] !== undefined) bad(`${other} is not delivered offline; the runtime delivers to S3 only`);
  }
  const d = destinationOf(p);
  if (!d) {
    bad('the delivery stream has no ExtendedS3DestinationConfiguration; the runtime delivers to S3 only');
    return problems;
  }
  const size = d.BufferingHints ? Number((d.BufferingHints as Props).SizeInMBs ?? 5) : 5;
  const interval = d.BufferingHints ? Number((d.BufferingHints as Props).IntervalInSeconds ?? 300) : 300;
  if (!Number.isInteger(size) || size < 1 || size > 128)
    bad(`BufferingHints.SizeInMBs ${size} must be 1 to 128`);
  if (!Number.isInteger(interval) || interval < 0 || interval > 900) {
    bad(`BufferingHints.IntervalInSeconds ${interval} must be 0 to 900`);
  }
  const compression = staticText(d.CompressionFormat) ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
    bad(`CompressionFormat ${compression} is not written offline; use GZIP or UNCOMPRESSED`);
  }
  const prefix = staticText(d.Prefix) ?? '';
  const errorPrefix = staticText(d.ErrorOutputPrefix);
  problems.push(...prefixProblems(prefix, 'Prefix').map((x) => `${ctx.where}: ${x}`));
  if (errorPrefix !== undefined) {
    problems.push(...prefixProblems(errorPrefix, 'ErrorOutputPrefix').map((x) => `${ctx.where}: ${x}`));
  }
  if (hasExpressions(prefix) && (errorPrefix === undefined || errorPrefix === '')) {
    bad('a Prefix with !{…} expressions needs an ErrorOutputPrefix (Firehose refuses the stream otherwise)');
  }
  const dynamic = d.DynamicPartitioningConfiguration as Props | undefined;
  if (dynamic && dynamic.Enabled !== false && dynamic.Enabled !== 'false') {
    bad(
      'DynamicPartitioningConfiguration is not run offline; partition by !{timestamp:…} in the Prefix instead',
    );
  }
  const conversion = d.DataFormatConversionConfiguration as Props | undefined;
  if (conversion && conversion.Enabled !== false && conversion.Enabled !== 'false') {
    bad('DataFormatConversionConfiguration (Parquet/ORC) is not run offline; deliver JSON');
  }
  if (staticText(d.S3BackupMode) === 'Enabled') {
    bad('S3BackupMode Enabled is not run offline; set it to Disabled');
  }
  if (staticText(d.CustomTimeZone) !== undefined && staticText(d.CustomTimeZone) !== 'UTC') {
    bad(
      `CustomTimeZone ${staticText(d.CustomTimeZone) ?? ''} is not applied offline; prefixes are evaluated in UTC`,
    );
  }
  if (d.BucketARN === undefined) bad('the S3 destination has no BucketARN');
  const extension = staticText(d.FileExtension);
  if (extension !== undefined && !/^$|^\.[0-9a-z!\-_.*'()]{1,127}$/.test(extension)) {
    bad(
      `FileExtension ${JSON.stringify(extension)} is not one Firehose takes: a dot, then lower-case letters, digits or !-_.*'()`,
    );
  }
  for (const processor of processorsOf(d))
    problems.push(...processorProblems(processor).map((x) => `${ctx.where}: ${x}`));
  return problems;
}

/** What is wrong with one processor of `ProcessingConfiguration`, as Firehose (or the runtime) sees it. */
function processorProblems(processor: Processor): string[] {
  const kind = staticText(processor.Type);
  if (kind === APPEND_DELIMITER) {
    return parameter(processor, 'Delimiter') === undefined
      ? []
      : [
          "the AppendDelimiterToRecord processor's Delimiter is not applied offline; leave it out to append \\n",
        ];
  }
  if (kind !== 'Lambda') {
    return [
      `the ${kind ?? 'unnamed'} processor is not run offline; the runtime runs the Lambda and AppendDelimiterToRecord processors`,
    ];
  }
  const problems: string[] = [];
  if (parameter(processor, 'LambdaArn') === undefined)
    problems.push('the Lambda processor has no LambdaArn parameter');
  const retries = Number(parameter(processor, 'NumberOfRetries') ?? 3);
  if (!Number.isInteger(retries) || retries < 0 || retries > 300) {
    problems.push(`the Lambda processor's NumberOfRetries ${String(retries)} must be 0 to 300`);
  }
  const size = Number(parameter(processor, 'BufferSizeInMBs') ?? 1);
  if (!(size >= 0.2 && size <= 3)) {
    problems.push(`the Lambda processor's BufferSizeInMBs ${String(size)} must be 0.2 to 3`);
  }
  return problems;
}

const APPEND_DELIMITER = 'AppendDelimiterToRecord';

/** The resolved S3 destination the runtime delivers to. */
function s3Destination(p: Props, sourceStreamArn: string | undefined): S3Destination {
  const d = destinationOf(p) ?? {};
  const hints = (d.BufferingHints ?? {}) as Props;
  const gzip = str(d.CompressionFormat) === 'GZIP';
  const lambda = processorsOf(d).find((x) => str(x.Type) === 'Lambda');
  const lambdaArn = lambda ? str(parameter(lambda, 'LambdaArn')) : undefined;
  return {
    bucket: (str(d.BucketARN) ?? '').replace(/^arn:[^:]+:s3:::/, ''),
    prefix: str(d.Prefix) ?? '',
    // Without an ErrorOutputPrefix Firehose writes errors under the error type's folder, dated.
    errorOutputPrefix: str(d.ErrorOutputPrefix) || '!{firehose:error-output-type}/',
    sizeBytes: Number(hints.SizeInMBs ?? 5) * MIB,
    intervalMs: Number(hints.IntervalInSeconds ?? 300) * 1000,
    gzip,
    fileExtension: str(d.FileExtension) ?? (gzip ? '.gz' : ''),
    appendDelimiter: processorsOf(d).some((x) => str(x.Type) === APPEND_DELIMITER),
    ...(lambda && lambdaArn
      ? {
          transform: {
            lambdaArn: lambdaArn.replace(/:\$LATEST$/, ''),
            retries: Number(parameter(lambda, 'NumberOfRetries') ?? 3),
            maxBytes: Number(parameter(lambda, 'BufferSizeInMBs') ?? 1) * MIB,
            ...(sourceStreamArn ? { sourceStreamArn } : {}),
          },
        }
      : {}),
  };
}

const deliveryStream: Provisioner = {
  applies: [
    'DeliveryStreamName',
    'DeliveryStreamType',
    'KinesisStreamSourceConfiguration',
    'ExtendedS3DestinationConfiguration',
    'S3DestinationConfiguration',
  ],
  accepts: {
    DeliveryStreamEncryptionConfigurationInput: NOT_ENFORCED,
    Tags: TAGS,
    'ExtendedS3DestinationConfiguration.RoleARN': NOT_ENFORCED,
    'ExtendedS3DestinationConfiguration.EncryptionConfiguration': NOT_ENFORCED,
    'ExtendedS3DestinationConfiguration.CloudWatchLoggingOptions': NO_OBSERVABILITY,
    'ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors.Parameters.BufferIntervalInSeconds':
      'the transformation runs on each delivery, with the records the destination buffer holds',
    'ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors.Parameters.RoleArn': NOT_ENFORCED,
    'KinesisStreamSourceConfiguration.RoleARN': NOT_ENFORCED,
  },
  check: problemsOf,
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const name = str(p.DeliveryStreamName) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    const arn = `arn:${ctx.env.partition}:firehose:${ctx.env.region}:${ctx.env.accountId}:deliverystream/${name}`;
    const source = str((p.KinesisStreamSourceConfiguration as Props | undefined)?.KinesisStreamARN);
    const sourceArn = str(p.DeliveryStreamType) === 'KinesisStreamAsSource' ? source : undefined;
    ctx.service(FirehoseService).add(name, arn, s3Destination(p, sourceArn), sourceArn);
    return { ref: name, attributes: { Arn: arn } };
  },
};

/** Firehose: delivery streams from direct put or Kinesis into the local S3 engine. */
export const firehose: ServiceModule = {
  name: 'kinesisfirehose',
  state: FirehoseService,
  provisioners: { 'AWS::KinesisFirehose::DeliveryStream': deliveryStream },
};
