import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EventStream, RawZone, type RawZoneProps, type RawZoneSourceProps } from '../src/index.js';
import { cdkJsonContext, testStack } from '../../../test/support/cdk.js';

function zone(props: RawZoneProps = {}) {
  const stack = testStack();
  const raw = new RawZone(stack, 'Lake', props);
  return { stack, raw, template: () => Template.fromStack(stack) };
}

function withSource(source: Partial<RawZoneSourceProps> = {}, props: RawZoneProps = {}) {
  const z = zone(props);
  const added = z.raw.addSource('Telemetry', { name: 'telemetry', ...source });
  return { ...z, source: added };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function statementsOf(template: Template, rolePattern: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(rolePattern) }] },
  });
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('RawZone', () => {
  describe('the lake bucket', () => {
    it('is encrypted, TLS only, versioned, private, bucket-owner enforced and access-logged', () => {
      // GIVEN / WHEN
      const { template } = zone();
      // THEN
      template().hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('LakeAccessLogs') },
          LogFilePrefix: 'lake/',
        },
      });
      template().hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: Match.stringLikeRegexp('^Lake[0-9A-F]+$') },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('moves raw/ and errors/ to colder storage and expires staging/, athena-results/ and old versions', () => {
      // GIVEN / WHEN
      const { template } = zone();
      // THEN
      const transitions = [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
      ];
      template().hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ Id: 'RawToColderStorage', Prefix: 'raw/', Transitions: transitions }),
            Match.objectLike({ Id: 'ErrorsToColderStorage', Prefix: 'errors/', Transitions: transitions }),
            Match.objectLike({ Id: 'ExpireStaging', Prefix: 'staging/', ExpirationInDays: 7 }),
            Match.objectLike({ Id: 'ExpireAthenaResults', Prefix: 'athena-results/', ExpirationInDays: 30 }),
            Match.objectLike({
              Id: 'ExpirePreviousVersions',
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            }),
          ]),
        },
      });
    });

    it('takes the lifecycle from props', () => {
      // GIVEN / WHEN
      const { template } = zone({
        infrequentAccessAfter: Duration.days(60),
        glacierInstantRetrievalAfter: Duration.days(180),
        stagingExpiration: Duration.days(2),
      });
      // THEN
      template().hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              Id: 'RawToColderStorage',
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 60 },
                { StorageClass: 'GLACIER_IR', TransitionInDays: 180 },
              ],
            }),
            Match.objectLike({ Id: 'ExpireStaging', ExpirationInDays: 2 }),
          ]),
        },
      });
    });

    it('uses a KMS key with a bucket key when given one', () => {
      // GIVEN
      const stack = testStack();
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      // WHEN
      new RawZone(stack, 'Lake', { encryptionKey: key });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
              },
            }),
          ],
        },
      });
    });

    it('is retained by default, and emptied on delete only when asked with DESTROY', () => {
      // GIVEN / WHEN
      const retained = zone();
      const destroyed = zone({ removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
      // THEN
      retained.template().hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
      retained.template().resourceCountIs('Custom::S3AutoDeleteObjects', 0);
      destroyed.template().hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
      destroyed.template().resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    });

    it('uses a given bucket as it is', () => {
      // GIVEN
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-lake');
      // WHEN
      const raw = new RawZone(stack, 'Lake', { bucket });
      raw.addSource('Telemetry', { name: 'telemetry' });
      // THEN
      expect(raw.bucket).toBe(bucket);
      Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
      Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BucketARN: 'arn:aws:s3:::my-lake',
        }),
      });
    });
  });

  describe('a source', () => {
    it('delivers gzip JSON lines under raw/<name>/dt=…/hour=…/ and errors under errors/<name>/<type>/dt=…/', () => {
      // GIVEN / WHEN
      const { template, source } = withSource();
      // THEN
      template().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BucketARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Lake[0-9A-F]+$'), 'Arn'] },
          Prefix: 'raw/telemetry/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
          ErrorOutputPrefix: 'errors/telemetry/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
          CompressionFormat: 'GZIP',
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
          S3BackupMode: 'Disabled',
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: { Ref: Match.stringLikeRegexp('LakeTelemetryLogs') },
            LogStreamName: { Ref: Match.stringLikeRegexp('LakeTelemetryS3DeliveryLogs') },
          },
        }),
      });
      expect(source.prefix).toBe('raw/telemetry/');
      expect(source.fromStream).toBe(false);
      template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    it("transforms with the bundled json-lines handler by default: 3 retries, 1 MiB batches, no longer than the destination's interval", () => {
      // GIVEN / WHEN
      const { template } = withSource({
        buffering: { size: Size.mebibytes(1), interval: Duration.seconds(30) },
      });
      // THEN
      template().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 30 },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'Lambda',
                Parameters: [
                  {
                    ParameterName: 'LambdaArn',
                    ParameterValue: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeJsonLines'), 'Arn'] },
                  },
                  { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
                  { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
                  { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '30' },
                ],
              },
            ],
          },
        }),
      });
      template().hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'lake-json-lines' }) },
      });
    });

    it('shares one json-lines function between sources, takes a function of yours, or none', () => {
      // GIVEN
      const { stack, raw, template } = zone();
      const own = new lambda.Function(stack, 'Own', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({ records: [] })'),
      });
      // WHEN
      raw.addSource('A', { name: 'a' });
      raw.addSource('B', { name: 'b' });
      const mine = raw.addSource('C', { name: 'c', transform: own });
      const plain = raw.addSource('D', { name: 'd', transform: 'none' });
      // THEN
      const functions = template().findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'lake-json-lines' } } },
      });
      expect(Object.keys(functions)).toHaveLength(1);
      expect(mine.transformFunction).toBe(own);
      expect(plain.transformFunction).toBeUndefined();
      expect(plain.transformFailingAlarm).toBeUndefined();
      const streams = template().findResources('AWS::KinesisFirehose::DeliveryStream');
      const processing = Object.values(streams).map(
        (s) =>
          (s as { Properties: { ExtendedS3DestinationConfiguration: { ProcessingConfiguration?: unknown } } })
            .Properties.ExtendedS3DestinationConfiguration.ProcessingConfiguration,
      );
      expect(processing.filter((p) => p === undefined)).toHaveLength(1);
    });

    it("takes the zone's default buffering when it sets none", () => {
      // GIVEN / WHEN
      const { template } = withSource(
        {},
        { defaultBuffering: { size: Size.mebibytes(1), interval: Duration.seconds(0) } },
      );
      // THEN
      template().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        ExtendedS3DestinationConfiguration: Match.objectLike({
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
        }),
      });
    });

    it('reads an EventStream (or any Kinesis stream) and then refuses direct-put grants', () => {
      // GIVEN
      const { stack, raw, template } = zone();
      const events = new EventStream(stack, 'Events');
      // WHEN
      const source = raw.addSource('Changes', { name: 'changes', stream: events });
      // THEN
      template().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: {
          KinesisStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('Events'), 'Arn'] },
          RoleARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeChangesRole'), 'Arn'] },
        },
        DeliveryStreamEncryptionConfigurationInput: Match.absent(),
      });
      const actions = JSON.stringify(statementsOf(template(), 'LakeChangesRole'));
      for (const action of ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kms:Decrypt'])
        expect(actions).toContain(action);
      const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
      expect(() => source.grantPutRecords(producer)).toThrow(/reads a Kinesis stream[\s\S]*grantWrite/);
    });

    it("gives the delivery role only the source's folders, its log group and its transform", () => {
      // GIVEN / WHEN
      const { template } = withSource();
      // THEN
      const statements = statementsOf(template(), 'LakeTelemetryRole');
      const resources = JSON.stringify(statements.map((s) => s.Resource));
      expect(resources).toContain('/raw/telemetry/*');
      expect(resources).toContain('/errors/telemetry/*');
      expect(resources).not.toMatch(/"\/\*"|\/staging\/|\/curated\//);
      const actions = JSON.stringify(statements.map((s) => s.Action));
      for (const action of [
        's3:PutObject',
        's3:Abort*',
        's3:GetObject*',
        'logs:PutLogEvents',
        'lambda:InvokeFunction',
      ])
        expect(actions).toContain(action);
      expect(actions).not.toContain('s3:DeleteObject');
      template().hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'firehose.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
            }),
          ],
        },
      });
      // The stream waits for its role's policy: Firehose checks its access at creation.
      const stream = Object.values(template().findResources('AWS::KinesisFirehose::DeliveryStream'))[0] as {
        DependsOn: string[];
      };
      expect(stream.DependsOn.some((d) => d.startsWith('LakeTelemetryRoleDefaultPolicy'))).toBe(true);
    });

    it('grants producers PutRecord and PutRecordBatch on its delivery stream', () => {
      // GIVEN
      const { stack, source, template } = withSource();
      const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
      // WHEN
      source.grantPutRecords(producer);
      // THEN
      template().hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('Producer') }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeTelemetry'), 'Arn'] },
            },
          ],
        },
      });
    });

    it('alarms on failing deliveries, freshness, transformation failures and failed records, to the topic', () => {
      // GIVEN
      const stack = testStack();
      const topic = new sns.Topic(stack, 'Alarms');
      const raw = new RawZone(stack, 'Lake', { alarmTopic: topic });
      // WHEN
      raw.addSource('Telemetry', {
        name: 'telemetry',
        buffering: { size: Size.mebibytes(5), interval: Duration.seconds(60) },
      });
      // THEN
      const template = Template.fromStack(stack);
      const action = [{ Ref: Match.stringLikeRegexp('Alarms') }];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: 'DeliveryToS3.Success',
        Statistic: 'Average',
        Period: 300,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        AlarmActions: action,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'DeliveryToS3.DataFreshness',
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 420,
        AlarmActions: action,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecuteProcessing.Success',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Conflux',
        MetricName: 'RecordsProcessingFailed',
        Dimensions: Match.arrayWith([
          { Name: 'DeliveryStreamName', Value: { Ref: Match.stringLikeRegexp('LakeTelemetry') } },
          { Name: 'service', Value: 'lake-json-lines' },
        ]),
        Threshold: 0,
        AlarmActions: action,
      });
    });

    it('takes the freshness threshold from props', () => {
      // GIVEN / WHEN
      const { template } = withSource({ freshnessThreshold: Duration.minutes(30) });
      // THEN
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'DeliveryToS3.DataFreshness',
        Threshold: 1800,
      });
    });
  });

  describe('validation', () => {
    it.each([
      ['starts with a digit', '1source'],
      ['has upper case', 'Telemetry'],
      ['has a dash', 'customer-changes'],
      ['is longer than 64', `a${'b'.repeat(64)}`],
    ])('fails if a source name %s', (_why, name) => {
      expect(() => withSource({ name })).toThrow(/name ".*" must be a lower-case letter/);
    });

    it('fails if two sources share a name', () => {
      const { raw } = withSource();
      expect(() => raw.addSource('Again', { name: 'telemetry' })).toThrow(/exists already/);
    });

    it('fails if the buffering size is outside 1–128 MiB or not whole MiB', () => {
      for (const size of [Size.mebibytes(129), Size.kibibytes(512), Size.kibibytes(1536)]) {
        expect(() => withSource({ buffering: { size, interval: Duration.seconds(60) } })).toThrow(
          /buffering.size must be a whole number of MiB from 1 to 128/,
        );
      }
    });

    it('fails if the buffering interval is above 900 seconds', () => {
      expect(() =>
        withSource({ buffering: { size: Size.mebibytes(5), interval: Duration.seconds(901) } }),
      ).toThrow(/buffering.interval must be from 0 seconds to 15 minutes/);
    });

    it('fails if only one buffering hint is given', () => {
      const half = { size: Size.mebibytes(5) } as unknown as RawZoneSourceProps['buffering'];
      expect(() => withSource({ buffering: half })).toThrow(/needs both size and interval/);
    });

    it('fails if the default buffering is invalid', () => {
      expect(() =>
        zone({ defaultBuffering: { size: Size.mebibytes(0), interval: Duration.seconds(60) } }),
      ).toThrow(/defaultBuffering.size/);
    });

    it('fails if autoDeleteObjects is asked without DESTROY', () => {
      expect(() => zone({ autoDeleteObjects: true })).toThrow(/needs removalPolicy: RemovalPolicy.DESTROY/);
    });

    it('fails if Standard-IA comes before 30 days, or Glacier IR less than 30 days after it', () => {
      expect(() => zone({ infrequentAccessAfter: Duration.days(10) })).toThrow(
        /infrequentAccessAfter must be from 30 days/,
      );
      expect(() => zone({ glacierInstantRetrievalAfter: Duration.days(45) })).toThrow(
        /at least 30 days after infrequentAccessAfter/,
      );
    });

    it('fails if a new-bucket setting is given with an existing bucket', () => {
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-lake');
      expect(() => new RawZone(stack, 'Lake', { bucket, stagingExpiration: Duration.days(1) })).toThrow(
        /stagingExpiration configures a new bucket/,
      );
    });

    it('fails if a Kinesis-sourced source is granted direct puts', () => {
      const { stack, raw } = zone();
      const source = raw.addSource('Changes', { name: 'changes', stream: new EventStream(stack, 'Events') });
      expect(() => source.grantPutRecords(new iam.AccountRootPrincipal())).toThrow(/refuses direct puts/);
    });
  });

  describe('the bundled json-lines transform', () => {
    const record = (recordId: string, text: string) => ({
      recordId,
      approximateArrivalTimestamp: 1_764_720_000_000,
      data: Buffer.from(text).toString('base64'),
    });
    const event = {
      invocationId: 'inv-1',
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111111111111:deliverystream/Test-Lake-telemetry',
      region: 'eu-west-1',
      records: [
        record('1', ' { "deviceId": "d-1",\n "value": 2 } '),
        record('2', ''),
        record('3', 'not json'),
        record('4', '{"a":1}{"b":2}'),
      ],
    };

    it.each([
      ['from source', '../handlers/lake-json-lines/handler.js'],
      ['as built into assets/', '../assets/lake-json-lines/index.js'],
    ])('keeps one JSON value per line, drops tombstones and fails the rest (%s)', async (_how, module) => {
      // GIVEN
      const { handler } = (await import(module)) as {
        handler: (
          e: typeof event,
        ) => Promise<{ records: { recordId: string; result: string; data: string }[] }>;
      };
      // WHEN
      const { records } = await handler(event);
      // THEN
      expect(records.map((r) => [r.recordId, r.result])).toEqual([
        ['1', 'Ok'],
        ['2', 'Dropped'],
        ['3', 'ProcessingFailed'],
        ['4', 'ProcessingFailed'],
      ]);
      expect(Buffer.from(records[0]?.data ?? '', 'base64').toString()).toBe('{"deviceId":"d-1","value":2}\n');
    });
  });

  it('passes cdk-nag AwsSolutions and Serverless with every finding acknowledged for a reason', () => {
    // GIVEN an app with the packs, a direct-put source and one reading an EventStream, SSE-KMS
    const outdir = mkdtempSync(path.join(tmpdir(), 'raw-zone-nag-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      const raw = new RawZone(stack, 'Lake', { encryptionKey: key });
      raw.addSource('Telemetry', { name: 'telemetry' });
      raw.addSource('Changes', { name: 'changes', stream: new EventStream(stack, 'Events') });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
      // WHEN / THEN synth fails on any unacknowledged finding
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: {
          violations: unknown[];
          suppressedViolations?: { ruleName: string; reason?: string }[];
        }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
      for (const finding of report.pluginReports.flatMap((r) => r.suppressedViolations ?? []))
        expect(finding.reason?.length ?? 0, finding.ruleName).toBeGreaterThan(60);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
