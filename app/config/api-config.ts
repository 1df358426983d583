import * as z from 'zod/mini';
import { en } from 'zod/locales';

import type { AuthConfig, DeprecationDates, TierConfig } from '@conflux/constructs';

export type { AuthConfig, DeprecationDates, TierConfig };

/** The API's configuration: context key `conflux:api` over the defaults below, and `conflux:auth`. */
export interface ApiConfig {
  /** Context `conflux:auth`: `"cognito"` (default) or an OIDC issuer object. */
  readonly auth: AuthConfig;
  /** Client tiers by name; `free` and `partner` always exist. */
  readonly tiers: Readonly<Record<string, TierConfig>>;
  /** Origins allowed by CORS; none means no CORS headers and no preflight routes. */
  readonly corsOrigins: readonly string[];
  /** Whether a WAF web ACL (per-IP rate rule, AWS common rules) guards the stage. */
  readonly waf: boolean;
  /** Per-IP limit of the WAF rate rule, requests per 5 minutes. */
  readonly wafRateLimit: number;
  /** Stage-wide default throttle. */
  readonly stageThrottle: { readonly rate: number; readonly burst: number };
  /** Deprecation dates by version (`v1`, …); a version not listed is current. */
  readonly deprecations: Readonly<Record<string, DeprecationDates>>;
  /** How long an `Idempotency-Key` is remembered, in seconds. */
  readonly idempotencyWindowSeconds: number;
  /** Largest request body accepted by Lambda routes, in bytes. */
  readonly maxBodyBytes: number;
}

const DEFAULT_TIERS: Record<string, TierConfig> = {
  free: { rate: 5, burst: 10, quotaPerDay: 1_000, limit: 60, windowSeconds: 60 },
  partner: { rate: 50, burst: 100, quotaPerDay: 100_000, limit: 1_200, windowSeconds: 60 },
};

const positive = (max: number) => z.number().check(z.int(), z.minimum(1), z.maximum(max));
const Tier = z.strictObject({
  rate: positive(10_000),
  burst: positive(5_000),
  quotaPerDay: positive(1_000_000_000),
  limit: positive(1_000_000),
  windowSeconds: positive(86_400),
});
const date = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const OidcAuth = z
  .strictObject({
    issuer: z.url({ protocol: /^https?$/ }),
    audience: z.string().check(z.minLength(1)),
    algorithms: z
      .array(z.enum(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256', 'EdDSA']))
      .check(z.minLength(1)),
    jwksUrl: z.optional(z.url({ protocol: /^https$/ })),
    jwks: z.optional(z.object({ keys: z.array(z.record(z.string(), z.unknown())).check(z.minLength(1)) })),
  })
  .check(
    z.refine((a) => (a.jwksUrl === undefined) !== (a.jwks === undefined), {
      message: 'give exactly one of jwksUrl (an https URL) and jwks (the key set inline)',
    }),
  );
const Api = z.strictObject({
  tiers: z._default(
    z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)), Tier).check(
      z.refine((t) => 'free' in t && 'partner' in t, {
        message: 'tiers "free" and "partner" are required',
      }),
    ),
    DEFAULT_TIERS,
  ),
  corsOrigins: z._default(z.array(z.union([z.url({ protocol: /^https?$/ }), z.literal('*')])), []),
  waf: z._default(z.boolean(), true),
  wafRateLimit: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(2_000_000_000)), 2_000),
  stageThrottle: z._default(z.strictObject({ rate: positive(10_000), burst: positive(5_000) }), {
    rate: 100,
    burst: 200,
  }),
  deprecations: z._default(
    z.record(
      z.string().check(z.regex(/^v\d+$/)),
      z.strictObject({ deprecated: date, sunset: date }).check(
        z.refine((d) => new Date(d.deprecated) < new Date(d.sunset), {
          message: 'sunset must come after deprecated',
        }),
      ),
    ),
    { v1: { deprecated: '2026-11-01', sunset: '2027-06-30' } },
  ),
  idempotencyWindowSeconds: z._default(
    z.number().check(z.int(), z.minimum(60), z.maximum(7 * 86_400)),
    86_400,
  ),
  maxBodyBytes: z._default(z.number().check(z.int(), z.minimum(1_024), z.maximum(10_485_760)), 262_144),
});

/**
 * Parses one context value with a zod schema: JSON text (as `-c key=<json>` passes it) is parsed first. Each
 * problem goes to `bad` naming the key and field (`conflux:<key>.<field> is not valid: …`); undefined then.
 */
export function parseContext<T>(
  key: string,
  schema: z.ZodMiniType<T>,
  raw: unknown,
  bad: (problem: string) => void,
): T | undefined {
  // zod/mini loads no locale: English, as full zod registers it, so each problem reads as it always did.
  if (!z.config().localeError) z.config(en());
  let value = raw;
  if (typeof value === 'string' && /^\s*[{[]/.test(value)) {
    try {
      value = JSON.parse(value);
    } catch {
      bad(`conflux:${key} is not valid: its text is not JSON.`);
      return undefined;
    }
  }
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    bad(`conflux:${key}${where} is not valid: ${issue.message}.`);
  }
  return undefined;
}

/**
 * Reads `conflux:api` (a JSON object, or its JSON text from `-c`) over the defaults, and `conflux:auth`.
 * Problems are reported through `bad`, each naming the field, so every one is listed at once.
 */
export function loadApiConfig(rawApi: unknown, rawAuth: unknown, bad: (problem: string) => void): ApiConfig {
  const parse = <T>(key: string, schema: z.ZodMiniType<T>, raw: unknown): T | undefined =>
    parseContext(key, schema, raw, bad);
  const api = parse('api', Api, rawApi ?? {}) ?? z.parse(Api, {});
  const oidc = rawAuth === undefined || rawAuth === 'cognito' ? undefined : parse('auth', OidcAuth, rawAuth);
  return {
    ...api,
    auth: oidc ? { kind: 'oidc', ...oidc } : { kind: 'cognito' },
    deprecations: Object.fromEntries(
      Object.entries(api.deprecations).map(([version, d]) => [
        version,
        { deprecated: new Date(d.deprecated), sunset: new Date(d.sunset) },
      ]),
    ),
  };
}
