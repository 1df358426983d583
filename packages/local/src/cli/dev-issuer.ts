import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** The development issuer the offline runtime's configuration trusts; never configured for a deployment. */
export const DEV_ISSUER = {
  issuer: 'https://conflux.local/dev-issuer',
  audience: 'conflux-api',
  algorithm: 'RS256',
} as const;

/** The issuer's key set, as a JWKS document. */
export interface Jwks {
  keys: JWK[];
}

/** Options of {@link issueDevToken}. */
export interface DevTokenOptions {
  readonly subject: string;
  /** Space-separated scopes, e.g. `orders:write accounts:read`. */
  readonly scopes: string;
  /** Lifetime in seconds. @default 3600 */
  readonly ttlSeconds?: number;
  /** OAuth client id carried in `client_id`. @default 'conflux-dev' */
  readonly clientId?: string;
  /**
   * `iss`: another issuer's URL, e.g. a Cognito user pool's that an HTTP API's JWT authorizer names
   * (`conflux local` trusts the dev issuer's keys for every JWT authorizer). @default DEV_ISSUER.issuer
   */
  readonly issuer?: string;
  /** `aud`: the audience the authorizer expects (for Cognito, the app client id). @default DEV_ISSUER.audience */
  readonly audience?: string;
}

/**
 * The dev issuer's key pair, made on first use and kept in `<stateDir>/dev-issuer/`: the private key to
 * sign tokens, and the public JWKS the authorizer is configured with offline.
 */
export async function devIssuerKeys(stateDir: string): Promise<{ privateKey: JWK; jwks: Jwks }> {
  const dir = path.join(stateDir, 'dev-issuer');
  const privateFile = path.join(dir, 'private.jwk.json');
  const jwksFile = path.join(dir, 'jwks.json');
  if (existsSync(privateFile) && existsSync(jwksFile)) {
    return {
      privateKey: JSON.parse(readFileSync(privateFile, 'utf8')) as JWK,
      jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) as Jwks,
    };
  }
  const { privateKey, publicKey } = await generateKeyPair(DEV_ISSUER.algorithm, { extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: DEV_ISSUER.algorithm };
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: DEV_ISSUER.algorithm, use: 'sig' }] };
  mkdirSync(dir, { recursive: true });
  writeFileSync(privateFile, JSON.stringify(privateJwk), { mode: 0o600 });
  writeFileSync(jwksFile, JSON.stringify(jwks, null, 2));
  return { privateKey: privateJwk, jwks };
}

/**
 * The context value that makes a synthesized API trust the dev issuer (its keys inline). `conflux local`
 * passes it under the key `cdk.json` names in `conflux.local.devIssuerContext` (`conflux:auth` for the
 * reference app).
 */
export function devAuthConfig(jwks: Jwks) {
  return {
    issuer: DEV_ISSUER.issuer,
    audience: DEV_ISSUER.audience,
    algorithms: [DEV_ISSUER.algorithm],
    jwks,
  };
}

/** Signs a token for the dev issuer: `sub`, `scope`, `client_id`, `iss`, `aud`, `iat`, `exp`, `jti`. */
export async function issueDevToken(stateDir: string, options: DevTokenOptions): Promise<string> {
  const { privateKey } = await devIssuerKeys(stateDir);
  const key = await importJWK(privateKey, DEV_ISSUER.algorithm);
  return new SignJWT({ scope: options.scopes, client_id: options.clientId ?? 'conflux-dev' })
    .setProtectedHeader({ alg: DEV_ISSUER.algorithm, kid: privateKey.kid, typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(options.issuer ?? DEV_ISSUER.issuer)
    .setAudience(options.audience ?? DEV_ISSUER.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key);
}

/** `90`, `90s`, `15m`, `1h`, `2d` → seconds; undefined when it is none of those. */
export function parseTtl(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? ''] ?? 1;
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : undefined;
}
