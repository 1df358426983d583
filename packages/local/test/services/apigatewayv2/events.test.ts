import { describe, expect, it } from 'vitest';
import {
  eventV1,
  eventV2,
  responseV1,
  responseV2,
  type RoutedRequest,
} from '../../../src/services/apigatewayv2/events.js';

/** A routed request, no server: `headers` as `[name, value]` pairs in the order a client sends them. */
function request(
  options: {
    method?: string;
    rawPath?: string;
    rawQueryString?: string;
    headers?: [string, string][];
    body?: string;
    routeKey?: string;
    stage?: string;
    variables?: Record<string, string>;
    pathParameters?: Record<string, string>;
  } = {},
): RoutedRequest {
  return {
    requestId: 'req-1',
    method: options.method ?? 'GET',
    rawPath: options.rawPath ?? '/items/42',
    rawQueryString: options.rawQueryString ?? '',
    rawHeaders: (options.headers ?? [['Host', 'api.local']]).flat(),
    body: options.body === undefined ? null : Buffer.from(options.body),
    sourceIp: '127.0.0.1',
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    apiId: 'api1',
    accountId: '000000000000',
    stage: { name: options.stage ?? '$default', variables: options.variables ?? {}, routeThrottles: {} },
    route: {
      routeKey: options.routeKey ?? 'GET /items/{id}',
      authorizationType: 'NONE',
      authorizationScopes: [],
      integrationId: 'i',
    },
    pathParameters: options.pathParameters ?? { id: '42' },
  };
}

describe('payload format 2.0 event', () => {
  it('carries the route key, raw path and query, and the request context', () => {
    // GIVEN a GET with a query string on a named stage
    const req = request({ rawPath: '/dev/items/42', rawQueryString: 'a=1&b=two', stage: 'dev' });
    // WHEN its 2.0 event is built
    const event = eventV2(req);
    // THEN it has the documented top-level fields and context
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/dev/items/42',
      rawQueryString: 'a=1&b=two',
      queryStringParameters: { a: '1', b: 'two' },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'api1',
        domainName: 'api.local',
        domainPrefix: 'api',
        http: { method: 'GET', path: '/dev/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId: 'req-1',
        routeKey: 'GET /items/{id}',
        stage: 'dev',
        time: '02/Jan/2026:03:04:05 +0000',
        timeEpoch: Date.UTC(2026, 0, 2, 3, 4, 5),
      },
    });
  });

  it('lower-cases header names and joins a repeated header or query parameter with commas', () => {
    // GIVEN a repeated header, in two casings, and a repeated query parameter
    const req = request({
      headers: [
        ['X-Tag', 'a'],
        ['x-tag', 'b'],
        ['User-Agent', 'curl/8'],
      ],
      rawQueryString: 'k=1&k=2',
    });
    // WHEN the event is built
    const event = eventV2(req);
    // THEN one lower-case header holds both values, and the parameter both
    expect(event.headers).toEqual({ 'x-tag': 'a,b', 'user-agent': 'curl/8' });
    expect(event.queryStringParameters).toEqual({ k: '1,2' });
    expect(event.requestContext.http.userAgent).toBe('curl/8');
  });

  it('moves the cookie header into cookies', () => {
    // GIVEN a request with two cookies
    const event = eventV2(request({ headers: [['Cookie', 'a=1; b=2']] }));
    // THEN they are in cookies, and there is no cookie header
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('leaves out query parameters, path parameters, stage variables and body when there are none', () => {
    // GIVEN a bodiless request on $default with no query, parameters or stage variables
    const event = eventV2(request({ pathParameters: {}, routeKey: '$default' }));
    // THEN the event has none of those keys
    for (const key of ['queryStringParameters', 'pathParameters', 'stageVariables', 'body', 'cookies']) {
      expect(event).not.toHaveProperty(key);
    }
    expect(event.routeKey).toBe('$default');
  });

  it('passes a JSON body as text and a binary one base64-encoded', () => {
    // GIVEN a JSON body and an octet-stream body
    const json = eventV2(request({ headers: [['Content-Type', 'application/json']], body: '{"a":1}' }));
    const binary = eventV2(request({ headers: [['Content-Type', 'application/octet-stream']], body: 'raw' }));
    // THEN the JSON is text, the other base64
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(binary).toMatchObject({ body: Buffer.from('raw').toString('base64'), isBase64Encoded: true });
  });

  it('carries the stage variables', () => {
    // GIVEN a stage with a variable
    // THEN the event carries it
    expect(eventV2(request({ variables: { table: 'items' } })).stageVariables).toEqual({ table: 'items' });
  });

  it("carries a JWT authorizer's claims and scopes under requestContext.authorizer.jwt", () => {
    // GIVEN a request a JWT authorizer let through
    const req = request();
    req.authorization = { kind: 'jwt', claims: { sub: 'u1' }, scopes: ['read'] };
    // WHEN the event is built
    // THEN the claims and scopes are where handlers read them
    expect(eventV2(req).requestContext).toMatchObject({
      authorizer: { jwt: { claims: { sub: 'u1' }, scopes: ['read'] } },
    });
  });

  it("carries a Lambda authorizer's context under requestContext.authorizer.lambda", () => {
    // GIVEN a request a Lambda authorizer let through with a context
    const req = request();
    req.authorization = { kind: 'lambda', context: { tenant: 't1' } };
    // THEN the context is under authorizer.lambda
    expect(eventV2(req).requestContext).toMatchObject({ authorizer: { lambda: { tenant: 't1' } } });
  });
});

describe('payload format 1.0 event', () => {
  it('is the REST proxy event: resource, path, multi-value maps and null for what is absent', () => {
    // GIVEN a request with a repeated query parameter and no body
    const req = request({ rawQueryString: 'k=1&k=2', headers: [['Host', 'api.local']] });
    // WHEN its 1.0 event is built
    const event = eventV1(req);
    // THEN it has the REST shape, with the last value in the single-value maps
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/items/{id}',
      path: '/items/42',
      httpMethod: 'GET',
      headers: { host: 'api.local' },
      multiValueHeaders: { host: ['api.local'] },
      queryStringParameters: { k: '2' },
      multiValueQueryStringParameters: { k: ['1', '2'] },
      pathParameters: { id: '42' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        resourcePath: '/items/{id}',
        requestTime: '02/Jan/2026:03:04:05 +0000',
      },
    });
  });

  it("carries a Lambda authorizer's context flat in requestContext.authorizer", () => {
    // GIVEN a request an IAM-response authorizer let through
    const req = request();
    req.authorization = { kind: 'lambda', context: { tenant: 't1' }, principalId: 'p' };
    // THEN payload 1.0 has the context and principal flat, as REST APIs do
    expect(eventV1(req).requestContext).toMatchObject({ authorizer: { tenant: 't1', principalId: 'p' } });
  });
});

describe('payload format 2.0 response', () => {
  it('answers a result with no statusCode as a 200 JSON body', () => {
    // GIVEN a function that returns a plain object or a string
    // WHEN its result is read
    // THEN it is the JSON body of a 200
    expect(responseV2({ hello: 'world' })).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(responseV2('text')).toMatchObject({ status: 200, body: '"text"' });
  });

  it('uses statusCode, headers and body, and sends each cookie as a set-cookie header', () => {
    // GIVEN a structured result with headers and cookies
    const answer = responseV2({
      statusCode: 201,
      headers: { 'X-Id': 7, 'Content-Type': 'application/json' },
      cookies: ['a=1', 'b=2; Secure'],
      body: '{}',
    });
    expect(answer).toEqual({
      status: 201,
      headers: { 'x-id': '7', 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2; Secure'] },
      body: '{}',
    });
  });

  it('decodes a base64-encoded body', () => {
    // GIVEN a result with isBase64Encoded
    const answer = responseV2({
      statusCode: 200,
      body: Buffer.from('bytes').toString('base64'),
      isBase64Encoded: true,
    });
    expect(Buffer.from(answer?.body ?? '').toString()).toBe('bytes');
  });

  it('refuses a malformed status, headers or cookies (the gateway answers 500)', () => {
    // GIVEN results with a bad status, a nested header value, cookies that are no list
    // THEN none is usable
    expect(responseV2({ statusCode: 'abc' })).toBeUndefined();
    expect(responseV2({ statusCode: 200, headers: { x: { nested: true } } })).toBeUndefined();
    expect(responseV2({ statusCode: 200, cookies: 'a=1' })).toBeUndefined();
  });
});

describe('payload format 1.0 response', () => {
  it('follows the REST proxy rules: an unknown key is refused', () => {
    // GIVEN 1.0 results
    // THEN the REST proxy's rules apply: an unknown key or a plain object is unusable
    expect(responseV1({ statusCode: 204 })).toMatchObject({ status: 204, body: '' });
    expect(responseV1({ statusCode: 200, extra: 1 })).toBeUndefined();
    expect(responseV1({ hello: 'world' })).toBeUndefined();
  });
});
