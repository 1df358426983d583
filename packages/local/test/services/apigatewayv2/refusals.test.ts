import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { runApp } from '../../../../../test/support/runtime.js';

const fn = (stack: Stack) =>
  new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });

describe('HTTP APIs the offline runtime refuses before it starts anything', () => {
  it('refuses a WebSocket API, naming ProtocolType', async () => {
    // GIVEN an application with a WebSocket API
    // WHEN it is started
    // THEN start-up stops with the API and its property named
    await expect(
      runApp((app) => {
        new apigwv2.CfnApi(new Stack(app, 'Ws'), 'Socket', {
          name: 'socket',
          protocolType: 'WEBSOCKET',
          routeSelectionExpression: '$request.body.action',
        });
      }),
    ).rejects.toThrow(
      /Ws\/Socket \(AWS::ApiGatewayV2::Api\): ProtocolType WEBSOCKET is not supported offline/,
    );
  });

  it('refuses a quick-created API, naming Target', async () => {
    // GIVEN an API quick-created with a Target
    // THEN start-up stops naming Target
    await expect(
      runApp((app) => {
        const stack = new Stack(app, 'Quick');
        new apigwv2.CfnApi(stack, 'Quick', {
          name: 'quick',
          protocolType: 'HTTP',
          target: fn(stack).functionArn,
        });
      }),
    ).rejects.toThrow(/Quick\/Quick \(AWS::ApiGatewayV2::Api\): Target is not supported offline/);
  });

  it('refuses an API imported from an OpenAPI Body, naming Body', async () => {
    // GIVEN an API imported from an OpenAPI Body
    // THEN start-up stops naming Body
    await expect(
      runApp((app) => {
        new apigwv2.CfnApi(new Stack(app, 'Imported'), 'Api', { body: { openapi: '3.0.1', paths: {} } });
      }),
    ).rejects.toThrow(/Imported\/Api \(AWS::ApiGatewayV2::Api\): Body is not supported offline/);
  });

  it('refuses an AWS service integration, naming IntegrationSubtype', async () => {
    // GIVEN an SQS-SendMessage service integration
    // THEN start-up stops naming IntegrationSubtype
    await expect(
      runApp((app) => {
        const stack = new Stack(app, 'Service');
        const api = new apigwv2.CfnApi(stack, 'Api', { name: 'api', protocolType: 'HTTP' });
        new apigwv2.CfnIntegration(stack, 'ToQueue', {
          apiId: api.ref,
          integrationType: 'AWS_PROXY',
          integrationSubtype: 'SQS-SendMessage',
          payloadFormatVersion: '1.0',
        });
      }),
    ).rejects.toThrow(
      /Service\/ToQueue \(AWS::ApiGatewayV2::Integration\): IntegrationSubtype SQS-SendMessage/,
    );
  });

  it('refuses a route key HTTP APIs do not accept, naming RouteKey', async () => {
    // GIVEN a route key with a greedy variable before the last segment
    // THEN start-up stops naming RouteKey
    await expect(
      runApp((app) => {
        const stack = new Stack(app, 'Keys');
        const api = new apigwv2.CfnApi(stack, 'Api', { name: 'api', protocolType: 'HTTP' });
        new apigwv2.CfnRoute(stack, 'Route', { apiId: api.ref, routeKey: 'GET /{proxy+}/tail' });
      }),
    ).rejects.toThrow(/Keys\/Route \(AWS::ApiGatewayV2::Route\): RouteKey "GET \/\{proxy\+\}\/tail"/);
  });

  it('refuses an identity source the runtime cannot read, naming IdentitySource', async () => {
    // GIVEN a Lambda authorizer reading its identity from the body
    // THEN start-up stops naming IdentitySource
    await expect(
      runApp((app) => {
        const stack = new Stack(app, 'Sources');
        const api = new apigwv2.CfnApi(stack, 'Api', { name: 'api', protocolType: 'HTTP' });
        new apigwv2.CfnAuthorizer(stack, 'Auth', {
          apiId: api.ref,
          name: 'auth',
          authorizerType: 'REQUEST',
          authorizerPayloadFormatVersion: '2.0',
          authorizerUri: fn(stack).functionArn,
          identitySource: ['$request.body.token'],
        });
      }),
    ).rejects.toThrow(
      /Sources\/Auth \(AWS::ApiGatewayV2::Authorizer\): IdentitySource \$request\.body\.token/,
    );
  });
});
