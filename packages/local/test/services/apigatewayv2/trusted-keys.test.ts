import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** An issuer that cannot be reached offline, like a Cognito user pool. */
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_offline';

describe('JWT authorizers with the keys the runtime is given (RuntimeOptions.jwks)', () => {
  let running: RunningApp;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'dev', alg: 'RS256' };
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Trusted');
        const echo = new lambda.Function(stack, 'Echo', {
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline(
            'exports.handler = async (e) => ({ sub: e.requestContext.authorizer.jwt.claims.sub });',
          ),
        });
        const api = new apigwv2.HttpApi(stack, 'Api');
        api.addRoutes({
          path: '/me',
          methods: [apigwv2.HttpMethod.GET],
          integration: new integrations.HttpLambdaIntegration('ToEcho', echo),
          authorizer: new authorizers.HttpJwtAuthorizer('Jwt', ISSUER, { jwtAudience: ['app-client'] }),
        });
      },
      { jwks: { keys: [jwk] } },
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  const sign = async (issuer: string) =>
    new SignJWT({ sub: 'dev-user', client_id: 'app-client' })
      .setProtectedHeader({ alg: 'RS256', kid: 'dev' })
      .setIssuer(issuer)
      .setExpirationTime('5m')
      .sign(privateKey);

  it("accepts a token signed with a trusted key, though the issuer's discovery cannot be reached", async () => {
    // GIVEN a token of the configured issuer signed with the key the runtime trusts
    const token = await sign(ISSUER);
    // WHEN it calls the route
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    // THEN the function runs, with the token's subject
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'dev-user' });
  });

  it('still requires iss to be the configured issuer', async () => {
    // GIVEN a token signed with the trusted key but of another issuer
    const token = await sign('https://conflux.local/another-issuer');
    // WHEN it calls the route
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    // THEN it is unauthorized
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });
});
