import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';

/** A stack with one file asset, `fn.zip`, whose folder holds `index.js`. */
const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => {
  const asset = mkdtempSync(path.join(tmpdir(), 'conflux-asset-'));
  writeFileSync(path.join(asset, 'index.js'), 'exports.handler = async () => 1;');
  return {
    id: 'Shop',
    stackName: 'shop-dev',
    template: { Resources: resources },
    assetsByObjectKey: new Map([['fn.zip', asset]]),
    dependencies: [],
  };
};

const fn = (props: Record<string, unknown> = {}): CfnResource => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    Code: { S3Bucket: 'cdk-assets', S3Key: 'fn.zip' },
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
    ...props,
  },
});

describe('Lambda resources refused from the template, before any engine starts', () => {
  it('accepts a function whose environment is encrypted with a KMS key, which has no local effect', () => {
    // GIVEN a function with KmsKeyArn (CDK's environmentEncryption)
    const stack = stackOf({
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Fn: fn({ KmsKeyArn: { 'Fn::GetAtt': ['Key', 'Arn'] }, Environment: { Variables: { A: '1' } } }),
    });
    // WHEN the template is checked
    // THEN nothing is refused
    expect(unsupported(stack, LOCAL_ENV)).toEqual([]);
  });

  it('lists every problem of the Lambda resources at once', () => {
    // GIVEN a Python function, a handler naming no file, a filter with an unknown operator, AT_TIMESTAMP with no timestamp,
    // and a mapping whose source is a topic
    const stack = stackOf({
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
      Python: fn({ Runtime: 'python3.12' }),
      Misnamed: fn({ Handler: 'main.handler' }),
      Good: fn(),
      FromTopic: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Good' }, EventSourceArn: { Ref: 'Topic' } },
      },
      Timestamped: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Good' },
          EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
          StartingPosition: 'AT_TIMESTAMP',
          FilterCriteria: { Filters: [{ Pattern: '{"data":{"t":[{"wildcard":"x*"}]}}' }] },
          DestinationConfig: { OnFailure: { Destination: { Ref: 'Good' } } },
        },
      },
    });
    // WHEN the template is checked
    const problems = unsupported(stack, LOCAL_ENV);
    // THEN each problem is named with its resource and property
    expect(problems).toEqual([
      'shop-dev/Python (AWS::Lambda::Function): Runtime "python3.12" is not supported offline; only Node.js runtimes (nodejs18.x … nodejs24.x) are',
      `shop-dev/Misnamed (AWS::Lambda::Function): Handler "main.handler" names no .js, .cjs or .mjs file of the function's code (${path.basename(stack.assetsByObjectKey.get('fn.zip') ?? '')})`,
      'shop-dev/FromTopic (AWS::Lambda::EventSourceMapping): EventSourceArn names a resource of type AWS::SNS::Topic: only SQS queues, DynamoDB streams and Kinesis streams of the application are supported as event sources',
      'shop-dev/Timestamped (AWS::Lambda::EventSourceMapping): FilterCriteria: filter operator wildcard is not supported offline',
      'shop-dev/Timestamped (AWS::Lambda::EventSourceMapping): StartingPosition AT_TIMESTAMP needs StartingPositionTimestamp (epoch seconds)',
      'shop-dev/Timestamped (AWS::Lambda::EventSourceMapping): DestinationConfig.OnFailure.Destination names a resource of type AWS::Lambda::Function; it must be an SQS queue or SNS topic',
    ]);
  });

  it('refuses code that is not an asset of the assembly, and a dead-letter target that is no queue or topic', () => {
    // GIVEN a function whose code is in some bucket, and one whose DLQ is a function
    const stack = stackOf({
      Elsewhere: fn({ Code: { S3Bucket: 'someone-elses', S3Key: 'lambda/fn.zip' } }),
      Other: fn(),
      Dead: fn({ DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['Other', 'Arn'] } } }),
    });
    // WHEN the template is checked
    // THEN both are refused
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'shop-dev/Elsewhere (AWS::Lambda::Function): Code must be a file asset of the cloud assembly or inline ZipFile',
      'shop-dev/Dead (AWS::Lambda::Function): DeadLetterConfig.TargetArn names a resource of type AWS::Lambda::Function; it must be an SQS queue or SNS topic',
    ]);
  });

  it('checks nothing it cannot know from the template (intrinsic runtimes and handlers)', () => {
    // GIVEN a function whose runtime and handler are parameters
    const stack = stackOf({
      Fn: fn({ Runtime: { Ref: 'RuntimeParameter' }, Handler: { Ref: 'HandlerParameter' } }),
    });
    // WHEN the template is checked
    // THEN nothing is refused yet
    expect(unsupported(stack, LOCAL_ENV)).toEqual([]);
  });
});
