/**
 * The Lambda proxy events of HTTP APIs — payload format 2.0 and 1.0 — and what a function's result stands
 * for. Header names are lower-cased in both; 2.0 joins a repeated header or query parameter with commas,
 * moves the `cookie` header into `cookies`, and leaves out `queryStringParameters`, `pathParameters`,
 * `stageVariables` and `body` when there are none. A body is passed as text when its media type is textual,
 * else base64-encoded with `isBase64Encoded: true`.
 */
import { randomBytes } from 'node:crypto';
import { proxyResponse } from '../apigateway/events.js';
import { asText } from '../../core/intrinsics.js';
import type { RouteSpec, StageSpec } from './types.js';

/** A request as the server read it, before routing. */
export interface IncomingRequest {
  readonly requestId: string;
  readonly method: string;
  /** The path as the client sent it (with a named stage's prefix), not decoded. */
  readonly rawPath: string;
  /** The query string without `?`. */
  readonly rawQueryString: string;
  /** Header names and values in the order received: `[name, value, name, value, …]`. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer | null;
  readonly sourceIp: string;
  readonly time: Date;
}

/** Who the route's authorizer says the caller is. */
export type Authorization =
  | { readonly kind: 'jwt'; readonly claims: Record<string, string>; readonly scopes: string[] | null }
  | { readonly kind: 'lambda'; readonly context: Record<string, unknown>; readonly principalId?: string };

/** A request matched to a route of a stage. */
export interface RoutedRequest extends IncomingRequest {
  readonly apiId: string;
  readonly accountId: string;
  readonly stage: StageSpec;
  readonly route: RouteSpec;
  readonly pathParameters: Readonly<Record<string, string>>;
  authorization?: Authorization;
}

/** An HTTP answer: the status, its headers (a list is one header line per item) and the body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | string;
}

/** HTTP APIs' request id: 16 random characters like `JKJaXmPLvHcESHA=`. */
export function newRequestId(): string {
  return randomBytes(10).toString('base64').slice(0, 15) + '=';
}

/** An empty map with no prototype, so that any name a client sends is an own key or absent. */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Header values by lower-cased name, in the order received. */
export function headerLists(rawHeaders: readonly string[]): Record<string, string[]> {
  const lists = dictionary<string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    lists[name] = [...(lists[name] ?? []), rawHeaders[i + 1] ?? ''];
  }
  return lists;
}

const TEXT = /^(text\/|application\/(json|javascript|xml|graphql)|[^;]*\+(json|xml)\b)/i;

/** The body as the event carries it: text for a textual media type, else base64. */
function eventBody(body: Buffer | null, contentType: string | undefined) {
  if (body === null) return { body: undefined, isBase64Encoded: false };
  return contentType !== undefined && TEXT.test(contentType.trim())
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}

function clfTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The parts both payload versions and the Lambda authorizers' events share. */
function requestParts(req: RoutedRequest) {
  const lists = headerLists(req.rawHeaders);
  const query = dictionary<string[]>();
  for (const [k, v] of new URLSearchParams(req.rawQueryString)) query[k] = [...(query[k] ?? []), v];
  const host = lists.host?.[0] ?? 'localhost';
  return { lists, query, host, domainPrefix: host.split('.')[0] ?? host };
}

/** The 2.0 event's fields, without the authorizer: also the 2.0 Lambda authorizer's event. */
export function eventFieldsV2(req: RoutedRequest) {
  const { lists, query, host, domainPrefix } = requestParts(req);
  const headers = dictionary<string>();
  for (const [name, values] of Object.entries(lists)) if (name !== 'cookie') headers[name] = values.join(',');
  const cookies = (lists.cookie ?? [])
    .flatMap((c) => c.split(';'))
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const queryStringParameters = dictionary<string>();
  for (const [k, v] of Object.entries(query)) queryStringParameters[k] = v.join(',');
  const { body, isBase64Encoded } = eventBody(req.body, headers['content-type']);
  const hasPathParameters = Object.keys(req.pathParameters).length > 0;
  const hasStageVariables = Object.keys(req.stage.variables).length > 0;
  return {
    version: '2.0',
    routeKey: req.route.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: req.accountId,
      apiId: req.apiId,
      domainName: host,
      domainPrefix,
      http: {
        method: req.method,
        path: req.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: req.requestId,
      routeKey: req.route.routeKey,
      stage: req.stage.name,
      time: clfTime(req.time),
      timeEpoch: req.time.getTime(),
    },
    ...(hasPathParameters ? { pathParameters: { ...req.pathParameters } } : {}),
    ...(hasStageVariables ? { stageVariables: { ...req.stage.variables } } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

/** The Lambda proxy event of payload format 2.0. */
export function eventV2(req: RoutedRequest) {
  const fields = eventFieldsV2(req);
  const authorizer = authorizerV2(req.authorization);
  return authorizer ? { ...fields, requestContext: { ...fields.requestContext, authorizer } } : fields;
}

function authorizerV2(a: Authorization | undefined) {
  if (!a) return undefined;
  if (a.kind === 'jwt') return { jwt: { claims: a.claims, scopes: a.scopes } };
  return { ...(a.principalId !== undefined ? { principalId: a.principalId } : {}), lambda: a.context };
}

/** The resource of a route in payload 1.0: its path template, `$default` for the default route. */
const resourceOf = (route: RouteSpec) => route.routeKey.split(' ')[1] ?? route.routeKey;

/** The 1.0 event's fields, without the authorizer: also the 1.0 Lambda authorizer's event. */
export function eventFieldsV1(req: RoutedRequest) {
  const { lists, query, host, domainPrefix } = requestParts(req);
  const headers = dictionary<string>();
  const multiValueHeaders = dictionary<string[]>();
  for (const [name, values] of Object.entries(lists)) {
    headers[name] = values.at(-1) ?? '';
    multiValueHeaders[name] = values;
  }
  const queryStringParameters = dictionary<string>();
  for (const [k, v] of Object.entries(query)) queryStringParameters[k] = v.at(-1) ?? '';
  const hasQuery = Object.keys(query).length > 0;
  const { body, isBase64Encoded } = eventBody(req.body, headers['content-type']);
  const resource = resourceOf(req.route);
  return {
    version: '1.0',
    resource,
    path: req.rawPath,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    requestContext: {
      accountId: req.accountId,
      apiId: req.apiId,
      domainName: host,
      domainPrefix,
      extendedRequestId: req.requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? '',
        userArn: null,
      },
      path: req.rawPath,
      protocol: 'HTTP/1.1',
      requestId: req.requestId,
      requestTime: clfTime(req.time),
      requestTimeEpoch: req.time.getTime(),
      resourceId: req.route.routeKey,
      resourcePath: resource,
      stage: req.stage.name,
    },
    pathParameters: Object.keys(req.pathParameters).length > 0 ? { ...req.pathParameters } : null,
    stageVariables: Object.keys(req.stage.variables).length > 0 ? { ...req.stage.variables } : null,
    body: body ?? null,
    isBase64Encoded,
  };
}

/** The Lambda proxy event of payload format 1.0, the REST API's event with `version: "1.0"`. */
export function eventV1(req: RoutedRequest) {
  const fields = eventFieldsV1(req);
  const a = req.authorization;
  const authorizer =
    a === undefined
      ? undefined
      : a.kind === 'jwt'
        ? { claims: a.claims, scopes: a.scopes }
        : {
            ...a.context,
            ...(a.principalId !== undefined ? { principalId: a.principalId } : {}),
            integrationLatency: 0,
          };
  return authorizer ? { ...fields, requestContext: { ...fields.requestContext, authorizer } } : fields;
}

const headerValue = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * The answer a 2.0 function result stands for, or undefined where HTTP APIs answer 500. A result with a
 * `statusCode` gives its status, headers, cookies (one `set-cookie` each) and body; anything else — an
 * object without `statusCode`, a string, a number — is the body of a 200 `application/json` answer.
 */
export function responseV2(payload: unknown): HttpAnswer | undefined {
  const structured =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload) && 'statusCode' in payload;
  if (!structured) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload ?? null),
    };
  }
  const p = payload as Record<string, unknown>;
  const status =
    typeof p.statusCode === 'string' && p.statusCode.trim() !== '' ? Number(p.statusCode) : p.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return undefined;
  const headers = dictionary<string | string[]>();
  if (p.headers !== undefined && p.headers !== null) {
    if (typeof p.headers !== 'object' || Array.isArray(p.headers)) return undefined;
    for (const [k, v] of Object.entries(p.headers)) {
      const value = headerValue(v);
      if (value === undefined) return undefined;
      headers[k.toLowerCase()] = value;
    }
  }
  if (p.cookies !== undefined && p.cookies !== null) {
    if (!Array.isArray(p.cookies) || p.cookies.some((c) => typeof c !== 'string')) return undefined;
    if (p.cookies.length > 0) headers['set-cookie'] = p.cookies as string[];
  }
  headers['content-type'] ??= 'text/plain; charset=utf-8';
  return { status, headers, body: bodyOf(p.body, p.isBase64Encoded) };
}

function bodyOf(body: unknown, base64: unknown): Buffer | string {
  const text = body === undefined || body === null ? '' : asText(body);
  return base64 === true || base64 === 'true' ? Buffer.from(text, 'base64') : text;
}

/** The answer a 1.0 function result stands for (the REST proxy's rules), or undefined for a 500. */
export function responseV1(payload: unknown): HttpAnswer | undefined {
  const response = proxyResponse(payload);
  if (!response) return undefined;
  const headers = dictionary<string | string[]>();
  for (const [k, v] of Object.entries(response.headers)) {
    const name = k.toLowerCase();
    const existing = headers[name];
    headers[name] = existing === undefined ? v : [...[existing].flat(), ...[v].flat()];
  }
  headers['content-type'] ??= 'application/json';
  const base64 = (payload as { isBase64Encoded?: unknown }).isBase64Encoded;
  return { status: response.statusCode, headers, body: bodyOf(response.body, base64) };
}
