import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { GatewayLambdaAuth } from './apps/api-gateway-lambda-token-authorizer/lib/stack/gateway-lambda-auth-stack';
import { runThirdPartyApp } from './support';

/** aws-samples/aws-cdk-examples typescript/api-gateway-lambda-token-authorizer: LambdaRestApi behind a TOKEN authorizer. */
describe('api-gateway-lambda-token-authorizer', () => {
  let running: RunningApp;
  const health = (token?: string) =>
    fetch(`${running.runtime.baseUrl ?? ''}/health`, {
      headers: token === undefined ? {} : { authorization: token },
    });

  beforeAll(async () => {
    running = await runThirdPartyApp('api-gateway-lambda-token-authorizer', (app) => {
      new GatewayLambdaAuth(app, 'gateway-lambda-auth-stack', {});
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('serves GET /health from the operational Lambda when the authorizer allows the token', async () => {
    // README: "A Lambda authorizer … is an API Gateway feature that uses a Lambda function to control access to your API."
    // authorizer/index.ts: case 'allow' → generatePolicy('user', 'Allow', event.methodArn); operational → body 'Healthy'
    const response = await health('allow');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Healthy');
  });

  it('answers 403 when the authorizer returns a Deny policy', async () => {
    // authorizer/index.ts: case 'deny' → generatePolicy('user', 'Deny', event.methodArn)
    const response = await health('deny');
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('Healthy');
  });

  it('answers 401 when the authorizer fails with "Unauthorized", or the token is missing', async () => {
    // authorizer/index.ts: callback("Unauthorized");   // Return a 401 Unauthorized response
    const unauthorized = await health('unauthorized');
    expect(unauthorized.status).toBe(401);
    // API Gateway answers 401 itself, without calling the authorizer, when the identity source is absent.
    expect((await health()).status).toBe(401);
  });

  it('answers 500 when the authorizer fails with any other error', async () => {
    // authorizer/index.ts: callback("Error: Invalid token"); // Return a 500 Invalid token response
    const response = await health('something-else');
    expect(response.status).toBe(500);
  });
});
