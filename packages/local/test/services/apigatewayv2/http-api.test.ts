import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const inline = (code: string) => ({
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(code),
});

/** Answers the event it got; its own CORS header is one the gateway must drop. */
const echo = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example' },
  body: JSON.stringify(event),
});`;

/** Simple responses: any tenant but "blocked" is authorized, with its tenant and route as context. */
const simpleAuthorizer = `exports.handler = async (event) => ({
  isAuthorized: event.headers['x-tenant'] !== 'blocked',
  context: { tenant: event.headers['x-tenant'], route: event.routeKey },
});`;

/** IAM responses (payload 1.0): user "deny" gets an explicit Deny of the method it asked for. */
const iamAuthorizer = `exports.handler = async (event) => ({
  principalId: 'user-' + event.headers['x-user'],
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke',
    Effect: event.headers['x-user'] === 'deny' ? 'Deny' : 'Allow', Resource: event.methodArn }] },
  context: { via: 'iam' },
});`;

const AUDIENCE = 'conflux-http';

/** A local OpenID issuer (discovery and keys), and an upstream HTTP endpoint that echoes what it got. */
async function startIssuer(): Promise<{ server: Server; url: string; privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks.json` }));
    } else if (req.url === '/jwks.json') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.setHeader('x-upstream', 'yes');
      res.end(JSON.stringify({ method: req.method, url: req.url, tag: req.headers['x-tag'] ?? null }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, privateKey, jwk };
}

describe('HTTP APIs, offline', () => {
  let running: RunningApp;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  const fx: Partial<{
    api: apigwv2.HttpApi;
    other: apigwv2.HttpApi;
    echo: lambda.Function;
    simpleAuth: lambda.Function;
  }> = {};

  beforeAll(async () => {
    issuer = await startIssuer();
    running = await runApp((app) => {
      const stack = new Stack(app, 'HttpApis');
      const echoFn = new lambda.Function(stack, 'Echo', inline(echo));
      fx.echo = echoFn;
      const plain = new lambda.Function(
        stack,
        'Plain',
        inline(`exports.handler = async () => ({ hello: 'world' });`),
      );
      const broken = new lambda.Function(
        stack,
        'Broken',
        inline(`exports.handler = async () => { throw new Error('kaput'); };`),
      );
      const malformed = new lambda.Function(
        stack,
        'Malformed',
        inline(`exports.handler = async () => ({ statusCode: 'abc' });`),
      );
      const slow = new lambda.Function(stack, 'Slow', {
        ...inline(
          `exports.handler = async () => { await new Promise((r) => setTimeout(r, 3000)); return {}; };`,
        ),
        timeout: Duration.seconds(10),
      });
      const simpleAuthFn = new lambda.Function(stack, 'SimpleAuth', inline(simpleAuthorizer));
      fx.simpleAuth = simpleAuthFn;
      const iamAuthFn = new lambda.Function(stack, 'IamAuth', inline(iamAuthorizer));

      const api = new apigwv2.HttpApi(stack, 'Api', {
        corsPreflight: {
          allowOrigins: ['https://app.example'],
          allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
          allowHeaders: ['authorization', 'content-type'],
          exposeHeaders: ['x-request-id'],
          maxAge: Duration.seconds(60),
        },
      });
      fx.api = api;
      const toEcho = new integrations.HttpLambdaIntegration('ToEcho', echoFn);
      const add = (
        path: string,
        integration: apigwv2.HttpRouteIntegration,
        options: Partial<apigwv2.AddRoutesOptions> = {},
      ) => api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration, ...options });
      add('/items/{id}', toEcho);
      add('/items/special', new integrations.HttpLambdaIntegration('ToPlain', plain));
      add('/files/{path+}', toEcho, { methods: [apigwv2.HttpMethod.ANY] });
      add('/broken', new integrations.HttpLambdaIntegration('ToBroken', broken));
      add('/malformed', new integrations.HttpLambdaIntegration('ToMalformed', malformed));
      add(
        '/v1/{id}',
        new integrations.HttpLambdaIntegration('ToEchoV1', echoFn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
        }),
      );
      add('/slow', new integrations.HttpLambdaIntegration('ToSlow', slow, { timeout: Duration.seconds(1) }));
      add(
        '/upstream/{proxy+}',
        new integrations.HttpUrlIntegration('ToUpstream', `${issuer.url}/up/{proxy}`),
      );

      const jwt = new authorizers.HttpJwtAuthorizer('Jwt', issuer.url, { jwtAudience: [AUDIENCE] });
      add('/orders', toEcho, { authorizer: jwt, authorizationScopes: ['orders:read'] });
      add('/profile', toEcho, { authorizer: jwt });

      const simple = new authorizers.HttpLambdaAuthorizer('Tenant', simpleAuthFn, {
        responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.x-tenant'],
        resultsCacheTtl: Duration.minutes(5),
      });
      add('/tenant', toEcho, { authorizer: simple });
      add('/tenant/other', toEcho, { authorizer: simple });
      const iam = new authorizers.HttpLambdaAuthorizer('Iam', iamAuthFn, {
        identitySource: ['$request.header.x-user'],
        resultsCacheTtl: Duration.seconds(0),
      });
      add('/iam', toEcho, { authorizer: iam });

      const other = new apigwv2.HttpApi(stack, 'Other', {
        createDefaultStage: false,
        defaultIntegration: new integrations.HttpLambdaIntegration('OtherEcho', echoFn),
      });
      other.addStage('Dev', {
        stageName: 'dev',
        autoDeploy: true,
        throttle: { burstLimit: 1, rateLimit: 0.001 },
      });
      fx.other = other;
    });
  });
  afterAll(async () => {
    await running.stop();
    await new Promise((resolve) => issuer.server.close(resolve));
  });

  const url = (path: string) => `${running.runtime.baseUrl ?? ''}${path}`;
  const get = async (path: string, headers: Record<string, string> = {}) => fetch(url(path), { headers });
  const json = async (response: Response) => (await response.json()) as Record<string, unknown>;
  const echoed = async (response: Response) =>
    (await response.json()) as {
      requestContext: { authorizer?: { jwt?: unknown; lambda?: Record<string, unknown> } };
    };
  const apiUrl = (api: apigwv2.HttpApi | undefined) => {
    const id = api && Stack.of(api).getLogicalId(api.node.defaultChild as apigwv2.CfnApi);
    return running.runtime.apis[id ?? ''] ?? '';
  };
  const invocations = (fn: lambda.Function | undefined) =>
    running.runtime.host.stats(running.physical(fn as lambda.Function)).invocations;
  const token = async (
    claims: Record<string, unknown>,
    options: { expiresIn?: string; issuer?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? issuer.url)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(issuer.privateKey);

  describe('serving', () => {
    it('serves the first HTTP API at the base URL when the application has no REST API', () => {
      // GIVEN an application with two HTTP APIs and no REST API
      // THEN the base URL is the first one's, and both are listed by logical id on ports of their own
      expect(running.runtime.baseUrl).toBe(apiUrl(fx.api));
      expect(apiUrl(fx.other)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(apiUrl(fx.other)).not.toBe(apiUrl(fx.api));
    });

    it('answers the health route on an HTTP API', async () => {
      // WHEN the runtime's health route is asked on the HTTP API's port
      const response = await get('/_conflux/health');
      // THEN it reports the engines running
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ status: 'ok' });
    });
  });

  describe('routing and payload format 2.0', () => {
    it('invokes the route of a path variable with the 2.0 event', async () => {
      // WHEN a client GETs an item
      const response = await get('/items/42?tag=a&tag=b', { 'X-Custom': 'Value' });
      // THEN the function gets the documented 2.0 event
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        version: '2.0',
        routeKey: 'GET /items/{id}',
        rawPath: '/items/42',
        rawQueryString: 'tag=a&tag=b',
        queryStringParameters: { tag: 'a,b' },
        pathParameters: { id: '42' },
        headers: { 'x-custom': 'Value' },
        requestContext: { stage: '$default', http: { method: 'GET', path: '/items/42' } },
      });
    });

    it('prefers a literal route, and answers a result with no statusCode as a 200 JSON body', async () => {
      // WHEN the literal route's function returns a plain object
      const response = await get('/items/special');
      // THEN the object is the JSON body
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ hello: 'world' });
    });

    it('gives a greedy path variable every remaining segment', async () => {
      // WHEN a client PUTs a nested file path
      const response = await fetch(url('/files/a/b/c.txt'), { method: 'PUT', body: 'x' });
      // THEN the greedy route gets all of it as one parameter
      expect(await json(response)).toMatchObject({
        routeKey: 'ANY /files/{path+}',
        pathParameters: { path: 'a/b/c.txt' },
      });
    });

    it('answers 404 {"message":"Not Found"} where no route matches', async () => {
      // WHEN a client asks for a path no route has
      const response = await get('/nowhere');
      // THEN the gateway answers HTTP APIs' JSON 404, with a request id
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('apigw-requestid')).toBeTruthy();
      expect(await response.json()).toEqual({ message: 'Not Found' });
    });

    it('answers 500 {"message":"Internal Server Error"} when the function throws', async () => {
      // WHEN the route's function throws
      const response = await get('/broken');
      // THEN the client gets HTTP APIs' 500, no stack trace
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    });

    it('answers 500 when the function returns a malformed statusCode', async () => {
      // WHEN the function returns a statusCode that is not a number
      const response = await get('/malformed');
      // THEN the client gets 500
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    });

    it('sends the payload 1.0 event to an integration of that version', async () => {
      // WHEN a route whose integration is payload 1.0 is called
      const body = await json(await get('/v1/7', { 'X-Custom': 'Value' }));
      // THEN the function gets the REST-style event, header names lower-cased
      expect(body).toMatchObject({
        version: '1.0',
        resource: '/v1/{id}',
        httpMethod: 'GET',
        pathParameters: { id: '7' },
        multiValueHeaders: { 'x-custom': ['Value'] },
      });
    });

    it('forwards an HTTP_PROXY route to its URL with the greedy variable, and passes the answer through', async () => {
      // WHEN a client calls the HTTP_PROXY route with a query and a header
      const response = await get('/upstream/a/b?q=1', { 'X-Tag': 'v' });
      // THEN the upstream got the mapped path, query and header, and its answer comes back
      expect(response.headers.get('x-upstream')).toBe('yes');
      expect(await response.json()).toEqual({ method: 'GET', url: '/up/a/b?q=1', tag: 'v' });
    });
  });

  it('answers 503 {"message":"Service Unavailable"} when the integration outlasts its timeout', async () => {
    // WHEN a route whose function takes 3 s with an integration timeout of 1 s is called
    const response = await get('/slow');
    // THEN the gateway gives up on it
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  describe('CORS', () => {
    it('answers a preflight itself, with the configured headers, without calling the function', async () => {
      // GIVEN the echo function's invocations so far
      const before = invocations(fx.echo);
      // WHEN a browser sends a preflight for an item
      const response = await fetch(url('/items/42'), {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' },
      });
      // THEN the gateway answers 204 with the API's CORS configuration
      expect(response.status).toBe(204);
      expect(
        Object.fromEntries([...response.headers].filter(([k]) => k.startsWith('access-control-'))),
      ).toEqual({
        'access-control-allow-origin': 'https://app.example',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '60',
      });
      expect(invocations(fx.echo)).toBe(before);
    });

    it('leaves a preflight to a route that takes OPTIONS, such as an ANY route', async () => {
      // WHEN a browser sends a preflight for a path of the ANY /files/{path+} route
      const response = await fetch(url('/files/x'), {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PUT' },
      });
      // THEN the route's function answers it (as on AWS, where an authorizer on such a route then applies)
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        routeKey: 'ANY /files/{path+}',
        requestContext: { http: { method: 'OPTIONS' } },
      });
    });

    it("puts the API's CORS headers on a response in place of the integration's", async () => {
      // WHEN an allowed origin calls a route whose function sets its own CORS header
      const response = await get('/items/1', { Origin: 'https://app.example' });
      // THEN the API's configured headers win
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id');
    });

    it('adds no CORS header for an origin that is not allowed', async () => {
      // WHEN an origin outside AllowOrigins calls a route
      const response = await get('/items/1', { Origin: 'https://evil.example' });
      // THEN the answer has no Access-Control-Allow-Origin, not even the function's
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('JWT authorizer', () => {
    it('answers 401 with www-authenticate when the token is missing', async () => {
      // WHEN a client calls a JWT route with no Authorization header
      const response = await get('/orders');
      // THEN it is unauthorized
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    });

    it("lets a valid token with the route's scope through, its claims and scopes in the event", async () => {
      // GIVEN a token of the issuer, for the audience, with the scope the route requires
      const jwt = await token({ sub: 'user-1', aud: AUDIENCE, scope: 'orders:read orders:write' });
      // WHEN it calls the route
      const response = await get('/orders', { Authorization: `Bearer ${jwt}` });
      // THEN the function sees who called
      expect(response.status).toBe(200);
      expect((await echoed(response)).requestContext.authorizer?.jwt).toMatchObject({
        claims: { sub: 'user-1', aud: AUDIENCE },
        scopes: ['orders:read', 'orders:write'],
      });
    });

    it('answers 403 Forbidden to a valid token without the scope the route requires', async () => {
      // WHEN a valid token without orders:read calls the route that requires it
      const jwt = await token({ sub: 'user-1', aud: AUDIENCE, scope: 'profile' });
      const response = await get('/orders', { Authorization: `Bearer ${jwt}` });
      // THEN it is forbidden, with insufficient_scope
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
      expect(await response.json()).toEqual({ message: 'Forbidden' });
    });

    it('answers 401 to a token for another audience', async () => {
      // WHEN a token issued for another audience calls a JWT route
      const jwt = await token({ sub: 'user-1', aud: 'someone-else' });
      const response = await get('/profile', { Authorization: jwt });
      // THEN it is unauthorized, and told why
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('audience');
    });

    it('answers 401 to an expired token', async () => {
      // WHEN an expired token calls a JWT route
      const jwt = await token({ sub: 'user-1', aud: AUDIENCE }, { expiresIn: '-1m' });
      // THEN it is unauthorized
      expect((await get('/profile', { Authorization: jwt })).status).toBe(401);
    });

    it('answers 401 to a token of another issuer', async () => {
      // WHEN a token whose iss is not the configured issuer calls a JWT route
      const jwt = await token({ sub: 'user-1', aud: AUDIENCE }, { issuer: 'https://elsewhere.example' });
      // THEN it is unauthorized
      expect((await get('/profile', { Authorization: jwt })).status).toBe(401);
    });

    it('takes client_id as the audience of a token with no aud', async () => {
      // WHEN a token with no aud but the audience as client_id calls a JWT route (as Cognito access tokens do)
      const jwt = await token({ sub: 'user-1', client_id: AUDIENCE });
      // THEN it is let through
      expect((await get('/profile', { Authorization: jwt })).status).toBe(200);
    });
  });

  describe('Lambda authorizer', () => {
    it('answers 401 without calling the function when the identity source is missing', async () => {
      // WHEN a client calls a Lambda-authorized route without the x-tenant header
      const before = invocations(fx.simpleAuth);
      const response = await get('/tenant');
      // THEN it is unauthorized and the authorizer was not invoked
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      expect(invocations(fx.simpleAuth)).toBe(before);
    });

    it("passes a simple response's context to the integration under authorizer.lambda", async () => {
      // WHEN an authorized tenant calls the route
      const response = await get('/tenant', { 'X-Tenant': 'acme' });
      // THEN the integration sees the authorizer's context
      expect(response.status).toBe(200);
      expect((await echoed(response)).requestContext.authorizer).toEqual({
        lambda: { tenant: 'acme', route: 'GET /tenant' },
      });
    });

    it('answers 403 Forbidden when a simple response is not authorized', async () => {
      // WHEN the authorizer answers isAuthorized false
      const response = await get('/tenant', { 'X-Tenant': 'blocked' });
      // THEN the client is forbidden
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
    });

    it('caches a result by caller and route: the same tenant on another route is asked again', async () => {
      // GIVEN a tenant authorized once on /tenant
      await get('/tenant', { 'X-Tenant': 'cached' });
      const after = invocations(fx.simpleAuth);
      // WHEN it calls /tenant again, then /tenant/other
      await get('/tenant', { 'X-Tenant': 'cached' });
      const other = await get('/tenant/other', { 'X-Tenant': 'cached' });
      // THEN the second call came from the cache, the other route asked the function, with its own route
      expect(invocations(fx.simpleAuth)).toBe(after + 1);
      expect((await echoed(other)).requestContext.authorizer?.lambda?.route).toBe('GET /tenant/other');
    });

    it("answers 403 to an IAM policy's explicit Deny", async () => {
      // WHEN the IAM-response authorizer denies the method
      const response = await get('/iam', { 'X-User': 'deny' });
      // THEN the client is forbidden
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Forbidden' });
    });

    it("passes an IAM policy's principal and context when it allows the route", async () => {
      // WHEN the IAM-response authorizer allows the method
      const response = await get('/iam', { 'X-User': 'ann' });
      // THEN the integration sees its principal and context
      expect(response.status).toBe(200);
      expect((await echoed(response)).requestContext.authorizer).toEqual({
        principalId: 'user-ann',
        lambda: { via: 'iam' },
      });
    });
  });

  describe('stages', () => {
    it('serves a named stage under its name, to the $default route', async () => {
      // WHEN a client calls the other API under its stage
      const response = await fetch(`${apiUrl(fx.other)}/dev/anything/here`);
      // THEN the $default route gets it, with the stage in the event
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({
        routeKey: '$default',
        rawPath: '/dev/anything/here',
        requestContext: { stage: 'dev' },
      });
    });

    it('answers 404 outside the named stage of an API with no $default stage', async () => {
      // WHEN a client calls the API without the stage prefix
      const response = await fetch(`${apiUrl(fx.other)}/anything`);
      // THEN no stage serves it
      expect(response.status).toBe(404);
    });

    it('answers 429 {"message":"Too Many Requests"} beyond the stage\'s route throttle', async () => {
      // GIVEN the stage throttles each route to a burst of 1, refilled once in 1000 s
      // WHEN two requests come at once
      await fetch(`${apiUrl(fx.other)}/dev/first`);
      const response = await fetch(`${apiUrl(fx.other)}/dev/second`);
      // THEN the second is throttled
      expect(response.status).toBe(429);
      expect(await response.json()).toEqual({ message: 'Too Many Requests' });
    });
  });
});
