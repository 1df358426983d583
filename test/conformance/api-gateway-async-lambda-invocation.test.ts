import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RunningApp } from '../support/runtime';
import { ApiGatewayAsyncLambdaStack } from './apps/api-gateway-async-lambda-invocation/lib/api-gateway-async-lambda-invocation-stack';
import { runThirdPartyApp } from './support';

/**
 * aws-samples/aws-cdk-examples typescript/api-gateway-async-lambda-invocation: a non-proxy Lambda integration
 * invoked asynchronously (`X-Amz-Invocation-Type: 'Event'`) with VTL templates, and a direct DynamoDB GetItem
 * integration to read the job back.
 */
// KNOWN GAP, skipped until the runtime runs it — refused at start: REST non-proxy Lambda (`lambda:path/…/invocations`) and DynamoDB `GetItem` service integrations are not run offline yet.
describe.skip('api-gateway-async-lambda-invocation', () => {
  let running: RunningApp;
  const url = (path: string) => `${running.runtime.baseUrl ?? ''}${path}`;

  beforeAll(async () => {
    const prefix = 'apigw-async-lambda';
    running = await runThirdPartyApp('api-gateway-async-lambda-invocation', (app) => {
      new ApiGatewayAsyncLambdaStack(app, 'ApiGatewayAsyncLambdaStack', {
        stackName: `${prefix}-stack`,
        prefix,
      });
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('accepts a job at once with its jobId, and the job is then readable with status Processed', async () => {
    // README: "In this case, the backend Lambda function is invoked asynchronously, and the front-end REST API
    // method doesn't return the result." — "`POST` `/job`: Integrates with the Lambda function for job submission."
    // — "`GET` `/job/{jobId}`: Direct DynamoDB integration to fetch the job status by jobId."
    // WHEN a job is POSTed (the README's curl: -H "X-Amz-Invocation-Type: Event" -d '{}')
    const posted = await fetch(url('/job'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
      body: '{}',
    });
    // THEN the answer is the integration response template, {"jobId": "$context.requestId"}
    expect(posted.status).toBe(200);
    const { jobId } = (await posted.json()) as { jobId: string };
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    // AND once the asynchronous invocation has written it, GET /job/{jobId} reads it from the table
    const job = await eventually(async () => {
      const response = await fetch(url(`/job/${jobId}`));
      const body = (await response.json()) as { jobId?: string; status?: string; createdAt?: string };
      return response.status === 200 && body.status === 'Processed' ? body : undefined;
    });
    expect(job.jobId).toBe(jobId);
    expect(Date.parse(job.createdAt ?? '')).not.toBeNaN();
  });
});
