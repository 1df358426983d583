import { randomBytes } from 'node:crypto';
import { asText } from '../../core/intrinsics.js';
import {
  accepted,
  NOT_ENFORCED,
  regional,
  staticText,
  TAGS,
  UNRESOLVED,
  UnsupportedResourceError,
  type CheckContext,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { CONTEXT_SOURCES } from './authorize.js';
import { parseRouteKey } from './routes.js';
import { ApiGatewayV2Service } from './service.js';
import type { AuthorizerSpec, CorsSpec, IntegrationSpec, RouteSpec, ThrottleSpec } from './types.js';

export { ApiGatewayV2Service } from './service.js';

const NO_OBSERVABILITY =
  'CloudWatch, X-Ray and log delivery are not emulated; the gateway logs to the terminal';
const DESCRIPTIVE = 'descriptive only';
const AS_SYNTHESIZED = 'the local API serves its routes as synthesized; there is nothing to deploy';

const newId = () => randomBytes(5).toString('hex');
const truthy = (v: unknown) => v === true || v === 'true';
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => asText(x)) : []);

/** A template value known from the template alone, or undefined when it is unresolved or absent. */
function known(value: unknown): string | undefined {
  const text = staticText(value);
  return text === undefined || text.includes(UNRESOLVED) ? undefined : text;
}

const apiOf = (ctx: ProvisionContext, id: unknown, where: string) =>
  ctx.service(ApiGatewayV2Service).api(id, where);
const whereOf = (ctx: ProvisionContext, logicalId: string, type: string) =>
  `${ctx.stack.stackName}/${logicalId} (AWS::ApiGatewayV2::${type})`;

/** The quick-create and import properties of an Api: each makes routes the template does not list. */
const QUICK_CREATE = ['Target', 'RouteKey', 'CredentialsArn', 'Body', 'BodyS3Location', 'BasePath'] as const;

const api: Provisioner = {
  applies: ['Name', 'ProtocolType', 'CorsConfiguration', ...QUICK_CREATE],
  accepts: {
    Description: DESCRIPTIVE,
    Version: DESCRIPTIVE,
    DisableExecuteApiEndpoint: 'each local API has one endpoint',
    FailOnWarnings: 'the template is served as synthesized',
    IpAddressType: 'the local API listens on the loopback interface',
    Tags: TAGS,
  },
  check(ctx, p) {
    const problems: string[] = [];
    const protocol = known(p.ProtocolType);
    if (protocol !== undefined && protocol !== 'HTTP') {
      problems.push(
        `${ctx.where}: ProtocolType ${protocol} is not supported offline; HTTP APIs (ProtocolType HTTP) are`,
      );
    }
    for (const property of QUICK_CREATE) {
      if (p[property] !== undefined) {
        problems.push(
          `${ctx.where}: ${property} is not supported offline: declare the API's routes, integrations and stages as resources (as aws-apigatewayv2's HttpApi does)`,
        );
      }
    }
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const id = newId();
    const cors = p.CorsConfiguration as Record<string, unknown> | undefined;
    const corsSpec: CorsSpec | undefined = cors && {
      allowOrigins: list(cors.AllowOrigins),
      allowMethods: list(cors.AllowMethods),
      allowHeaders: list(cors.AllowHeaders),
      exposeHeaders: list(cors.ExposeHeaders),
      allowCredentials: truthy(cors.AllowCredentials),
      maxAge: cors.MaxAge === undefined ? undefined : Number(cors.MaxAge),
    };
    ctx.service(ApiGatewayV2Service).apis.set(id, {
      apiId: id,
      logicalId,
      name: p.Name === undefined ? logicalId : asText(p.Name),
      cors: corsSpec,
      routes: [],
      integrations: new Map(),
      authorizers: new Map(),
      stages: new Map(),
    });
    const endpoint = `https://${id}.execute-api.${ctx.env.region}.${ctx.env.urlSuffix}`;
    return { ref: id, attributes: { ApiId: id, ApiEndpoint: endpoint } };
  },
};

const AUTHORIZATION_TYPES = ['NONE', 'JWT', 'CUSTOM', 'AWS_IAM'] as const;

const route: Provisioner = {
  applies: ['ApiId', 'RouteKey', 'Target', 'AuthorizationType', 'AuthorizerId', 'AuthorizationScopes'],
  accepts: { OperationName: DESCRIPTIVE },
  check(ctx, p) {
    const problems: string[] = [];
    const key = known(p.RouteKey);
    if (key !== undefined && !parseRouteKey(key)) {
      problems.push(
        `${ctx.where}: RouteKey "${key}" is not a route key of an HTTP API ("GET /items/{id}", "ANY /{proxy+}" or "$default")`,
      );
    }
    const type = known(p.AuthorizationType);
    if (type !== undefined && !(AUTHORIZATION_TYPES as readonly string[]).includes(type)) {
      problems.push(
        `${ctx.where}: AuthorizationType ${type} is not supported offline (${AUTHORIZATION_TYPES.join(', ')} are)`,
      );
    }
    if ((type === 'JWT' || type === 'CUSTOM') && p.AuthorizerId === undefined) {
      problems.push(`${ctx.where}: AuthorizationType ${type} needs an AuthorizerId`);
    }
    if (p.Target === undefined) {
      problems.push(`${ctx.where}: Target is missing: a route with no integration answers nothing offline`);
    }
    const target = staticText(p.Target);
    if (p.Target !== undefined && target !== undefined && !target.startsWith('integrations/')) {
      problems.push(
        `${ctx.where}: Target "${target}" is not supported offline; a route targets "integrations/<IntegrationId>"`,
      );
    }
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = whereOf(ctx, logicalId, 'Route');
    const httpApi = apiOf(ctx, p.ApiId, where);
    const authorizationType = (
      p.AuthorizationType === undefined ? 'NONE' : asText(p.AuthorizationType)
    ) as RouteSpec['authorizationType'];
    const spec: RouteSpec = {
      routeKey: asText(p.RouteKey),
      authorizationType,
      authorizerId: p.AuthorizerId === undefined ? undefined : asText(p.AuthorizerId),
      authorizationScopes: list(p.AuthorizationScopes),
      integrationId: asText(p.Target).replace(/^integrations\//, ''),
    };
    if (p.Target === undefined) {
      throw new UnsupportedResourceError(
        `${where}: a route with no Target answers nothing; give it an integration`,
      );
    }
    if (
      (authorizationType === 'JWT' || authorizationType === 'CUSTOM') &&
      !httpApi.authorizers.has(spec.authorizerId ?? '')
    ) {
      throw new UnsupportedResourceError(
        `${where}: AuthorizerId ${asText(p.AuthorizerId)} names no authorizer of API ${httpApi.name}`,
      );
    }
    if (!httpApi.integrations.has(spec.integrationId)) {
      throw new UnsupportedResourceError(
        `${where}: Target ${asText(p.Target)} names no integration of API ${httpApi.name}`,
      );
    }
    httpApi.routes.push(spec);
    const id = newId();
    return { ref: id, attributes: { RouteId: id } };
  },
};

/** The function a Lambda integration or authorizer URI names: its ARN or an `…/functions/<arn>/invocations` URI. */
function functionArnOf(ctx: ProvisionContext, uri: unknown, where: string, property: string): string {
  const text = asText(uri);
  const arn = /functions\/(.+)\/invocations$/.exec(text)?.[1] ?? text;
  if (!ctx.service(LambdaService).host.get(arn)) {
    throw new UnsupportedResourceError(
      `${where}: ${property} ${text} names no Lambda function of the application`,
    );
  }
  return arn;
}

const DEFAULT_TIMEOUT_MS = 30_000;

const integration: Provisioner = {
  applies: [
    'ApiId',
    'IntegrationType',
    'IntegrationUri',
    'IntegrationMethod',
    'PayloadFormatVersion',
    'TimeoutInMillis',
    'ConnectionType',
    'IntegrationSubtype',
  ],
  accepts: {
    Description: DESCRIPTIVE,
    CredentialsArn: NOT_ENFORCED,
    TlsConfig: 'private integrations (VPC links) are not supported offline; the URI is called as it is',
  },
  check(ctx, p) {
    const problems: string[] = [];
    const type = known(p.IntegrationType);
    if (type !== undefined && type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
      problems.push(
        `${ctx.where}: IntegrationType ${type} is not supported offline (AWS_PROXY and HTTP_PROXY are)`,
      );
    }
    if (p.IntegrationSubtype !== undefined) {
      problems.push(
        `${ctx.where}: IntegrationSubtype ${asText(known(p.IntegrationSubtype) ?? UNRESOLVED)}: AWS service integrations of HTTP APIs are not supported offline; Lambda (AWS_PROXY) and HTTP_PROXY are`,
      );
    }
    const connection = known(p.ConnectionType);
    if (connection !== undefined && connection !== 'INTERNET') {
      problems.push(`${ctx.where}: ConnectionType ${connection} is not supported offline (INTERNET is)`);
    }
    const version = known(p.PayloadFormatVersion);
    if (version !== undefined && version !== '1.0' && version !== '2.0') {
      problems.push(`${ctx.where}: PayloadFormatVersion ${version} is not one of HTTP APIs' (1.0 and 2.0)`);
    }
    const target = ctx.typeOf(p.IntegrationUri);
    if (
      type === 'AWS_PROXY' &&
      p.IntegrationSubtype === undefined &&
      target !== undefined &&
      target !== 'AWS::Lambda::Function' &&
      target !== 'AWS::Lambda::Alias' &&
      target !== 'AWS::Lambda::Version'
    ) {
      problems.push(
        `${ctx.where}: IntegrationUri names a ${target}; AWS_PROXY integrations call Lambda functions offline`,
      );
    }
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = whereOf(ctx, logicalId, 'Integration');
    const httpApi = apiOf(ctx, p.ApiId, where);
    const timeoutMs = p.TimeoutInMillis === undefined ? DEFAULT_TIMEOUT_MS : Number(p.TimeoutInMillis);
    let spec: IntegrationSpec;
    if (p.IntegrationType === 'AWS_PROXY') {
      spec = {
        type: 'AWS_PROXY',
        functionArn: functionArnOf(ctx, p.IntegrationUri, where, 'IntegrationUri'),
        payloadFormatVersion: asText(p.PayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
        timeoutMs,
      };
    } else if (p.IntegrationType === 'HTTP_PROXY') {
      spec = {
        type: 'HTTP_PROXY',
        uri: asText(p.IntegrationUri),
        method: p.IntegrationMethod === undefined ? 'ANY' : asText(p.IntegrationMethod).toUpperCase(),
        timeoutMs,
      };
    } else {
      throw new UnsupportedResourceError(
        `${where}: IntegrationType ${asText(p.IntegrationType)} is not supported offline (AWS_PROXY and HTTP_PROXY are)`,
      );
    }
    const id = newId();
    httpApi.integrations.set(id, spec);
    return { ref: id, attributes: { IntegrationId: id } };
  },
};

/** Whether an identity source is one HTTP APIs read and the offline runtime can read too. */
function readableSource(source: string): boolean {
  const context = /^\$context\.(.+)$/.exec(source)?.[1];
  if (context !== undefined) return CONTEXT_SOURCES.includes(context);
  return /^\$(request\.header|request\.querystring|stageVariables)\.[^.\s]+$/.test(source);
}

function identitySources(value: unknown): string[] {
  const sources = Array.isArray(value)
    ? value.map((v) => asText(v))
    : value === undefined
      ? []
      : asText(value).split(',');
  return sources.map((s) => s.trim()).filter((s) => s !== '');
}

function checkAuthorizer(ctx: CheckContext, p: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const type = known(p.AuthorizerType);
  if (type !== undefined && type !== 'JWT' && type !== 'REQUEST') {
    problems.push(`${ctx.where}: AuthorizerType ${type} is not supported offline (JWT and REQUEST are)`);
  }
  const sources = Array.isArray(p.IdentitySource) ? p.IdentitySource.map(known) : [known(p.IdentitySource)];
  for (const source of sources.flatMap((s) => (s === undefined ? [] : s.split(',').map((x) => x.trim())))) {
    if (source !== '' && !readableSource(source)) {
      problems.push(
        `${ctx.where}: IdentitySource ${source} is not read offline ($request.header.X, $request.querystring.X, $stageVariables.X and $context.${CONTEXT_SOURCES.join('|')} are)`,
      );
    }
  }
  if (type === 'REQUEST') {
    const version = known(p.AuthorizerPayloadFormatVersion);
    if (
      p.AuthorizerPayloadFormatVersion === undefined ||
      (version !== undefined && version !== '1.0' && version !== '2.0')
    ) {
      problems.push(
        `${ctx.where}: AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for a Lambda authorizer of an HTTP API`,
      );
    }
    if (version === '1.0' && truthy(p.EnableSimpleResponses)) {
      problems.push(`${ctx.where}: EnableSimpleResponses needs AuthorizerPayloadFormatVersion 2.0`);
    }
  }
  if (type === 'JWT' && (p.JwtConfiguration as { Issuer?: unknown } | undefined)?.Issuer === undefined) {
    problems.push(`${ctx.where}: JwtConfiguration.Issuer is required for a JWT authorizer`);
  }
  return problems;
}

const authorizer: Provisioner = {
  applies: [
    'ApiId',
    'AuthorizerType',
    'Name',
    'IdentitySource',
    'JwtConfiguration',
    'AuthorizerUri',
    'AuthorizerPayloadFormatVersion',
    'EnableSimpleResponses',
    'AuthorizerResultTtlInSeconds',
  ],
  accepts: { AuthorizerCredentialsArn: NOT_ENFORCED },
  check: checkAuthorizer,
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = whereOf(ctx, logicalId, 'Authorizer');
    const httpApi = apiOf(ctx, p.ApiId, where);
    const name = p.Name === undefined ? logicalId : asText(p.Name);
    let spec: AuthorizerSpec;
    if (p.AuthorizerType === 'JWT') {
      const jwt = (p.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
      const sources = identitySources(p.IdentitySource);
      spec = {
        type: 'JWT',
        name,
        issuer: asText(jwt.Issuer),
        audience: list(jwt.Audience),
        identitySources: sources.length > 0 ? sources : ['$request.header.Authorization'],
      };
    } else if (p.AuthorizerType === 'REQUEST') {
      spec = {
        type: 'REQUEST',
        name,
        functionArn: functionArnOf(ctx, p.AuthorizerUri, where, 'AuthorizerUri'),
        payloadFormatVersion: asText(p.AuthorizerPayloadFormatVersion) === '1.0' ? '1.0' : '2.0',
        simpleResponses: truthy(p.EnableSimpleResponses),
        identitySources: identitySources(p.IdentitySource),
        ttlSeconds: p.AuthorizerResultTtlInSeconds === undefined ? 0 : Number(p.AuthorizerResultTtlInSeconds),
      };
    } else {
      throw new UnsupportedResourceError(
        `${where}: AuthorizerType ${asText(p.AuthorizerType)} is not supported offline (JWT and REQUEST are)`,
      );
    }
    const id = newId();
    httpApi.authorizers.set(id, spec);
    return { ref: id, attributes: { AuthorizerId: id } };
  },
};

type RouteSettings = { ThrottlingBurstLimit?: unknown; ThrottlingRateLimit?: unknown } | undefined;

/** A route setting's throttle; a limit left out is the account's (10,000 per second, a burst of 5,000). */
function throttleOf(settings: RouteSettings): ThrottleSpec | undefined {
  if (settings?.ThrottlingBurstLimit === undefined && settings?.ThrottlingRateLimit === undefined)
    return undefined;
  return {
    rate: settings.ThrottlingRateLimit === undefined ? 10_000 : Number(settings.ThrottlingRateLimit),
    burst: settings.ThrottlingBurstLimit === undefined ? 5_000 : Number(settings.ThrottlingBurstLimit),
  };
}

const stage: Provisioner = {
  applies: ['ApiId', 'StageName', 'StageVariables', 'DefaultRouteSettings', 'RouteSettings'],
  accepts: {
    AutoDeploy: AS_SYNTHESIZED,
    DeploymentId: AS_SYNTHESIZED,
    AccessLogSettings: NO_OBSERVABILITY,
    Description: DESCRIPTIVE,
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = whereOf(ctx, logicalId, 'Stage');
    const httpApi = apiOf(ctx, p.ApiId, where);
    const name = asText(p.StageName);
    const routeThrottles: Record<string, ThrottleSpec> = {};
    for (const [key, settings] of Object.entries((p.RouteSettings ?? {}) as Record<string, RouteSettings>)) {
      const limit = throttleOf(settings);
      if (limit) routeThrottles[key] = limit;
    }
    httpApi.stages.set(name, {
      name,
      variables: Object.fromEntries(
        Object.entries((p.StageVariables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, asText(v)]),
      ),
      defaultThrottle: throttleOf(p.DefaultRouteSettings as RouteSettings),
      routeThrottles,
    });
    return { ref: name, attributes: {} };
  },
};

/** API Gateway HTTP APIs (AWS::ApiGatewayV2::*), each served by its own local server. */
export const apigatewayv2: ServiceModule = {
  name: 'apigatewayv2',
  state: ApiGatewayV2Service,
  provisioners: {
    'AWS::ApiGatewayV2::Api': api,
    'AWS::ApiGatewayV2::Route': route,
    'AWS::ApiGatewayV2::Integration': integration,
    'AWS::ApiGatewayV2::Authorizer': authorizer,
    'AWS::ApiGatewayV2::Stage': stage,
    'AWS::ApiGatewayV2::Deployment': accepted(AS_SYNTHESIZED, regional('apigateway', '/deployments/')),
  },
};
