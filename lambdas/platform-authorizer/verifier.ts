import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';

/** How tokens are checked; every field comes from configuration, none from the token. */
export interface VerifierConfig {
  readonly issuer: string;
  /** Accepted audiences (any one suffices). */
  readonly audience: string | readonly string[];
  /**
   * The claim holding the audience: `aud` (OIDC), or `client_id` for issuers such as Cognito whose access
   * tokens carry the app client there and no `aud`. @default 'aud'
   */
  readonly audienceClaim?: 'aud' | 'client_id';
  /** A prefix the issuer puts on scopes (Cognito: `<resource server>/`), removed before routes are matched. */
  readonly scopePrefix?: string;
  /** Algorithms accepted; a token naming another is refused. */
  readonly algorithms: readonly string[];
  /** The issuer's key set: a JWKS URL (cached, with a refetch cooldown) or the keys themselves. */
  readonly jwks: { readonly url: string } | { readonly keys: JSONWebKeySet };
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. @default 30 */
  readonly clockToleranceSeconds?: number;
}

/** A token that must not be trusted; the message says why (for logs, never for the caller). */
export class TokenRejectedError extends Error {
  public override readonly name = 'TokenRejectedError';
}

/** The claims Conflux uses from a verified token. */
export interface VerifiedToken {
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly claims: JWTPayload;
}

/** Header parameters that would let a token choose its own key; never trusted. */
const KEY_SOURCE_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

/**
 * Builds the token check once (at module load): the key set is created once and, for a URL, cached across
 * invocations with jose's cooldown between refetches.
 */
export function createVerifier(config: VerifierConfig): (token: string) => Promise<VerifiedToken> {
  const keys =
    'url' in config.jwks
      ? createRemoteJWKSet(new URL(config.jwks.url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : createLocalJWKSet(config.jwks.keys);
  return async (token: string) => {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('not a JWS compact token');
    }
    const embedded = KEY_SOURCE_HEADERS.filter((h) => h in header);
    if (embedded.length > 0)
      throw new TokenRejectedError(`header names its own key source (${embedded.join(', ')})`);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audienceClaim === 'client_id' ? undefined : [config.audience].flat(),
        algorithms: [...config.algorithms],
        clockTolerance: config.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      });
      if (config.audienceClaim === 'client_id' && !acceptsClient(config.audience, payload.client_id))
        throw new TokenRejectedError('client_id is not an accepted audience');
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      const prefix = config.scopePrefix ?? '';
      const clientId =
        typeof payload.client_id === 'string'
          ? payload.client_id
          : typeof payload.azp === 'string'
            ? payload.azp
            : '';
      return {
        sub: payload.sub ?? '',
        scopes: scope
          .split(' ')
          .filter((s) => s !== '' && s.startsWith(prefix))
          .map((s) => s.slice(prefix.length)),
        clientId,
        claims: payload,
      };
    } catch (error: unknown) {
      if (error instanceof TokenRejectedError) throw error;
      throw new TokenRejectedError(
        error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      );
    }
  };
}

function acceptsClient(audience: string | readonly string[], clientId: unknown): boolean {
  return typeof clientId === 'string' && [audience].flat().includes(clientId);
}
