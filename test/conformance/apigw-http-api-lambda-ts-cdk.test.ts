import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { HttpApiLambdaStack } from './apps/apigw-http-api-lambda-ts-cdk/lib/httpapi-lambda-stack';
import { runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns apigw-http-api-lambda-ts-cdk: an HTTP API (v2) with one Lambda route. */
describe('apigw-http-api-lambda-ts-cdk', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await runThirdPartyApp('apigw-http-api-lambda-ts-cdk', (app) => {
      new HttpApiLambdaStack(app, 'HttpApiLambdaStack', { description: 'conformance' });
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('answers GET / with the Lambda function\'s "Hello World!"', async () => {
    // README: "It will integrate the Lambda function to the HTTP API using the route "/"" and
    // "Accessing the URL in a browser, you see: ```Hello World```."
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello World!');
  });

  it('has no route for other methods or paths', async () => {
    // The only route is GET /: an HTTP API answers 404 {"message":"Not Found"} for anything else.
    const post = await fetch(`${running.runtime.baseUrl ?? ''}/`, { method: 'POST' });
    expect(post.status).toBe(404);
    const other = await fetch(`${running.runtime.baseUrl ?? ''}/other`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'Not Found' });
  });
});
