import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { ApiStack } from '../../lib/stacks/api-stack';
import { cdkJsonContext } from '../support/cdk';
import { snapshotTemplate } from '../support/snapshot';

describe('ApiStack', () => {
  let stack: ApiStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    stack = new ApiStack(app, 'Api', { config: loadConfig(() => undefined) });
    template = Template.fromStack(stack);
  });

  it('matches the snapshot', () => {
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });

  it('serves GET /v1/health from a Lambda proxy integration with no authorizer', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      Integration: { Type: 'AWS_PROXY' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SERVICE_VERSION: '0.1.0' }) },
    });
  });

  it('logs access as JSON, traces, and throttles the stage by default', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'INFO' }),
      ],
    });
  });

  it('puts a WAF web ACL with a per-IP rate rule in front of the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
      ]),
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});
