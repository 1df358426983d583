import { finiteNumbers } from '../private/finite-numbers.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as z from 'zod/mini';
import type { AuthConfig, DeprecationDates, TierConfig } from '../config/index.js';
import { IdempotencyTable } from '../idempotency-table/index.js';
import { createServiceFunction } from '../service-function/service-function.js';
import { PropsValidator } from '../private/validation.js';
import { builtHandler } from '../private/built-handler.js';
import {
  API_LIFECYCLE,
  CORS_ORIGINS,
  IDEMPOTENCY_TTL_SECONDS,
  JWKS_JSON,
  JWKS_URL,
  JWT_ALGORITHMS,
  JWT_AUDIENCE,
  JWT_AUDIENCE_CLAIM,
  JWT_ISSUER,
  JWT_SCOPE_PREFIX,
  MAX_BODY_BYTES,
  RATE_LIMITS,
  RATE_LIMIT_TABLE_NAME,
  ROUTE_SCOPES,
  type ApiLifecycle,
  type RateLimits,
  type RouteScopes,
} from '../contracts/index.js';

/** The JWT authorizer, built into the package (`assets/jwt-authorizer/index.js`) so synth needs no bundler. */
const authorizerCode = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../assets/jwt-authorizer',
);

/** Properties of a {@link SecureRestApi}. */
export interface SecureRestApiProps {
  /** Name of the REST API. */
  readonly apiName: string;
  /** Stage name; also the name of the only deployment stage. */
  readonly stageName: string;
  /** Who issues the bearer tokens: a Cognito user pool made here, or any OIDC issuer. */
  readonly auth: AuthConfig;
  /** Client tiers by name: one usage plan each, and the handlers' limiter limits. Needs `free`. */
  readonly tiers: Readonly<Record<string, TierConfig>>;
  /** Deprecated versions (`v1`, …) with their dates; routes with a successor there answer with the headers. */
  readonly deprecations?: Readonly<Record<string, DeprecationDates>>;
  /** Origins allowed by CORS. @default - none: no CORS headers, no preflight routes */
  readonly corsOrigins?: readonly string[];
  /** A WAF web ACL with a per-IP rate rule and AWS's common rules. @default { enabled: true, ratePer5Minutes: 2000 } */
  readonly waf?: { readonly enabled: boolean; readonly ratePer5Minutes?: number };
  /** Stage-wide default throttle. @default { rate: 100, burst: 200 } */
  readonly stageThrottle?: { readonly rate: number; readonly burst: number };
  /** How long an `Idempotency-Key` is remembered. @default Duration.days(1) */
  readonly idempotencyWindow?: Duration;
  /** Largest body a Lambda route accepts. @default 262144 */
  readonly maxBodyBytes?: number;
  /** Authorizer result cache TTL. @default Duration.minutes(5) */
  readonly authorizerCacheTtl?: Duration;
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the limiter and idempotency tables, the user pool and the logs. @default DESTROY */
  readonly removalPolicy?: RemovalPolicy;
  /** Where the API's alarms notify. */
  readonly alarmTopic?: sns.ITopic;
}

/** What answers a route. */
export type RouteTarget =
  /** A Lambda proxy function using the handler kit's HTTP middleware (`createHttpHandler` of `@conflux/handler-kit`). */
  | { readonly function: lambda.Function }
  /** A direct service integration (no Lambda): an `AwsIntegration` and its method responses. */
  | { readonly integration: apigw.Integration; readonly methodResponses: apigw.MethodResponse[] };

/** A route of the API. */
export interface RouteOptions {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path starting with the version, e.g. `/v2/orders/{orderId}`. */
  readonly path: string;
  readonly target: RouteTarget;
  /** Scopes the token must carry. Omit with `open: true` only. */
  readonly scopes?: readonly string[];
  /** No token and no API key (e.g. health). Needs a reason, recorded as the cdk-nag acknowledgment. */
  readonly open?: { readonly reason: string };
  /** The body's schema: the gateway model is generated from it (JSON Schema draft-04). */
  readonly body?: z.core.$ZodType;
  /** Query strings and headers the gateway requires, e.g. `querystring.asOf` (path parameters always are). */
  readonly requiredParameters?: readonly string[];
  /** The route replacing this one, e.g. `/v2/orders`; with a deprecated version this route is deprecated. */
  readonly successor?: string;
  /** Honours `Idempotency-Key` (Lambda routes): the function gets the idempotency table. */
  readonly idempotent?: boolean;
}

const SCOPE = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const ROUTE_PATH = /^\/v\d+(\/([A-Za-z0-9._-]+|\{[A-Za-z][A-Za-z0-9]*\}))+$/;

/**
 * A REST API secured and governed the Conflux way:
 * - a JWT TOKEN authorizer (jose, pinned algorithms, configured keys only) with per-route scopes, its policy
 *   cached by token; a Cognito user pool (resource server, one client-credentials app client per tier) by
 *   default, any OIDC issuer by config;
 * - API keys required on every non-open route, one usage plan per tier (throttle and daily quota);
 * - the handlers' per-client DynamoDB limiter and idempotency store, wired into every Lambda route;
 * - a version table: routes of a deprecated version with a successor carry `Deprecation`/`Sunset`/`Link`;
 * - JSON Schema models generated from the handlers' zod schemas, and a validator for body and parameters;
 * - JSON access logs, execution logs, X-Ray, stage throttling, WAF, CORS from config, and gateway responses
 *   in the JSON error shape with the `requestId` (and `Retry-After` on 429s).
 */
export class SecureRestApi extends Construct {
  public readonly api: apigw.RestApi;
  /** The stage's JSON access log (status, caller, latency): what denial and throttle metrics are counted from. */
  public readonly accessLogs: logs.LogGroup;
  /** The authorizer's function. */
  public readonly authorizerFunction: lambda.Function;
  /** Usage plans by tier name. */
  public readonly usagePlans: Readonly<Record<string, apigw.UsagePlan>>;
  /** The handlers' limiter counters (partition key `pk`, TTL `expiresAt`). */
  public readonly rateLimitTable: dynamodb.TableV2;
  /** Idempotency records of `Idempotency-Key` routes. */
  public readonly idempotencyTable: IdempotencyTable;
  /** The user pool, when `auth` is `cognito`. */
  public readonly userPool?: cognito.UserPool;
  /** App clients by tier, when `auth` is `cognito`. */
  public readonly appClients: Readonly<Record<string, cognito.UserPoolClient>> = {};

  private readonly props: SecureRestApiProps;
  private authorizerCache?: apigw.TokenAuthorizer;
  private readonly validator: apigw.RequestValidator;
  private readonly routeScopes: Record<string, RouteScopes[string]> = {};
  private readonly lifecycle = new Map<lambda.Function, Record<string, ApiLifecycle[string]>>();
  private readonly keyTiers: { keyId: string; tier: string }[] = [];
  private readonly wired = new Set<lambda.Function>();
  private readonly idempotent = new Set<lambda.Function>();
  private readonly routes = new Set<string>();

  constructor(scope: Construct, id: string, props: SecureRestApiProps) {
    super(scope, id);
    this.props = props;
    validateProps(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    const accessLogs = (this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    }));
    const cors = props.corsOrigins ?? [];
    this.api = new apigw.RestApi(this, 'Resource', {
      restApiName: props.apiName,
      description: 'Conflux API: JWT + API key, usage plans, versioned routes',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: removalPolicy,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      defaultCorsPreflightOptions:
        cors.length > 0
          ? {
              allowOrigins: [...cors],
              allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
              allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Api-Key'],
              exposeHeaders: [
                'X-RateLimit-Limit',
                'X-RateLimit-Remaining',
                'X-RateLimit-Reset',
                'Retry-After',
                'Deprecation',
                'Sunset',
                'Link',
                'X-Request-Id',
              ],
              maxAge: Duration.hours(1),
            }
          : undefined,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.stageThrottle?.rate ?? 100,
        throttlingBurstLimit: props.stageThrottle?.burst ?? 200,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level CloudWatch role needs exactly this AWS-managed service-role policy to write execution and access logs.",
    });
    this.validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.addGatewayResponses(cors);
    if (props.waf?.enabled ?? true) {
      new RateLimitedWebAcl(this, 'WebAcl', this.api.deploymentStage, props.waf?.ratePer5Minutes ?? 2000);
    }

    this.rateLimitTable = new dynamodb.TableV2(this, 'RateLimitTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable', { removalPolicy });

    this.usagePlans = Object.fromEntries(
      Object.entries(props.tiers).map(([tier, limits]) => [
        tier,
        this.api.addUsagePlan(`UsagePlan-${tier}`, {
          name: `${props.apiName}-${tier}`,
          description: `Tier ${tier}: ${limits.rate} req/s (burst ${limits.burst}), ${limits.quotaPerDay} a day`,
          throttle: { rateLimit: limits.rate, burstLimit: limits.burst },
          quota: { limit: limits.quotaPerDay, period: apigw.Period.DAY },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      ]),
    );

    const issuer = this.issuerSettings(props.auth, removalPolicy);
    const authorizerParts = createServiceFunction(new Construct(this, 'AuthorizerFunction'), {
      code: builtHandler(authorizerCode),
      serviceName: 'authorizer',
      timeout: Duration.seconds(5),
      memorySize: 256,
      environment: {
        ...issuer,
        [ROUTE_SCOPES]: Lazy.string({ produce: () => JSON.stringify(this.routeScopes) }),
      },
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause:
        'The authorizer is invoked only by API Gateway, synchronously; a failure is a 500 to the caller. A function DLQ applies to asynchronous invocations only.',
      errorMeaning: 'Authorized routes answer 500 AuthorizerConfigurationError.',
    });
    this.authorizerFunction = authorizerParts.fn;
  }

  /** The TOKEN authorizer, made with the first authorized route (an authorizer must belong to a method). */
  private get authorizer(): apigw.TokenAuthorizer {
    this.authorizerCache ??= new apigw.TokenAuthorizer(this, 'Authorizer', {
      handler: this.authorizerFunction,
      identitySource: apigw.IdentitySource.header('Authorization'),
      validationRegex: '^[Bb][Ee][Aa][Rr][Ee][Rr] +[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$',
      resultsCacheTtl: this.props.authorizerCacheTtl ?? Duration.minutes(5),
    });
    return this.authorizerCache;
  }

  /** The stage URL. */
  public get url(): string {
    return this.api.url;
  }

  /** Adds an API key to `tier`'s usage plan; the handlers' limiter applies that tier's limits to it. */
  public addApiKey(id: string, tier: string): apigw.IApiKey {
    const plan = this.usagePlans[tier];
    if (!plan) {
      throw new Error(
        `SecureRestApi.addApiKey(${id}): no tier "${tier}"; tiers are ${Object.keys(this.usagePlans).join(', ')}.`,
      );
    }
    const key = new apigw.ApiKey(this, id, { description: `Tier ${tier}` });
    plan.addApiKey(key);
    this.keyTiers.push({ keyId: key.keyId, tier });
    return key;
  }

  /** Adds a route; see {@link RouteOptions}. Fails synth on a route that cannot be served as declared. */
  public addRoute(options: RouteOptions): apigw.Method {
    const check = new PropsValidator('SecureRestApi route', this);
    const key = `${options.method} ${options.path}`;
    check.require(
      ROUTE_PATH.test(options.path),
      `${key}: path must start with a version (/v1/...) and use {param} segments.`,
    );
    check.require(!this.routes.has(key), `${key} is declared twice.`);
    check.require(
      (options.open !== undefined) !== (options.scopes !== undefined),
      `${key}: give either scopes (an authorized route) or open with a reason (a public one), not both or neither.`,
    );
    for (const scope of options.scopes ?? []) {
      check.require(
        SCOPE.test(scope),
        `${key}: scope "${scope}" must look like resource:action, e.g. orders:write.`,
      );
    }
    const isLambda = 'function' in options.target;
    check.require(
      !(options.idempotent && !isLambda),
      `${key}: Idempotency-Key needs a Lambda route (a direct integration has no handler to remember answers).`,
    );
    check.require(
      !(options.body && ['GET', 'DELETE'].includes(options.method)),
      `${key}: ${options.method} takes no body.`,
    );
    const version = options.path.split('/')[1] ?? '';
    const deprecation = options.successor ? this.props.deprecations?.[version] : undefined;
    check.require(
      !(deprecation && !isLambda),
      `${key}: a deprecated route needs a Lambda target to answer 410 after its sunset; keep the direct integration undeprecated or front it with a function.`,
    );
    check.throwIfInvalid();
    this.routes.add(key);

    const resource = this.api.root.resourceForPath(options.path);
    const pathParameters = [...options.path.matchAll(/\{(\w+)\}/g)].map((m) => `path.${m[1] ?? ''}`);
    const requestParameters = Object.fromEntries(
      [...pathParameters, ...(options.requiredParameters ?? [])].map((p) => [`method.request.${p}`, true]),
    );
    const model = options.body ? this.modelFor(options.method, options.path, options.body) : undefined;
    const target = options.target;
    const integration =
      'function' in target ? new apigw.LambdaIntegration(target.function) : target.integration;
    const method = resource.addMethod(options.method, integration, {
      authorizationType: options.open ? apigw.AuthorizationType.NONE : apigw.AuthorizationType.CUSTOM,
      authorizer: options.open ? undefined : this.authorizer,
      apiKeyRequired: !options.open,
      requestValidator: this.validator,
      requestModels: model ? { 'application/json': model } : undefined,
      requestParameters,
      methodResponses: 'methodResponses' in target ? target.methodResponses : undefined,
    });
    if (options.open) {
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions::AwsSolutions-APIG4', reason: options.open.reason },
        { id: 'AwsSolutions::AwsSolutions-COG4', reason: options.open.reason },
      );
    } else {
      this.routeScopes[key] = options.scopes ?? [];
      Validations.of(method).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason:
          'A JWT Lambda authorizer (issuer, audience, pinned algorithms, per-route scopes) guards the route, so it works with any OIDC issuer; with auth=cognito that issuer is the stack’s user pool.',
      });
    }
    if ('function' in target) this.wireFunction(target.function, key, options, deprecation);
    return method;
  }

  /** Issuer settings for the authorizer; provisions the user pool when `auth` is `cognito`. */
  private issuerSettings(auth: AuthConfig, removalPolicy: RemovalPolicy): Record<string, string> {
    if (auth.kind === 'oidc') {
      return {
        [JWT_ISSUER]: auth.issuer,
        [JWT_AUDIENCE]: auth.audience,
        [JWT_ALGORITHMS]: auth.algorithms.join(','),
        ...(auth.jwksUrl ? { [JWKS_URL]: auth.jwksUrl } : { [JWKS_JSON]: JSON.stringify(auth.jwks) }),
      };
    }
    const pool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy,
    });
    (this as { userPool?: cognito.UserPool }).userPool = pool;
    const scopes = [
      'orders:read',
      'orders:write',
      'accounts:read',
      'accounts:write',
      'catalog:read',
      'catalog:write',
      'reviews:write',
      'inventory:read',
      'webhooks:write',
      'telemetry:write',
      'customers:read',
      'customers:write',
    ].map((name) => new cognito.ResourceServerScope({ scopeName: name, scopeDescription: name }));
    const server = pool.addResourceServer('ResourceServer', { identifier: 'conflux', scopes });
    pool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `${this.props.apiName}-${Stack.of(this).account}`.slice(0, 63) },
    });
    const clients: Record<string, cognito.UserPoolClient> = {};
    for (const tier of Object.keys(this.props.tiers)) {
      clients[tier] = pool.addClient(`Client-${tier}`, {
        userPoolClientName: `${this.props.apiName}-${tier}`,
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          scopes: scopes.map((s) => cognito.OAuthScope.resourceServer(server, s)),
        },
        accessTokenValidity: Duration.hours(1),
      });
    }
    (this as { appClients: Record<string, cognito.UserPoolClient> }).appClients = clients;
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${pool.userPoolId}`;
    return {
      [JWT_ISSUER]: issuer,
      // Cognito access tokens carry the app client in client_id and no aud.
      [JWT_AUDIENCE]: Object.values(clients)
        .map((c) => c.userPoolClientId)
        .join(','),
      [JWT_AUDIENCE_CLAIM]: 'client_id',
      [JWT_SCOPE_PREFIX]: 'conflux/',
      [JWT_ALGORITHMS]: 'RS256',
      [JWKS_URL]: `${issuer}/.well-known/jwks.json`,
    };
  }

  private modelFor(method: string, routePath: string, schema: z.core.$ZodType): apigw.Model {
    const json: Record<string, unknown> = {
      ...finiteNumbers(z.toJSONSchema(schema, { target: 'draft-4', io: 'input' })),
    };
    delete json.$schema;
    const name = `${method}${routePath}`
      .replace(/[^A-Za-z0-9]/g, ' ')
      .replace(/(?:^|\s+)(\w)/g, (_m, c: string) => c.toUpperCase())
      // A path ending in a parameter leaves a space: model names are alphanumeric only.
      .replace(/\s+/g, '');
    return this.api.addModel(`${name}Model`, {
      modelName: `${name}Body`,
      contentType: 'application/json',
      schema: { ...(json as apigw.JsonSchema), schema: apigw.JsonSchemaVersion.DRAFT4 },
    });
  }

  /** Gives a Lambda route's function the limiter, the version table, CORS and (if asked) idempotency. */
  private wireFunction(
    fn: lambda.Function,
    key: string,
    options: RouteOptions,
    deprecation: DeprecationDates | undefined,
  ): void {
    if (deprecation && options.successor) {
      const entries = this.lifecycle.get(fn) ?? {};
      entries[key.replace(/\/$/, '')] = {
        deprecated: deprecation.deprecated.toISOString(),
        sunset: deprecation.sunset.toISOString(),
        successor: options.successor,
      };
      this.lifecycle.set(fn, entries);
    }
    if (options.idempotent && !this.idempotent.has(fn)) {
      this.idempotent.add(fn);
      this.idempotencyTable.grantTo(fn);
      fn.addEnvironment(
        IDEMPOTENCY_TTL_SECONDS,
        String((this.props.idempotencyWindow ?? Duration.days(1)).toSeconds()),
      );
    }
    if (this.wired.has(fn)) return;
    this.wired.add(fn);
    this.rateLimitTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    fn.addEnvironment(RATE_LIMIT_TABLE_NAME, this.rateLimitTable.tableName);
    fn.addEnvironment(
      RATE_LIMITS,
      Lazy.string({
        produce: () =>
          Stack.of(this).toJsonString({
            tiers: Object.fromEntries(
              Object.entries(this.props.tiers).map(([t, l]) => [
                t,
                { limit: l.limit, windowSeconds: l.windowSeconds },
              ]),
            ),
            defaultTier: 'free',
            keyTiers: this.keyTiers,
          } satisfies RateLimits),
      }),
    );
    fn.addEnvironment(
      API_LIFECYCLE,
      Lazy.string({ produce: () => JSON.stringify(this.lifecycle.get(fn) ?? {}) }),
    );
    fn.addEnvironment(CORS_ORIGINS, (this.props.corsOrigins ?? []).join(','));
    fn.addEnvironment(MAX_BODY_BYTES, String(this.props.maxBodyBytes ?? 262_144));
  }

  /** Every error the gateway answers itself, in the API's JSON error shape with the request id. */
  private addGatewayResponses(cors: readonly string[]): void {
    const corsHeader: Record<string, string> =
      cors.length === 1 ? { 'Access-Control-Allow-Origin': `'${cors[0] ?? ''}'` } : {};
    const message = '$context.error.messageString';
    const responses: [string, apigw.ResponseType, string, Record<string, string>?, string?][] = [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, 'BadRequest'],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, 'InternalError'],
      ['Unauthorized', apigw.ResponseType.UNAUTHORIZED, 'Unauthorized'],
      ['AccessDenied', apigw.ResponseType.ACCESS_DENIED, 'Forbidden'],
      ['MissingToken', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'NotFound', undefined, '404'],
      ['InvalidApiKey', apigw.ResponseType.INVALID_API_KEY, 'InvalidApiKey'],
      ['Throttled', apigw.ResponseType.THROTTLED, 'Throttled', { 'Retry-After': "'1'" }],
      // Quotas reset at 00:00 UTC; a static header cannot say how far that is, so it says "an hour at most".
      ['QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, 'QuotaExceeded', { 'Retry-After': "'3600'" }],
      ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, 'ValidationFailed'],
      ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, 'MissingParameters'],
      ['RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, 'PayloadTooLarge'],
      ['AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE, 'AuthorizerFailure'],
    ];
    for (const [id, type, code, headers, status] of responses) {
      const details = code === 'ValidationFailed' ? ',"details":"$context.error.validationErrorString"' : '';
      const body =
        status === '404'
          ? `{"error":{"code":"${code}","message":"No such route.","requestId":"$context.requestId"}}`
          : `{"error":{"code":"${code}","message":${message},"requestId":"$context.requestId"${details}}}`;
      this.api.addGatewayResponse(id, {
        type,
        statusCode: status,
        responseHeaders: { 'Cache-Control': "'no-store'", ...corsHeader, ...headers },
        templates: { 'application/json': body },
      });
    }
  }
}

function validateProps(scope: Construct, props: SecureRestApiProps): void {
  const check = new PropsValidator('SecureRestApi', scope);
  check.require(
    'free' in props.tiers,
    'tiers must include "free", the tier of keys the limiter does not know.',
  );
  for (const [tier, t] of Object.entries(props.tiers)) {
    check.require(t.burst >= 1 && t.rate >= 1, `tiers.${tier}: rate and burst must be at least 1.`);
    check.require(
      t.rate <= (props.stageThrottle?.rate ?? 100),
      `tiers.${tier}.rate (${t.rate}/s) exceeds the stage throttle (${props.stageThrottle?.rate ?? 100}/s), which would cap it silently; raise stageThrottle.rate or lower the tier.`,
    );
  }
  check.require(
    !(props.corsOrigins ?? []).includes('*') || (props.corsOrigins ?? []).length === 1,
    'corsOrigins: "*" allows every origin, so list it alone.',
  );
  check.throwIfInvalid();
}

/** A regional WAF web ACL with a per-IP rate-based rule and AWS's common rule set, attached to a stage. */
class RateLimitedWebAcl extends Construct {
  constructor(scope: Construct, id: string, stage: apigw.Stage, limit: number) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const acl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('conflux-api'),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('conflux-api-rate'),
        },
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' },
          },
          visibilityConfig: visibility('conflux-api-common'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: stage.stageArn,
      webAclArn: acl.attrArn,
    });
  }
}
