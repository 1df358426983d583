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

/** The API key stage of an API; it holds the buckets and quota counts of the usage plans. */
export function checkApiKey(api: GatewayApi, access: GatewayAccess): Stage {
  const buckets = new Map<string, TokenBucket>();
  const quotas = new Map<string, Quota>();
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
      if (!bucket.take()) return FAILURES.throttled;
    }
    if (plan.quota) {
      let quota = quotas.get(plan.id);
      if (!quota) {
        quota = new Quota(plan.quota.limit, plan.quota.period);
        quotas.set(plan.id, quota);
      }
      if (!quota.take(key.id)) return FAILURES.quotaExceeded;
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
