import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../src/core/cloud-assembly.js';
import { IntrinsicResolver, ResolutionError, type ResourceOutputs } from '../../src/core/intrinsics.js';
import { LOCAL_ENV } from '../../src/core/runtime.js';

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
  },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Resources: {},
};
const outputs = new Map<string, ResourceOutputs>([
  [
    'Queue',
    {
      ref: 'http://localhost/000000000000/q',
      attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', QueueName: 'q' },
    },
  ],
]);
const resolver = new IntrinsicResolver(
  'my-stack',
  template,
  LOCAL_ENV,
  outputs,
  new Map([['shared-topic', 'arn:topic']]),
  new Map([['other-stack', new Map([['TopicOut', 'arn:other-topic']])]]),
);

describe('IntrinsicResolver', () => {
  it.each<[string, unknown, unknown]>([
    ['Ref of a resource', { Ref: 'Queue' }, 'http://localhost/000000000000/q'],
    ['Ref of a pseudo parameter', { Ref: 'AWS::Region' }, 'us-east-1'],
    ['Ref of a parameter default', { Ref: 'Stage' }, 'dev'],
    ['Ref of a list parameter', { Ref: 'Zones' }, ['a', 'b']],
    ['Fn::GetAtt as a list', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:us-east-1:000000000000:q'],
    ['Fn::GetAtt as a string', { 'Fn::GetAtt': 'Queue.QueueName' }, 'q'],
    ['Fn::Join', { 'Fn::Join': ['-', ['a', { Ref: 'Stage' }]] }, 'a-dev'],
    [
      'Fn::Sub with pseudo and resource',
      { 'Fn::Sub': '${AWS::AccountId}/${Queue.QueueName}/${!Literal}' },
      '000000000000/q/${Literal}',
    ],
    ['Fn::Sub with variables', { 'Fn::Sub': ['${X}-${Stage}', { X: { Ref: 'AWS::Partition' } }] }, 'aws-dev'],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }, 'b'],
    ['Fn::If on a condition', { 'Fn::If': ['IsProd', 'big', 'small'] }, 'small'],
    ['Fn::ImportValue', { 'Fn::ImportValue': 'shared-topic' }, 'arn:topic'],
    [
      'Fn::GetStackOutput',
      { 'Fn::GetStackOutput': { StackName: 'other-stack', OutputName: 'TopicOut', Region: 'us-east-1' } },
      'arn:other-topic',
    ],
    ['AWS::NoValue drops a key', { a: 1, b: { Ref: 'AWS::NoValue' } }, { a: 1 }],
  ])('resolves %s', (_name, value, expected) => {
    expect(resolver.resolve(value, 'test')).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a Ref to nothing',
      { Ref: 'Missing' },
      /Res.Prop: Ref Missing names no provisioned resource or parameter/,
    ],
    [
      'an attribute it does not provide',
      { 'Fn::GetAtt': ['Queue', 'Nope'] },
      /does not provide Queue.Nope \(it provides Arn, QueueName\)/,
    ],
    ['an unknown import', { 'Fn::ImportValue': 'nope' }, /no stack exports "nope"/],
    ['an unsupported function', { 'Fn::Transform': {} }, /Fn::Transform is not supported/],
  ])('fails naming the place for %s', (_name, value, message) => {
    expect(() => resolver.resolve(value, 'Res.Prop')).toThrow(ResolutionError);
    expect(() => resolver.resolve(value, 'Res.Prop')).toThrow(message);
  });

  it('finds the references that order creation', () => {
    const refs = IntrinsicResolver.references({
      a: { Ref: 'A' },
      b: { 'Fn::GetAtt': ['B', 'Arn'] },
      c: { 'Fn::Sub': '${C.Arn}-${AWS::Region}-${!Skip}' },
    });
    expect([...refs].sort()).toEqual(['A', 'AWS::Region', 'B', 'C']);
  });
});
