/**
 * The configuration types the constructs take as props. An application reads them from wherever it keeps
 * its configuration (the reference application: CDK context) and passes them in.
 */
/** Limits of one client tier: API Gateway's usage plan, and the handlers' own per-client limiter. */
export interface TierConfig {
  /** Usage-plan steady rate, requests per second. */
  readonly rate: number;
  /** Usage-plan burst, requests. */
  readonly burst: number;
  /** Usage-plan quota, requests per UTC day. */
  readonly quotaPerDay: number;
  /** The handlers' limiter: requests per client per sliding window. */
  readonly limit: number;
  /** The limiter's window, in seconds. */
  readonly windowSeconds: number;
}

/** Who issues the tokens the API trusts. */
export type AuthConfig =
  /** A Cognito user pool the stack provisions, with a resource server and app clients per tier. */
  | { readonly kind: 'cognito' }
  /** Any OIDC issuer: its key set by URL (fetched and cached by the authorizer) or inline. */
  | {
      readonly kind: 'oidc';
      readonly issuer: string;
      readonly audience: string;
      readonly algorithms: readonly string[];
      readonly jwksUrl?: string;
      readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
    };

/** A deprecated API version's dates. */
export interface DeprecationDates {
  /** When the version was deprecated (`Deprecation` header). */
  readonly deprecated: Date;
  /** When its routes stop answering and return 410 (`Sunset` header). */
  readonly sunset: Date;
}
