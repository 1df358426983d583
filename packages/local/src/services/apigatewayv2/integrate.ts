/**
 * A route's integration makes the answer. AWS_PROXY invokes the function with the payload version's event
 * and answers what its result stands for; a failed invocation or a result the version's rules cannot use is
 * 500. HTTP_PROXY forwards the request (method, headers, query string, body) to the URI, `{name}` replaced
 * by the path variable, and passes the answer through; an unreachable endpoint is 500. An integration that
 * takes longer than its timeout (`TimeoutInMillis`, default 30 s) is 503.
 */
import type { LambdaHost } from '../lambda/host.js';
import {
  eventV1,
  eventV2,
  headerLists,
  responseV1,
  responseV2,
  type HttpAnswer,
  type RoutedRequest,
} from './events.js';
import type { IntegrationSpec } from './types.js';

/** A failure the gateway answers itself. */
export interface IntegrationFailure {
  readonly status: 500 | 503;
  readonly message: 'Internal Server Error' | 'Service Unavailable';
}

const INTERNAL: IntegrationFailure = { status: 500, message: 'Internal Server Error' };
const UNAVAILABLE: IntegrationFailure = { status: 503, message: 'Service Unavailable' };

const TIMED_OUT = Symbol('timed out');

async function within<T>(ms: number, work: Promise<T>): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      resolve(TIMED_OUT);
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs an integration for a routed, authorized request. */
export async function integrate(
  integration: IntegrationSpec,
  req: RoutedRequest,
  host: Pick<LambdaHost, 'invoke'>,
): Promise<HttpAnswer | IntegrationFailure> {
  if (integration.type === 'AWS_PROXY') {
    const v2 = integration.payloadFormatVersion === '2.0';
    const result = await within(
      integration.timeoutMs,
      host.invoke(integration.functionArn, v2 ? eventV2(req) : eventV1(req)),
    );
    if (result === TIMED_OUT) return UNAVAILABLE;
    const answer = result.ok ? (v2 ? responseV2(result.payload) : responseV1(result.payload)) : undefined;
    return answer ?? INTERNAL;
  }
  const controller = new AbortController();
  const answer = await within(integration.timeoutMs, forward(integration, req, controller.signal));
  if (answer === TIMED_OUT) {
    controller.abort();
    return UNAVAILABLE;
  }
  return answer ?? INTERNAL;
}

/** Headers that belong to one hop, not to the request or answer forwarded. */
const HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'te',
  'content-encoding',
]);

async function forward(
  integration: Extract<IntegrationSpec, { type: 'HTTP_PROXY' }>,
  req: RoutedRequest,
  signal: AbortSignal,
): Promise<HttpAnswer | undefined> {
  const target = integration.uri.replace(/\{([^{}]+?)\+?\}/g, (whole, name: string) => {
    const value = req.pathParameters[name];
    return value === undefined ? whole : value.split('/').map(encodeURIComponent).join('/');
  });
  const url =
    req.rawQueryString === '' ? target : `${target}${target.includes('?') ? '&' : '?'}${req.rawQueryString}`;
  const headers = new Headers();
  for (const [name, values] of Object.entries(headerLists(req.rawHeaders))) {
    if (!HOP.has(name)) for (const value of values) headers.append(name, value);
  }
  const method = integration.method === 'ANY' ? req.method : integration.method;
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' || req.body === null ? undefined : req.body,
      redirect: 'manual',
      signal,
    });
    const answerHeaders: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (!HOP.has(name) && name !== 'set-cookie') answerHeaders[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) answerHeaders['set-cookie'] = cookies;
    return {
      status: response.status,
      headers: answerHeaders,
      body: Buffer.from(await response.arrayBuffer()),
    };
  } catch {
    return undefined;
  }
}
