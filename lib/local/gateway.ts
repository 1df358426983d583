import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { asText } from './intrinsics';
import type { LambdaHost } from './lambda-host';

/** A method of a REST API as the template declares it. */
export interface GatewayMethod {
  readonly httpMethod: string;
  readonly resourceId: string;
  readonly integration:
    | { readonly type: 'AWS_PROXY'; readonly functionArn: string }
    | {
        readonly type: 'MOCK';
        readonly statusCode: number;
        readonly headers: Readonly<Record<string, string>>;
      };
  /** `querystring.x`, `header.y`, `path.z` parameters the method requires (checked when a validator asks). */
  readonly requiredParameters: readonly string[];
  readonly validateParameters: boolean;
}

/** A REST API: its resource tree, methods and stage. */
export interface GatewayApi {
  readonly apiId: string;
  readonly rootResourceId: string;
  readonly resources: Map<string, { parentId: string; pathPart: string }>;
  readonly methods: GatewayMethod[];
  stageName?: string;
  /** Stage-level default throttling (`MethodSettings` for `*` `/*`). */
  throttle?: { rate: number; burst: number };
}

interface Route {
  readonly template: string;
  readonly segments: readonly string[];
  readonly methods: Map<string, GatewayMethod>;
  readonly resourceId: string;
}

/** The error bodies and statuses API Gateway answers with itself. */
const gatewayError = {
  missingToken: [403, 'Missing Authentication Token'],
  throttled: [429, 'Too Many Requests'],
  internal: [502, 'Internal server error'],
  tooLarge: [413, 'Request Too Long'],
} as const;

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Serves REST APIs from their template definition: resources and methods, Lambda proxy integrations with
 * the payload 1.0 event, MOCK integrations, required-parameter validation and stage throttling.
 */
export class Gateway {
  private server?: Server;
  private routes: Route[] = [];
  private bucket = { tokens: 0, updated: Date.now() };

  constructor(
    private readonly api: GatewayApi,
    private readonly host: LambdaHost,
    private readonly accountId: string,
  ) {}

  /** Starts listening; resolves with the base URL. */
  public async listen(port: number, hostname = '127.0.0.1'): Promise<string> {
    this.routes = buildRoutes(this.api);
    this.bucket = { tokens: this.api.throttle?.burst ?? 0, updated: Date.now() };
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, hostname, () => {
        resolve();
      });
    });
    const address = server.address();
    const actualPort = address && typeof address === 'object' ? address.port : port;
    return `http://${hostname}:${actualPort}`;
  }

  /** Stops listening. */
  public async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const send = (status: number, body: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': requestId,
        ...headers,
      });
      res.end(body);
    };
    const fail = ([status, message]: readonly [number, string]) => {
      send(
        status,
        JSON.stringify({ message }),
        status === 403 ? { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' } : {},
      );
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = this.match(url.pathname, req.method ?? 'GET');
      if (!match) {
        fail(gatewayError.missingToken);
        return;
      }
      if (!this.takeToken()) {
        fail(gatewayError.throttled);
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        fail(gatewayError.tooLarge);
        return;
      }
      const { method, route, pathParameters } = match;
      const missing = missingParameters(method, url, req, pathParameters);
      if (missing.length > 0) {
        send(
          400,
          JSON.stringify({ message: `Missing required request parameters: [${missing.join(', ')}]` }),
        );
        return;
      }
      if (method.integration.type === 'MOCK') {
        send(method.integration.statusCode, '', method.integration.headers);
        return;
      }
      const event = proxyEvent(req, url, body, route, pathParameters, {
        requestId,
        accountId: this.accountId,
        apiId: this.api.apiId,
        stage: this.api.stageName ?? 'local',
      });
      const result = await this.host.invoke(method.integration.functionArn, event);
      if (!result.ok) {
        fail(gatewayError.internal);
        return;
      }
      const response = proxyResponse(result.payload);
      if (!response) {
        fail(gatewayError.internal);
        return;
      }
      res.writeHead(response.statusCode, {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': requestId,
        ...response.headers,
      });
      res.end(response.body);
    } catch {
      if (!res.headersSent) fail(gatewayError.internal);
      else res.end();
    }
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

  /** Token bucket of the stage's default throttle: `burst` tokens, refilled at `rate` per second. */
  private takeToken(): boolean {
    const throttle = this.api.throttle;
    if (!throttle) return true;
    const now = Date.now();
    this.bucket.tokens = Math.min(
      throttle.burst,
      this.bucket.tokens + ((now - this.bucket.updated) / 1000) * throttle.rate,
    );
    this.bucket.updated = now;
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }
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
    if (t.startsWith('{') && t.endsWith('}')) params[t.slice(1, -1)] = decodeURIComponent(a);
    else if (t !== a) return undefined;
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

function missingParameters(
  method: GatewayMethod,
  url: URL,
  req: IncomingMessage,
  pathParameters: Record<string, string>,
): string[] {
  if (!method.validateParameters) return [];
  return method.requiredParameters
    .filter((p) => {
      const [where, name = ''] = p.split(/\.(.*)/s);
      if (where === 'querystring') return !url.searchParams.has(name);
      if (where === 'header') return req.headers[name.toLowerCase()] === undefined;
      if (where === 'path') return pathParameters[name] === undefined;
      return false;
    })
    .map((p) => p.split('.').slice(1).join('.'));
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  body: string | null,
  route: Route,
  pathParameters: Record<string, string>,
  ctx: { requestId: string; accountId: string; apiId: string; stage: string },
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const now = new Date();
  const hasQuery = url.searchParams.size > 0;
  const host = headers.Host ?? headers.host ?? 'localhost';
  return {
    resource: route.template,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      authorizer: undefined,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: ctx.requestId,
      httpMethod: req.method ?? 'GET',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${ctx.stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId: ctx.requestId,
      requestTime: clfTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: route.resourceId,
      resourcePath: route.template,
      stage: ctx.stage,
    },
  };
}

function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const RESPONSE_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * The HTTP response a Lambda proxy result stands for, or undefined where API Gateway would answer 502
 * (a non-object, an unknown key, a non-numeric status, multi-value headers that are not arrays).
 */
export function proxyResponse(
  payload: unknown,
): { statusCode: number; headers: Record<string, string | string[]>; body: string } | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (Object.keys(p).some((k) => !RESPONSE_KEYS.has(k))) return undefined;
  const statusCode = p.statusCode === undefined ? 200 : Number(p.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const headers: Record<string, string | string[]> = {};
  const multi = p.multiValueHeaders;
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object') return undefined;
    for (const [k, v] of Object.entries(multi)) {
      if (!Array.isArray(v)) return undefined;
      headers[k] = v.map(String);
    }
  }
  const single = p.headers;
  if (single !== undefined && single !== null) {
    if (typeof single !== 'object') return undefined;
    for (const [k, v] of Object.entries(single)) {
      const existing = headers[k];
      headers[k] = existing ? [...[existing].flat(), String(v)] : String(v);
    }
  }
  const body = p.body === undefined || p.body === null ? '' : asText(p.body);
  return { statusCode, headers, body };
}
