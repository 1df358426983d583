import type { APIGatewayProxyEvent } from 'aws-lambda';
import { asText } from '../../core/intrinsics.js';
import type { GatewayApi, RequestState } from './types.js';

/** An empty map with no prototype, so that any key a client sends is an own key or absent. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The request parts shared by the proxy event and a REQUEST authorizer's event. */
export function requestEventFields(state: RequestState, accountId: string, api: GatewayApi) {
  const { req, url, route, pathParameters, requestId } = state;
  // Maps without a prototype: a client's `constructor` or `__proto__` header or parameter is just a name.
  const headers = dictionary<string>();
  const multiValueHeaders = dictionary<string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query = dictionary<string>();
  const multiQuery = dictionary<string[]>();
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const now = new Date();
  const host = headers.Host ?? headers.host ?? 'localhost';
  const stage = api.stageName ?? 'local';
  return {
    resource: route.template,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders,
    query,
    multiQuery,
    pathParameters,
    requestContext: {
      accountId,
      apiId: api.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: requestId,
      httpMethod: req.method ?? 'GET',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: state.apiKey?.value ?? null,
        apiKeyId: state.apiKey?.id ?? null,
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
      path: `/${stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: clfTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: route.resourceId,
      resourcePath: route.template,
      stage,
    },
  };
}

/** The Lambda proxy integration's event (payload 1.0) for a request. */
export function proxyEvent(state: RequestState, accountId: string, api: GatewayApi): APIGatewayProxyEvent {
  const fields = requestEventFields(state, accountId, api);
  const hasQuery = state.url.searchParams.size > 0;
  return {
    resource: fields.resource,
    path: fields.path,
    httpMethod: fields.httpMethod,
    headers: fields.headers,
    multiValueHeaders: fields.multiValueHeaders,
    queryStringParameters: hasQuery ? fields.query : null,
    multiValueQueryStringParameters: hasQuery ? fields.multiQuery : null,
    pathParameters: Object.keys(fields.pathParameters).length > 0 ? fields.pathParameters : null,
    stageVariables:
      api.stageVariables && Object.keys(api.stageVariables).length > 0 ? { ...api.stageVariables } : null,
    body: state.body,
    isBase64Encoded: false,
    requestContext: {
      ...fields.requestContext,
      authorizer: state.authorizer,
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
  const headers = dictionary<string | string[]>();
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
