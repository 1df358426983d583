import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { documents } from './clients.js';
import { idempotencySetup } from './idempotency.js';
import { logger } from './powertools.js';
import { parseValue, unrepresentable } from './schemas.js';
import { createRateLimiter, type RateLimit, type RateLimitDecision } from './rate-limiter.js';
import {
  API_LIFECYCLE,
  CORS_ORIGINS,
  MAX_BODY_BYTES,
  RATE_LIMITS,
  RATE_LIMIT_TABLE_NAME,
  type ApiLifecycle,
  type RateLimits,
} from '@conflux/constructs/contracts';

/** A failure the client can act on: its status, a stable code and a message. */
export class HttpError extends Error {
  public override readonly name = 'HttpError';

  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: readonly string[],
    public readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Who is calling, as the authorizer established it. */
export interface Caller {
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
}

/** What a route handler receives. */
export interface HttpRequest<B> {
  readonly event: APIGatewayProxyEvent;
  readonly body: B;
  readonly caller: Caller;
  readonly requestId: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

/** What a route handler answers; the middleware adds the common headers. */
export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: its body schema (the same one the gateway model is generated from) and its handler. */
export interface RouteDefinition<B = unknown> {
  readonly body?: z.core.$ZodType<B>;
  /**
   * The query parameters the route reads, each a string schema; the handler sees them parsed. Any other
   * query parameter is ignored, but every one is bounded by the edge policy.
   */
  readonly query?: Readonly<Record<string, z.core.$ZodType<string | undefined>>>;
  /** Honours `Idempotency-Key`: a repeat returns the first answer; the same key with another body is a 422. */
  readonly idempotent?: boolean;
  readonly handle: (request: HttpRequest<B>) => Promise<HttpResult>;
}

/** A route with its body type erased, as the router holds it. */
export type AnyRoute = RouteDefinition & { readonly __route: true };

/** Defines a route with its body type inferred from the schema. */
export function route<B = undefined>(definition: RouteDefinition<B>): AnyRoute {
  // Safe: the router passes `handle` only a body that `definition.body` has parsed.
  return definition as unknown as AnyRoute;
}

/** A route's place in the version table, as the construct passes it in `API_LIFECYCLE`. */
// Typed by the contract the construct writes them by, so the two sides cannot drift apart.
const Lifecycle: z.ZodMiniType<ApiLifecycle> = z.record(
  z.string(),
  z.object({ deprecated: z.string(), sunset: z.string(), successor: z.optional(z.string()) }),
);
const Limits: z.ZodMiniType<RateLimits> = z.object({
  tiers: z.record(z.string(), z.object({ limit: z.number(), windowSeconds: z.number() })),
  defaultTier: z.string(),
  keyTiers: z.array(z.object({ keyId: z.string(), tier: z.string() })),
});

/** Settings of the middleware, read once from the environment the construct sets. */
interface HttpSettings {
  readonly lifecycle: ApiLifecycle;
  readonly limits?: RateLimits;
  readonly rateLimitTable?: string;
  readonly corsOrigins: readonly string[];
  readonly maxBodyBytes: number;
}

function settingsFromEnv(env: NodeJS.ProcessEnv): HttpSettings {
  return {
    // A value the construct did not write fails the cold start, naming the variable and each bad field.
    lifecycle: parseValue(Lifecycle, JSON.parse(env[API_LIFECYCLE] ?? '{}'), API_LIFECYCLE),
    limits: env[RATE_LIMITS] ? parseValue(Limits, JSON.parse(env[RATE_LIMITS]), RATE_LIMITS) : undefined,
    rateLimitTable: env[RATE_LIMIT_TABLE_NAME],
    corsOrigins: (env[CORS_ORIGINS] ?? '').split(',').filter((o) => o !== ''),
    maxBodyBytes: Number(env[MAX_BODY_BYTES] ?? 262_144),
  };
}

const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  const found = Object.entries(event.headers).find(([k]) => k.toLowerCase() === wanted);
  return found?.[1] ?? undefined;
};

const httpDate = (d: Date) => d.toUTCString();
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The edge policy's bounds. A path parameter is at most 512 UTF-8 bytes, under DynamoDB's 1,024-byte
 * sort-key and 2,048-byte partition-key limits, so no key a client names can fail in the table; a query
 * value is at most 1,024 bytes.
 */
export const EDGE_LIMITS = { pathParameterBytes: 512, queryValueBytes: 1024 } as const;

/** Control characters: never part of an id, and refused in path and query values. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `application/json`, with parameters or none, in any case (media types are case-insensitive). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json';
}

/**
 * The API's shared middleware for Lambda proxy routes, in this order: the per-client rate limiter
 * (`X-RateLimit-*` on every answer, 429 with `Retry-After`), the version table (`Deprecation`, `Sunset`,
 * `Link` on deprecated routes, 410 after the sunset), the body (size, JSON, schema: 413/400), the
 * `Idempotency-Key`, and finally the route. Every error is `{"error": {code, message, requestId}}`;
 * only a fault of the service itself is a 5xx.
 */
export function createHttpHandler(
  routes: Readonly<Record<string, AnyRoute>>,
  env: NodeJS.ProcessEnv = process.env,
) {
  const settings = settingsFromEnv(env);
  const limiter =
    settings.limits && settings.rateLimitTable
      ? createRateLimiter(documents, settings.rateLimitTable)
      : undefined;
  const idempotent = Object.values(routes).some((r) => r.idempotent)
    ? idempotencySetup('key', undefined, 'body')
    : undefined;
  const once = idempotent
    ? makeIdempotent(
        async (input: { key: string; body: string; run: () => Promise<HttpResult> }) => {
          const result = await input.run();
          // Stored as JSON: no undefined values, which the persistence layer cannot marshal.
          return JSON.parse(JSON.stringify(result)) as HttpResult;
        },
        { ...idempotent, dataIndexArgument: 0 },
      )
    : undefined;

  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext.requestId;
    const routeKey = `${event.httpMethod} ${event.resource}`;
    const common: Record<string, string> = {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Request-Id': requestId,
      ...corsHeaders(settings.corsOrigins, header(event, 'origin')),
    };
    const respond = (result: HttpResult): APIGatewayProxyResult => ({
      statusCode: result.status,
      headers: { ...common, ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    });
    const fail = (error: HttpError) =>
      respond({
        status: error.status,
        headers: error.headers,
        body: {
          error: {
            code: error.code,
            message: error.message,
            requestId,
            ...(error.details ? { details: error.details } : {}),
          },
        },
      });

    try {
      const caller = callerOf(event);
      if (limiter && settings.limits) {
        const decision = await limiter(clientKey(event, caller), limitFor(settings.limits, event));
        Object.assign(common, rateLimitHeaders(decision));
        if (!decision.allowed) {
          throw new HttpError(
            429,
            'RateLimited',
            'Too many requests for this client; retry later.',
            undefined,
            {
              'Retry-After': String(decision.retryAfter ?? 1),
            },
          );
        }
      }
      const lifecycle = Object.hasOwn(settings.lifecycle, routeKey)
        ? settings.lifecycle[routeKey]
        : undefined;
      if (lifecycle) {
        const sunset = new Date(lifecycle.sunset);
        // The successor's template filled with this request's own path parameters: a link a client can follow.
        const successorPath = lifecycle.successor?.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
          const value = event.pathParameters?.[name];
          return value?.isWellFormed() ? encodeURIComponent(value) : placeholder;
        });
        const link = successorPath ? { Link: `<${successorPath}>; rel="successor-version"` } : {};
        Object.assign(common, link);
        if (Date.now() >= sunset.getTime()) {
          const successor = successorPath ? ` Use ${successorPath}.` : '';
          throw new HttpError(410, 'Gone', `${routeKey} was retired on ${httpDate(sunset)}.${successor}`);
        }
        common.Deprecation = `@${Math.floor(new Date(lifecycle.deprecated).getTime() / 1000)}`;
        common.Sunset = httpDate(sunset);
      }
      const definition = Object.hasOwn(routes, routeKey) ? routes[routeKey] : undefined;
      if (!definition) throw new HttpError(404, 'NotFound', `No route ${routeKey}.`);
      const pathParameters = checkedPathParameters(event);
      const query = checkedQuery(event, definition);
      const body = definition.body ? parseBody(event, definition.body, settings.maxBodyBytes) : undefined;
      const request: HttpRequest<unknown> = { event, body, caller, requestId, pathParameters, query };
      const key = definition.idempotent ? header(event, 'idempotency-key') : undefined;
      if (key === undefined || !once || !idempotent) return respond(await definition.handle(request));
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw new HttpError(
          400,
          'InvalidIdempotencyKey',
          'Idempotency-Key must be 1 to 128 characters of letters, digits and _ . : -',
        );
      }
      idempotent.config.registerLambdaContext(context);
      const first = await once({
        key: idempotencyScope(event, caller, key),
        body: JSON.stringify(body),
        run: () => definition.handle(request),
      });
      return respond({ ...first, headers: { ...first.headers, 'Idempotency-Key': key } });
    } catch (error: unknown) {
      if (error instanceof HttpError) return fail(error);
      if (error instanceof IdempotencyValidationError) {
        return fail(
          new HttpError(
            422,
            'IdempotencyKeyReused',
            'This Idempotency-Key was already used with a different request body.',
          ),
        );
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        return fail(
          new HttpError(
            409,
            'RequestInProgress',
            'A request with this Idempotency-Key is still in progress.',
            undefined,
            {
              'Retry-After': '1',
            },
          ),
        );
      }
      logger.error('request failed', { error: error as Error, routeKey });
      return fail(new HttpError(500, 'InternalError', 'The request failed inside the service.'));
    }
  };
}

function callerOf(event: APIGatewayProxyEvent): Caller {
  const auth = (event.requestContext.authorizer ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    sub: text(auth.sub) || text(auth.principalId),
    scopes: text(auth.scopes)
      .split(' ')
      .filter((s) => s !== ''),
    clientId: text(auth.clientId),
  };
}

/**
 * What an `Idempotency-Key` is remembered under: who calls (token subject, OAuth client and API key), what
 * they call (method and concrete path) and the key. Another principal, or the same key on another
 * resource, is a fresh request, as the IETF Idempotency-Key draft scopes a key to its client.
 */
export function idempotencyScope(event: APIGatewayProxyEvent, caller: Caller, key: string): string {
  const who = [
    `sub=${caller.sub}`,
    `client=${caller.clientId}`,
    `key=${event.requestContext.identity.apiKeyId ?? ''}`,
    ...(caller.sub || caller.clientId ? [] : [`ip=${event.requestContext.identity.sourceIp}`]),
  ];
  return JSON.stringify([who.join('&'), event.httpMethod, event.path, key]);
}

/** Whom the limiter counts: the OAuth client, else the API key, else the source address. */
function clientKey(event: APIGatewayProxyEvent, caller: Caller): string {
  if (caller.clientId) return `client:${caller.clientId}`;
  const apiKeyId = event.requestContext.identity.apiKeyId;
  if (apiKeyId) return `key:${apiKeyId}`;
  return `ip:${event.requestContext.identity.sourceIp}`;
}

function limitFor(limits: RateLimits, event: APIGatewayProxyEvent): RateLimit {
  const apiKeyId = event.requestContext.identity.apiKeyId ?? '';
  const tier = limits.keyTiers.find((k) => k.keyId === apiKeyId)?.tier ?? limits.defaultTier;
  const found = limits.tiers[tier] ?? limits.tiers[limits.defaultTier];
  if (!found) throw new Error(`RATE_LIMITS names no tier ${tier}`);
  return found;
}

function rateLimitHeaders(d: RateLimitDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(d.reset),
  };
}

function corsHeaders(origins: readonly string[], origin: string | undefined): Record<string, string> {
  if (origins.length === 0 || origin === undefined) return {};
  if (origins.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  return origins.includes(origin) ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
}

/** A path or query value the edge policy accepts: well-formed text without control characters, bounded. */
function checkValue(value: string, maxBytes: number): string | undefined {
  if (!value.isWellFormed()) return 'is not well-formed Unicode';
  if (CONTROL.test(value)) return 'contains control characters';
  if (Buffer.byteLength(value) > maxBytes) return `is longer than ${maxBytes} bytes`;
  return undefined;
}

function checkedPathParameters(event: APIGatewayProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(event.pathParameters ?? {})) {
    const value = raw ?? '';
    const problem = value === '' ? 'is empty' : checkValue(value, EDGE_LIMITS.pathParameterBytes);
    if (problem) throw new HttpError(400, 'InvalidPathParameter', `Path parameter ${name} ${problem}.`);
    out[name] = value;
  }
  return out;
}

function checkedQuery(event: APIGatewayProxyEvent, definition: AnyRoute): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const details: string[] = [];
  for (const [name, raw] of Object.entries(event.queryStringParameters ?? {})) {
    const value = raw ?? '';
    const problem =
      checkValue(name, EDGE_LIMITS.queryValueBytes) ?? checkValue(value, EDGE_LIMITS.queryValueBytes);
    if (problem) {
      details.push(`${name.slice(0, 64)}: ${problem}`);
      continue;
    }
    // Own keys only: a client's `constructor` or `__proto__` is a parameter name, not a schema.
    const schema =
      definition.query && Object.hasOwn(definition.query, name) ? definition.query[name] : undefined;
    if (!schema) {
      out[name] = value;
      continue;
    }
    const parsed = z.safeParse(schema, value);
    if (parsed.success) {
      if (parsed.data !== undefined) out[name] = parsed.data;
    } else details.push(...parsed.error.issues.map((i) => `${name}: ${i.message}`));
  }
  if (details.length > 0) {
    throw new HttpError(400, 'InvalidQueryParameter', 'A query parameter is not valid.', details);
  }
  return out;
}

function parseBody<B>(event: APIGatewayProxyEvent, schema: z.core.$ZodType<B>, maxBytes: number): B {
  if (!isJsonMediaType(header(event, 'content-type'))) {
    throw new HttpError(415, 'UnsupportedMediaType', 'The request body must be application/json.');
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > maxBytes) {
    throw new HttpError(413, 'PayloadTooLarge', `The request body is larger than ${maxBytes} bytes.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'InvalidJson', 'The request body is not valid JSON.');
  }
  const problem = unrepresentable(json);
  if (problem) {
    throw new HttpError(400, 'InvalidJson', 'The request body holds a value JSON cannot carry.', [problem]);
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'ValidationFailed',
      'The request body does not match the schema.',
      parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`),
    );
  }
  return parsed.data;
}
