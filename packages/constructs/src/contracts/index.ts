/**
 * `@conflux/constructs/contracts`: what a construct tells the functions it configures, and what they read.
 * The environment variable names and the shapes of their JSON values live here once, imported by the
 * constructs that set them and by the handlers (`@conflux/handler-kit`, the JWT authorizer) that read them.
 * This module imports nothing, so a handler that uses it bundles a few hundred bytes.
 */

// --- SecureRestApi → its JWT authorizer ----------------------------------------------------------------

/** JSON {@link RouteScopes}: the scopes each route requires. */
export const ROUTE_SCOPES = 'ROUTE_SCOPES';
/** The issuer (`iss`) tokens must name. */
export const JWT_ISSUER = 'JWT_ISSUER';
/** The audience tokens must carry. */
export const JWT_AUDIENCE = 'JWT_AUDIENCE';
/** The claim holding the audience (`aud`, or `client_id` for Cognito access tokens). */
export const JWT_AUDIENCE_CLAIM = 'JWT_AUDIENCE_CLAIM';
/** Comma-separated signature algorithms accepted. */
export const JWT_ALGORITHMS = 'JWT_ALGORITHMS';
/** Prefix of scope names (a Cognito resource server's identifier and `/`). */
export const JWT_SCOPE_PREFIX = 'JWT_SCOPE_PREFIX';
/** The issuer's JSON Web Key Set URL, fetched and cached; or else {@link JWKS_JSON}. */
export const JWKS_URL = 'JWKS_URL';
/** An inline JSON Web Key Set. */
export const JWKS_JSON = 'JWKS_JSON';

/** The value of {@link ROUTE_SCOPES}: `"<VERB> <path>"` → the scopes any one of which grants the route. */
export type RouteScopes = Readonly<Record<string, readonly string[]>>;

// --- SecureRestApi → its Lambda routes (the handler kit's HTTP middleware) ------------------------------

/** JSON {@link ApiLifecycle} of the function's routes. */
export const API_LIFECYCLE = 'API_LIFECYCLE';
/** Comma-separated origins CORS allows; empty for none. */
export const CORS_ORIGINS = 'CORS_ORIGINS';
/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 'MAX_BODY_BYTES';
/** The per-client limiter's table. */
export const RATE_LIMIT_TABLE_NAME = 'RATE_LIMIT_TABLE_NAME';
/** JSON {@link RateLimits}: the per-client limits by tier. */
export const RATE_LIMITS = 'RATE_LIMITS';
/** How long an `Idempotency-Key` is remembered, in seconds. */
export const IDEMPOTENCY_TTL_SECONDS = 'IDEMPOTENCY_TTL_SECONDS';

/** The value of {@link API_LIFECYCLE}: deprecated routes, by `"<VERB> <path>"`, with their dates (ISO). */
export type ApiLifecycle = Readonly<
  Record<string, { readonly deprecated: string; readonly sunset: string; readonly successor?: string }>
>;

/** The value of {@link RATE_LIMITS}. */
export interface RateLimits {
  readonly tiers: Readonly<Record<string, { readonly limit: number; readonly windowSeconds: number }>>;
  readonly defaultTier: string;
  readonly keyTiers: readonly { readonly keyId: string; readonly tier: string }[];
}

// --- IdempotencyTable → idempotent handlers ------------------------------------------------------------

/** The idempotency records' table. */
export const IDEMPOTENCY_TABLE_NAME = 'IDEMPOTENCY_TABLE_NAME';

// --- EventStore → handlers that append and read --------------------------------------------------------

/** The events table. */
export const EVENT_STORE_TABLE_NAME = 'EVENT_STORE_TABLE_NAME';
/** The snapshots table. */
export const EVENT_STORE_SNAPSHOT_TABLE_NAME = 'EVENT_STORE_SNAPSHOT_TABLE_NAME';
/** Take a snapshot every this many events. */
export const EVENT_STORE_SNAPSHOT_EVERY = 'EVENT_STORE_SNAPSHOT_EVERY';

// --- Projection → projectors and readers ---------------------------------------------------------------

/** JSON: {@link ProjectionTables} by projection name. */
export const PROJECTIONS = 'PROJECTIONS';

/** One projection's tables, as {@link PROJECTIONS} names them. */
export interface ProjectionTables {
  /** Control table (partition key `projection`). */
  readonly control: string;
  readonly tables: { readonly a: string; readonly b: string };
}
