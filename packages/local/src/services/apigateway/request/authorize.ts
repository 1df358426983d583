/**
 * The authorize stage: the method's Lambda authorizer (TOKEN or REQUEST). Its identity sources must all
 * be present (else 401, without calling the function); a TOKEN authorizer's token must match its validation
 * expression. The function's result is cached per authorizer and identity source values for the TTL, and
 * its policy is evaluated against this request's method ARN each time, so a cached policy written for one
 * method may deny another. The principal and context reach the integration as `requestContext.authorizer`.
 */
import type { Stage } from './chain.js';
import { evaluatePolicy } from './policy.js';
import { requestEventFields } from '../events.js';
import { FAILURES } from '../failures.js';
import type { AuthorizerSpec, GatewayApi, RequestState } from '../types.js';
import { asText } from '../../../core/intrinsics.js';
import type { LambdaHost } from '../../lambda/host.js';

/** What the authorize stage needs besides the request. */
export interface AuthorizeOptions {
  readonly api: GatewayApi;
  /** Runs the authorizer functions. */
  readonly host: Pick<LambdaHost, 'invoke'>;
  readonly accountId: string;
  readonly region: string;
}

/** An authorizer's usable answer. */
interface Authorized {
  readonly principalId: string;
  readonly policy: unknown;
  readonly context: Record<string, string | number | boolean>;
  readonly usageIdentifierKey?: string;
}

/** The authorize stage of an API; it holds one result cache per authorizer. */
export function authorize({ api, host, accountId, region }: AuthorizeOptions): Stage {
  const caches = new Map<string, AuthorizerCache<Authorized>>();
  const cacheOf = (authorizerId: string, spec: AuthorizerSpec) => {
    let cache = caches.get(authorizerId);
    if (!cache) {
      cache = new AuthorizerCache<Authorized>(spec.ttlSeconds);
      caches.set(authorizerId, cache);
    }
    return cache;
  };
  return async (state) => {
    const authorizerId = state.method.authorizerId;
    if (authorizerId === undefined) return undefined;
    const spec = api.authorizers.get(authorizerId);
    if (!spec) return FAILURES.authorizerError;
    const identity = spec.identitySources.map((source) => identityValue(source, state));
    if (identity.some((v) => v === undefined || v === '')) return FAILURES.unauthorized;
    const token = identity[0] ?? '';
    if (
      spec.type === 'TOKEN' &&
      spec.validationExpression &&
      !new RegExp(`^(?:${spec.validationExpression})$`).test(token)
    ) {
      return FAILURES.unauthorized;
    }
    const cache = cacheOf(authorizerId, spec);
    const cacheKey = identity.join(',');
    const methodArn = methodArnOf(state, api, accountId, region);
    let authorized = cache.get(cacheKey);
    if (!authorized) {
      const event =
        spec.type === 'TOKEN'
          ? { type: 'TOKEN', authorizationToken: token, methodArn }
          : { type: 'REQUEST', methodArn, ...requestEventFields(state, accountId, api) };
      const result = await host.invoke(spec.functionArn, event);
      if (!result.ok) {
        return result.error.errorMessage === 'Unauthorized'
          ? FAILURES.unauthorized
          : FAILURES.authorizerError;
      }
      const parsed = parseAuthorizerResult(result.payload);
      if (!parsed) return FAILURES.authorizerError;
      authorized = parsed;
      cache.set(cacheKey, authorized);
    }
    const verdict = evaluatePolicy(authorized.policy, methodArn);
    if (verdict === undefined) return FAILURES.authorizerError;
    if (verdict === 'explicit-deny') return FAILURES.explicitDeny;
    if (verdict === 'implicit-deny') return FAILURES.implicitDeny;
    state.authorizer = { principalId: authorized.principalId, integrationLatency: 0, ...authorized.context };
    if (authorized.usageIdentifierKey !== undefined)
      state.authorizer.usageIdentifierKey = authorized.usageIdentifierKey;
    return undefined;
  };
}

/** An authorizer result held for its TTL, keyed by identity. */
class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  constructor(private readonly ttlSeconds: number) {}

  public get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() >= entry.expires) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  public set(key: string, value: T): void {
    if (this.ttlSeconds > 0) this.entries.set(key, { value, expires: Date.now() + this.ttlSeconds * 1000 });
  }
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`, as the authorizer is told. */
function methodArnOf(state: RequestState, api: GatewayApi, accountId: string, region: string): string {
  const path = state.url.pathname.replace(/^\//, '');
  return `arn:aws:execute-api:${region}:${accountId}:${api.apiId}/${api.stageName ?? 'local'}/${state.req.method ?? 'GET'}/${path}`;
}

/** The value of an identity source in a request; undefined for a source that is not read offline. */
function identityValue(source: string, state: RequestState): string | undefined {
  const [, where, name = ''] = /^method\.request\.(header|querystring)\.(.+)$/.exec(source) ?? [];
  if (where === 'header') {
    const value = state.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(',') : value;
  }
  if (where === 'querystring') return state.url.searchParams.get(name) ?? undefined;
  return undefined;
}

/** The authorizer's answer, or undefined when it is unusable (no principal, no policy, bad context). */
function parseAuthorizerResult(payload: unknown): Authorized | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const p = payload as {
    principalId?: unknown;
    policyDocument?: unknown;
    context?: unknown;
    usageIdentifierKey?: unknown;
  };
  if (p.policyDocument === undefined) return undefined;
  const context: Record<string, string | number | boolean> = {};
  if (p.context !== undefined && p.context !== null) {
    if (typeof p.context !== 'object') return undefined;
    for (const [k, v] of Object.entries(p.context)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
      // Context values reach the integration as strings.
      context[k] = String(v);
    }
  }
  return {
    principalId: asText(p.principalId),
    policy: p.policyDocument,
    context,
    usageIdentifierKey: typeof p.usageIdentifierKey === 'string' ? p.usageIdentifierKey : undefined,
  };
}
