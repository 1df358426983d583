import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

/**
 * Customers through the offline gateway: CRUD on the source table; its change stream captured as
 * Debezium-format events onto the EventStream; the search sink (enhanced fan-out) keeping the view that
 * `GET /v1/customers/search` reads.
 */
describe('customers, offline', () => {
  let app: ReferenceApp;
  const allScopes = 'customers:read customers:write';

  beforeAll(async () => {
    app = await runReferenceApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  async function call(
    method: string,
    route: string,
    options: { body?: unknown; scopes?: string; headers?: Record<string, string> } = {},
  ) {
    const token = await app.token({ scopes: options.scopes ?? allScopes, clientId: randomUUID() });
    const response = await fetch(`${app.baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-api-key': app.keys.partner ?? '',
        'content-type': 'application/json',
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown>,
    };
  }
  const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string } | undefined)?.code;
  const search = async (q: string) => {
    const r = await call('GET', `/v1/customers/search?q=${encodeURIComponent(q)}`);
    expect(r.status).toBe(200);
    return (r.json.items as { customerId: string }[]).map((i) => i.customerId);
  };
  /** A word no other test's customer has, so searches see only this test's customers. */
  const word = () => `w${randomUUID().replace(/-/g, '').slice(0, 12)}`;

  it('finds a created customer in search, follows an update, and drops it on delete', async () => {
    // GIVEN a customer created with unique words in its name
    const [first, old, renamed] = [word(), word(), word()];
    const created = await call('POST', '/v1/customers', {
      body: { name: `Élise ${first} ${old}`, email: `${first}@example.com` },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(created.status).toBe(201);
    const customerId = String(created.json.customerId);
    expect(created.json).toEqual({
      customerId,
      name: `Élise ${first} ${old}`,
      email: `${first}@example.com`,
    });
    expect(created.headers.get('x-ratelimit-limit')).not.toBeNull();
    // THEN it is read back at once, and found in search once its change event reached the view
    expect((await call('GET', `/v1/customers/${customerId}`)).json).toEqual(created.json);
    await eventually(async () => ((await search(old.toUpperCase())).includes(customerId) ? true : undefined));
    expect(await search(`${first}@example.com`)).toEqual([customerId]);

    // WHEN renamed
    const updated = await call('PUT', `/v1/customers/${customerId}`, {
      body: { name: `Elise ${first} ${renamed}`, email: `${first}@example.com`, phone: '+442079460958' },
    });
    expect(updated.status).toBe(200);
    // THEN the new name finds it and the old one no longer does
    await eventually(async () => ((await search(renamed)).includes(customerId) ? true : undefined));
    expect(await search(old)).toEqual([]);
    expect(await search(first)).toEqual([customerId]);

    // WHEN deleted
    expect((await call('DELETE', `/v1/customers/${customerId}`)).status).toBe(204);
    // THEN it is gone from the table at once and from search once the delete reached the view
    expect((await call('GET', `/v1/customers/${customerId}`)).status).toBe(404);
    await eventually(async () => ((await search(first)).length === 0 ? true : undefined));
    expect((await call('DELETE', `/v1/customers/${customerId}`)).status).toBe(404);
  });

  it('archives every change of a customer in S3 once, by table, date and source position', async () => {
    // GIVEN a customer created, updated and deleted
    const body = { name: `Archived ${word()}`, email: 'archived@example.com' };
    const customerId = String((await call('POST', '/v1/customers', { body })).json.customerId);
    await call('PUT', `/v1/customers/${customerId}`, { body: { ...body, phone: '+442079460958' } });
    await call('DELETE', `/v1/customers/${customerId}`);
    // THEN the archive holds its three change events (not the tombstone), under their day's partition
    const s3 = app.running.runtime.engines.s3;
    const bucket = app.running.physical(app.stacks.api.customers.archive);
    const table = app.running.physical(app.stacks.api.customers.table);
    const sha = createHash('sha256').update(`${table}:{"customerId":"${customerId}"}`).digest('hex');
    const prefix = `cdc/table=${table}/`;
    const keys = await eventually(async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      const mine = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.endsWith(`-${sha}.json`));
      // Sorted by position: the keys' names after the date.
      return mine.length === 3
        ? mine.sort((a, b) => a.split('/')[3]?.localeCompare(b.split('/')[3] ?? '') ?? 0)
        : undefined;
    });
    const ops = [];
    for (const Key of keys) {
      const text = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))
      ).Body?.transformToString();
      const event = JSON.parse(text ?? '{}') as { op: string; source: { sequence: string; ts_ms: number } };
      const date = new Date(event.source.ts_ms).toISOString().slice(0, 10);
      expect(Key).toBe(`${prefix}date=${date}/${event.source.sequence}-${sha}.json`);
      ops.push(event.op);
    }
    expect(ops).toEqual(['c', 'u', 'd']);
  });

  it('answers bad input with a 4xx JSON error, never a 5xx', async () => {
    const cases = [
      await call('POST', '/v1/customers', { body: { name: 'Ada' } }),
      await call('POST', '/v1/customers', { body: { name: 'Ada', email: 'not-an-address' } }),
      await call('POST', '/v1/customers', { body: { name: 'Ada', email: 'a@example.com', extra: 1 } }),
      await call('PUT', `/v1/customers/${randomUUID()}`, { body: { name: 'Ada', email: 'a@example.com' } }),
      await call('GET', '/v1/customers/not-a-customer'),
      await call('GET', '/v1/customers/search'),
      await call('GET', '/v1/customers/search?q='),
      await call('GET', `/v1/customers/search?q=${'a'.repeat(201)}`),
    ];
    for (const response of cases) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const error = response.json.error as { code?: unknown; message?: unknown } | undefined;
      expect(typeof error?.code).toBe('string');
      expect(typeof error?.message).toBe('string');
    }
    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 404, 404, 400, 400, 400]);
    expect(code(cases[3] ?? { json: {} })).toBe('CustomerNotFound');
  });

  it('enforces the scopes: reading needs customers:read, writing customers:write', async () => {
    const body = { name: 'Scoped', email: 'scoped@example.com' };
    const readOnly = await call('POST', '/v1/customers', { body, scopes: 'customers:read' });
    expect(readOnly.status).toBe(403);
    expect(code(readOnly)).toBe('Forbidden');
    const created = await call('POST', '/v1/customers', { body, scopes: 'customers:write' });
    expect(created.status).toBe(201);
    const id = String(created.json.customerId);
    expect((await call('GET', `/v1/customers/${id}`, { scopes: 'customers:write' })).status).toBe(403);
    expect((await call('GET', '/v1/customers/search?q=scoped', { scopes: 'catalog:read' })).status).toBe(403);
    expect((await call('DELETE', `/v1/customers/${id}`, { scopes: 'customers:read' })).status).toBe(403);
    expect((await call('GET', `/v1/customers/${id}`, { scopes: 'customers:read' })).status).toBe(200);
  });
});
