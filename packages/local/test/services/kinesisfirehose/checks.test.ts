import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Lake',
  stackName: 'lake-dev',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

/** A direct-put delivery stream into the lake bucket, with the raw zone's prefixes. */
const stream = (
  destination: Record<string, unknown> = {},
  props: Record<string, unknown> = {},
): CfnResource => ({
  Type: 'AWS::KinesisFirehose::DeliveryStream',
  Properties: {
    DeliveryStreamType: 'DirectPut',
    ExtendedS3DestinationConfiguration: {
      BucketARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
      RoleARN: 'arn:aws:iam::000000000000:role/delivery',
      Prefix: 'raw/telemetry/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
      ErrorOutputPrefix: 'errors/telemetry/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 },
      CompressionFormat: 'GZIP',
      ...destination,
    },
    ...props,
  },
});

const lambdaProcessor = (parameters: Record<string, string>) => ({
  ProcessingConfiguration: {
    Enabled: true,
    Processors: [
      {
        Type: 'Lambda',
        Parameters: Object.entries(parameters).map(([ParameterName, ParameterValue]) => ({
          ParameterName,
          ParameterValue,
        })),
      },
    ],
  },
});

const problemsOf = (resource: CfnResource) =>
  unsupported(stackOf({ Bucket: { Type: 'AWS::S3::Bucket', Properties: {} }, Stream: resource }), LOCAL_ENV);

describe('Firehose delivery streams refused from the template, before any engine starts', () => {
  it('accepts the raw zone stream with a Lambda processor and the delimiter processor', () => {
    // GIVEN the lake's stream shape
    const resource = stream({
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          {
            Type: 'Lambda',
            Parameters: [
              { ParameterName: 'LambdaArn', ParameterValue: 'arn:aws:lambda:us-east-1:0:function:f' },
              { ParameterName: 'NumberOfRetries', ParameterValue: '2' },
              { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.5' },
            ],
          },
          { Type: 'AppendDelimiterToRecord' },
        ],
      },
      CloudWatchLoggingOptions: { Enabled: true, LogGroupName: 'g', LogStreamName: 's' },
      FileExtension: '.json.gz',
    });
    // WHEN checked THEN nothing is refused
    expect(problemsOf(resource)).toEqual([]);
  });

  it.each([
    [
      'dynamic partitioning',
      { DynamicPartitioningConfiguration: { Enabled: true } },
      'DynamicPartitioningConfiguration is not run offline; partition by !{timestamp:…} in the Prefix instead',
    ],
    [
      'data format conversion',
      { DataFormatConversionConfiguration: { Enabled: true } },
      'DataFormatConversionConfiguration (Parquet/ORC) is not run offline; deliver JSON',
    ],
    [
      'a compression format other than GZIP',
      { CompressionFormat: 'Snappy' },
      'CompressionFormat Snappy is not written offline; use GZIP or UNCOMPRESSED',
    ],
    ['a backup', { S3BackupMode: 'Enabled' }, 'S3BackupMode Enabled is not run offline; set it to Disabled'],
    [
      'a buffer size out of range',
      { BufferingHints: { SizeInMBs: 129, IntervalInSeconds: 60 } },
      'BufferingHints.SizeInMBs 129 must be 1 to 128',
    ],
    [
      'a buffer interval out of range',
      { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 901 } },
      'BufferingHints.IntervalInSeconds 901 must be 0 to 900',
    ],
    [
      'a Prefix with expressions and no ErrorOutputPrefix',
      { ErrorOutputPrefix: undefined },
      'a Prefix with !{…} expressions needs an ErrorOutputPrefix (Firehose refuses the stream otherwise)',
    ],
    [
      'a time zone other than UTC',
      { CustomTimeZone: 'Asia/Tokyo' },
      'CustomTimeZone Asia/Tokyo is not applied offline; prefixes are evaluated in UTC',
    ],
    [
      'a file extension Firehose refuses',
      { FileExtension: 'gz' },
      'FileExtension "gz" is not one Firehose takes: a dot, then lower-case letters, digits or !-_.*\'()',
    ],
    [
      'a processor other than Lambda',
      { ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'RecordDeAggregation' }] } },
      'the RecordDeAggregation processor is not run offline; the runtime runs the Lambda and AppendDelimiterToRecord processors',
    ],
    [
      'a Lambda processor with no function',
      lambdaProcessor({ NumberOfRetries: '1' }),
      'the Lambda processor has no LambdaArn parameter',
    ],
    [
      'too many retries',
      lambdaProcessor({ LambdaArn: 'arn:aws:lambda:us-east-1:0:function:f', NumberOfRetries: '301' }),
      "the Lambda processor's NumberOfRetries 301 must be 0 to 300",
    ],
    [
      'a processor buffer out of range',
      lambdaProcessor({ LambdaArn: 'arn:aws:lambda:us-east-1:0:function:f', BufferSizeInMBs: '4' }),
      "the Lambda processor's BufferSizeInMBs 4 must be 0.2 to 3",
    ],
    [
      'an unknown letter in a timestamp',
      { Prefix: 'raw/!{timestamp:yyyy-ww}/' },
      'Prefix: the pattern "yyyy-ww" uses the letter w, which the offline runtime does not format (it formats y u M d H h m s S a E D); quote literal letters as \'T\'',
    ],
  ])('refuses %s, naming the property and the fix', (_case, destination, problem) => {
    // GIVEN the stream with one property the runtime cannot run
    // WHEN checked THEN the problem is reported with where it is
    expect(problemsOf(stream(destination))).toEqual([
      `lake-dev/Stream (AWS::KinesisFirehose::DeliveryStream): ${problem}`,
    ]);
  });

  it('refuses another destination, another source type and a Kinesis source with no stream', () => {
    // GIVEN a stream to OpenSearch, one from MSK, and a Kinesis-source stream with no ARN
    const problems = [
      ...problemsOf(stream({}, { AmazonopensearchserviceDestinationConfiguration: {} })),
      ...problemsOf(stream({}, { DeliveryStreamType: 'MSKAsSource' })),
      ...problemsOf(stream({}, { DeliveryStreamType: 'KinesisStreamAsSource' })),
    ];
    // WHEN checked THEN each is named
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/AmazonopensearchserviceDestinationConfiguration is not delivered offline/),
        expect.stringMatching(/DeliveryStreamType MSKAsSource is not run offline/),
        expect.stringMatching(/KinesisStreamSourceConfiguration.KinesisStreamARN is required/),
      ]),
    );
  });
});
