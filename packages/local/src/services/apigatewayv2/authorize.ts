/**
 * A route's authorization: JWT (see `jwt.ts`), a Lambda REQUEST authorizer, or none. Every identity source
 * must be present and non-empty, else 401 without calling anything. A Lambda authorizer answers in the
 * simple format (`{ isAuthorized, context }`, with `EnableSimpleResponses`) or with an IAM policy, evaluated
 * against the request's route ARN each time, also when it came from the cache. Its results are cached for
 * the TTL by the identity source values and the route key: a cached answer is reused only for the same
 * caller on the same route. `AWS_IAM` routes are accepted and not enforced, as IAM is not offline.
 */
import { asText } from '../../core/intrinsics.js';
import { evaluatePolicy } from '../apigateway/request/policy.js';
import type { LambdaHost } from '../lambda/host.js';
import {
  eventFieldsV1,
  eventFieldsV2,
  headerLists,
  type Authorization,
  type RoutedRequest,
} from './events.js';
import type { JwtVerifier } from './jwt.js';
import type { AuthorizerSpec } from './types.js';

/** Why a request is refused, as HTTP APIs answer it. */
export interface Refusal {
  readonly status: 401 | 403 | 500;
  readonly message: 'Unauthorized' | 'Forbidden' | 'Internal Server Error';
  readonly headers?: Readonly<Record<string, string>>;
}

const UNAUTHORIZED: Refusal = { status: 401, message: 'Unauthorized' };
const FORBIDDEN: Refusal = { status: 403, message: 'Forbidden' };
const BROKEN: Refusal = { status: 500, message: 'Internal Server Error' };

/** The value of an identity source (`$request.header.X`, `$request.querystring.X`, `$stageVariables.X`, `$context.X`). */
export function identityValue(source: string, req: RoutedRequest): string | undefined {
  const [, where, name = ''] =
    /^\$(request\.header|request\.querystring|stageVariables|context)\.(.+)$/.exec(source) ?? [];
  if (where === 'request.header') return headerLists(req.rawHeaders)[name.toLowerCase()]?.join(',');
  if (where === 'request.querystring') {
    const values = new URLSearchParams(req.rawQueryString).getAll(name);
    return values.length > 0 ? values.join(',') : undefined;
  }
  if (where === 'stageVariables') return req.stage.variables[name];
  const context: Record<string, string> = {
    routeKey: req.route.routeKey,
    stage: req.stage.name,
    apiId: req.apiId,
    accountId: req.accountId,
    requestId: req.requestId,
    'http.method': req.method,
    'http.sourceIp': req.sourceIp,
  };
  return where === 'context' ? context[name] : undefined;
}

/** The context variables an identity source may name offline. */
export const CONTEXT_SOURCES = [
  'routeKey',
  'stage',
  'apiId',
  'accountId',
  'requestId',
  'http.method',
  'http.sourceIp',
];

/** A Lambda authorizer's usable answer. */
type LambdaAnswer =
  | { readonly simple: true; readonly authorized: boolean; readonly context: Record<string, unknown> }
  | {
      readonly simple: false;
      readonly principalId: string;
      readonly policy: unknown;
      readonly context: Record<string, unknown>;
    };

/** What authorizing needs besides the request. */
export interface AuthorizeOptions {
  readonly host: Pick<LambdaHost, 'invoke'>;
  readonly jwt: JwtVerifier;
  readonly region: string;
}

/** The authorize step of one API: it keeps each Lambda authorizer's cache. */
export class Authorizers {
  private readonly caches = new Map<string, Map<string, { answer: LambdaAnswer; expires: number }>>();

  constructor(
    private readonly authorizers: ReadonlyMap<string, AuthorizerSpec>,
    private readonly options: AuthorizeOptions,
  ) {}

  /** Authorizes a routed request: sets its `authorization`, or answers why not. */
  public async authorize(req: RoutedRequest): Promise<Refusal | undefined> {
    const { route } = req;
    if (route.authorizationType !== 'JWT' && route.authorizationType !== 'CUSTOM') return undefined;
    const spec = route.authorizerId === undefined ? undefined : this.authorizers.get(route.authorizerId);
    if (!spec) return BROKEN;
    const identity = spec.identitySources.map((source) => identityValue(source, req));
    if (identity.some((v) => v === undefined || v === '')) {
      return spec.type === 'JWT'
        ? { ...UNAUTHORIZED, headers: { 'www-authenticate': 'Bearer' } }
        : UNAUTHORIZED;
    }
    const values = identity as string[];
    if (spec.type === 'JWT') {
      const outcome = await this.options.jwt.verify(spec, values[0] ?? '', route.authorizationScopes);
      if (!outcome.ok) {
        return {
          ...(outcome.status === 401 ? UNAUTHORIZED : FORBIDDEN),
          headers: { 'www-authenticate': outcome.wwwAuthenticate },
        };
      }
      req.authorization = outcome.authorization;
      return undefined;
    }
    const answer = await this.lambdaAnswer(spec, req, values);
    if (!answer) return BROKEN;
    let authorization: Authorization;
    if (answer.simple) {
      if (!answer.authorized) return FORBIDDEN;
      authorization = { kind: 'lambda', context: answer.context };
    } else {
      const verdict = evaluatePolicy(answer.policy, this.routeArn(req));
      if (verdict === undefined) return BROKEN;
      if (verdict !== 'allow') return FORBIDDEN;
      authorization = { kind: 'lambda', context: answer.context, principalId: answer.principalId };
    }
    req.authorization = authorization;
    return undefined;
  }

  private async lambdaAnswer(
    spec: Extract<AuthorizerSpec, { type: 'REQUEST' }>,
    req: RoutedRequest,
    identity: string[],
  ): Promise<LambdaAnswer | undefined> {
    const cacheable = spec.ttlSeconds > 0 && spec.identitySources.length > 0;
    const authorizerId = req.route.authorizerId ?? '';
    let cache = this.caches.get(authorizerId);
    if (!cache) {
      cache = new Map();
      this.caches.set(authorizerId, cache);
    }
    // Who calls (the identity values) and what they call (the route): one tenant's answer is never another's.
    const key = JSON.stringify([req.stage.name, req.route.routeKey, ...identity]);
    const cached = cacheable ? cache.get(key) : undefined;
    if (cached && Date.now() < cached.expires) return cached.answer;
    const event = this.eventOf(spec, req, identity);
    const result = await this.options.host.invoke(spec.functionArn, event);
    if (!result.ok) return undefined;
    const answer = parseAnswer(result.payload, spec.simpleResponses);
    if (answer && cacheable) cache.set(key, { answer, expires: Date.now() + spec.ttlSeconds * 1000 });
    return answer;
  }

  private eventOf(
    spec: Extract<AuthorizerSpec, { type: 'REQUEST' }>,
    req: RoutedRequest,
    identity: string[],
  ) {
    const routeArn = this.routeArn(req);
    if (spec.payloadFormatVersion === '2.0') {
      const { version, ...fields } = withoutBody(eventFieldsV2(req));
      return { version, type: 'REQUEST', routeArn, identitySource: identity, ...fields };
    }
    const { version, ...fields } = withoutBody(eventFieldsV1(req));
    const joined = identity.join(',');
    return {
      version,
      type: 'REQUEST',
      methodArn: routeArn,
      identitySource: joined,
      authorizationToken: joined,
      ...fields,
    };
  }

  /** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`, the path below the stage. */
  private routeArn(req: RoutedRequest): string {
    const prefix = req.stage.name === '$default' ? '' : `/${req.stage.name}`;
    const path = req.rawPath.slice(prefix.length).replace(/^\//, '');
    return `arn:aws:execute-api:${this.options.region}:${req.accountId}:${req.apiId}/${req.stage.name}/${req.method}/${path}`;
  }
}

/** An authorizer's event has no body. */
function withoutBody<T extends { body?: unknown; isBase64Encoded: boolean }>(
  fields: T,
): Omit<T, 'body' | 'isBase64Encoded'> {
  const copy: Partial<T> = { ...fields };
  delete copy.body;
  delete copy.isBase64Encoded;
  return copy as Omit<T, 'body' | 'isBase64Encoded'>;
}

function contextOf(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  return typeof value === 'object' && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : undefined;
}

/** A Lambda authorizer's answer, or undefined when it is unusable (a 500). */
function parseAnswer(payload: unknown, simple: boolean): LambdaAnswer | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const context = contextOf(p.context);
  if (!context) return undefined;
  if (simple && typeof p.isAuthorized === 'boolean')
    return { simple: true, authorized: p.isAuthorized, context };
  if (p.policyDocument === undefined) return undefined;
  return {
    simple: false,
    principalId: asText(p.principalId),
    policy: p.policyDocument,
    context,
  };
}
