import type { AssemblyStack, CfnResource, CfnTemplate } from '../../src/core/cloud-assembly.js';

/** A stack of a hand-made assembly: its name, resources and outputs. */
export function stack(
  stackName: string,
  resources: Record<string, CfnResource>,
  outputs: CfnTemplate['Outputs'] = {},
): AssemblyStack {
  return {
    id: stackName,
    stackName,
    template: { Resources: resources, Outputs: outputs },
    assetsByObjectKey: new Map(),
    dependencies: [],
  };
}

/** `{ "Fn::GetAtt": [id, attribute] }`. */
export const att = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** `{ "Ref": id }`. */
export const ref = (id: string) => ({ Ref: id });

/** A function with its service role, and a policy on that role allowing `statements`. */
export function functionWithPolicy(
  id: string,
  statements: readonly { Action: string | string[]; Resource: unknown }[] = [],
): Record<string, CfnResource> {
  return {
    [id]: { Type: 'AWS::Lambda::Function', Properties: { Role: att(`${id}Role`) } },
    [`${id}Role`]: { Type: 'AWS::IAM::Role', Properties: {} },
    [`${id}Policy`]: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [ref(`${id}Role`)],
        PolicyDocument: { Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) },
      },
    },
  };
}

/** A queue, optionally redriving to `dlq` after `maxReceiveCount` receives. */
export function queue(dlq?: string, maxReceiveCount = 5): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: dlq ? { RedrivePolicy: { deadLetterTargetArn: att(dlq), maxReceiveCount } } : {},
  };
}
