import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { ValidateFunction } from 'ajv-draft-04';
import {
  AuthorizerCache,
  evaluatePolicy,
  FAILURES,
  Quota,
  TokenBucket,
  type GatewayFailure,
} from './access.js';
import { proxyEvent, proxyResponse, requestEventFields } from './events.js';
import { callService, type ServiceClients } from './service-integrations.js';
import type {
  GatewayAccess,
  GatewayApi,
  GatewayMethod,
  RequestState,
  Route,
  RuntimeHealth,
} from './types.js';
import { renderTemplate } from './vtl.js';
import { closeServer, listenLocal } from '../../core/http-server.js';
import { asText } from '../../core/intrinsics.js';
import type { LambdaHost } from '../lambda/host.js';

// ajv-draft-04 is CommonJS whose default export TypeScript types differently per module resolution; required,
// it is the class under every loader.
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (options: {
  allErrors: boolean;
  strict: boolean;
  validateFormats: boolean;
}) => { compile(schema: object): ValidateFunction };

export type * from './types.js';
export { proxyResponse } from './events.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_HEADER_BYTES = 10_240;

/** Node's parser errors, as the gateway failures a client is told. */
const CLIENT_ERRORS: Readonly<Record<string, GatewayFailure>> = {
  HPE_HEADER_OVERFLOW: FAILURES.headersTooLarge,
  HPE_INVALID_METHOD: FAILURES.unsupportedMethod,
};

/** The runtime's own health route, beside the API's routes. */
export const HEALTH_PATH = '/_conflux/health';

/** An answer the runtime itself makes (not the API's): JSON, never cached, with the request id. */
function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'x-amzn-RequestId': requestId,
  });
  res.end(JSON.stringify(body));
}

interface Authorized {
  readonly principalId: string;
  readonly policy: unknown;
  readonly context: Record<string, string | number | boolean>;
  readonly usageIdentifierKey?: string;
}

/**
 * Serves a REST API from its template definition, checking a request in API Gateway's order: route,
 * Lambda authorizer (TOKEN or REQUEST, cached by identity for its TTL, policy evaluated against the method
 * ARN), API key, usage-plan throttle and quota, stage throttle, required parameters, body model (JSON
 * Schema draft-04), then the integration (Lambda proxy with the payload 1.0 event, or MOCK). Failures are
 * answered as the gateway responses define them.
 */
export class Gateway {
  private server?: Server;
  private routes: Route[] = [];
  private stageBucket?: TokenBucket;
  private readonly authorizerCaches = new Map<string, AuthorizerCache<Authorized>>();
  private readonly planBuckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, Quota>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly api: GatewayApi,
    private readonly host: LambdaHost,
    private readonly accountId: string,
    private readonly access: GatewayAccess = { usagePlans: [], apiKeys: new Map() },
    private readonly region = 'us-east-1',
    private readonly services: ServiceClients,
    private readonly health?: RuntimeHealth,
  ) {}

  /** Starts listening; resolves with the base URL. */
  public async listen(port: number, hostname = '127.0.0.1'): Promise<string> {
    this.routes = buildRoutes(this.api);
    this.stageBucket = this.api.throttle
      ? new TokenBucket(this.api.throttle.rate, this.api.throttle.burst)
      : undefined;
    // Formats are not checked: whether API Gateway's validator enforces `format` is unconfirmed, and the
    // models Conflux generates carry a `pattern` wherever a format matters.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    for (const [name, schema] of this.api.models) this.validators.set(name, ajv.compile(schema));
    // API Gateway's quota for the request line and headers together is 10,240 bytes.
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
      void this.handle(req, res);
    });
    server.on('clientError', (error: Error & { code?: string; rawPacket?: Buffer }, socket) => {
      this.answerClientError(error, socket);
    });
    this.server = server;
    return listenLocal(server, port, hostname);
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const fail = (failure: GatewayFailure, state?: RequestState) => {
      this.sendFailure(res, failure, requestId, state);
    };
    try {
      const url = requestUrl(req.url ?? '/');
      if (!url) {
        fail(FAILURES.badRequestTarget);
        return;
      }
      if (url.pathname === HEALTH_PATH) {
        this.sendHealth(res, requestId);
        return;
      }
      const down = this.health?.unavailable();
      if (down !== undefined) {
        sendJson(res, 503, { error: { code: 'EngineUnavailable', message: down, requestId } }, requestId);
        return;
      }
      let match: ReturnType<Gateway['match']>;
      try {
        match = this.match(url.pathname, req.method ?? 'GET');
      } catch (error: unknown) {
        if (!(error instanceof UndecodablePathError)) throw error;
        fail(FAILURES.undecodablePath);
        return;
      }
      if (!match) {
        fail(FAILURES.missingToken);
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        fail(FAILURES.tooLarge);
        return;
      }
      const state: RequestState = { requestId, url, req, body, ...match };
      const failure =
        (await this.authorize(state)) ??
        this.checkApiKey(state) ??
        (this.stageBucket && !this.stageBucket.take() ? FAILURES.throttled : undefined) ??
        this.validate(state);
      if (failure) {
        fail(failure, state);
        return;
      }
      await this.integrate(state, res);
    } catch {
      if (!res.headersSent) fail(FAILURES.internal);
      else res.end();
    }
  }

  private async integrate(state: RequestState, res: ServerResponse): Promise<void> {
    const { method, requestId } = state;
    if (method.integration.type === 'MOCK') {
      res.writeHead(method.integration.statusCode, {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': requestId,
        ...method.integration.headers,
      });
      res.end();
      return;
    }
    if (method.integration.type === 'AWS') {
      await this.integrateService(state, method.integration, res);
      return;
    }
    const event = proxyEvent(state, this.accountId, this.api);
    const result = await this.host.invoke(method.integration.functionArn, event);
    const response = result.ok ? proxyResponse(result.payload) : undefined;
    if (!response) {
      this.sendFailure(res, FAILURES.internal, requestId, state);
      return;
    }
    res.writeHead(response.statusCode, {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': requestId,
      ...response.headers,
    });
    res.end(response.body);
  }

  /** An `AWS` service integration: request template (VTL), the engine call, then the integration response. */
  private async integrateService(
    state: RequestState,
    integration: Extract<GatewayMethod['integration'], { type: 'AWS' }>,
    res: ServerResponse,
  ): Promise<void> {
    const fields = requestEventFields(state, this.accountId, this.api);
    const template = byMediaType(integration.requestTemplates, mediaType(state.req));
    const hasTemplates = Object.keys(integration.requestTemplates).length > 0;
    if (
      template === undefined &&
      (integration.passthrough === 'NEVER' ||
        (integration.passthrough === 'WHEN_NO_TEMPLATES' && hasTemplates))
    ) {
      this.sendFailure(
        res,
        {
          type: 'API_CONFIGURATION_ERROR',
          status: 415,
          message: 'Unsupported Media Type',
          errorType: 'UnsupportedMediaTypeException',
        },
        state.requestId,
        state,
      );
      return;
    }
    const context = {
      requestId: state.requestId,
      extendedRequestId: state.requestId,
      requestTime: fields.requestContext.requestTime,
      requestTimeEpoch: fields.requestContext.requestTimeEpoch,
      stage: this.api.stageName ?? 'local',
      resourcePath: state.route.template,
      httpMethod: state.req.method ?? 'GET',
      path: fields.requestContext.path,
      identity: fields.requestContext.identity,
      authorizer: state.authorizer ?? {},
      responseOverride: { header: {} as Record<string, string> },
    };
    const params = { path: state.pathParameters, querystring: fields.query, header: fields.headers };
    const body =
      template === undefined
        ? (state.body ?? '')
        : renderTemplate(template, { body: state.body ?? '', params, context });
    const backend = await callService(this.services, integration, body);
    const status = String(backend.status);
    const chosen =
      integration.responses.find(
        (r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(status),
      ) ?? integration.responses.find((r) => r.selectionPattern === undefined);
    if (!chosen) {
      this.sendFailure(res, FAILURES.internal, state.requestId, state);
      return;
    }
    const responseTemplate = chosen.templates['application/json'];
    const responseContext = {
      ...context,
      responseOverride: { header: {} as Record<string, string>, status: undefined as number | undefined },
    };
    const out =
      responseTemplate === undefined
        ? backend.body
        : renderTemplate(responseTemplate, { body: backend.body, params, context: responseContext });
    res.writeHead(responseContext.responseOverride.status ?? chosen.statusCode, {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': state.requestId,
      ...chosen.headers,
      ...responseContext.responseOverride.header,
    });
    res.end(out);
  }

  /** `GET /_conflux/health`: each engine's state; 503 while one of them is down. */
  private sendHealth(res: ServerResponse, requestId: string): void {
    const engines = this.health?.engines() ?? {};
    const down = this.health?.unavailable();
    const status = down === undefined ? 'ok' : 'unavailable';
    sendJson(res, down === undefined ? 200 : 503, { status, reason: down, engines }, requestId);
  }

  private methodArn(state: RequestState): string {
    const path = state.url.pathname.replace(/^\//, '');
    return `arn:aws:execute-api:${this.region}:${this.accountId}:${this.api.apiId}/${this.api.stageName ?? 'local'}/${state.req.method ?? 'GET'}/${path}`;
  }

  /** Runs the method's Lambda authorizer; undefined when the request may go on. */
  private async authorize(state: RequestState): Promise<GatewayFailure | undefined> {
    const authorizerId = state.method.authorizerId;
    if (authorizerId === undefined) return undefined;
    const spec = this.api.authorizers.get(authorizerId);
    if (!spec) return FAILURES.authorizerError;
    const identity = spec.identitySources.map((source) => this.identityValue(source, state));
    if (identity.some((v) => v === undefined || v === '')) return FAILURES.unauthorized;
    const token = identity[0] ?? '';
    if (
      spec.type === 'TOKEN' &&
      spec.validationExpression &&
      !new RegExp(`^(?:${spec.validationExpression})$`).test(token)
    ) {
      return FAILURES.unauthorized;
    }
    const cacheKey = identity.join(',');
    let cache = this.authorizerCaches.get(authorizerId);
    if (!cache) {
      cache = new AuthorizerCache<Authorized>(spec.ttlSeconds);
      this.authorizerCaches.set(authorizerId, cache);
    }
    const methodArn = this.methodArn(state);
    let authorized = cache.get(cacheKey);
    if (!authorized) {
      const event =
        spec.type === 'TOKEN'
          ? { type: 'TOKEN', authorizationToken: token, methodArn }
          : { type: 'REQUEST', methodArn, ...requestEventFields(state, this.accountId, this.api) };
      const result = await this.host.invoke(spec.functionArn, event);
      if (!result.ok) {
        return result.error.errorMessage === 'Unauthorized'
          ? FAILURES.unauthorized
          : FAILURES.authorizerError;
      }
      const parsed = parseAuthorizerResult(result.payload);
      if (!parsed) return FAILURES.authorizerError;
      authorized = parsed;
      cache.set(cacheKey, authorized);
    }
    const verdict = evaluatePolicy(authorized.policy, methodArn);
    if (verdict === undefined) return FAILURES.authorizerError;
    if (verdict === 'explicit-deny') return FAILURES.explicitDeny;
    if (verdict === 'implicit-deny') return FAILURES.implicitDeny;
    state.authorizer = { principalId: authorized.principalId, integrationLatency: 0, ...authorized.context };
    if (authorized.usageIdentifierKey !== undefined)
      state.authorizer.usageIdentifierKey = authorized.usageIdentifierKey;
    return undefined;
  }

  private identityValue(source: string, state: RequestState): string | undefined {
    const [, where, name = ''] = /^method\.request\.(header|querystring)\.(.+)$/.exec(source) ?? [];
    if (where === 'header') {
      const value = state.req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(',') : value;
    }
    if (where === 'querystring') return state.url.searchParams.get(name) ?? undefined;
    return undefined;
  }

  /** The API key check and the usage plan's throttle and quota, for methods that require a key. */
  private checkApiKey(state: RequestState): GatewayFailure | undefined {
    if (!state.method.apiKeyRequired) return undefined;
    const value =
      this.api.apiKeySource === 'AUTHORIZER'
        ? (state.authorizer?.usageIdentifierKey as string | undefined)
        : (state.req.headers['x-api-key'] as string | undefined);
    const key =
      value === undefined ? undefined : [...this.access.apiKeys.values()].find((k) => k.value === value);
    const stage = this.api.stageName ?? 'local';
    const plan = key?.enabled
      ? this.access.usagePlans.find(
          (p) =>
            p.keyIds.includes(key.id) &&
            p.stages.some((s) => s.apiId === this.api.apiId && s.stage === stage),
        )
      : undefined;
    if (!key || !plan) return FAILURES.invalidApiKey;
    state.apiKey = key;
    const methodKey = `${state.route.template}/${state.req.method ?? 'GET'}`;
    const methodThrottle = plan.stages.find((s) => s.apiId === this.api.apiId && s.stage === stage)
      ?.methodThrottles[methodKey];
    const throttle = methodThrottle ?? plan.throttle;
    if (throttle) {
      const bucketKey = `${plan.id}|${key.id}|${methodThrottle ? methodKey : '*'}`;
      let bucket = this.planBuckets.get(bucketKey);
      if (!bucket) {
        bucket = new TokenBucket(throttle.rate, throttle.burst);
        this.planBuckets.set(bucketKey, bucket);
      }
      if (!bucket.take()) return FAILURES.throttled;
    }
    if (plan.quota) {
      let quota = this.quotas.get(plan.id);
      if (!quota) {
        quota = new Quota(plan.quota.limit, plan.quota.period);
        this.quotas.set(plan.id, quota);
      }
      if (!quota.take(key.id)) return FAILURES.quotaExceeded;
    }
    return undefined;
  }

  /** Required parameters, then the body against the method's model. */
  private validate(state: RequestState): GatewayFailure | undefined {
    const missing = missingParameters(state);
    if (missing.length > 0) {
      return {
        type: 'BAD_REQUEST_PARAMETERS',
        status: 400,
        message: `Missing required request parameters: [${missing.join(', ')}]`,
        errorType: 'BadRequestException',
      };
    }
    if (!state.method.validateBody) return undefined;
    const model =
      byMediaType(state.method.requestModels, mediaType(state.req)) ?? state.method.requestModels.$default;
    const validator = model === undefined ? undefined : this.validators.get(model);
    if (!validator) return undefined;
    let json: unknown;
    try {
      json = state.body === null ? {} : (JSON.parse(state.body) as unknown);
    } catch (error: unknown) {
      state.validationErrorString = error instanceof Error ? error.message : 'not JSON';
      return FAILURES.invalidBody;
    }
    if (validator(json)) return undefined;
    // AWS writes a bracketed list, e.g. `[object has missing required properties (["x"])]`.
    state.validationErrorString = `[${(validator.errors ?? [])
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
      .join(', ')}]`;
    return FAILURES.invalidBody;
  }

  private sendFailure(
    res: ServerResponse,
    failure: GatewayFailure,
    requestId: string,
    state?: RequestState,
  ): void {
    const answer = this.failureResponse(failure, requestId, state);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** A failure as the API's gateway responses shape it (status, headers, templated body). */
  private failureResponse(
    failure: GatewayFailure,
    requestId: string,
    state?: RequestState,
  ): { status: number; headers: Record<string, string>; body: string } {
    const family = failure.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
    const custom = this.api.gatewayResponses.get(failure.type) ?? this.api.gatewayResponses.get(family);
    const status = custom?.statusCode ?? failure.status;
    const context: Record<string, string> = {
      '$context.requestId': requestId,
      '$context.error.message': (failure.message ?? '').replace(/"/g, '\\"'),
      '$context.error.messageString': JSON.stringify(failure.message),
      '$context.error.responseType': failure.type,
      // Escaped so that the usual `"$context.error.validationErrorString"` in a template stays valid JSON.
      '$context.error.validationErrorString': JSON.stringify(state?.validationErrorString ?? '').slice(1, -1),
    };
    const template = custom?.templates['application/json'];
    const body =
      template === undefined
        ? JSON.stringify({ [failure.messageKey ?? 'message']: failure.message })
        : template.replace(/\$context\.[A-Za-z.]+/g, (name) => context[name] ?? '');
    return {
      status,
      headers: {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': requestId,
        ...(failure.errorType ? { 'x-amzn-ErrorType': failure.errorType } : {}),
        ...custom?.headers,
      },
      body,
    };
  }

  /**
   * A request Node's parser refuses before the gateway sees it (an unknown method, headers over the limit,
   * malformed framing) still gets the API's JSON error, with a request id, and the connection is closed.
   */
  private answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const failure = CLIENT_ERRORS[error.code ?? ''] ?? FAILURES.badRequest;
    const answer = this.failureResponse(failure, randomUUID());
    const head = [
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
      ...Object.entries({ ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)) }).map(
        ([k, v]) => `${k}: ${v}`,
      ),
      'Connection: close',
    ];
    // A HEAD request is answered with the headers alone (RFC 9110 §9.3.2), or its client reads garbage.
    const headOnly = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(`${head.join('\r\n')}\r\n\r\n${headOnly ? '' : answer.body}`);
  }

  private match(pathname: string, httpMethod: string) {
    const segments = pathname.split('/').filter((s) => s !== '');
    for (const route of this.routes) {
      const pathParameters = matchSegments(route.segments, segments);
      if (!pathParameters) continue;
      const method = route.methods.get(httpMethod) ?? route.methods.get('ANY');
      if (method) return { route, method, pathParameters };
    }
    return undefined;
  }
}

/** The authorizer's answer, or undefined when it is unusable (no principal, no policy, bad context). */
function parseAuthorizerResult(payload: unknown): Authorized | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const p = payload as {
    principalId?: unknown;
    policyDocument?: unknown;
    context?: unknown;
    usageIdentifierKey?: unknown;
  };
  if (p.policyDocument === undefined) return undefined;
  const context: Record<string, string | number | boolean> = {};
  if (p.context !== undefined && p.context !== null) {
    if (typeof p.context !== 'object') return undefined;
    for (const [k, v] of Object.entries(p.context)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
      // Context values reach the integration as strings.
      context[k] = String(v);
    }
  }
  return {
    principalId: asText(p.principalId),
    policy: p.policyDocument,
    context,
    usageIdentifierKey: typeof p.usageIdentifierKey === 'string' ? p.usageIdentifierKey : undefined,
  };
}

function buildRoutes(api: GatewayApi): Route[] {
  const pathOf = (id: string): string[] => {
    if (id === api.rootResourceId) return [];
    const resource = api.resources.get(id);
    if (!resource) throw new Error(`API ${api.apiId}: resource ${id} is not defined`);
    return [...pathOf(resource.parentId), resource.pathPart];
  };
  const byResource = new Map<string, Route>();
  for (const method of api.methods) {
    let route = byResource.get(method.resourceId);
    if (!route) {
      const segments = pathOf(method.resourceId);
      route = {
        template: `/${segments.join('/')}`,
        segments,
        methods: new Map(),
        resourceId: method.resourceId,
      };
      byResource.set(method.resourceId, route);
    }
    route.methods.set(method.httpMethod, method);
  }
  // Literal segments win over parameters, and parameters over greedy ones, as in API Gateway.
  const rank = (s: string) => (s.endsWith('+}') ? 2 : s.startsWith('{') ? 1 : 0);
  return [...byResource.values()].sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
      const d = rank(a.segments[i] ?? '') - rank(b.segments[i] ?? '');
      if (d !== 0) return d;
    }
    return b.segments.length - a.segments.length;
  });
}

/** A path segment's percent-encoding is not UTF-8 (`%zz`, an overlong form, a lone surrogate). */
class UndecodablePathError extends Error {
  public override readonly name = 'UndecodablePathError';
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The media type of a request, lower case without parameters; API Gateway's default is JSON. */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'] ?? '';
  return raw.split(';')[0]?.trim().toLowerCase() || 'application/json';
}

/** A value of a map keyed by media type, matched case-insensitively. */
function byMediaType<T>(map: Readonly<Record<string, T>>, type: string): T | undefined {
  const found = Object.keys(map).find((k) => k.toLowerCase() === type);
  return found === undefined ? undefined : map[found];
}

function matchSegments(template: readonly string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i += 1) {
    const t = template[i] ?? '';
    if (t.startsWith('{') && t.endsWith('+}')) {
      if (i >= actual.length) return undefined;
      params[t.slice(1, -2)] = actual.slice(i).join('/');
      return params;
    }
    const a = actual[i];
    if (a === undefined) return undefined;
    if (t.startsWith('{') && t.endsWith('}')) {
      const decoded = decodePathSegment(a);
      if (decoded === undefined) throw new UndecodablePathError();
      params[t.slice(1, -1)] = decoded;
    } else if (t !== a) return undefined;
  }
  return template.length === actual.length ? params : undefined;
}

async function readBody(req: IncomingMessage): Promise<string | null | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

function missingParameters(state: RequestState): string[] {
  const { method, url, req, pathParameters } = state;
  return method.requiredParameters
    .filter((p) => {
      const [where, name = ''] = p.split(/\.(.*)/s);
      if (where === 'querystring') return (url.searchParams.get(name) ?? '').trim() === '';
      if (where === 'header') return String(req.headers[name.toLowerCase()] ?? '').trim() === '';
      if (where === 'path') return (pathParameters[name] ?? '') === '';
      return false;
    })
    .map((p) => p.split('.').slice(1).join('.'));
}

/**
 * The URL of a request target as API Gateway reads it: an origin-form target (`/path?query`) is a path
 * even when it starts with `//` (resolved against a base, `//v1/x` would name a host `v1`); an absolute-form
 * target is taken as it is. Undefined when the target is no URL at all.
 */
export function requestUrl(target: string): URL | undefined {
  try {
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}
