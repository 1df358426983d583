import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { checkApiKey, keyAndPlan } from '../../../../src/services/apigateway/request/api-key.js';
import type { ApiKeySpec, GatewayAccess, UsagePlanSpec } from '../../../../src/services/apigateway/types.js';
import { api, method, requestState } from './fixtures.js';

const key = (id: string, enabled = true): ApiKeySpec => ({ id, name: id, value: `value-${id}`, enabled });

const plan = (
  id: string,
  keyIds: string[],
  stages: UsagePlanSpec['stages'],
  limits: Pick<UsagePlanSpec, 'throttle' | 'quota'> = {},
): UsagePlanSpec => ({ id, name: id, keyIds, stages, ...limits });

const on = (
  apiId: string,
  stage: string,
  methodThrottles: Record<string, { rate: number; burst: number }> = {},
) => ({
  apiId,
  stage,
  methodThrottles,
});

const access = (keys: ApiKeySpec[], usagePlans: UsagePlanSpec[]): GatewayAccess => ({
  apiKeys: new Map(keys.map((k) => [k.id, k])),
  usagePlans,
});

/** A rate that refills nothing within a test. */
const SLOW = 0.001;

describe('keyAndPlan (the usage plan a key has for this API and stage)', () => {
  const keys = [key('k1'), key('off', false), key('lonely')];
  const plans = [
    plan('other-api', ['k1'], [on('api2', 'live')]),
    plan('other-stage', ['k1'], [on('api1', 'beta')]),
    plan('this-one', ['k1', 'off'], [on('api2', 'live'), on('api1', 'live')]),
    plan('later', ['k1'], [on('api1', 'live')]),
  ];

  it('picks the first plan of the key that covers this API and stage', () => {
    expect(keyAndPlan(api(), access(keys, plans), 'value-k1')).toEqual({
      key: keys[0],
      plan: plans[2],
    });
    expect(keyAndPlan(api({ stageName: 'beta' }), access(keys, plans), 'value-k1')?.plan.id).toBe(
      'other-stage',
    );
  });

  it.each<[string, string | undefined]>([
    ['no key', undefined],
    ['an unknown key', 'value-nobody'],
    ['a disabled key', 'value-off'],
    ['a key in no plan of this API and stage', 'value-lonely'],
  ])('finds nothing for %s', (_name, value) => {
    expect(keyAndPlan(api(), access(keys, plans), value)).toBeUndefined();
  });
});

describe('checkApiKey (the API key stage)', () => {
  const keyed = method({ apiKeyRequired: true });
  const request = (value?: string, httpMethod = 'GET') =>
    requestState({
      path: '/keyed',
      httpMethod,
      headers: value === undefined ? {} : { 'x-api-key': value },
      method: { ...keyed, httpMethod },
    });

  it('lets a method that requires no key go on without one', () => {
    const stage = checkApiKey(api(), access([], []));
    expect(stage(requestState({ path: '/free' }))).toBeUndefined();
  });

  it('answers 403 for a missing or unknown key, and records the key of a good one for the integration', () => {
    const stage = checkApiKey(api(), access([key('k1')], [plan('p', ['k1'], [on('api1', 'live')])]));
    expect(stage(request())).toBe(FAILURES.invalidApiKey);
    expect(stage(request('value-nobody'))).toBe(FAILURES.invalidApiKey);
    const state = request('value-k1');
    expect(stage(state)).toBeUndefined();
    expect(state.apiKey?.id).toBe('k1');
  });

  it('reads the key from the authorizer, not the header, when that is the API’s key source', () => {
    const stage = checkApiKey(
      api({ apiKeySource: 'AUTHORIZER' }),
      access([key('k1')], [plan('p', ['k1'], [on('api1', 'live')])]),
    );
    expect(stage(request('value-k1'))).toBe(FAILURES.invalidApiKey);
    const state = request();
    state.authorizer = { principalId: 'p', usageIdentifierKey: 'value-k1' };
    expect(stage(state)).toBeUndefined();
  });

  it('throttles with the plan’s bucket, one per key', () => {
    const stage = checkApiKey(
      api(),
      access(
        [key('k1'), key('k2')],
        [plan('p', ['k1', 'k2'], [on('api1', 'live')], { throttle: { rate: SLOW, burst: 2 } })],
      ),
    );
    const verdicts = ['k1', 'k1', 'k1', 'k2'].map((id) => stage(request(`value-${id}`)));
    expect(verdicts).toEqual([undefined, undefined, FAILURES.throttled, undefined]);
  });

  it('throttles a method the plan names with its own bucket, apart from the plan’s', () => {
    const stage = checkApiKey(
      api(),
      access(
        [key('k1')],
        [
          plan('p', ['k1'], [on('api1', 'live', { '/keyed/POST': { rate: SLOW, burst: 1 } })], {
            throttle: { rate: SLOW, burst: 5 },
          }),
        ],
      ),
    );
    expect(stage(request('value-k1', 'POST'))).toBeUndefined();
    expect(stage(request('value-k1', 'POST'))).toBe(FAILURES.throttled);
    expect(stage(request('value-k1', 'GET'))).toBeUndefined();
  });

  it('answers 429 Limit Exceeded beyond the plan’s quota, counted per key', () => {
    const stage = checkApiKey(
      api(),
      access(
        [key('k1'), key('k2')],
        [plan('p', ['k1', 'k2'], [on('api1', 'live')], { quota: { limit: 1, period: 'DAY' } })],
      ),
    );
    expect(stage(request('value-k1'))).toBeUndefined();
    expect(stage(request('value-k1'))).toBe(FAILURES.quotaExceeded);
    expect(stage(request('value-k2'))).toBeUndefined();
  });
});
