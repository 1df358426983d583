/**
 * JWT authorizers, offline. The token is the identity source's value, with or without `Bearer `. Its
 * signature is checked against the keys the runtime was given (`RuntimeOptions.jwks`, trusted for every
 * JWT authorizer) or else the issuer's own, found through `<issuer>/.well-known/openid-configuration` →
 * `jwks_uri`; `iss` must equal the configured issuer, `aud` — or `client_id` when there is no `aud` — one of
 * the audiences, `exp` and `nbf` must hold; a route with authorization scopes needs one of them in the
 * token's `scope` (space-separated) or `scp`. A bad token is 401, a missing scope 403, each with the
 * `www-authenticate` header HTTP APIs send.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Authorization } from './events.js';

/** A JWT authorizer's configuration. */
export interface JwtConfig {
  readonly issuer: string;
  readonly audience: readonly string[];
}

/** The outcome of checking a token: who the caller is, or the status and `www-authenticate` to answer. */
export type JwtOutcome =
  | { readonly ok: true; readonly authorization: Authorization }
  | { readonly ok: false; readonly status: 401 | 403; readonly wwwAuthenticate: string };

const unauthorized = (description: string): JwtOutcome => ({
  ok: false,
  status: 401,
  wwwAuthenticate: `Bearer scope="" error="invalid_token" error_description="${description}"`,
});

/** Checks tokens for every JWT authorizer of a runtime; an issuer's keys are looked up once. */
export class JwtVerifier {
  private readonly trusted?: JWTVerifyGetKey;
  private readonly issuers = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(trusted?: { keys: readonly JWK[] }) {
    if (trusted) this.trusted = createLocalJWKSet({ keys: [...trusted.keys] } satisfies JSONWebKeySet);
  }

  /** Checks `token` for an authorizer and a route's scopes. */
  public async verify(
    config: JwtConfig,
    identity: string,
    routeScopes: readonly string[],
  ): Promise<JwtOutcome> {
    const token = identity.replace(/^Bearer\s+/i, '').trim();
    if (token.split('.').length !== 3) return unauthorized('the token is not a JWT');
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keysOf(config.issuer);
    } catch {
      return unauthorized(`the keys of issuer ${config.issuer} cannot be found`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: config.issuer }));
    } catch (error: unknown) {
      return unauthorized(describe(error));
    }
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (!audiences.some((a) => typeof a === 'string' && config.audience.includes(a)))
      return unauthorized('the token does not have a valid audience');
    const scopes = scopesOf(payload);
    if (routeScopes.length > 0 && !routeScopes.some((s) => scopes.includes(s))) {
      return {
        ok: false,
        status: 403,
        wwwAuthenticate: `Bearer scope="${routeScopes.join(' ')}" error="insufficient_scope" error_description="expected scopes: [${routeScopes.join(' ')}]"`,
      };
    }
    return {
      ok: true,
      authorization: {
        kind: 'jwt',
        claims: stringClaims(payload),
        scopes: routeScopes.length > 0 ? scopes : null,
      },
    };
  }

  private async keysOf(issuer: string): Promise<JWTVerifyGetKey> {
    if (this.trusted) return this.trusted;
    let keys = this.issuers.get(issuer);
    if (!keys) {
      keys = discover(issuer);
      this.issuers.set(issuer, keys);
      // An issuer that cannot be reached now may be later: the next request asks again.
      keys.catch(() => this.issuers.delete(issuer));
    }
    return keys;
  }
}

async function discover(issuer: string): Promise<JWTVerifyGetKey> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error('discovery has no jwks_uri');
  return createRemoteJWKSet(new URL(jwksUri));
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'the token has expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = (error as { claim?: unknown }).claim;
    return claim === 'iss'
      ? 'the token does not have a valid issuer'
      : `the token's ${String(claim)} claim is not valid`;
  }
  return 'the token signature is invalid';
}

/** The token's scopes: `scope` (space-separated) or `scp` (a list or a string). */
function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return typeof raw === 'string' ? raw.split(' ').filter((s) => s !== '') : [];
}

/** Claims as HTTP APIs pass them: every value a string, a list as `[a b]`. */
function stringClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    claims[k] = Array.isArray(v)
      ? `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);
  }
  return claims;
}
