import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:jobs';

/** A stack with a queue, a state machine and one schedule whose properties are `props` over a valid base. */
function stackWith(props: Record<string, unknown>, target: Record<string, unknown> = {}): AssemblyStack {
  const resources: Record<string, CfnResource> = {
    Jobs: { Type: 'AWS::SQS::Queue', Properties: {} },
    Flow: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    Nightly: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        ScheduleExpression: 'cron(0 2 * * ? *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: { Ref: 'Flow' },
          RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
          Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
          ...target,
        },
        ...props,
      },
    },
  };
  return {
    id: 'Lake',
    stackName: 'lake',
    template: { Resources: resources },
    assetsByObjectKey: new Map(),
    dependencies: [],
  };
}

const problems = (props: Record<string, unknown>, target?: Record<string, unknown>) =>
  unsupported(stackWith(props, target), LOCAL_ENV);

describe('Scheduler checks', () => {
  it('accept the schedule EtlPipeline makes: cron in a time zone, a flexible window, retries and a DLQ', () => {
    // GIVEN the nightly schedule of the ETL pipeline
    const found = problems(
      {
        ScheduleExpressionTimezone: 'Europe/London',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        State: 'ENABLED',
        Description: 'nightly copy',
        KmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/k',
      },
      {
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Jobs', 'Arn'] } },
      },
    );

    // THEN nothing is refused
    expect(found).toEqual([]);
  });

  it('refuse a universal target, naming it and the templated targets to use instead', () => {
    // WHEN the target is an aws-sdk action
    const found = problems({}, { Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage' });

    // THEN the sentence names the property, the target and the fix
    expect(found).toEqual([
      expect.stringMatching(
        /^lake\/Nightly \(AWS::Scheduler::Schedule\): Target\.Arn arn:aws:scheduler:::aws-sdk:sqs:sendMessage: universal targets .* use a templated target: a Lambda function/,
      ),
    ]);
  });

  it('refuse bad expressions, time zones, windows, states and retry policies, each with its reason', () => {
    // THEN each problem is named
    expect(problems({ ScheduleExpression: 'at(2026-12-03 10:00)' })).toEqual([
      expect.stringContaining('yyyy-mm-ddThh:mm:ss'),
    ]);
    expect(problems({ ScheduleExpressionTimezone: 'London' })).toEqual([
      expect.stringContaining('ScheduleExpressionTimezone "London" is not an IANA time zone'),
    ]);
    expect(problems({ FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } })).toEqual([
      expect.stringContaining('MaximumWindowInMinutes 1441 must be a whole number of minutes from 1 to 1440'),
    ]);
    expect(problems({ FlexibleTimeWindow: undefined })).toEqual([
      expect.stringContaining('FlexibleTimeWindow is required'),
    ]);
    expect(problems({ State: 'PAUSED', ActionAfterCompletion: 'KEEP' })).toEqual([
      expect.stringContaining('State PAUSED must be ENABLED or DISABLED'),
      expect.stringContaining('ActionAfterCompletion KEEP must be NONE or DELETE'),
    ]);
    expect(problems({ StartDate: '2026-12-04T00:00:00Z', EndDate: '2026-12-03T00:00:00Z' })).toEqual([
      expect.stringContaining('EndDate must be after StartDate'),
    ]);
    expect(
      problems({}, { RetryPolicy: { MaximumRetryAttempts: 186, MaximumEventAgeInSeconds: 30 } }),
    ).toEqual([
      expect.stringContaining('RetryPolicy.MaximumRetryAttempts 186 must be a whole number from 0 to 185'),
      expect.stringContaining(
        'RetryPolicy.MaximumEventAgeInSeconds 30 must be a whole number from 60 to 86400',
      ),
    ]);
  });

  it('refuse targets and target parameters the runtime does not invoke', () => {
    // THEN an ECS target, a non-JSON Step Functions input, a FIFO DLQ and a bus with no parameters are named
    expect(problems({}, { EcsParameters: { TaskDefinitionArn: 'x' } })).toEqual([
      expect.stringContaining('Target.EcsParameters: ECS RunTask targets are not run offline'),
    ]);
    expect(problems({}, { Input: 'not json <aws.scheduler.execution-id>' })).toEqual([
      expect.stringContaining('Target.Input must be JSON text for a Step Functions state machine'),
    ]);
    expect(problems({}, { DeadLetterConfig: { Arn: `${QUEUE_ARN}.fifo` } })).toEqual([
      expect.stringContaining('does not take a FIFO queue as a dead-letter queue'),
    ]);
    expect(problems({}, { Arn: `${QUEUE_ARN}.fifo`, Input: 'hello' })).toEqual([
      expect.stringContaining('a FIFO queue target needs SqsParameters.MessageGroupId'),
    ]);
    expect(
      problems({}, { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default', Input: '{}' }),
    ).toEqual([expect.stringContaining('EventBridgeParameters with Source and DetailType is required')]);
    expect(problems({}, { Arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' })).toEqual([
      expect.stringContaining('is not a target the offline Scheduler invokes'),
    ]);
  });

  it('accept an attempt number outside quotes as JSON', () => {
    // GIVEN an input whose attempt number is a bare number
    const found = problems({}, { Input: '{"attempt":<aws.scheduler.attempt-number>}' });

    // THEN it is valid JSON once filled
    expect(found).toEqual([]);
  });
});
