import { afterEach, describe, expect, it, vi } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { authorize } from '../../../../src/services/apigateway/request/authorize.js';
import type { AuthorizerSpec } from '../../../../src/services/apigateway/types.js';
import type { InvokeResult } from '../../../../src/services/lambda/host.js';
import { api, fakeHost, method, requestState } from './fixtures.js';

const ARN = 'arn:aws:execute-api:eu-west-1:111122223333:api1/live';

/** A policy answer: `effect` on `resource`, with a context the integration should see as text. */
const policy = (effect: 'Allow' | 'Deny', resource: string, extra: Record<string, unknown> = {}) =>
  ({
    ok: true,
    payload: {
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
      },
      context: { tier: 'gold', level: 3, admin: false },
      ...extra,
    },
  }) as const;

function setup(spec: Partial<AuthorizerSpec>, answer: (event: Record<string, unknown>) => InvokeResult) {
  const host = fakeHost((_arn, event) => answer(event));
  const authorizer: AuthorizerSpec = {
    type: 'TOKEN',
    functionArn: 'authorizer-fn',
    identitySources: ['method.request.header.Authorization'],
    ttlSeconds: 300,
    ...spec,
  };
  const stage = authorize({
    api: api({ authorizers: new Map([['auth', authorizer]]) }),
    host,
    accountId: '111122223333',
    region: 'eu-west-1',
  });
  const guarded = method({ authorizerId: 'auth' });
  const request = (path: string, headers: Record<string, string> = {}) =>
    requestState({ path, headers, method: guarded });
  return { host, stage, request };
}

describe('authorize (the Lambda authorizer stage)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a method without an authorizer go on, calling nothing', async () => {
    const { host, stage } = setup({}, () => policy('Allow', '*'));
    await expect(stage(requestState({ path: '/open' }))).resolves.toBeUndefined();
    expect(host.calls).toEqual([]);
  });

  it('calls the function with the token and method ARN, and gives the integration principal and context as text', async () => {
    const { host, stage, request } = setup({}, () => policy('Allow', `${ARN}/*`));
    const state = request('/orders/7', { Authorization: 'Bearer a' });
    await expect(stage(state)).resolves.toBeUndefined();
    expect(host.calls).toEqual([
      {
        functionArn: 'authorizer-fn',
        event: { type: 'TOKEN', authorizationToken: 'Bearer a', methodArn: `${ARN}/GET/orders/7` },
      },
    ]);
    expect(state.authorizer).toEqual({
      principalId: 'user-1',
      integrationLatency: 0,
      tier: 'gold',
      level: '3',
      admin: 'false',
    });
  });

  it('caches the result per identity source value: one call per token, not per request', async () => {
    const { host, stage, request } = setup({}, () => policy('Allow', `${ARN}/*`));
    for (const [path, token] of [
      ['/a', 'Bearer one'],
      ['/b', 'Bearer one'],
      ['/a', 'Bearer two'],
      ['/b', 'Bearer two'],
    ] as const) {
      await expect(stage(request(path, { Authorization: token }))).resolves.toBeUndefined();
    }
    expect(host.calls.map((c) => c.event.authorizationToken)).toEqual(['Bearer one', 'Bearer two']);
  });

  it('evaluates the cached policy against each method ARN: a policy for one method denies another', async () => {
    // The function allows exactly the method it was asked about.
    const { host, stage, request } = setup({}, (event) => policy('Allow', String(event.methodArn)));
    const token = { Authorization: 'Bearer t' };
    await expect(stage(request('/a', token))).resolves.toBeUndefined();
    await expect(stage(request('/b', token))).resolves.toBe(FAILURES.implicitDeny);
    await expect(stage(request('/a', token))).resolves.toBeUndefined();
    expect(host.calls).toHaveLength(1);
  });

  it('answers an explicit Deny with its own 403, and caches it too', async () => {
    const { host, stage, request } = setup({}, () => policy('Deny', `${ARN}/GET/*`));
    const token = { Authorization: 'Bearer t' };
    await expect(stage(request('/a', token))).resolves.toBe(FAILURES.explicitDeny);
    await expect(stage(request('/b', token))).resolves.toBe(FAILURES.explicitDeny);
    expect(host.calls).toHaveLength(1);
  });

  it('answers 401 without calling the function for a missing token or one that fails the validation expression', async () => {
    const { host, stage, request } = setup({ validationExpression: 'Bearer [a-z]+' }, () =>
      policy('Allow', '*'),
    );
    await expect(stage(request('/a'))).resolves.toBe(FAILURES.unauthorized);
    await expect(stage(request('/a', { Authorization: '' }))).resolves.toBe(FAILURES.unauthorized);
    await expect(stage(request('/a', { Authorization: 'Bearer 123' }))).resolves.toBe(FAILURES.unauthorized);
    expect(host.calls).toEqual([]);
  });

  it('calls the function again once the TTL has passed, and on every request with a TTL of 0', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cached = setup({ ttlSeconds: 60 }, () => policy('Allow', '*'));
    const token = { Authorization: 'Bearer t' };
    await cached.stage(cached.request('/a', token));
    vi.advanceTimersByTime(59_000);
    await cached.stage(cached.request('/a', token));
    expect(cached.host.calls).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    await cached.stage(cached.request('/a', token));
    expect(cached.host.calls).toHaveLength(2);

    const uncached = setup({ ttlSeconds: 0 }, () => policy('Allow', '*'));
    await uncached.stage(uncached.request('/a', token));
    await uncached.stage(uncached.request('/a', token));
    expect(uncached.host.calls).toHaveLength(2);
  });

  it('keys a REQUEST authorizer’s cache by all its identity sources, and sends it the request', async () => {
    const { host, stage } = setup(
      {
        type: 'REQUEST',
        identitySources: ['method.request.header.x-token', 'method.request.querystring.tenant'],
      },
      () => policy('Allow', '*'),
    );
    const guarded = method({ authorizerId: 'auth' });
    const call = (path: string, token: string) =>
      stage(requestState({ path, headers: { 'x-token': token }, method: guarded }));
    await expect(call('/a', 't')).resolves.toBe(FAILURES.unauthorized);
    await call('/a?tenant=1', 't');
    await call('/b?tenant=1', 't');
    await call('/a?tenant=2', 't');
    expect(host.calls).toHaveLength(2);
    expect(host.calls[0]?.event).toMatchObject({
      type: 'REQUEST',
      methodArn: `${ARN}/GET/a`,
      headers: { 'x-token': 't' },
      query: { tenant: '1' },
    });
  });

  it('tells a thrown "Unauthorized" (401) from any other failure of the function (500)', async () => {
    const failing = (errorMessage: string) =>
      setup({}, () => ({ ok: false, error: { errorType: 'Error', errorMessage } }));
    const token = { Authorization: 'Bearer t' };
    const unauthorized = failing('Unauthorized');
    await expect(unauthorized.stage(unauthorized.request('/a', token))).resolves.toBe(FAILURES.unauthorized);
    const broken = failing('kaput');
    await expect(broken.stage(broken.request('/a', token))).resolves.toBe(FAILURES.authorizerError);
  });

  it.each<[string, unknown]>([
    ['no policy', { principalId: 'p' }],
    ['a nested context value', { ...policy('Allow', '*').payload, context: { nested: { a: 1 } } }],
    ['a policy statement that is no object', { principalId: 'p', policyDocument: { Statement: [null] } }],
  ])('answers 500 for a result with %s, and does not let the request on', async (_name, payload) => {
    const { stage, request } = setup({}, () => ({ ok: true, payload }));
    const state = request('/a', { Authorization: 'Bearer t' });
    await expect(stage(state)).resolves.toBe(FAILURES.authorizerError);
    expect(state.authorizer).toBeUndefined();
  });

  it('passes the usage identifier key on, for APIs that take the API key from the authorizer', async () => {
    const { stage, request } = setup({}, () => policy('Allow', '*', { usageIdentifierKey: 'key-value' }));
    const state = request('/a', { Authorization: 'Bearer t' });
    await stage(state);
    expect(state.authorizer?.usageIdentifierKey).toBe('key-value');
  });
});
