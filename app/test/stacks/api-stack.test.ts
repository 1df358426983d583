import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { ApiStack } from '../../stacks/api-stack';
import { MessagingStack } from '../../stacks/messaging-stack';
import { cdkJsonContext } from '../../../test/support/cdk';
import { snapshotTemplate } from '../support/snapshot';

describe('ApiStack', () => {
  let stack: ApiStack;
  let template: Template;
  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const config = loadConfig(() => undefined);
    const messaging = new MessagingStack(app, 'Messaging', { config });
    stack = new ApiStack(app, 'Api', { config, domainEvents: messaging.domainEvents });
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

  it('routes webhooks of each known provider straight to SQS with provider and received-at attributes', () => {
    for (const provider of ['stripe', 'github', 'shopify'])
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: provider });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
      Integration: Match.objectLike({
        Type: 'AWS',
        PassthroughBehavior: 'NEVER',
        RequestTemplates: {
          'application/json': Match.stringLikeRegexp(
            'Action=SendMessage&MessageBody=.*StringValue=stripe.*Name=receivedAt.*\\$context.requestTimeEpoch',
          ),
        },
      }),
    });
  });

  it('puts telemetry straight on the Kinesis stream, partitioned by the body’s deviceId', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const telemetry = methods.find((m) => JSON.stringify(m).includes('kinesis:action/PutRecord'));
    expect(JSON.stringify(telemetry)).toContain(
      `"PartitionKey\\":\\"$util.escapeJavaScript($input.path('$.deviceId'))`,
    );
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS' } });
  });

  it('deprecates /v1/orders in favour of /v2/orders in the orders function’s version table', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const orders = Object.entries(fns).find(([id]) => id.startsWith('OrdersFunction'))?.[1] as {
      Properties: { Environment: { Variables: { API_LIFECYCLE: string } } };
    };
    expect(
      Object.keys(JSON.parse(orders.Properties.Environment.Variables.API_LIFECYCLE) as object).sort(),
    ).toEqual(['GET /v1/orders/{orderId}', 'POST /v1/orders']);
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
