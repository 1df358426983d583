import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { SecureRestApi, type AuthConfig, type SecureRestApiProps } from '../src/index.js';
import { testStack } from '../../../test/support/cdk.js';

/** A body schema with the shapes a gateway model must carry: strict objects, bounds, patterns, nesting. */
const CreateOrder = z.strictObject({
  customerId: z.string().check(z.minLength(1), z.maxLength(64)),
  items: z
    .array(
      z.strictObject({
        sku: z.string().check(z.regex(/^[A-Z0-9-]{3,32}$/)),
        quantity: z.number().check(z.int(), z.minimum(1), z.maximum(99)),
      }),
    )
    .check(z.minLength(1), z.maxLength(50)),
  shipTo: z.strictObject({ region: z.string().check(z.minLength(2)), postcode: z.optional(z.string()) }),
});

const oidc: AuthConfig = {
  kind: 'oidc',
  issuer: 'https://issuer.example',
  audience: 'conflux-api',
  algorithms: ['RS256'],
  jwksUrl: 'https://issuer.example/.well-known/jwks.json',
};
const tiers = {
  free: { rate: 5, burst: 10, quotaPerDay: 1000, limit: 60, windowSeconds: 60 },
  partner: { rate: 50, burst: 100, quotaPerDay: 100_000, limit: 1200, windowSeconds: 60 },
};

function build(props: Partial<SecureRestApiProps> = {}, stack: Stack = testStack()) {
  const api = new SecureRestApi(stack, 'Api', {
    apiName: 'test-api',
    stageName: 'test',
    auth: oidc,
    tiers,
    deprecations: {
      v1: { deprecated: new Date('2026-01-01T00:00:00Z'), sunset: new Date('2027-01-01T00:00:00Z') },
    },
    ...props,
  });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  // A REST API needs a method to synthesize.
  api.addRoute({
    method: 'GET',
    path: '/v1/ping',
    target: { function: fn },
    open: { reason: 'a test route' },
  });
  return { stack, api, fn };
}

const env = (template: Template, logicalIdPart: string) => {
  const fns = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(fns).find(([id]) => id.includes(logicalIdPart)) ?? [];
  return (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
    .Environment.Variables;
};

describe('SecureRestApi', () => {
  it('guards routes with the JWT authorizer and an API key, and tells the authorizer each route’s scopes', () => {
    const { stack, api, fn } = build();
    api.addRoute({ method: 'POST', path: '/v2/orders', target: { function: fn }, scopes: ['orders:write'] });
    api.addRoute({
      method: 'GET',
      path: '/v2/orders/{orderId}',
      target: { function: fn },
      scopes: ['orders:read'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.orderId': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
    // The scheme is case-insensitive (RFC 7235); the credential must look like a JWT.
    const [authorizer] = Object.values(template.findResources('AWS::ApiGateway::Authorizer')) as {
      Properties: { IdentityValidationExpression: string };
    }[];
    const expression = authorizer?.Properties.IdentityValidationExpression ?? '';
    const valid = new RegExp(expression);
    for (const header of ['Bearer a.b.c', 'bearer a.b.c', 'BEARER a-_.b.c', 'Bearer  a.b.c'])
      expect(valid.test(header), header).toBe(true);
    for (const header of ['Basic a.b.c', 'Bearer a.b', 'Bearer', 'Bearer a.b.c d', 'a.b.c'])
      expect(valid.test(header), header).toBe(false);
    const vars = env(template, 'AuthorizerFunction');
    expect(JSON.parse(vars.ROUTE_SCOPES as string)).toEqual({
      'POST /v2/orders': ['orders:write'],
      'GET /v2/orders/{orderId}': ['orders:read'],
    });
    expect(vars).toMatchObject({
      JWT_ISSUER: 'https://issuer.example',
      JWT_AUDIENCE: 'conflux-api',
      JWT_ALGORITHMS: 'RS256',
      JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
    });
  });

  it('generates the gateway model from the handler’s zod schema, so the two cannot drift', () => {
    const { stack, api, fn } = build();
    api.addRoute({
      method: 'POST',
      path: '/v2/orders',
      target: { function: fn },
      scopes: ['orders:write'],
      body: CreateOrder,
    });
    const template = Template.fromStack(stack);
    const models = Object.values(template.findResources('AWS::ApiGateway::Model'));
    expect(models).toHaveLength(1);
    const { $schema, ...expected } = z.toJSONSchema(CreateOrder, { target: 'draft-4', io: 'input' });
    expect((models[0] as { Properties: { Schema: unknown } } | undefined)?.Properties.Schema).toEqual({
      ...expected,
      $schema,
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('makes one usage plan per tier with its throttle and daily quota, and puts keys in their tier', () => {
    const { stack, api } = build();
    api.addApiKey('PartnerKey', 'partner');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'test-api-free',
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'test-api-partner',
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    expect(() => api.addApiKey('Gold', 'gold')).toThrow(/no tier "gold"; tiers are free, partner/);
  });

  it('gives Lambda routes the limiter, the version table and idempotency through their environment', () => {
    const { stack, api, fn } = build();
    api.addApiKey('FreeKey', 'free');
    api.addRoute({
      method: 'POST',
      path: '/v1/orders',
      target: { function: fn },
      scopes: ['orders:write'],
      successor: '/v2/orders',
      idempotent: true,
    });
    api.addRoute({ method: 'POST', path: '/v2/orders', target: { function: fn }, scopes: ['orders:write'] });
    const template = Template.fromStack(stack);
    const vars = env(template, 'Fn');
    expect(JSON.parse(vars.API_LIFECYCLE as string)).toEqual({
      'POST /v1/orders': {
        deprecated: '2026-01-01T00:00:00.000Z',
        sunset: '2027-01-01T00:00:00.000Z',
        successor: '/v2/orders',
      },
    });
    expect(vars).toMatchObject({
      RATE_LIMIT_TABLE_NAME: { Ref: expect.stringMatching(/RateLimitTable/) as unknown },
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/IdempotencyTable/) as unknown },
      IDEMPOTENCY_TTL_SECONDS: '86400',
      MAX_BODY_BYTES: '262144',
    });
    // The key → tier map resolves the key's id at deploy time.
    expect(JSON.stringify(vars.RATE_LIMITS)).toMatch(/FreeKey/);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('answers its own errors in the JSON error shape with the request id, and 429s with Retry-After', () => {
    const { stack } = build();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
      ResponseTemplates: {
        'application/json': Match.stringLikeRegexp('"code":"Throttled".*"requestId":"\\$context.requestId"'),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'QUOTA_EXCEEDED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': Match.anyValue() }),
    });
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'ACCESS_DENIED', 'BAD_REQUEST_BODY']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('^\\{"error":\\{"code":') },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });

  it('logs, traces and throttles the stage, and puts WAF in front unless turned off', () => {
    const on = Template.fromStack(build().stack);
    on.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { Format: Match.stringLikeRegexp('"requestId"') },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'INFO' }),
      ],
    });
    on.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
      ]),
    });
    const off = Template.fromStack(build({ waf: { enabled: false } }).stack);
    off.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('answers preflights and sets CORS headers only for the configured origins', () => {
    const none = Template.fromStack(build().stack);
    none.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 0);
    const { stack, api, fn } = build({ corsOrigins: ['https://app.example.com'] });
    api.addRoute({
      method: 'GET',
      path: '/v2/orders/{orderId}',
      target: { function: fn },
      scopes: ['orders:read'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': "'https://app.example.com'",
            }),
          }),
        ],
      }),
    });
    expect(env(template, 'Fn').CORS_ORIGINS).toBe('https://app.example.com');
  });

  it('provisions a Cognito user pool with a resource server and a client-credentials app client per tier', () => {
    const { stack, api } = build({ auth: { kind: 'cognito' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'conflux',
      Scopes: Match.arrayWith([{ ScopeName: 'orders:write', ScopeDescription: 'orders:write' }]),
    });
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['client_credentials'],
      GenerateSecret: true,
    });
    expect(api.userPool).toBeDefined();
    expect(env(template, 'AuthorizerFunction')).toMatchObject({
      JWT_AUDIENCE_CLAIM: 'client_id',
      JWT_SCOPE_PREFIX: 'conflux/',
    });
  });

  describe('fails synth on routes it cannot serve as declared', () => {
    const queueIntegration = (stack: Stack) => ({
      integration: new apigw.AwsIntegration({
        service: 'sqs',
        path: `x/${new sqs.Queue(stack, 'Q').queueName}`,
      }),
      methodResponses: [{ statusCode: '202' }],
    });

    it.each<[string, (api: SecureRestApi, fn: lambda.Function, stack: Stack) => void, RegExp]>([
      [
        'a path without a version',
        (api, fn) =>
          api.addRoute({ method: 'GET', path: '/orders', target: { function: fn }, scopes: ['orders:read'] }),
        /must start with a version/,
      ],
      [
        'neither scopes nor open',
        (api, fn) => api.addRoute({ method: 'GET', path: '/v1/x', target: { function: fn } }),
        /either scopes .* or open/,
      ],
      [
        'a malformed scope',
        (api, fn) =>
          api.addRoute({ method: 'GET', path: '/v1/x', target: { function: fn }, scopes: ['admin'] }),
        /scope "admin" must look like resource:action/,
      ],
      [
        'a body on GET',
        (api, fn) =>
          api.addRoute({
            method: 'GET',
            path: '/v1/x',
            target: { function: fn },
            scopes: ['x:read'],
            body: z.object({}),
          }),
        /GET takes no body/,
      ],
      [
        'Idempotency-Key on a direct integration',
        (api, _fn, stack) =>
          api.addRoute({
            method: 'POST',
            path: '/v1/x',
            target: queueIntegration(stack),
            scopes: ['x:write'],
            idempotent: true,
          }),
        /Idempotency-Key needs a Lambda route/,
      ],
      [
        'a deprecated direct integration',
        (api, _fn, stack) =>
          api.addRoute({
            method: 'POST',
            path: '/v1/x',
            target: queueIntegration(stack),
            scopes: ['x:write'],
            successor: '/v2/x',
          }),
        /deprecated route needs a Lambda target/,
      ],
      [
        'the same route twice',
        (api, fn) => {
          api.addRoute({ method: 'GET', path: '/v1/x', target: { function: fn }, scopes: ['x:read'] });
          api.addRoute({ method: 'GET', path: '/v1/x', target: { function: fn }, scopes: ['x:read'] });
        },
        /GET \/v1\/x is declared twice/,
      ],
    ])('%s', (_name, add, message) => {
      const { api, fn, stack } = build();
      expect(() => {
        add(api, fn, stack);
      }).toThrow(message);
    });

    it('refuses tiers the stage throttle would cap, and tiers without free, listing both', () => {
      expect(() =>
        build({
          tiers: { partner: { ...tiers.partner, rate: 500 } },
          stageThrottle: { rate: 100, burst: 200 },
        }),
      ).toThrow(/tiers must include "free"[\s\S]*tiers.partner.rate \(500\/s\) exceeds the stage throttle/);
    });

    it('refuses "*" among other CORS origins', () => {
      expect(() =>
        build({ corsOrigins: ['*', 'https://a.example'], idempotencyWindow: Duration.hours(1) }),
      ).toThrow(/"\*" allows every origin, so list it alone/);
    });
  });
});
