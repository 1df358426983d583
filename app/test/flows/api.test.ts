import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ISSUER, devIssuerKeys } from '@conflux/local';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

/** The limits this file runs with: a free tier that the gateway throttles quickly, a partner tier the limiter caps. */
const API = {
  tiers: {
    free: { rate: 1, burst: 3, quotaPerDay: 1_000, limit: 1_000, windowSeconds: 60 },
    partner: { rate: 100, burst: 100, quotaPerDay: 100_000, limit: 20, windowSeconds: 60 },
  },
  deprecations: { v1: { deprecated: '2026-01-01', sunset: '2099-01-01' } },
  maxBodyBytes: 2_048,
};

interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

const order = {
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', quantity: 2 }],
  shipTo: { region: 'eu', postcode: '1011 AB' },
};

/** The API as a client meets it: real HTTP through the offline gateway, tokens from the dev issuer. */
describe('the Conflux API, offline', () => {
  let app: ReferenceApp;
  const allScopes = 'orders:read orders:write webhooks:write telemetry:write accounts:read inventory:read';

  beforeAll(async () => {
    app = await runReferenceApp(API);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** A request with a fresh client id (so the limiter counts it alone) unless one is given. */
  async function call(
    method: string,
    route: string,
    options: {
      body?: unknown;
      raw?: string;
      token?: string | null;
      key?: string | null;
      headers?: Record<string, string>;
      clientId?: string;
    } = {},
  ) {
    const token =
      options.token === undefined
        ? await app.token({ scopes: allScopes, clientId: options.clientId ?? randomUUID() })
        : options.token;
    const key = options.key === undefined ? app.keys.partner : options.key;
    const response = await fetch(`${app.baseUrl}${route}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(key === null || key === undefined ? {} : { 'x-api-key': key }),
        ...options.headers,
      },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: (text ? JSON.parse(text) : undefined) as unknown,
    };
  }

  const expectError = (
    result: { status: number; headers: Headers; json: unknown },
    status: number,
    code: string,
  ) => {
    expect(result.status).toBe(status);
    const body = result.json as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  };

  async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const { privateKey } = await devIssuerKeys(app.issuerDir);
    const key = await importJWK(privateKey, 'RS256');
    return new SignJWT({ scope: allScopes, client_id: 'attacker', sub: 'mallory', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: privateKey.kid, ...header })
      .sign(key);
  }

  describe('authentication and keys', () => {
    it.each<[string, () => Promise<string | null>]>([
      ['no Authorization header', () => Promise.resolve(null)],
      ['a garbage token', () => Promise.resolve('not-a-jwt')],
      [
        'an expired token',
        () =>
          signed({
            iss: DEV_ISSUER.issuer,
            aud: DEV_ISSUER.audience,
            exp: Math.floor(Date.now() / 1000) - 3600,
          }),
      ],
      [
        'a token for another audience',
        () =>
          signed({ iss: DEV_ISSUER.issuer, aud: 'someone-else', exp: Math.floor(Date.now() / 1000) + 600 }),
      ],
      [
        'a token from another issuer',
        () =>
          signed({
            iss: 'https://evil.example',
            aud: DEV_ISSUER.audience,
            exp: Math.floor(Date.now() / 1000) + 600,
          }),
      ],
      [
        'a token issued 10 minutes in the future (beyond the 30 s skew)',
        () =>
          signed({
            iss: DEV_ISSUER.issuer,
            aud: DEV_ISSUER.audience,
            iat: Math.floor(Date.now() / 1000) + 600,
            exp: Math.floor(Date.now() / 1000) + 1200,
          }),
      ],
      [
        'a token whose sub is a number',
        () =>
          signed({
            iss: DEV_ISSUER.issuer,
            aud: DEV_ISSUER.audience,
            exp: Math.floor(Date.now() / 1000) + 600,
            sub: 42,
          }),
      ],
      [
        'a token whose client_id is an object',
        () =>
          signed({
            iss: DEV_ISSUER.issuer,
            aud: DEV_ISSUER.audience,
            exp: Math.floor(Date.now() / 1000) + 600,
            client_id: { id: 'x' },
          }),
      ],
      [
        'a token signed by an unknown key',
        async () => {
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT({ scope: allScopes })
            .setProtectedHeader({ alg: 'RS256', kid: 'unknown' })
            .setIssuer(DEV_ISSUER.issuer)
            .setAudience(DEV_ISSUER.audience)
            .setSubject('mallory')
            .setExpirationTime('10m')
            .sign(privateKey);
        },
      ],
    ])('answers %s with 401 in the JSON error shape', async (_name, make) => {
      const result = await call('POST', '/v2/orders', { body: order, token: await make() });
      expectError(result, 401, 'Unauthorized');
    });

    it('takes the Bearer scheme in any case', async () => {
      const token = await app.token({ scopes: allScopes, clientId: randomUUID() });
      for (const scheme of ['bearer', 'BEARER']) {
        const result = await call('POST', '/v2/orders', {
          body: order,
          token: null,
          headers: { authorization: `${scheme} ${token}` },
        });
        expect(result.status, scheme).toBe(201);
      }
    });

    it('answers a token without the route’s scope with 403', async () => {
      const token = await app.token({ scopes: 'orders:read', clientId: randomUUID() });
      expectError(await call('POST', '/v2/orders', { body: order, token }), 403, 'Forbidden');
    });

    it('answers a missing or unknown API key with 403', async () => {
      expectError(await call('POST', '/v2/orders', { body: order, key: null }), 403, 'InvalidApiKey');
      expectError(
        await call('POST', '/v2/orders', { body: order, key: 'x'.repeat(40) }),
        403,
        'InvalidApiKey',
      );
    });

    it('creates an order for a good token and key, with the rate-limit headers and no deprecation', async () => {
      const created = await call('POST', '/v2/orders', { body: order });
      expect(created.status).toBe(201);
      const body = created.json as { orderId: string; status: string; links: { self: string } };
      expect(body.status).toBe('PENDING');
      expect(created.headers.get('location')).toBe(body.links.self);
      expect(created.headers.get('x-ratelimit-limit')).toBe('20');
      expect(created.headers.get('x-ratelimit-remaining')).toBe('19');
      expect(Number(created.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      expect(created.headers.get('deprecation')).toBeNull();
    });

    it('shows an order only to the subject that placed it', async () => {
      const created = await call('POST', '/v2/orders', { body: order });
      const self = (created.json as { links: { self: string } }).links.self;
      expect((await call('GET', self)).status).toBe(200);
      const bob = await app.token({ subject: 'bob', scopes: allScopes, clientId: randomUUID() });
      expectError(await call('GET', self, { token: bob }), 404, 'OrderNotFound');
    });
  });

  describe('versions', () => {
    it('serves /v1/orders with Deprecation, Sunset and a successor Link', async () => {
      const created = await call('POST', '/v1/orders', {
        body: { customerId: 'c-1', sku: 'SKU-1', quantity: 1, shippingRegion: 'us' },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('deprecation')).toBe(`@${Date.parse('2026-01-01') / 1000}`);
      expect(created.headers.get('sunset')).toBe('Thu, 01 Jan 2099 00:00:00 GMT');
      expect(created.headers.get('link')).toBe('</v2/orders>; rel="successor-version"');
      // The same order through v2 shows the v2 shape.
      const id = (created.json as { orderId: string }).orderId;
      const v2 = await call('GET', `/v2/orders/${id}`);
      expect(v2.json).toMatchObject({ items: [{ sku: 'SKU-1', quantity: 1 }], shipTo: { region: 'us' } });
    });
  });

  describe('bad input', () => {
    it.each<[string, { body?: unknown; raw?: string }, number, string]>([
      ['malformed JSON', { raw: '{"customerId": ' }, 400, 'ValidationFailed'],
      ['a wrong type', { body: { ...order, items: 'many' } }, 400, 'ValidationFailed'],
      ['an unknown field on a closed schema', { body: { ...order, discount: 100 } }, 400, 'ValidationFailed'],
      ['a missing field', { body: { customerId: 'c-1' } }, 400, 'ValidationFailed'],
      [
        'a body over the size limit that the model accepts',
        {
          raw: `{"customerId":"c-1",${' '.repeat(3_000)}"items":[{"sku":"SKU-1","quantity":1}],"shipTo":{"region":"eu","postcode":"10"}}`,
        },
        413,
        'PayloadTooLarge',
      ],
    ])('answers %s with a %i JSON error, never reaching the handler', async (_name, input, status, code) => {
      expectError(await call('POST', '/v2/orders', input), status, code);
    });

    it('names the offending fields of an invalid body', async () => {
      const result = await call('POST', '/v2/orders', {
        body: { ...order, items: [{ sku: 'bad sku', quantity: 0 }] },
      });
      expectError(result, 400, 'ValidationFailed');
      expect(JSON.stringify((result.json as ErrorBody).error.details)).toMatch(/quantity|sku/);
    });
  });

  describe('idempotent commands', () => {
    it('returns the first answer to a repeat, and 422 to the same key with another body', async () => {
      const clientId = randomUUID();
      const headers = { 'Idempotency-Key': `k-${randomUUID()}` };
      const first = await call('POST', '/v2/orders', { body: order, headers, clientId });
      const again = await call('POST', '/v2/orders', { body: order, headers, clientId });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect((again.json as { orderId: string }).orderId).toBe((first.json as { orderId: string }).orderId);
      const other = await call('POST', '/v2/orders', {
        body: { ...order, customerId: 'c-2' },
        headers,
        clientId,
      });
      expectError(other, 422, 'IdempotencyKeyReused');
    });
  });

  describe('rate limits', () => {
    it('admits no more than the partner limit of concurrent requests from one client, with agreeing headers', async () => {
      const clientId = randomUUID();
      const token = await app.token({ scopes: allScopes, clientId });
      const results = await Promise.all(
        Array.from({ length: 26 }, () => call('GET', `/v2/orders/${randomUUID()}`, { token })),
      );
      const admitted = results.filter((r) => r.status === 404);
      const limited = results.filter((r) => r.status === 429);
      expect(admitted).toHaveLength(20);
      expect(limited).toHaveLength(6);
      expect(
        admitted.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const r of limited) {
        expectError(r, 429, 'RateLimited');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      }
    });

    it('throttles a free key at the gateway with 429, Retry-After and the JSON error shape', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => call('GET', `/v2/orders/${randomUUID()}`, { key: app.keys.free })),
      );
      const throttled = results.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(4);
      for (const r of throttled) {
        expectError(r, 429, 'Throttled');
        expect(r.headers.get('retry-after')).toBe('1');
      }
    });
  });

  describe('direct integrations', () => {
    it('queues a webhook with its provider and received-at time, and the consumer records it once', async () => {
      const id = `evt_${randomUUID()}`;
      const webhook = { id, type: 'charge.succeeded', data: { amount: 10 } };
      const before = Date.now();
      const first = await call('POST', '/v1/webhooks/stripe', { body: webhook });
      const repeat = await call('POST', '/v1/webhooks/stripe', { body: webhook });
      expect(first.status).toBe(202);
      expect(repeat.status).toBe(202);
      const documents = DynamoDBDocumentClient.from(app.running.runtime.engines.dynamodb);
      const table = app.running.physical(app.stacks.api.webhookInbox);
      const item = await eventually(async () => {
        const { Item } = await documents.send(
          new GetCommand({ TableName: table, Key: { webhookId: `stripe#${id}` } }),
        );
        return Item;
      });
      expect(item).toMatchObject({ provider: 'stripe', eventType: 'charge.succeeded' });
      expect(JSON.parse(item.payload as string)).toEqual(webhook);
      expect(Date.parse(item.receivedAt as string)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('answers a webhook from an unknown provider with 404 and queues nothing', async () => {
      const result = await call('POST', '/v1/webhooks/acme', { body: { id: 'e', type: 't', data: {} } });
      expectError(result, 404, 'NotFound');
    });

    it('puts a telemetry reading on the stream, partitioned by device, and rejects an invalid one', async () => {
      const reading = {
        deviceId: `dev-${randomUUID().slice(0, 8)}`,
        metric: 'temp.c',
        value: 21.5,
        recordedAt: '2026-11-25T10:00:00Z',
      };
      const accepted = await call('POST', '/v1/telemetry', { body: reading });
      expect(accepted.status).toBe(202);
      const kinesis = app.running.runtime.engines.kinesis;
      const streamName = app.running.physical(app.stacks.api.telemetry);
      const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: streamName }));
      const shardId = StreamDescription?.Shards?.[0]?.ShardId;
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      const found = (Records ?? []).find((r) => r.PartitionKey === reading.deviceId);
      expect(JSON.parse(Buffer.from(found?.Data ?? new Uint8Array()).toString('utf8'))).toEqual(reading);

      expectError(
        await call('POST', '/v1/telemetry', { body: { ...reading, value: 'hot' } }),
        400,
        'ValidationFailed',
      );
    });
  });

  /** A request Node's fetch would refuse to send (unknown methods, oversize headers), over a raw socket. */
  function raw(method: string, route: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; type: string; json: unknown }>((resolve, reject) => {
      const req = httpRequest(`${app.baseUrl}${route}`, { method, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            json: JSON.parse(text),
          });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  describe('the edge policy', () => {
    it.each(['%zz', '%C0%AF', '%ED%A0%80', '%'])(
      'answers an undecodable path parameter (%s) with 400 JSON',
      async (segment) => {
        expectError(await call('GET', `/v2/orders/${segment}`), 400, 'BadRequest');
        expectError(await call('GET', `/v1/accounts/${segment}`), 400, 'BadRequest');
      },
    );

    it('answers a path key longer than a table key allows with 400', async () => {
      expectError(await call('GET', `/v1/inventory/${'S'.repeat(2_000)}`), 400, 'InvalidPathParameter');
    });

    it.each([
      ['0', '0'],
      ['-1', '-1'],
      ['beyond the largest safe integer', '9007199254740993'],
      ['1e309', '1e309'],
      ['5,000 characters', 'x'.repeat(5_000)],
      ['an impossible date', '2026-99-99T00:00:00Z'],
      ['a day the month does not have', '2026-02-30T00:00:00Z'],
    ])('answers asOf of %s with 400 InvalidQueryParameter', async (_name, asOf) => {
      expectError(
        await call('GET', `/v1/accounts/${randomUUID()}?asOf=${asOf}`),
        400,
        'InvalidQueryParameter',
      );
    });

    it('answers an unknown method and oversize headers with the JSON error shape', async () => {
      for (const [result, status] of [
        [await raw('FOO', '/v1/health'), 400],
        [await raw('GET', '/v1/health', { 'x-big': 'a'.repeat(16_500) }), 431],
      ] as const) {
        expect(result.status).toBe(status);
        expect(result.type).toBe('application/json');
        expect((result.json as ErrorBody).error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('takes application/json in any case on every route, and refuses other media types with 415', async () => {
      const reading = {
        deviceId: 'dev-case',
        metric: 'temp.c',
        value: 1,
        recordedAt: '2026-11-25T10:00:00Z',
      };
      const upper = { 'content-type': 'Application/JSON; charset=UTF-8' };
      expect((await call('POST', '/v1/telemetry', { body: reading, headers: upper })).status).toBe(202);
      expect((await call('POST', '/v2/orders', { body: order, headers: upper })).status).toBe(201);
      for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
        const headers = { 'content-type': type };
        expect((await call('POST', '/v1/telemetry', { body: reading, headers })).status, type).toBe(415);
        expectError(await call('POST', '/v2/orders', { body: order, headers }), 415, 'UnsupportedMediaType');
      }
    });

    it('refuses a number JSON can write but not hold (1e309) on a direct integration', async () => {
      const text =
        '{"deviceId":"dev-inf","metric":"temp.c","value":1e309,"recordedAt":"2026-11-25T10:00:00Z"}';
      expectError(await call('POST', '/v1/telemetry', { raw: text }), 400, 'ValidationFailed');
    });

    it('answers a telemetry reading larger than a stream record may be with 413', async () => {
      const padded = `{"deviceId":"dev-big","metric":"temp.c","value":1,"recordedAt":"2026-11-25T10:00:00Z"${' '.repeat(1_048_600)}}`;
      expectError(await call('POST', '/v1/telemetry', { raw: padded }), 413, 'PayloadTooLarge');
    });

    it('answers a webhook larger than SQS accepts with 413 and queues nothing', async () => {
      const sqs = app.running.runtime.engines.sqs;
      const QueueUrl = app.running.physical(app.stacks.api.webhooks.queue);
      const depth = async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          Number(Attributes?.ApproximateNumberOfMessages) +
          Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
        );
      };
      const before = await depth();
      const big = { id: `evt_${randomUUID()}`, type: 'bulk', data: { blob: 'x'.repeat(300_000) } };
      expectError(await call('POST', '/v1/webhooks/stripe', { body: big }), 413, 'PayloadTooLarge');
      expect(await depth()).toBe(before);
    });
  });

  describe('idempotency across callers', () => {
    it('never answers one subject’s request with another’s, even with the same key, client and API key', async () => {
      // GIVEN alice placed an order with a key
      const clientId = randomUUID();
      const headers = { 'Idempotency-Key': `k-${randomUUID()}` };
      const alice = await call('POST', '/v2/orders', { body: order, headers, clientId });
      // WHEN bob replays her key and body with the same OAuth client and API key
      const bobToken = await app.token({ subject: 'bob', scopes: allScopes, clientId });
      const bob = await call('POST', '/v2/orders', { body: order, headers, token: bobToken });
      // THEN bob gets an order of his own, and hers stays hers
      expect(bob.status).toBe(201);
      const bobsId = (bob.json as { orderId: string }).orderId;
      expect(bobsId).not.toBe((alice.json as { orderId: string }).orderId);
      expect((await call('GET', `/v2/orders/${bobsId}`, { token: bobToken })).status).toBe(200);
    });
  });
});
