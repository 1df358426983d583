/**
 * The offline endpoint of one HTTP API, its own HTTP server. A request goes:
 *
 *   health route → engines up (else 503) → stage → route (else the gateway's preflight, else 404)
 *   → route throttle (429) → body (413) → authorize (401/403/500) → integrate (500/503) → CORS headers
 *
 * Every answer the gateway makes itself is JSON `{"message": …}` with the request id in `apigw-requestid`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HEALTH_PATH } from '../apigateway/gateway.js';
import { TokenBucket } from '../apigateway/request/token-bucket.js';
import type { RuntimeHealth } from '../apigateway/types.js';
import { closeServer, listenLocal } from '../../core/http-server.js';
import { isConsolePath, type ConsoleHandler } from '../../console/route.js';
import type { LambdaHost } from '../lambda/host.js';
import { Authorizers } from './authorize.js';
import { isPreflight, preflightHeaders, withCorsHeaders } from './cors.js';
import { headerLists, newRequestId, type HttpAnswer, type RoutedRequest } from './events.js';
import { integrate } from './integrate.js';
import type { JwtVerifier } from './jwt.js';
import { RouteTable, stageOf } from './routes.js';
import type { HttpApiSpec } from './types.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** An answer, and whether it is the gateway's own preflight answer (whose CORS headers are final). */
type Made = HttpAnswer & { readonly preflight?: boolean };

/** What an HTTP API's server needs besides the API. */
export interface HttpApiServerOptions {
  readonly host: Pick<LambdaHost, 'invoke'>;
  readonly jwt: JwtVerifier;
  readonly accountId: string;
  readonly region: string;
  readonly health?: RuntimeHealth;
  /**
   * The local console, when this server is the runtime's base URL (an application with no REST API):
   * requests under `/_console` go to it.
   */
  readonly console?: () => ConsoleHandler | undefined;
}

/** An answer the gateway makes itself. */
function message(status: number, text: string, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ message: text }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | null | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks);
}

/** Serves one HTTP API, its stages and routes as the template declares them. */
export class HttpApiServer {
  private server?: Server;
  private readonly routes: RouteTable;
  private readonly authorizers: Authorizers;
  private readonly buckets = new Map<string, TokenBucket | undefined>();

  constructor(
    private readonly api: HttpApiSpec,
    private readonly options: HttpApiServerOptions,
  ) {
    this.routes = new RouteTable(api.routes);
    this.authorizers = new Authorizers(api.authorizers, options);
  }

  /** Starts listening; resolves with the base URL. */
  public async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server = server;
    return listenLocal(server, port);
  }

  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const consoleHandler = isConsolePath(pathname) ? this.options.console?.() : undefined;
    if (consoleHandler) {
      try {
        await consoleHandler(req, res, pathname);
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      }
      return;
    }
    const requestId = newRequestId();
    const headers = headerLists(req.rawHeaders);
    let answer: Made;
    try {
      answer = await this.answer(req, requestId, headers);
    } catch {
      answer = message(500, 'Internal Server Error');
    }
    const origin = headers.origin?.[0];
    const sent =
      this.api.cors && !answer.preflight
        ? withCorsHeaders(this.api.cors, origin, answer.headers)
        : answer.headers;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(answer.status, { ...sent, 'apigw-requestid': requestId });
    res.end(answer.body);
  }

  private async answer(
    req: IncomingMessage,
    requestId: string,
    headers: Record<string, string[]>,
  ): Promise<Made> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);
    if (rawPath === HEALTH_PATH) return this.healthAnswer();
    const down = this.options.health?.unavailable();
    if (down !== undefined) return message(503, 'Service Unavailable');
    const method = req.method ?? 'GET';
    const staged = stageOf(this.api.stages, rawPath);
    const matched = staged ? this.routes.match(staged.path, method) : undefined;
    if (!staged || !matched) {
      if (this.api.cors && isPreflight(method, headers)) {
        const cors = preflightHeaders(this.api.cors, headers.origin?.[0]);
        return { status: 204, headers: cors, body: '', preflight: true };
      }
      return message(404, 'Not Found');
    }
    const { stage } = staged;
    const bucket = this.bucketOf(stage.name, matched.route.routeKey);
    if (bucket && !bucket.take()) return message(429, 'Too Many Requests');
    const body = await readBody(req);
    if (body === undefined) return message(413, 'Request Entity Too Large');
    const routed: RoutedRequest = {
      requestId,
      method,
      rawPath,
      rawQueryString,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      time: new Date(),
      apiId: this.api.apiId,
      accountId: this.options.accountId,
      stage,
      route: matched.route,
      pathParameters: matched.pathParameters,
    };
    const refusal = await this.authorizers.authorize(routed);
    if (refusal) return message(refusal.status, refusal.message, { ...refusal.headers });
    const integration = this.api.integrations.get(matched.route.integrationId);
    if (!integration) return message(500, 'Internal Server Error');
    const made = await integrate(integration, routed, this.options.host);
    return 'message' in made ? message(made.status, made.message) : made;
  }

  /** The throttle of a route on a stage: `RouteSettings` for its key, else `DefaultRouteSettings`. */
  private bucketOf(stageName: string, routeKey: string): TokenBucket | undefined {
    const key = `${stageName} ${routeKey}`;
    if (!this.buckets.has(key)) {
      const stage = this.api.stages.get(stageName);
      const limit = stage?.routeThrottles[routeKey] ?? stage?.defaultThrottle;
      this.buckets.set(key, limit ? new TokenBucket(limit.rate, limit.burst) : undefined);
    }
    return this.buckets.get(key);
  }

  /** `GET /_conflux/health`, as the REST gateway answers it: each engine's state; 503 while one is down. */
  private healthAnswer(): HttpAnswer {
    const engines = this.options.health?.engines() ?? {};
    const down = this.options.health?.unavailable();
    return {
      status: down === undefined ? 200 : 503,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({ status: down === undefined ? 'ok' : 'unavailable', reason: down, engines }),
    };
  }
}
