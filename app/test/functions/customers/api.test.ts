import { beforeAll, describe, expect, it } from 'vitest';
import type { handler as ApiHandler } from '../../../functions/customers/api.handler';
import type { handler as SinkHandler } from '../../../functions/customers/search-sink.handler';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { apiEvent, lambdaContext } from '../../../../test/support/fixtures';
import { changeRecord, customer, kinesisEvent } from './fixtures';
import { createSearchTable } from './search-view';

describe('customers API handler (DynamoDB Local)', () => {
  const ddb = useDynamoDbLocal();
  let api: typeof ApiHandler;
  let sink: typeof SinkHandler;
  let table: string;

  beforeAll(async () => {
    table = await ddb.createTable('customers', 'customerId');
    process.env.CUSTOMERS_TABLE_NAME = table;
    process.env.SEARCH_TABLE_NAME = await createSearchTable(ddb.endpoint);
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler: api } = await import('../../../functions/customers/api.handler'));
    ({ handler: sink } = await import('../../../functions/customers/search-sink.handler'));
  });

  async function call(
    method: string,
    resource: string,
    options: {
      id?: string;
      body?: unknown;
      query?: Record<string, string>;
      headers?: Record<string, string>;
      clientId?: string;
    } = {},
  ) {
    const path = options.id === undefined ? resource : resource.replace('{customerId}', options.id);
    const response = await api(
      apiEvent({
        method,
        resource,
        path,
        body: options.body,
        query: options.query,
        headers: options.headers,
        clientId: options.clientId,
        pathParameters: options.id === undefined ? undefined : { customerId: options.id },
      }),
      lambdaContext(),
    );
    return {
      status: response.statusCode,
      json: (response.body === '' ? undefined : JSON.parse(response.body)) as Record<string, unknown>,
    };
  }
  const errorCode = (r: { json: Record<string, unknown> }) => (r.json.error as { code?: string }).code;
  const ada = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+442079460958' };

  it('creates a customer with a fresh id, reads it back, replaces it and deletes it', async () => {
    // GIVEN a created customer
    const created = await call('POST', '/v1/customers', { body: ada });
    expect(created.status).toBe(201);
    const customerId = String(created.json.customerId);
    expect(customerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json).toEqual({ customerId, ...ada });
    // THEN it reads back from the source table, and the source item has its times
    expect(await call('GET', '/v1/customers/{customerId}', { id: customerId })).toEqual({
      status: 200,
      json: { customerId, ...ada },
    });
    expect(typeof (await ddb.get(table, { customerId }))?.createdAt).toBe('string');
    // WHEN it is replaced without a phone
    const replaced = await call('PUT', '/v1/customers/{customerId}', {
      id: customerId,
      body: { name: 'Ada King', email: 'ada@king.example' },
    });
    expect(replaced).toEqual({
      status: 200,
      json: { customerId, name: 'Ada King', email: 'ada@king.example' },
    });
    // AND deleted
    expect((await call('DELETE', '/v1/customers/{customerId}', { id: customerId })).status).toBe(204);
    // THEN it is gone for every route
    for (const method of ['GET', 'DELETE']) {
      const gone = await call(method, '/v1/customers/{customerId}', { id: customerId });
      expect(gone.status).toBe(404);
      expect(errorCode(gone)).toBe('CustomerNotFound');
    }
    const put = await call('PUT', '/v1/customers/{customerId}', { id: customerId, body: ada });
    expect(put.status).toBe(404);
    expect(await ddb.get(table, { customerId })).toBeUndefined();
  });

  it('answers a repeated POST with the same Idempotency-Key with the first customer', async () => {
    // GIVEN one client, one key
    const options = { headers: { 'Idempotency-Key': `create-${Date.now()}` }, clientId: 'client-1' };
    const first = await call('POST', '/v1/customers', { body: ada, ...options });
    // WHEN the request is repeated, and the key reused with another body
    const again = await call('POST', '/v1/customers', { body: ada, ...options });
    const other = await call('POST', '/v1/customers', { body: { ...ada, name: 'Grace' }, ...options });
    // THEN the repeat is the first answer, and the reuse a 422
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect(other.status).toBe(422);
  });

  it.each([
    ['an empty name', { ...ada, name: '' }],
    ['a blank name', { ...ada, name: '   ' }],
    ['a name with a control character', { ...ada, name: 'Ada\u0007' }],
    ['a name over 120 characters', { ...ada, name: 'a'.repeat(121) }],
    ['no e-mail', { name: 'Ada' }],
    ['a malformed e-mail', { ...ada, email: 'ada@' }],
    ['a phone that is not E.164', { ...ada, phone: '020 7946 0958' }],
    ['an unknown field', { ...ada, vip: true }],
  ])('refuses %s with 400 ValidationFailed', async (_what, body) => {
    const response = await call('POST', '/v1/customers', { body });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('ValidationFailed');
  });

  it('answers 404 for an id that cannot be a customer’s', async () => {
    const response = await call('GET', '/v1/customers/{customerId}', { id: 'not-a-uuid' });
    expect(response.status).toBe(404);
    expect(errorCode(response)).toBe('CustomerNotFound');
  });

  it('searches the view by any word of the name or e-mail, case- and accent-insensitively', async () => {
    // GIVEN two customers in the search view
    const elise = customer({ customerId: 'search-1', name: 'Élise Núñez', email: 'elise@correo.example' });
    const grace = customer({ customerId: 'search-2', name: 'Grace Hopper', email: 'grace@navy.example' });
    const records = [elise, grace].map((c, i) => changeRecord({ op: 'c', after: c, position: i + 1 }));
    expect((await sink(kinesisEvent(...records), lambdaContext())).batchItemFailures).toEqual([]);
    // WHEN searched
    const search = (q: string) => call('GET', '/v1/customers/search', { query: { q } });
    // THEN any matching word finds them, in their own spelling
    expect(await search('ELISE')).toEqual({ status: 200, json: { items: [elise] } });
    expect((await search('nunez hopper')).json.items).toEqual(
      [grace, elise].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect((await search('grace@navy.example')).json.items).toEqual([grace]);
    expect((await search('nobody')).json.items).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(201)],
    ['without a word', '?!'],
  ])('refuses a search whose q is %s with 400', async (_what, q) => {
    const response = await call('GET', '/v1/customers/search', { query: q === undefined ? {} : { q } });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('InvalidQueryParameter');
  });
});
