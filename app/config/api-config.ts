import * as z from 'zod';

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

const positive = (max: number) => z.number().int().min(1).max(max);
const Tier = z.strictObject({
  rate: positive(10_000),
  burst: positive(5_000),
  quotaPerDay: positive(1_000_000_000),
  limit: positive(1_000_000),
  windowSeconds: positive(86_400),
});
const date = z.iso.date().or(z.iso.datetime({ offset: true }));
const OidcAuth = z
  .strictObject({
    issuer: z.url({ protocol: /^https?$/ }),
    audience: z.string().min(1),
    algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256', 'EdDSA'])).min(1),
    jwksUrl: z.url({ protocol: /^https$/ }).optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
  })
  .refine((a) => (a.jwksUrl === undefined) !== (a.jwks === undefined), {
    message: 'give exactly one of jwksUrl (an https URL) and jwks (the key set inline)',
  });
const Api = z.strictObject({
  tiers: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), Tier)
    .refine((t) => 'free' in t && 'partner' in t, { message: 'tiers "free" and "partner" are required' })
    .default(DEFAULT_TIERS),
  corsOrigins: z.array(z.url({ protocol: /^https?$/ }).or(z.literal('*'))).default([]),
  waf: z.boolean().default(true),
  wafRateLimit: z.number().int().min(10).max(2_000_000_000).default(2_000),
  stageThrottle: z.strictObject({ rate: positive(10_000), burst: positive(5_000) }).default({
    rate: 100,
    burst: 200,
  }),
  deprecations: z
    .record(
      z.string().regex(/^v\d+$/),
      z
        .strictObject({ deprecated: date, sunset: date })
        .refine((d) => new Date(d.deprecated) < new Date(d.sunset), {
          message: 'sunset must come after deprecated',
        }),
    )
    .default({ v1: { deprecated: '2026-11-01', sunset: '2027-06-30' } }),
  idempotencyWindowSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(86_400),
  maxBodyBytes: z.number().int().min(1_024).max(10_485_760).default(262_144),
});

/**
 * Reads `conflux:api` (a JSON object, or its JSON text from `-c`) over the defaults, and `conflux:auth`.
 * Problems are reported through `bad`, each naming the field, so every one is listed at once.
 */
export function loadApiConfig(rawApi: unknown, rawAuth: unknown, bad: (problem: string) => void): ApiConfig {
  const parse = <T>(key: string, schema: z.ZodType<T>, raw: unknown): T | undefined => {
    let value = raw;
    if (typeof value === 'string' && /^\s*[{[]/.test(value)) {
      try {
        value = JSON.parse(value);
      } catch {
        bad(`conflux:${key} is not valid: its text is not JSON.`);
        return undefined;
      }
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const where = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
      bad(`conflux:${key}${where} is not valid: ${issue.message}.`);
    }
    return undefined;
  };
  const api = parse('api', Api, rawApi ?? {}) ?? Api.parse({});
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
