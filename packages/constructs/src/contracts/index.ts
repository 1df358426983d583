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

// --- EtlPipeline → its extract, transform and load functions -------------------------------------------

/**
 * The lake's zones under one bucket, as RawZone, LakeCatalog and EtlPipeline lay them out: each zone's
 * objects sit under `<zone>/<source or pipeline>/…`.
 */
export const LAKE_ZONES = {
  raw: 'raw/',
  curated: 'curated/',
  quarantine: 'quarantine/',
  errors: 'errors/',
  /** An ETL run's intermediate objects, between its steps; expired after a few days. */
  staging: 'staging/',
  /** Athena's query results. */
  athenaResults: 'athena-results/',
} as const;

/** A half-open window of source changes, `from < changedAt <= to`, ISO 8601 UTC with milliseconds. */
export interface EtlWindow {
  /** Exclusive; the watermark the run started from (the epoch, `1970-01-01T00:00:00.000Z`, on a first run). */
  readonly from: string;
  /** Inclusive; fixed when the run starts, so rows written during the run fall in the next window. */
  readonly to: string;
  /** `<from>_<to>` in compact UTC (`20261202T010000000Z_20261203T010000000Z`): names the run's objects. */
  readonly id: string;
}

/** An object of the lake, by bucket and key. */
export interface LakeObject {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The state machine's input: from the schedule `{"scheduledTime": "<aws.scheduler.scheduled-time>"}`,
 * by hand (`npm run etl -- --since <ISO>`) `{"since": "<ISO>"}` to re-run from an instant.
 */
export interface EtlExecutionInput {
  readonly scheduledTime?: string;
  /** Overrides the stored watermark as the window's start. */
  readonly since?: string;
  /** Overrides the window's end (tests, backfills); at most the run's start minus the settle time. */
  readonly until?: string;
}

/** What every step is invoked with (the Lambda task's `Payload`). */
export interface EtlStepBase {
  /** {@link EtlPipelineProps.pipelineName}: the watermark's key and the name of the objects' folder. */
  readonly pipeline: string;
  /** The lake bucket's name. */
  readonly bucket: string;
  /** The execution's ARN. */
  readonly executionArn: string;
  /** When the execution started (`$$.Execution.StartTime`). */
  readonly startedAt: string;
  /** How long a source write may take to become visible, in ms: `to` is at most `startedAt − settleMs`. */
  readonly settleMs: number;
}

/** The extract step's event. */
export interface EtlExtractEvent extends EtlStepBase {
  readonly input: EtlExecutionInput;
  /** The stored watermark (ISO), or null before the first successful run. */
  readonly watermark: string | null;
}

/** The extract step's answer; `staged` holds the window's rows, gzip JSON lines. */
export interface EtlExtractResult {
  readonly window: EtlWindow;
  readonly staged: LakeObject;
  readonly rows: number;
}

/** The transform step's event. */
export interface EtlTransformEvent extends EtlStepBase {
  readonly window: EtlWindow;
  readonly staged: LakeObject;
}

/** The transform step's answer: the rows to load (`staged`) and the rejected ones (`quarantined`, each with its reasons). */
export interface EtlTransformResult {
  readonly staged: LakeObject;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  /** Absent when no row was rejected. */
  readonly quarantined?: LakeObject;
}

/** The load step's event. */
export interface EtlLoadEvent extends EtlStepBase {
  readonly window: EtlWindow;
  readonly staged: LakeObject;
}

/** The load step's answer: the objects written to `curated/`, and those already there with the same bytes. */
export interface EtlLoadResult {
  readonly loaded: number;
  readonly written: readonly LakeObject[];
  readonly unchanged: readonly LakeObject[];
}
