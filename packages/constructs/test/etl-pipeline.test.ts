import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  createServiceFunction,
  EtlPipeline,
  RawZone,
  scheduleExpressionProblem,
  type EtlPipelineProps,
} from '../src/index.js';
import { cdkJsonContext, testStack } from '../../../test/support/cdk.js';

/** A step function as Conflux makes them (so cdk-nag judges the pipeline's wiring, not a bare function). */
function step(scope: Construct, id: string): lambda.Function {
  return createServiceFunction(new Construct(scope, id), {
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    serviceName: id,
    timeout: Duration.minutes(5),
    noDeadLetterQueueBecause:
      'Step Functions invokes it synchronously and records the failure in the execution.',
    errorMeaning: 'the ETL run fails and its watermark stays.',
  }).fn;
}

function fn(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
}

function pipeline(props: Partial<EtlPipelineProps> = {}) {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Lake');
  const etl = new EtlPipeline(stack, 'Nightly', {
    pipelineName: 'customers-nightly',
    extract: fn(stack, 'Extract'),
    transform: fn(stack, 'Transform'),
    load: fn(stack, 'Load'),
    bucket,
    schedule: 'cron(0 2 * * ? *)',
    ...props,
  });
  return { stack, etl, template: () => Template.fromStack(stack) };
}

type State = Record<string, unknown> & { Type: string; Next?: string; End?: boolean };
type Definition = { StartAt: string; TimeoutSeconds?: number; States: Record<string, State> };
function definitionOf(template: Template): Definition {
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  // Tokens become placeholders: the shape and the literals are what is asserted.
  const text = machine.Properties.DefinitionString['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
    .join('');
  return JSON.parse(text) as Definition;
}

describe('EtlPipeline', () => {
  it('runs Prepare → ReadWatermark → Extract → Transform → Load → AdvanceWatermark', () => {
    // GIVEN / WHEN
    const { template } = pipeline();
    // THEN
    const { StartAt, States } = definitionOf(template());
    expect(StartAt).toBe('Prepare');
    const order: string[] = [];
    for (let s: string | undefined = StartAt; s && States[s]; s = States[s]?.Next) order.push(s);
    expect(order).toEqual(['Prepare', 'ReadWatermark', 'Extract', 'Transform', 'Load', 'WindowEmpty']);
    expect(States.Prepare).toMatchObject({ Type: 'Pass', Parameters: { 'input.$': '$' } });
    expect(States.ReadWatermark).toMatchObject({
      Resource: expect.stringContaining(':states:::dynamodb:getItem') as unknown,
      Parameters: { Key: { pipeline: { S: 'customers-nightly' } }, ConsistentRead: true },
      ResultPath: '$.stored',
    });
  });

  it('invokes the steps with the contract payloads and keeps each result under its step', () => {
    // GIVEN / WHEN
    const { States } = definitionOf(pipeline().template());
    // THEN
    const base = {
      pipeline: 'customers-nightly',
      bucket: 'TOKEN',
      settleMs: 60000,
      'executionArn.$': '$$.Execution.Id',
      'startedAt.$': '$$.Execution.StartTime',
    };
    expect(States.Extract).toMatchObject({
      Resource: expect.stringContaining(':states:::lambda:invoke') as unknown,
      Parameters: { Payload: { ...base, 'input.$': '$.input', 'stored.$': '$.stored' } },
      ResultSelector: { 'result.$': '$.Payload' },
      ResultPath: '$.extract',
    });
    expect(States.Transform).toMatchObject({
      Parameters: {
        Payload: { ...base, 'window.$': '$.extract.result.window', 'staged.$': '$.extract.result.staged' },
      },
      ResultPath: '$.transform',
    });
    expect(States.Load).toMatchObject({
      Parameters: {
        Payload: { ...base, 'window.$': '$.extract.result.window', 'staged.$': '$.transform.result.staged' },
      },
      ResultPath: '$.load',
    });
  });

  it("retries only Lambda's transient errors: 2 s, ×2, 3 attempts; anything else fails the run", () => {
    // GIVEN / WHEN
    const { States } = definitionOf(pipeline().template());
    // THEN
    for (const name of ['Extract', 'Transform', 'Load']) {
      expect(States[name]?.Retry).toEqual([
        {
          ErrorEquals: [
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 3,
        },
      ]);
      expect(States[name]?.Catch).toBeUndefined();
    }
  });

  it('moves the watermark forward only, after a load of a non-empty window', () => {
    // GIVEN / WHEN
    const { States } = definitionOf(pipeline().template());
    // THEN
    expect(States.WindowEmpty).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.stored.Item', IsPresent: false },
            { Not: { Variable: '$.extract.result.window.from', StringEquals: '1970-01-01T00:00:00.000Z' } },
          ],
          Next: 'WatermarkKept',
        },
        {
          Variable: '$.extract.result.window.to',
          StringGreaterThanPath: '$.extract.result.window.from',
          Next: 'AdvanceWatermark',
        },
      ],
      Default: 'NothingToAdvance',
    });
    expect(States.AdvanceWatermark).toMatchObject({
      Resource: expect.stringContaining(':states:::dynamodb:updateItem') as unknown,
      Parameters: {
        Key: { pipeline: { S: 'customers-nightly' } },
        UpdateExpression: 'SET watermark = :to, lastExecution = :exec',
        ConditionExpression: 'attribute_not_exists(watermark) OR (watermark < :to AND watermark >= :from)',
        ExpressionAttributeValues: {
          ':to': { 'S.$': '$.extract.result.window.to' },
          ':from': { 'S.$': '$.extract.result.window.from' },
          ':exec': { 'S.$': '$$.Execution.Id' },
        },
      },
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'WatermarkKept' }],
      Next: 'WatermarkAdvanced',
    });
    expect(States.WatermarkKept?.Type).toBe('Succeed');
    expect(States.NothingToAdvance?.Type).toBe('Succeed');
  });

  it('is a Standard state machine logging ALL with X-Ray and a 1-hour timeout', () => {
    // GIVEN / WHEN
    const { template } = pipeline();
    // THEN
    template().hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definitionOf(template()).TimeoutSeconds).toBe(3600);
  });

  it('keeps the watermark in an encrypted table with point-in-time recovery, retained', () => {
    // GIVEN / WHEN
    const { template } = pipeline();
    // THEN
    template().hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'pipeline', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('schedules the state machine with the scheduled time, retries and a DLQ, in its own group', () => {
    // GIVEN / WHEN
    const { template } = pipeline({ timeZone: 'Europe/London', flexibleWindow: Duration.minutes(15) });
    // THEN
    const role = new Capture();
    template().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'ENABLED',
      GroupName: Match.stringLikeRegexp('Nightly-ScheduleGroup'),
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('Nightly') },
        RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NightlyScheduleDlq'), 'Arn'] } },
      },
    });
    template().hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
    });
    const statements = JSON.stringify(
      template().findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: role.asString() }] },
      }),
    );
    expect(statements).toContain('states:StartExecution');
    expect(statements).not.toMatch(/states:\*|StopExecution/);
  });

  it('takes a ScheduleExpression, its time zone, and a disabled state', () => {
    // GIVEN / WHEN
    const { template } = pipeline({
      schedule: scheduler.ScheduleExpression.cron({
        minute: '30',
        hour: '1',
        timeZone: TimeZone.EUROPE_BERLIN,
      }),
      enabled: false,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
    });
    // THEN
    template().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } }),
    });
  });

  it("grants each step only its pipeline's folders", () => {
    // GIVEN / WHEN
    const { template } = pipeline();
    // THEN
    const resourcesOf = (role: string) =>
      JSON.stringify(
        template().findResources('AWS::IAM::Policy', {
          Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}ServiceRole`) }] },
        }),
      );
    const extract = resourcesOf('Extract');
    expect(extract).toContain('/staging/customers-nightly/*');
    expect(extract).toContain('s3:PutObject');
    expect(extract).not.toMatch(/s3:GetObject|quarantine|curated/);
    const transform = resourcesOf('Transform');
    expect(transform).toContain('/quarantine/customers-nightly/*');
    expect(transform).toContain('s3:GetObject');
    expect(transform).not.toContain('curated');
    const load = resourcesOf('Load');
    expect(load).toContain('/curated/customers-nightly/*');
    expect(load).toContain('/staging/customers-nightly/*');
    expect(load).not.toContain('quarantine');
    for (const policy of [extract, transform, load]) expect(policy).not.toContain('s3:DeleteObject');
  });

  it('alarms on failed, timed-out and throttled runs, the DLQ and target errors, to the topic', () => {
    // GIVEN
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alarms');
    // WHEN
    const etl = new EtlPipeline(stack, 'Nightly', {
      pipelineName: 'nightly',
      extract: fn(stack, 'Extract'),
      transform: fn(stack, 'Transform'),
      load: fn(stack, 'Load'),
      bucket: new s3.Bucket(stack, 'Lake'),
      schedule: 'rate(1 day)',
      alarmTopic: topic,
    });
    // THEN
    const template = Template.fromStack(stack);
    expect(etl.alarms).toHaveLength(5);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Threshold: 0,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Scheduler',
      MetricName: 'TargetErrorCount',
      Dimensions: [{ Name: 'ScheduleGroup', Value: Match.stringLikeRegexp('Nightly-ScheduleGroup') }],
    });
  });

  describe('validation', () => {
    it.each(['Nightly', '1nightly', 'night_ly', `a${'b'.repeat(40)}`])(
      'fails if pipelineName is %s',
      (name) => {
        expect(() => pipeline({ pipelineName: name })).toThrow(
          /pipelineName ".*" must be a lower-case letter/,
        );
      },
    );

    it.each([
      ['not an expression', 'every day', /is not a Scheduler expression/],
      ['a plural unit for 1', 'rate(1 days)', /singular unit for 1/],
      ['a singular unit for 2', 'rate(2 day)', /singular unit for 1/],
      ['a cron with both days', 'cron(0 2 * * * *)', /exactly one of day-of-month and day-of-week/],
    ])('fails if the schedule is %s', (_why, schedule, message) => {
      expect(() => pipeline({ schedule })).toThrow(message);
    });

    it('accepts rate, cron and at expressions', () => {
      for (const e of [
        'rate(1 minute)',
        'rate(5 hours)',
        'cron(0 2 ? * MON-FRI *)',
        'at(2026-12-24T02:00:00)',
      ])
        expect(scheduleExpressionProblem(e), e).toBeUndefined();
    });

    it('fails if timeZone is not an IANA zone', () => {
      expect(() => pipeline({ timeZone: 'Europe/Londres' })).toThrow(/is not an IANA time zone/);
    });

    it('fails if timeZone is set with a rate', () => {
      expect(() => pipeline({ schedule: 'rate(1 day)', timeZone: 'UTC' })).toThrow(
        /timeZone applies to cron/,
      );
    });

    it('fails if both the ScheduleExpression and timeZone carry a zone', () => {
      expect(() =>
        pipeline({
          schedule: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)', TimeZone.EUROPE_LONDON),
          timeZone: 'UTC',
        }),
      ).toThrow(/carries its own time zone/);
    });

    it('fails if flexibleWindow is outside 1–1440 minutes or not whole minutes', () => {
      expect(() => pipeline({ flexibleWindow: Duration.minutes(1441) })).toThrow(
        /flexibleWindow must be from/,
      );
      expect(() => pipeline({ flexibleWindow: Duration.seconds(90) })).toThrow(/whole minutes/);
    });

    it('fails if retryAttempts is outside 0–185', () => {
      expect(() => pipeline({ retryAttempts: 186 })).toThrow(
        /retryAttempts must be a whole number from 0 to 185/,
      );
    });

    it('fails if maxEventAge is outside 60 s–24 h', () => {
      expect(() => pipeline({ maxEventAge: Duration.seconds(30) })).toThrow(/maxEventAge must be from/);
    });

    it('fails if the timeout is outside 1 minute–24 hours', () => {
      expect(() => pipeline({ timeout: Duration.hours(25) })).toThrow(/timeout must be from/);
    });

    it('reports every problem at once', () => {
      expect(() => pipeline({ pipelineName: 'X', schedule: 'daily', retryAttempts: -1 })).toThrow(
        /pipelineName[\s\S]*Scheduler expression[\s\S]*retryAttempts/,
      );
    });
  });

  it('passes cdk-nag AwsSolutions and Serverless with every finding acknowledged for a reason', () => {
    // GIVEN an app with the packs, a RawZone bucket and a pipeline of Conflux functions
    const outdir = mkdtempSync(path.join(tmpdir(), 'etl-pipeline-nag-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      const raw = new RawZone(stack, 'Lake');
      new EtlPipeline(stack, 'Nightly', {
        pipelineName: 'nightly',
        extract: step(stack, 'Extract'),
        transform: step(stack, 'Transform'),
        load: step(stack, 'Load'),
        bucket: raw.bucket,
        schedule: 'cron(0 2 * * ? *)',
        timeZone: 'Europe/London',
      });
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
