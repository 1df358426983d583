import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import { asRequestProperties } from '../../../src/services/cloudformation/provisioners.js';

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Shop',
  stackName: 'shop',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

describe('custom resource refusals', () => {
  it('refuse a custom resource backed by an SNS topic, from the template', () => {
    // GIVEN a custom resource whose ServiceToken is a topic
    const stack = stackOf({
      Requests: { Type: 'AWS::SNS::Topic', Properties: {} },
      Thing: { Type: 'Custom::Thing', Properties: { ServiceToken: { Ref: 'Requests' }, Size: 1 } },
    });

    // THEN it is refused, naming the resource
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'shop/Thing (Custom::Thing): ServiceToken names an SNS topic; only custom resources backed by a Lambda function run offline',
    ]);
  });

  it('refuse a ServiceToken that is neither a function nor a topic, from the template', () => {
    // GIVEN a custom resource whose ServiceToken is a queue
    const stack = stackOf({
      Inbox: { Type: 'AWS::SQS::Queue', Properties: {} },
      Thing: {
        Type: 'AWS::CloudFormation::CustomResource',
        Properties: { ServiceToken: { 'Fn::GetAtt': ['Inbox', 'Arn'] } },
      },
    });

    // THEN it is refused, naming the type it got
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'shop/Thing (AWS::CloudFormation::CustomResource): ServiceToken names a AWS::SQS::Queue; it must be a Lambda function of the application',
    ]);
  });
});

describe('custom resource properties', () => {
  it('reach the function as CloudFormation sends them: numbers and booleans as strings, at any depth', () => {
    // GIVEN properties with numbers, booleans, nulls and nesting

    // WHEN they are made into the request's ResourceProperties
    const properties = asRequestProperties({
      Count: 2,
      On: true,
      Name: 'a',
      Nested: { List: [1, false, 'x'] },
      None: null,
    });

    // THEN only the scalars changed
    expect(properties).toEqual({
      Count: '2',
      On: 'true',
      Name: 'a',
      Nested: { List: ['1', 'false', 'x'] },
      None: null,
    });
  });
});
