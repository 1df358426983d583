/**
 * The offline REST API endpoint: the HTTP server, the runtime's health route, and the request chain run
 * in API Gateway's order. Each step of the chain is a module of `request/`:
 *
 *   route → body → authorize → API key → stage throttle → validate → integrate
 *
 * A failure at any step is answered as the API's gateway response (`gateway-responses.ts`), and the steps
 * after it do not run.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { FAILURES, type GatewayFailure } from './failures.js';
import { gatewayResponse } from './gateway-responses.js';
import { checkApiKey } from './request/api-key.js';
import { authorize } from './request/authorize.js';
import { readBody } from './request/body.js';
import { runChain, type Stage } from './request/chain.js';
import { integrate, type Integrate } from './request/integrate.js';
import { requestUrl, Router } from './request/route.js';
import { throttle } from './request/throttle.js';
import { validate } from './request/validate.js';
import type { ServiceClients } from './service-integrations.js';
import type { GatewayAccess, GatewayApi, HttpAnswer, RequestState, RuntimeHealth } from './types.js';
import { consoleOf, isConsolePath } from '../../console/route.js';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { LambdaHost } from '../lambda/host.js';

export type * from './types.js';
export { proxyResponse } from './events.js';
export { mediaType } from './request/media-type.js';
export { requestUrl } from './request/route.js';

const MAX_HEADER_BYTES = 10_240;

/** Node's parser errors, as the gateway failures a client is told. */
const CLIENT_ERRORS: Readonly<Record<string, GatewayFailure>> = {
  HPE_HEADER_OVERFLOW: FAILURES.headersTooLarge,
  HPE_INVALID_METHOD: FAILURES.unsupportedMethod,
};

/** The runtime's own health route, beside the API's routes. */
export const HEALTH_PATH = '/_conflux/health';

/** The request chain of one API, built when the gateway starts. */
interface RequestChain {
  readonly router: Router;
  /** The checks between routing and the integration, in order. */
  readonly stages: readonly Stage[];
  readonly integrate: Integrate;
}

/** An answer the runtime itself makes (not the API's): JSON, never cached, with the request id. */
function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'x-amzn-RequestId': requestId,
  });
  res.end(JSON.stringify(body));
}

/** Writes an integration's answer or a gateway response. */
function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/**
 * Serves a REST API from its template definition at a local port. Before the API's routes come the
 * runtime's own: the health route, and a 503 for every request while an engine of the runtime is down.
 */
export class Gateway {
  private server?: Server;

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
    const chain = this.buildChain();
    // API Gateway's quota for the request line and headers together is 10,240 bytes.
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
      void this.handle(chain, req, res);
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

  /** The chain for the API as it is now (its stage, throttle and models are set before the gateway starts). */
  private buildChain(): RequestChain {
    const { api, host, accountId, region, services } = this;
    return {
      router: new Router(api),
      stages: [
        authorize({ api, host, accountId, region }),
        checkApiKey(api, this.access),
        throttle(api),
        validate(api),
      ],
      integrate: integrate({ api, host, accountId, services }),
    };
  }

  private async handle(chain: RequestChain, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const fail = (failure: GatewayFailure, state?: RequestState) => {
      send(res, gatewayResponse(this.api, failure, requestId, state));
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
      const consoleHandler = isConsolePath(url.pathname) ? consoleOf(this.host) : undefined;
      if (consoleHandler) {
        await consoleHandler(req, res, url.pathname);
        return;
      }
      const down = this.health?.unavailable();
      if (down !== undefined) {
        sendJson(res, 503, { error: { code: 'EngineUnavailable', message: down, requestId } }, requestId);
        return;
      }
      const routed = chain.router.route(url.pathname, req.method ?? 'GET');
      if ('failure' in routed) {
        fail(routed.failure);
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        fail(FAILURES.tooLarge);
        return;
      }
      const state: RequestState = { requestId, url, req, body, ...routed };
      const failure = await runChain(chain.stages, state);
      if (failure) {
        fail(failure, state);
        return;
      }
      const answer = await chain.integrate(state);
      if ('failure' in answer) fail(answer.failure, state);
      else send(res, answer);
    } catch {
      if (!res.headersSent) fail(FAILURES.internal);
      else res.end();
    }
  }

  /** `GET /_conflux/health`: each engine's state; 503 while one of them is down. */
  private sendHealth(res: ServerResponse, requestId: string): void {
    const engines = this.health?.engines() ?? {};
    const down = this.health?.unavailable();
    const status = down === undefined ? 'ok' : 'unavailable';
    sendJson(res, down === undefined ? 200 : 503, { status, reason: down, engines }, requestId);
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
    const answer = gatewayResponse(this.api, failure, randomUUID());
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
}
