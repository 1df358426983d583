import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type * as Http from '../src/http.js';
import { useDynamoDbLocal } from '../../../test/support/dynamodb.js';
import { apiEvent, lambdaContext } from '../../../test/support/fixtures.js';

type Handler = ReturnType<typeof Http.createHttpHandler>;
const Thing = z.strictObject({ name: z.string().check(z.minLength(1)) });

describe('HTTP middleware', () => {
  const ddb = useDynamoDbLocal();
  let http: typeof Http;
  let env: NodeJS.ProcessEnv;
  let calls: number;
  let handler: Handler;

  beforeAll(async () => {
    env = {
      RATE_LIMIT_TABLE_NAME: await ddb.createTable('limits', 'pk'),
      RATE_LIMITS: JSON.stringify({
        tiers: { free: { limit: 3, windowSeconds: 60 }, partner: { limit: 100, windowSeconds: 60 } },
        defaultTier: 'free',
        keyTiers: [{ keyId: 'partner-key', tier: 'partner' }],
      }),
      API_LIFECYCLE: JSON.stringify({
        'POST /v1/things': {
          deprecated: '2026-01-01T00:00:00Z',
          sunset: '2099-01-01T00:00:00Z',
          successor: '/v2/things',
        },
        'GET /v1/things/{id}': {
          deprecated: '2026-01-01T00:00:00Z',
          sunset: '2099-01-01T00:00:00Z',
          successor: '/v2/things/{id}',
        },
        'POST /v0/things': {
          deprecated: '2020-01-01T00:00:00Z',
          sunset: '2021-01-01T00:00:00Z',
          successor: '/v2/things',
        },
      }),
      CORS_ORIGINS: 'https://app.example.com',
      MAX_BODY_BYTES: '1024',
    };
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    http = await import('../src/http.js');
    const things = http.route({
      body: Thing,
      idempotent: true,
      handle: ({ body }) => {
        calls += 1;
        return Promise.resolve({ status: 201, body: { id: randomUUID(), name: body.name } });
      },
    });
    handler = http.createHttpHandler(
      {
        'POST /v2/things': things,
        'POST /v1/things': things,
        'POST /v0/things': things,
        'POST /v2/things/{id}/touch': things,
        'GET /v1/things/{id}': http.route({
          query: { asOf: z.string().check(z.regex(/^[1-9]\d{0,15}$/, 'must be a version from 1')) },
          handle: ({ pathParameters, query }) => {
            calls += 1;
            return Promise.resolve({ status: 200, body: { id: pathParameters.id, query } });
          },
        }),
        'POST /v2/broken': http.route({
          handle: () => Promise.reject(new Error('secret connection string leaked')),
        }),
      },
      env,
    );
  });

  const invoke = async (event = apiEvent()) => {
    const result = await handler(event, lambdaContext());
    return { ...result, json: (result.body ? JSON.parse(result.body) : undefined) as Record<string, never> };
  };
  const errorOf = (r: { json: Record<string, never> }) =>
    (r.json as unknown as { error: { code: string; requestId: string } }).error;

  it('answers with the route’s result and the common headers', async () => {
    const event = apiEvent({ body: { name: 'a' }, apiKeyId: 'partner-key' });
    const result = await invoke(event);
    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Request-Id': event.requestContext.requestId,
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '99',
    });
  });

  it('limits a client by its tier: 429 with Retry-After once the window is used up', async () => {
    const clientId = randomUUID();
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await invoke(apiEvent({ body: { name: 'a' }, clientId })));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 429]);
    expect(results.map((r) => r.headers?.['X-RateLimit-Remaining'])).toEqual(['2', '1', '0', '0']);
    expect(errorOf({ json: results[3]?.json ?? {} }).code).toBe('RateLimited');
    expect(Number(results[3]?.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('marks a deprecated route and answers 410 with the successor after its sunset', async () => {
    const live = await invoke(apiEvent({ resource: '/v1/things', body: { name: 'a' } }));
    expect(live.statusCode).toBe(201);
    expect(live.headers).toMatchObject({
      Deprecation: `@${Date.parse('2026-01-01T00:00:00Z') / 1000}`,
      Sunset: 'Thu, 01 Jan 2099 00:00:00 GMT',
      Link: '</v2/things>; rel="successor-version"',
    });
    calls = 0;
    const gone = await invoke(apiEvent({ resource: '/v0/things', body: { name: 'a' } }));
    expect(gone.statusCode).toBe(410);
    expect(errorOf(gone).code).toBe('Gone');
    expect(gone.headers?.Link).toBe('</v2/things>; rel="successor-version"');
    expect(gone.headers?.['X-RateLimit-Limit']).toBe('3');
    expect(calls).toBe(0);
  });

  it.each<[string, unknown, number, string]>([
    ['malformed JSON', '{"name":', 400, 'InvalidJson'],
    ['a wrong type', { name: 5 }, 400, 'ValidationFailed'],
    ['an unknown field', { name: 'a', admin: true }, 400, 'ValidationFailed'],
    ['an oversize body', { name: 'x'.repeat(2_000) }, 413, 'PayloadTooLarge'],
  ])('rejects %s before the route runs', async (_name, body, status, code) => {
    calls = 0;
    const result = await invoke(apiEvent({ body }));
    expect(result.statusCode).toBe(status);
    expect(errorOf(result).code).toBe(code);
    expect(calls).toBe(0);
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses it with another body', async () => {
    const clientId = randomUUID();
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    calls = 0;
    const first = await invoke(apiEvent({ body: { name: 'a' }, headers, clientId, apiKeyId: 'partner-key' }));
    const repeat = await invoke(
      apiEvent({ body: { name: 'a' }, headers, clientId, apiKeyId: 'partner-key' }),
    );
    expect(repeat.json).toEqual(first.json);
    expect(calls).toBe(1);
    const other = await invoke(apiEvent({ body: { name: 'b' }, headers, clientId, apiKeyId: 'partner-key' }));
    expect(other.statusCode).toBe(422);
    expect(errorOf(other).code).toBe('IdempotencyKeyReused');
    // Another client's identical key is its own.
    const stranger = await invoke(apiEvent({ body: { name: 'b' }, headers, apiKeyId: 'partner-key' }));
    expect(stranger.statusCode).toBe(201);
    const bad = await invoke(apiEvent({ body: { name: 'a' }, headers: { 'Idempotency-Key': 'no spaces' } }));
    expect(errorOf(bad).code).toBe('InvalidIdempotencyKey');
  });

  it('hides an internal failure behind a 500 that names no detail', async () => {
    const result = await invoke(apiEvent({ resource: '/v2/broken' }));
    expect(result.statusCode).toBe(500);
    expect(errorOf(result).code).toBe('InternalError');
    expect(result.body).not.toContain('secret');
  });

  it('allows only the configured CORS origin', async () => {
    const allowed = await invoke(
      apiEvent({ body: { name: 'a' }, headers: { Origin: 'https://app.example.com' } }),
    );
    expect(allowed.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    const other = await invoke(
      apiEvent({ body: { name: 'a' }, headers: { Origin: 'https://evil.example' } }),
    );
    expect(other.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('scopes an Idempotency-Key to the principal, the method and the concrete path', async () => {
    // GIVEN one key and one body, first used by alice on thing A
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    const clientId = randomUUID();
    const touch = (id: string, sub: string) =>
      invoke(
        apiEvent({
          resource: '/v2/things/{id}/touch',
          path: `/v2/things/${id}/touch`,
          pathParameters: { id },
          body: { name: 'a' },
          headers,
          clientId,
          sub,
          apiKeyId: 'partner-key',
        }),
      );
    calls = 0;
    const first = await touch('A', 'alice');
    // WHEN alice replays it, bob (same OAuth client, same API key) sends it, and alice sends it for thing B
    const replay = await touch('A', 'alice');
    const bob = await touch('A', 'bob');
    const otherThing = await touch('B', 'alice');
    // THEN only alice's replay on A is the first answer; bob and thing B are fresh requests
    expect(replay.json).toEqual(first.json);
    expect(bob.statusCode).toBe(201);
    expect(bob.json).not.toEqual(first.json);
    expect(otherThing.statusCode).toBe(201);
    expect(otherThing.json).not.toEqual(first.json);
    expect(calls).toBe(3);
  });

  it('refuses a body that is not application/json with 415, whatever the case of the media type', async () => {
    for (const type of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/jsonx',
    ]) {
      const result = await invoke(apiEvent({ body: { name: 'a' }, headers: { 'Content-Type': type } }));
      expect(result.statusCode, type).toBe(415);
      expect(errorOf(result).code).toBe('UnsupportedMediaType');
    }
    for (const type of ['application/JSON', 'Application/Json; charset=UTF-8']) {
      const result = await invoke(apiEvent({ body: { name: 'a' }, headers: { 'Content-Type': type } }));
      expect(result.statusCode, type).toBe(201);
    }
  });

  it('refuses path parameters that are too long for a table key, ill-formed or control characters', async () => {
    calls = 0;
    for (const id of ['x'.repeat(513), 'é'.repeat(257), 'a\ud800b', 'a\u0000b', 'line\nbreak']) {
      const result = await invoke(
        apiEvent({ method: 'GET', resource: '/v1/things/{id}', pathParameters: { id } }),
      );
      expect(result.statusCode, JSON.stringify(id.slice(0, 12))).toBe(400);
      expect(errorOf(result).code).toBe('InvalidPathParameter');
    }
    const longest = await invoke(
      apiEvent({ method: 'GET', resource: '/v1/things/{id}', pathParameters: { id: 'x'.repeat(512) } }),
    );
    expect(longest.statusCode).toBe(200);
    expect(calls).toBe(1);
  });

  it('checks the query parameters a route declares, and bounds every one', async () => {
    const get = (query: Record<string, string>) =>
      invoke(apiEvent({ method: 'GET', resource: '/v1/things/{id}', pathParameters: { id: 't' }, query }));
    for (const asOf of ['0', '-1', '1e309', '99999999999999999', 'x'.repeat(5000), '']) {
      const result = await get({ asOf });
      expect(result.statusCode, asOf.slice(0, 20)).toBe(400);
      expect(errorOf(result).code).toBe('InvalidQueryParameter');
    }
    expect((await get({ other: 'y'.repeat(1025) })).statusCode).toBe(400);
    // Names of Object.prototype are names like any other.
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect((await get({ [name]: 'x' })).statusCode, name).toBe(200);
    const ok = await get({ asOf: '42', other: 'kept' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json).toMatchObject({ query: { asOf: '42', other: 'kept' } });
  });

  it('refuses JSON that no consumer can hold: non-finite numbers and lone surrogates', async () => {
    calls = 0;
    const Loose = String.raw`{"name":"a","n":1e309}`;
    const surrogate = String.raw`{"name":"\ud800"}`;
    const key = String.raw`{"name":"a","\udc00":1}`;
    const deep = `{"name":"a","x":${'['.repeat(40)}${']'.repeat(40)}}`;
    for (const raw of [Loose, surrogate, key, deep]) {
      const result = await invoke(apiEvent({ body: raw }));
      expect(result.statusCode, raw).toBe(400);
      expect(errorOf(result).code).toBe('InvalidJson');
    }
    // A surrogate pair is well-formed text.
    expect((await invoke(apiEvent({ body: String.raw`{"name":"\ud83d\ude00"}` }))).statusCode).toBe(201);
    expect(calls).toBe(1);
  });

  it('fills the successor link with the request’s own path parameters', async () => {
    const result = await invoke(
      apiEvent({ method: 'GET', resource: '/v1/things/{id}', pathParameters: { id: 'a b' } }),
    );
    expect(result.headers?.Link).toBe('</v2/things/a%20b>; rel="successor-version"');
  });
});
