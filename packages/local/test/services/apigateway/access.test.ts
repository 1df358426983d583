import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const inline = (code: string) => ({
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(code),
});

// Token → policy: 'allow' may call anything, 'own' only the method it was first asked about, 'deny' nothing.
const tokenAuthorizer = `
exports.handler = async (event) => {
  const t = event.authorizationToken.replace(/^Bearer /, '');
  if (t === 'unauth') throw new Error('Unauthorized');
  if (t === 'boom') throw new Error('kaput');
  if (t === 'badctx') return { principalId: 'x', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] }, context: { nested: { a: 1 } } };
  const effect = t === 'deny' ? 'Deny' : 'Allow';
  const resource = t === 'own' ? event.methodArn : event.methodArn.split('/')[0] + '/*';
  return { principalId: 'user-' + t, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] }, context: { tier: 'gold', level: 3 } };
};`;

const echo = `exports.handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ authorizer: e.requestContext.authorizer || null, apiKeyId: e.requestContext.identity.apiKeyId }) });`;

describe('gateway access control, offline', () => {
  let running: RunningApp;
  const fx: Partial<
    Record<'authorizer' | 'requestAuthorizer' | 'orders' | 'free' | 'tiny', lambda.Function | apigw.IApiKey>
  > = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Access');
      const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'live' } });
      const backend = new lambda.Function(stack, 'Echo', inline(echo));
      const authFn = new lambda.Function(stack, 'TokenAuth', inline(tokenAuthorizer));
      fx.authorizer = authFn;
      const authorizer = new apigw.TokenAuthorizer(stack, 'Authorizer', { handler: authFn });
      const secure = api.root.addResource('secure');
      secure.addMethod('GET', new apigw.LambdaIntegration(backend), { authorizer });
      secure.addResource('other').addMethod('GET', new apigw.LambdaIntegration(backend), { authorizer });

      const requestFn = new lambda.Function(
        stack,
        'RequestAuth',
        inline(tokenAuthorizer.replace('event.authorizationToken', "event.headers['x-token']")),
      );
      fx.requestAuthorizer = requestFn;
      const requestAuthorizer = new apigw.RequestAuthorizer(stack, 'ShortCache', {
        handler: requestFn,
        identitySources: [apigw.IdentitySource.header('x-token')],
        resultsCacheTtl: Duration.seconds(1),
      });
      api.root
        .addResource('brief')
        .addMethod('GET', new apigw.LambdaIntegration(backend), { authorizer: requestAuthorizer });

      const keyed = api.root.addResource('keyed');
      keyed.addMethod('GET', new apigw.LambdaIntegration(backend), { apiKeyRequired: true });
      const free = api.addApiKey('FreeKey', { apiKeyName: 'free-key' });
      const tiny = api.addApiKey('TinyKey', { apiKeyName: 'tiny-key' });
      fx.free = free;
      fx.tiny = tiny;
      api
        .addUsagePlan('Free', {
          name: 'free',
          throttle: { rateLimit: 0.001, burstLimit: 2 },
          apiStages: [{ api, stage: api.deploymentStage }],
        })
        .addApiKey(free);
      api
        .addUsagePlan('Tiny', {
          name: 'tiny',
          quota: { limit: 2, period: apigw.Period.DAY },
          apiStages: [{ api, stage: api.deploymentStage }],
        })
        .addApiKey(tiny);

      const orders = new lambda.Function(
        stack,
        'Orders',
        inline(`exports.handler = async () => ({ statusCode: 201, body: '{}' });`),
      );
      fx.orders = orders;
      const model = api.addModel('Order', {
        contentType: 'application/json',
        schema: {
          schema: apigw.JsonSchemaVersion.DRAFT4,
          type: apigw.JsonSchemaType.OBJECT,
          required: ['sku', 'quantity'],
          additionalProperties: false,
          properties: {
            sku: { type: apigw.JsonSchemaType.STRING },
            quantity: { type: apigw.JsonSchemaType.INTEGER, minimum: 1 },
          },
        },
      });
      api.root.addResource('orders').addMethod('POST', new apigw.LambdaIntegration(orders), {
        requestModels: { 'application/json': model },
        requestValidator: api.addRequestValidator('Body', { validateRequestBody: true }),
      });
      api.addGatewayResponse('Default4xx', {
        type: apigw.ResponseType.DEFAULT_4XX,
        responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
        templates: {
          'application/json':
            '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}',
        },
      });
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${running.runtime.baseUrl ?? ''}${path}`, { headers });
  const invocations = (fn: keyof typeof fx) =>
    running.runtime.host.stats(running.physical(fx[fn] as lambda.Function)).invocations;
  const keyOf = (plan: 'free' | 'tiny') => running.runtime.apiKeys[plan] ?? '';

  describe('Lambda authorizer', () => {
    it('passes an allowed caller with its principal and context, stringified, to the integration', async () => {
      const response = await get('/secure', { Authorization: 'Bearer allow' });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        authorizer: { principalId: 'user-allow', tier: 'gold', level: '3' },
      });
    });

    it('answers an explicit Deny with 403 and caches the result for the TTL', async () => {
      const before = invocations('authorizer');
      const first = await get('/secure', { Authorization: 'Bearer deny' });
      const second = await get('/secure/other', { Authorization: 'Bearer deny' });
      expect([first.status, second.status]).toEqual([403, 403]);
      expect(first.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(invocations('authorizer')).toBe(before + 1);
    });

    it('reuses a cached policy on another method, where a method-specific policy then denies', async () => {
      expect((await get('/secure', { Authorization: 'Bearer own' })).status).toBe(200);
      const other = await get('/secure/other', { Authorization: 'Bearer own' });
      expect(other.status).toBe(403);
    });

    it('answers 401 without calling the function when the token is missing, and for "Unauthorized"', async () => {
      const before = invocations('authorizer');
      expect((await get('/secure')).status).toBe(401);
      expect(invocations('authorizer')).toBe(before);
      expect((await get('/secure', { Authorization: 'unauth' })).status).toBe(401);
    });

    it('answers 500 for an authorizer that fails or returns a bad context', async () => {
      expect((await get('/secure', { Authorization: 'boom' })).status).toBe(500);
      const bad = await get('/secure', { Authorization: 'badctx' });
      expect(bad.status).toBe(500);
      expect(bad.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
    });

    it('calls the authorizer again once its cached result has expired', async () => {
      const before = invocations('requestAuthorizer');
      await get('/brief', { 'x-token': 'allow' });
      await get('/brief', { 'x-token': 'allow' });
      expect(invocations('requestAuthorizer')).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await get('/brief', { 'x-token': 'allow' });
      expect(invocations('requestAuthorizer')).toBe(before + 2);
    });
  });

  describe('API keys and usage plans', () => {
    it('answers 403 for a missing or unknown key, in the gateway response shape', async () => {
      const missing = await get('/keyed');
      expect(missing.status).toBe(403);
      expect(missing.headers.get('access-control-allow-origin')).toBe('*');
      expect(await missing.json()).toMatchObject({
        error: { code: 'INVALID_API_KEY', message: 'Forbidden' },
      });
      expect((await get('/keyed', { 'x-api-key': 'not-a-key-of-this-api' })).status).toBe(403);
    });

    it('lists each plan’s key and passes the key id to the integration', async () => {
      expect(Object.keys(running.runtime.apiKeys).sort()).toEqual(['free', 'tiny']);
      const response = await get('/keyed', { 'x-api-key': keyOf('tiny') });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { apiKeyId: string }).apiKeyId).toBe(
        running.physical(fx.tiny as apigw.IApiKey),
      );
    });

    it('throttles beyond the plan’s burst with 429 Too Many Requests', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await get('/keyed', { 'x-api-key': keyOf('free') })).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
    });

    it('answers 429 Limit Exceeded beyond the plan’s quota', async () => {
      // The previous test used one of the tiny plan's two daily requests.
      expect((await get('/keyed', { 'x-api-key': keyOf('tiny') })).status).toBe(200);
      const over = await get('/keyed', { 'x-api-key': keyOf('tiny') });
      expect(over.status).toBe(429);
      expect(await over.json()).toMatchObject({
        error: { code: 'QUOTA_EXCEEDED', message: 'Limit Exceeded' },
      });
    });
  });

  describe('request body validation', () => {
    const post = (body: string) =>
      fetch(`${running.runtime.baseUrl ?? ''}/orders`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });

    it('rejects a body that breaks the model with 400, without invoking the integration', async () => {
      const before = invocations('orders');
      for (const body of [
        '{"sku":"a","quantity":0}',
        '{"sku":"a"}',
        '{"sku":"a","quantity":1,"extra":true}',
        '{not json',
      ]) {
        const response = await post(body);
        expect(response.status, body).toBe(400);
        expect(await response.json()).toMatchObject({
          error: { code: 'BAD_REQUEST_BODY', message: 'Invalid request body' },
        });
      }
      expect(invocations('orders')).toBe(before);
    });

    it('passes a valid body to the integration', async () => {
      expect((await post('{"sku":"a","quantity":2}')).status).toBe(201);
    });
  });
});
