import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventHub } from './hub.js';
import type { ConsoleModel } from './model.js';
import { CONSOLE_PAGE } from './page.js';
import { ConsoleRequestError } from './resources.js';
import { CONSOLE_PATH } from './route.js';

/** The most bytes of a request body the console reads (its actions take a small JSON object). */
const MAX_BODY_BYTES = 16_384;

type Answer = { status: number; body: unknown };

/**
 * The console's HTTP interface under `/_console`: the page, its JSON API (`/_console/api/...`) and its
 * event stream (`/_console/events`). Errors are JSON `{ error: { code, message } }`, 4xx for a bad request;
 * actions (POST) from another origin are refused, as the console is for the local runtime's own page.
 */
export class ConsoleApi {
  constructor(
    private readonly model: ConsoleModel,
    private readonly hub: EventHub,
    private readonly report: (line: string) => void,
  ) {}

  /** Answers one request whose path is under {@link CONSOLE_PATH}. */
  public readonly handle = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    try {
      const path = pathname.slice(CONSOLE_PATH.length) || '/';
      const method = req.method ?? 'GET';
      if (path === '/' && (method === 'GET' || method === 'HEAD')) {
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          'Content-Security-Policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          'X-Content-Type-Options': 'nosniff',
        });
        res.end(method === 'HEAD' ? undefined : CONSOLE_PAGE);
        return;
      }
      if (path === '/events' && method === 'GET') {
        this.hub.connect(res);
        return;
      }
      if (!path.startsWith('/api/')) throw new ConsoleRequestError(`no console page ${pathname}`, 404);
      if (method === 'POST' && crossOrigin(req)) {
        sendJson(res, 403, {
          error: { code: 'CrossOrigin', message: 'console actions come from its own page only' },
        });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const answer = await this.route(method, path.slice('/api'.length), url.searchParams, req);
      sendJson(res, answer.status, answer.body);
    } catch (error: unknown) {
      if (error instanceof ConsoleRequestError) {
        sendJson(res, error.status, { error: { code: codeOf(error.status), message: error.message } });
        return;
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.report(`[console] ${req.method ?? 'GET'} ${pathname} failed: ${message}`);
      sendJson(res, 500, {
        error: { code: 'ConsoleFailed', message: `the console could not answer: ${message}` },
      });
    }
  };

  private async route(
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
  ): Promise<Answer> {
    const m = this.model;
    const segments = path
      .split('/')
      .slice(1)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw new ConsoleRequestError(`${s} is not a valid percent-encoded path segment`, 400);
        }
      });
    const [what, a, b, action] = segments;
    const id = a !== undefined && b !== undefined ? `${a}/${b}` : undefined;
    const get = method === 'GET';
    const post = method === 'POST';
    if (get && what === 'graph' && segments.length === 1) return ok(await m.graph());
    if (get && what === 'snapshot' && segments.length === 1) {
      return ok({ resources: m.resources().map(summaryOf), badges: await m.badges() });
    }
    if (what === 'resources' && id && segments.length === 3 && get) return ok(await m.detail(id));
    if (what === 'queues' && id && segments.length === 4) {
      if (get && action === 'messages') return ok({ messages: await m.peek(id, limitOf(query)) });
      if (post && action === 'redrive') {
        const body = await readJson(req);
        const to = body.to;
        if (to !== undefined && typeof to !== 'string') {
          throw new ConsoleRequestError('"to" must be the node id of a source queue', 400);
        }
        const result = await m.redrive(id, to);
        this.hub.poke();
        return ok(result);
      }
    }
    if (what === 'tables' && id && segments.length === 4 && get && action === 'items') {
      return ok(await m.items(id, query.get('cursor')));
    }
    if (what === 'fire' && id && segments.length === 3 && post) {
      const result = m.fire(id);
      this.hub.poke();
      return ok(result);
    }
    if (what === 'executions' && get) {
      if (segments.length === 1) return ok({ executions: m.allExecutions() });
      if (segments.length === 2 && a) return ok(await m.execution(a));
    }
    if (what === 'invocations' && get && segments.length === 1) {
      const fn = query.get('function') ?? undefined;
      const name = fn === undefined ? undefined : m.resource(fn, 'function').physical;
      return ok({ invocations: [...m.host.invocations(name)].reverse() });
    }
    const known = ['graph', 'snapshot', 'resources', 'queues', 'tables', 'fire', 'executions', 'invocations'];
    if (what !== undefined && known.includes(what)) {
      throw new ConsoleRequestError(`${method} /_console/api${path} is not a console action`, 405);
    }
    throw new ConsoleRequestError(`no console API /_console/api${path}`, 404);
  }
}

const ok = (body: unknown): Answer => ({ status: 200, body });

const summaryOf = (r: { id: string; kind: string; type: string; physical: string }) => ({
  id: r.id,
  kind: r.kind,
  type: r.type,
  physical: r.physical,
});

function codeOf(status: number): string {
  if (status === 400) return 'BadRequest';
  if (status === 404) return 'NotFound';
  if (status === 405) return 'MethodNotAllowed';
  return 'Conflict';
}

function limitOf(query: URLSearchParams): number {
  const text = query.get('limit');
  return text === null ? 20 : Number(text);
}

/** Whether a request comes from a page of another origin (a browser says so in `Origin` or `Sec-Fetch-Site`). */
function crossOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ConsoleRequestError(`the body is over ${MAX_BODY_BYTES} bytes`, 400);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConsoleRequestError('the body is not JSON', 400);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConsoleRequestError('the body must be a JSON object', 400);
  }
  return value as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}
