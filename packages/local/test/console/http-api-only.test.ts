import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../test/support/runtime.js';

describe('the local console of an application with only HTTP APIs', () => {
  let running: RunningApp;
  let base: string;
  beforeAll(async () => {
    // GIVEN an HTTP API (no REST API) in front of a function, and a queue
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'HttpOnly');
        const fn = new lambda.Function(stack, 'Hello', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "hi" });'),
        });
        const api = new apigwv2.HttpApi(stack, 'Api');
        api.addRoutes({
          path: '/hello',
          methods: [apigwv2.HttpMethod.GET],
          integration: new integrations.HttpLambdaIntegration('Hello', fn),
        });
        new sqs.Queue(stack, 'Jobs');
      },
      { log: () => undefined },
    );
    base = running.runtime.baseUrl ?? '';
  });
  afterAll(async () => {
    await running.stop();
  });

  it('serves the console at the HTTP API’s base URL, next to its routes', async () => {
    // WHEN the page, the graph and a route are asked for
    const page = await fetch(`${base}/_console`);
    const graph = await fetch(`${base}/_console/api/graph`);
    const body = (await graph.json()) as { nodes: { kind: string; label: string }[] };
    const hello = await fetch(`${base}/hello`);

    // THEN the page and the graph are there, and the API still answers its route
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(graph.status).toBe(200);
    expect(body.nodes.map((n) => n.kind)).toEqual(expect.arrayContaining(['function', 'queue']));
    expect(hello.status).toBe(200);
    expect(await hello.text()).toBe('hi');
  });

  it('answers an unknown console API path with a JSON 404', async () => {
    const res = await fetch(`${base}/_console/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
