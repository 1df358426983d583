import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  RouterClosedError,
  SettleTimeoutError,
  UnknownRegionError,
  type DynamoDbRouter,
  type RegionAction,
} from './router.js';

/** The largest lag, round trip or settle timeout the controls take, in ms. */
const MAX_SETTING_MS = 600_000;
const MAX_SETTLE_MS = 120_000;
const ACTIONS: readonly RegionAction[] = ['stop', 'start', 'partition', 'heal'];

/** A control request that cannot be served: its status and `{ code, message }`. */
class ControlError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The replication controls on the router's port (JSON in and out, errors `{ code, message }`):
 * `GET|PUT /_conflux/replication`, `POST /_conflux/replication/settle[?timeoutMs=]` and
 * `POST /_conflux/regions/<region>/<stop|start|partition|heal>`.
 */
export async function handleControl(
  router: DynamoDbRouter,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  try {
    json(res, 200, await route(router, req, body));
  } catch (error: unknown) {
    if (error instanceof ControlError) {
      json(res, error.status, { code: error.code, message: error.message, ...error.extra });
    } else {
      // Never a stack trace or an engine message: the fault is the runtime's.
      json(res, 500, { code: 'InternalError', message: 'the offline DynamoDB router failed' });
    }
  }
}

async function route(router: DynamoDbRouter, req: IncomingMessage, body: Buffer): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (url.pathname === '/_conflux/replication') {
    allow(method, ['GET', 'PUT']);
    if (method === 'GET') return router.replication();
    return router.configure(settings(body));
  }
  if (url.pathname === '/_conflux/replication/settle') {
    allow(method, ['POST']);
    const timeoutMs = settleTimeout(url.searchParams.get('timeoutMs'));
    try {
      return await router.settle(timeoutMs);
    } catch (error: unknown) {
      if (error instanceof RouterClosedError) throw new ControlError(503, 'Closed', error.message);
      if (!(error instanceof SettleTimeoutError)) throw error;
      throw new ControlError(504, 'SettleTimeout', error.message, { pending: error.pending });
    }
  }
  const region = /^\/_conflux\/regions\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (region) {
    const [, name = '', action = ''] = region;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new ControlError(
        404,
        'UnknownAction',
        `${action} is no Region action; use ${ACTIONS.join(', ')}`,
      );
    }
    allow(method, ['POST']);
    try {
      return await router.changeRegion(decodeURIComponent(name), action as RegionAction);
    } catch (error: unknown) {
      if (error instanceof UnknownRegionError) throw new ControlError(404, 'UnknownRegion', error.message);
      if (error instanceof URIError)
        throw new ControlError(400, 'ValidationError', 'the Region is not percent-encoded');
      throw error;
    }
  }
  throw new ControlError(
    404,
    'NotFound',
    `${method} ${url.pathname} is no control route of the DynamoDB router`,
  );
}

function allow(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) {
    throw new ControlError(
      405,
      'MethodNotAllowed',
      `${method} is not allowed here; use ${methods.join(' or ')}`,
    );
  }
}

/** The body of `PUT /_conflux/replication`. */
function settings(body: Buffer): { lagMs?: number; roundTripMs?: number } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString() || '{}');
  } catch {
    throw new ControlError(
      400,
      'MalformedBody',
      'the body is not JSON; send { "lagMs"?: n, "roundTripMs"?: n }',
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ControlError(
      400,
      'MalformedBody',
      'the body must be a JSON object { "lagMs"?: n, "roundTripMs"?: n }',
    );
  }
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of ['lagMs', 'roundTripMs']) {
    const v = fields[name];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SETTING_MS)) {
      problems.push(`${name} ${JSON.stringify(v)} must be an integer from 0 to ${MAX_SETTING_MS}`);
    }
  }
  const unknown = Object.keys(fields).filter((k) => k !== 'lagMs' && k !== 'roundTripMs');
  if (unknown.length > 0) problems.push(`unknown field(s) ${unknown.join(', ')}`);
  if (problems.length > 0) throw new ControlError(400, 'ValidationError', problems.join('; '));
  return {
    ...(fields.lagMs !== undefined ? { lagMs: fields.lagMs as number } : {}),
    ...(fields.roundTripMs !== undefined ? { roundTripMs: fields.roundTripMs as number } : {}),
  };
}

function settleTimeout(text: string | null): number {
  if (text === null) return 10_000;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > MAX_SETTLE_MS) {
    throw new ControlError(
      400,
      'ValidationError',
      `timeoutMs ${text} must be an integer from 0 to ${MAX_SETTLE_MS}`,
    );
  }
  return value;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
