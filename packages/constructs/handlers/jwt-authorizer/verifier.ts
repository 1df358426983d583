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

/** The clock skew allowed when {@link VerifierConfig.clockToleranceSeconds} is left out, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

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
    const tolerance = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audienceClaim === 'client_id' ? undefined : [config.audience].flat(),
        algorithms: [...config.algorithms],
        clockTolerance: tolerance,
        requiredClaims: ['exp', 'sub'],
      });
      checkTimes(payload, tolerance);
      if (config.audienceClaim === 'client_id' && !acceptsClient(config.audience, payload.client_id))
        throw new TokenRejectedError('client_id is not an accepted audience');
      return claimsOf(payload, config.scopePrefix ?? '');
    } catch (error: unknown) {
      if (error instanceof TokenRejectedError) throw error;
      throw new TokenRejectedError(
        error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      );
    }
  };
}

/**
 * jose checks `exp` and `nbf` against the clock and that all three are numbers, but `iat` only with a
 * `maxTokenAge`, and never that a number is finite (`1e400` parses as `Infinity`: a token that never expires).
 */
function checkTimes(payload: JWTPayload, tolerance: number): void {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const value: unknown = payload[claim];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
      throw new TokenRejectedError(`"${claim}" claim must be a finite number`);
  }
  if (payload.iat !== undefined && payload.iat > Math.floor(Date.now() / 1000) + tolerance)
    throw new TokenRejectedError('"iat" claim is in the future');
}

/**
 * The claims the policy and the handlers' context are built from. jose leaves their types unchecked, and a
 * number or an object here would reach `principalId` and the context as something other than a string.
 */
function claimsOf(payload: JWTPayload, scopePrefix: string): VerifiedToken {
  const sub = optionalString(payload, 'sub');
  if (sub === undefined || sub === '') throw new TokenRejectedError('"sub" claim must be a non-empty string');
  const scope = optionalString(payload, 'scope') ?? '';
  const clientId = optionalString(payload, 'client_id');
  const azp = optionalString(payload, 'azp');
  return {
    sub,
    scopes: scope
      .split(' ')
      .filter((s) => s !== '' && s.startsWith(scopePrefix))
      .map((s) => s.slice(scopePrefix.length)),
    clientId: clientId ?? azp ?? '',
    claims: payload,
  };
}

/** The claim's value when it is a string, undefined when it is absent; any other type is refused. */
function optionalString(payload: JWTPayload, claim: string): string | undefined {
  const value: unknown = payload[claim];
  if (value === undefined || typeof value === 'string') return value;
  throw new TokenRejectedError(`"${claim}" claim must be a string`);
}

function acceptsClient(audience: string | readonly string[], clientId: unknown): boolean {
  return typeof clientId === 'string' && [audience].flat().includes(clientId);
}
