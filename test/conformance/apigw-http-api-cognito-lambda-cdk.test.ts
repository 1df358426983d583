import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { HttpApiCognitoLambdaStack } from './apps/apigw-http-api-cognito-lambda-cdk/lib/http-api-cognito-lambda-stack';
import { runThirdPartyApp } from './support';

/**
 * aws-samples/serverless-patterns apigw-http-api-cognito-lambda-cdk: an HTTP API with a JWT authorizer whose
 * issuer is a Cognito user pool of the stack. Offline there is no Cognito to sign in to, so only what needs no
 * token from it is checked: the open route, and the refusal of the protected one.
 */
describe('apigw-http-api-cognito-lambda-cdk', () => {
  let running: RunningApp;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${running.runtime.baseUrl ?? ''}${path}`, { headers });

  beforeAll(async () => {
    running = await runThirdPartyApp('apigw-http-api-cognito-lambda-cdk', (app) => {
      new HttpApiCognitoLambdaStack(app, 'HttpApiCognitoLambdaStack', {});
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('serves the unprotected route to anyone', async () => {
    // README: "The first endpoint is unprotected (no authentication/authorization) and integrate with a unprotected
    // accessible Lambda function." … "The response payload should shows `Hello Unprotected Space`."
    const response = await get('/unprotected');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Hello Unprotected Space!');
  });

  it('refuses the protected route without a valid JWT of the user pool', async () => {
    // README: "The second endpoint is protected by a JWTAuthorizer that use Coginto as IDP" — API Gateway answers
    // 401 {"message":"Unauthorized"} when the token is missing or does not verify.
    const missing = await get('/protected');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    // A token that is not a JWT signed by the pool's issuer is refused the same way.
    const forged = await get('/protected', { authorization: 'Bearer not.a.jwt' });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain('Hello Protected Space!');
  });
});
