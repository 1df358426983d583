/**
 * The API key stage, for methods that require a key: the key (from the `x-api-key` header, or the
 * authorizer's `usageIdentifierKey` when the API's key source is AUTHORIZER) must be enabled and in a usage
 * plan of this API and stage (else 403). That plan's throttle (its method throttle where it sets one for
 * this method, else the plan's) and quota then apply per key (429 Too Many Requests, 429 Limit Exceeded).
 */
import type { Stage } from './chain.js';
import { Quota } from './quota.js';
import { TokenBucket } from './token-bucket.js';
import { FAILURES } from '../failures.js';
import type { ApiKeySpec, GatewayAccess, GatewayApi, UsagePlanSpec } from '../types.js';

/** What a usage plan has counted while the runtime runs (read-only: for the local console). */
export interface PlanUsage {
  /** Requests with a key of the plan. */
  requests: number;
  /** Of those, refused by the plan's throttle (429 Too Many Requests). */
  throttled: number;
  /** Of those, refused by the plan's quota (429 Limit Exceeded). */
  overQuota: number;
  /** Requests counted against the quota in the current period, by API key id. */
  readonly quotaUsed: Map<string, number>;
}

/** The usage counts of each runtime's plans, by its list of usage plans (one list per runtime). */
const usage = new WeakMap<readonly UsagePlanSpec[], Map<string, PlanUsage>>();

/** What each usage plan of `plans` has counted, by plan id. */
export function usageOf(plans: readonly UsagePlanSpec[]): ReadonlyMap<string, Readonly<PlanUsage>> {
  return usage.get(plans) ?? new Map();
}

/** The API key stage of an API; it holds the buckets and quota counts of the usage plans. */
export function checkApiKey(api: GatewayApi, access: GatewayAccess): Stage {
  const buckets = new Map<string, TokenBucket>();
  const quotas = new Map<string, Quota>();
  const counts = usage.get(access.usagePlans) ?? new Map<string, PlanUsage>();
  usage.set(access.usagePlans, counts);
  return (state) => {
    if (!state.method.apiKeyRequired) return undefined;
    const value =
      api.apiKeySource === 'AUTHORIZER'
        ? (state.authorizer?.usageIdentifierKey as string | undefined)
        : (state.req.headers['x-api-key'] as string | undefined);
    const found = keyAndPlan(api, access, value);
    if (!found) return FAILURES.invalidApiKey;
    const { key, plan } = found;
    state.apiKey = key;
    let counted = counts.get(plan.id);
    if (!counted) {
      counted = { requests: 0, throttled: 0, overQuota: 0, quotaUsed: new Map() };
      counts.set(plan.id, counted);
    }
    counted.requests += 1;
    const stage = api.stageName ?? 'local';
    const methodKey = `${state.route.template}/${state.req.method ?? 'GET'}`;
    const methodThrottle = plan.stages.find((s) => s.apiId === api.apiId && s.stage === stage)
      ?.methodThrottles[methodKey];
    const throttle = methodThrottle ?? plan.throttle;
    if (throttle) {
      const bucketKey = `${plan.id}|${key.id}|${methodThrottle ? methodKey : '*'}`;
      let bucket = buckets.get(bucketKey);
      if (!bucket) {
        bucket = new TokenBucket(throttle.rate, throttle.burst);
        buckets.set(bucketKey, bucket);
      }
      if (!bucket.take()) {
        counted.throttled += 1;
        return FAILURES.throttled;
      }
    }
    if (plan.quota) {
      let quota = quotas.get(plan.id);
      if (!quota) {
        quota = new Quota(plan.quota.limit, plan.quota.period);
        quotas.set(plan.id, quota);
      }
      if (!quota.take(key.id)) {
        counted.overQuota += 1;
        return FAILURES.quotaExceeded;
      }
      counted.quotaUsed.set(key.id, quota.used(key.id));
    }
    return undefined;
  };
}

/**
 * The key with this value and the usage plan it has for the API's current stage; undefined for an unknown
 * or disabled key, or one in no plan of this API and stage.
 */
export function keyAndPlan(
  api: GatewayApi,
  access: GatewayAccess,
  value: string | undefined,
): { readonly key: ApiKeySpec; readonly plan: UsagePlanSpec } | undefined {
  const key = value === undefined ? undefined : [...access.apiKeys.values()].find((k) => k.value === value);
  if (!key?.enabled) return undefined;
  const stage = api.stageName ?? 'local';
  const plan = access.usagePlans.find(
    (p) => p.keyIds.includes(key.id) && p.stages.some((s) => s.apiId === api.apiId && s.stage === stage),
  );
  return plan ? { key, plan } : undefined;
}
