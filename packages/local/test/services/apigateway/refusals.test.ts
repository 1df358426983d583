import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsupportedResourceError } from '../../../src/core/provisioning.js';
import { startRuntime } from '../../../src/core/runtime.js';
import { cdkJsonContext } from '../../../../../test/support/cdk.js';

/** What the gateway cannot run, found from the templates before any engine starts. */
describe('API Gateway refusals at start', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const synth = (build: (stack: Stack) => void) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-apigw-refuse-'));
    dirs.push(outdir);
    const app = new App({ outdir, context: cdkJsonContext() });
    build(new Stack(app, 'Refused'));
    app.synth();
    return outdir;
  };

  /** Starts the runtime where DynamoDB Local cannot start: a refusal found later would be an engine error. */
  const startWithoutJava = async (cdkOut: string): Promise<string> => {
    const java = process.env.CONFLUX_JAVA;
    process.env.CONFLUX_JAVA = path.join(cdkOut, 'no-java');
    try {
      const start = startRuntime({ cdkOut, port: 0 });
      await expect(start).rejects.toThrow(UnsupportedResourceError);
      return await start.then(
        () => '',
        (error: unknown) => String(error),
      );
    } finally {
      if (java === undefined) delete process.env.CONFLUX_JAVA;
      else process.env.CONFLUX_JAVA = java;
    }
  };

  it('lists every method, authorizer, usage plan and stage it cannot run, each with its stack, logical id and property', async () => {
    // GIVEN an API with an IAM-authorized method, an HTTP proxy, an unsupported Kinesis action, a response
    // parameter mapped from the method request, a Cognito authorizer, a quota offset and a per-method throttle
    const cdkOut = synth((stack) => {
      const api = new apigw.RestApi(stack, 'Api', {
        deployOptions: { methodOptions: { '/orders/GET': { throttlingRateLimit: 5 } } },
      });
      const role = new iam.Role(stack, 'ApiRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      });
      const orders = api.root.addResource('orders');
      orders.addMethod(
        'GET',
        new apigw.MockIntegration({
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          integrationResponses: [
            {
              statusCode: '200',
              responseParameters: { 'method.response.header.X-Echo': 'method.request.header.X' },
            },
          ],
        }),
        {
          authorizationType: apigw.AuthorizationType.IAM,
          methodResponses: [
            { statusCode: '200', responseParameters: { 'method.response.header.X-Echo': true } },
          ],
        },
      );
      api.root.addResource('legacy').addMethod('GET', new apigw.HttpIntegration('https://example.com'));
      api.root.addResource('merge').addMethod(
        'POST',
        new apigw.AwsIntegration({
          service: 'kinesis',
          action: 'MergeShards',
          options: { credentialsRole: role },
        }),
      );
      new apigw.CfnAuthorizer(stack, 'Pool', {
        restApiId: api.restApiId,
        name: 'pool',
        type: 'COGNITO_USER_POOLS',
        identitySource: 'method.request.header.Authorization',
      });
      api.addUsagePlan('Plan', { quota: { limit: 100, offset: 2, period: apigw.Period.WEEK } });
    });

    // WHEN the runtime starts
    const message = await startWithoutJava(cdkOut);

    // THEN every refusal is reported, each naming where it is and the property
    const expected = [
      /Refused\/Apiorders\w+ \(AWS::ApiGateway::Method\): AuthorizationType AWS_IAM is not supported offline \(NONE and CUSTOM are\)/,
      /Refused\/Apiorders\w+ \(AWS::ApiGateway::Method\): Integration\.IntegrationResponses\[0\]\.ResponseParameters method\.response\.header\.X-Echo = method\.request\.header\.X is not supported offline/,
      /Refused\/Apilegacy\w+ \(AWS::ApiGateway::Method\): Integration\.Type HTTP_PROXY is not supported offline \(AWS_PROXY, AWS and MOCK are\)/,
      /Refused\/Apimerge\w+ \(AWS::ApiGateway::Method\): kinesis action MergeShards is not supported offline \(PutRecord, PutRecords, GetShardIterator, GetRecords, ListStreams, ListShards, DescribeStream, DescribeStreamSummary are\)/,
      /Refused\/Pool \(AWS::ApiGateway::Authorizer\): Type COGNITO_USER_POOLS is not supported offline \(TOKEN and REQUEST are\)/,
      /Refused\/ApiPlan\w+ \(AWS::ApiGateway::UsagePlan\): Quota\.Offset is not supported offline/,
      /Refused\/ApiDeploymentStage\w+ \(AWS::ApiGateway::Stage\): MethodSettings throttling for GET \/~1orders is not supported offline yet/,
    ];
    for (const problem of expected) expect(message).toMatch(problem);
    expect(message.split('AuthorizationType AWS_IAM').length).toBe(2);
  });

  it('does not refuse what it runs: Lambda-free MOCK, Kinesis read actions and literal CORS headers', async () => {
    // GIVEN an API of MOCK methods with CORS and a Kinesis GetRecords integration
    const cdkOut = synth((stack) => {
      const role = new iam.Role(stack, 'ApiRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      });
      const api = new apigw.RestApi(stack, 'Api', {
        defaultCorsPreflightOptions: { allowOrigins: apigw.Cors.ALL_ORIGINS },
      });
      api.root.addResource('records').addMethod(
        'GET',
        new apigw.AwsIntegration({
          service: 'kinesis',
          action: 'GetRecords',
          options: { credentialsRole: role },
        }),
      );
      // A refusal of another kind, so that start stops before any engine whatever the API does.
      new apigw.CfnAuthorizer(stack, 'Pool', {
        restApiId: api.restApiId,
        name: 'pool',
        type: 'COGNITO_USER_POOLS',
        identitySource: 'method.request.header.Authorization',
      });
    });

    // WHEN the runtime starts
    const message = await startWithoutJava(cdkOut);

    // THEN only the authorizer is refused
    expect(message).toMatch(/Refused\/Pool \(AWS::ApiGateway::Authorizer\)/);
    expect(message).not.toMatch(/AWS::ApiGateway::Method/);
  });
});
