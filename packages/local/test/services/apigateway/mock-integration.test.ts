import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** MOCK integrations as CDK synthesizes them, answered by the offline gateway from their own mapping. */
describe('gateway MOCK integrations, offline', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Mocks');
      const api = new apigw.RestApi(stack, 'Api', {
        deployOptions: { stageName: 'dev', variables: { release: 'r42' } },
        defaultCorsPreflightOptions: {
          allowOrigins: ['https://shop.example', 'https://admin.example'],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['Content-Type', 'X-Api-Key'],
          allowCredentials: true,
          maxAge: Duration.minutes(10),
        },
      });
      api.root.addResource('hello').addMethod(
        'GET',
        new apigw.MockIntegration({
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          integrationResponses: [
            {
              statusCode: '200',
              responseParameters: {
                'method.response.header.X-Release': 'stageVariables.release',
                'method.response.header.X-Served-By': "'mock'",
              },
              responseTemplates: {
                'application/json':
                  '{"greeting":"hello $input.params(\'name\')","requestId":"$context.requestId","stage":"$context.stage","release":"$stageVariables.release"}',
              },
            },
          ],
        }),
        {
          methodResponses: [
            {
              statusCode: '200',
              responseParameters: {
                'method.response.header.X-Release': true,
                'method.response.header.X-Served-By': true,
              },
            },
          ],
        },
      );
      api.root.addResource('orders').addMethod(
        'GET',
        new apigw.MockIntegration({
          requestTemplates: {
            'application/json': `{"statusCode": #if($input.params('id') == "404")404#{else}200#end}`,
          },
          integrationResponses: [
            {
              statusCode: '200',
              responseTemplates: { 'application/json': '{"id":"$input.params(\'id\')"}' },
            },
            {
              statusCode: '404',
              selectionPattern: '4\\d{2}',
              responseTemplates: {
                'application/json': '{"message":"no order $input.params(\'id\')"}',
              },
            },
          ],
        }),
        { methodResponses: [{ statusCode: '200' }, { statusCode: '404' }] },
      );
      api.root.addResource('unmapped').addMethod(
        'GET',
        new apigw.MockIntegration({
          requestTemplates: { 'application/json': '{"statusCode": 503}' },
          integrationResponses: [{ statusCode: '200', selectionPattern: '2\\d{2}' }],
        }),
        { methodResponses: [{ statusCode: '200' }] },
      );
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const url = (path: string) => `${running.runtime.baseUrl ?? ''}${path}`;

  it('answers from the integration response its request template selects, templated with $input, $context and $stageVariables', async () => {
    // GIVEN a MOCK whose request template is {"statusCode": 200} and whose 200 response templates the body

    // WHEN it is called with a query parameter
    const response = await fetch(url('/hello?name=ada'));

    // THEN the body is the response template rendered for this request, and its parameters are headers
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Record<string, string>;
    expect(body).toEqual({
      greeting: 'hello ada',
      requestId: response.headers.get('x-amzn-requestid'),
      stage: 'dev',
      release: 'r42',
    });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-served-by')).toBe('mock');
    expect(response.headers.get('x-release')).toBe('r42');
  });

  it('chooses the 4xx integration response by its selection pattern when the request template says 404', async () => {
    // GIVEN a MOCK whose request template answers 404 for id 404, with a default and a 4\d{2} response

    // WHEN an existing and a missing order are asked for
    const found = await fetch(url('/orders?id=7'));
    const missing = await fetch(url('/orders?id=404'));

    // THEN each gets its response's status and template
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ id: '7' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'no order 404' });
  });

  it('answers 500 when no integration response matches the status and there is no default', async () => {
    // GIVEN a MOCK answering 503 whose only response selects 2\d{2}

    // WHEN it is called
    const response = await fetch(url('/unmapped'));

    // THEN API Gateway's configuration error
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it('answers a CORS preflight with the Access-Control-* headers of CDK’s MOCK OPTIONS method', async () => {
    // GIVEN defaultCorsPreflightOptions on the API (an OPTIONS MOCK on every resource)

    // WHEN a browser sends a preflight from the first allowed origin
    const response = await fetch(url('/orders'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });

    // THEN 204 with the headers the integration response's parameters set
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type,X-Api-Key');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('answers a preflight from another allowed origin with that origin, as CDK’s response template overrides it', async () => {
    // GIVEN two allowed origins: the header names the first, the template overrides it for the others

    // WHEN a preflight comes from the second origin, and one from an origin not allowed
    const admin = await fetch(url('/hello'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://admin.example' },
    });
    const other = await fetch(url('/hello'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });

    // THEN the second origin is echoed; the stranger gets the first origin, which its browser refuses
    expect(admin.status).toBe(204);
    expect(admin.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(other.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });
});
