import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { ApiLambdaCrudDynamoDBStack } from './apps/api-cors-lambda-crud-dynamodb/index';
import { runThirdPartyApp } from './support';

/** aws-samples/aws-cdk-examples typescript/api-cors-lambda-crud-dynamodb: REST API, five Lambdas, one table, MOCK CORS. */
describe('api-cors-lambda-crud-dynamodb', () => {
  let running: RunningApp;
  let stack: ApiLambdaCrudDynamoDBStack;
  const url = (path: string) => `${running.runtime.baseUrl ?? ''}${path}`;

  beforeAll(async () => {
    running = await runThirdPartyApp('api-cors-lambda-crud-dynamodb', (app) => {
      stack = new ApiLambdaCrudDynamoDBStack(app, 'ApiLambdaCrudDynamoDBExample');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const listItems = async () => {
    const response = await fetch(url('/items'));
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>[];
  };

  it('stores a POSTed item in the table, with an itemId, and lists it', async () => {
    // README: "Lambda pointing to `lambdas/create.ts`, containing code for __storing__ an item into the DynamoDB table."
    // GIVEN a new item
    const name = `mug-${Date.now()}`;
    // WHEN it is POSTed to /items
    const created = await fetch(url('/items'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, colour: 'blue' }),
    });
    // THEN the API answers 201 and GET /items ("getting all items") lists it with a generated itemId
    expect(created.status).toBe(201);
    const item = (await listItems()).find((i) => i.name === name);
    expect(item).toMatchObject({ name, colour: 'blue' });
    expect(item?.itemId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // AND it is in the `items` table itself
    const table = stack.node.findChild('items');
    const stored = await running.runtime.engines.dynamodb.send(
      new GetItemCommand({
        TableName: running.physical(table),
        Key: { itemId: { S: String(item?.itemId) } },
      }),
    );
    expect(stored.Item?.name).toEqual({ S: name });
  });

  it('gets, updates and deletes one item by its id', async () => {
    // README: "…`get-one.ts`… __getting an item__", "…`update-one.ts`… __updating an item__", "…`delete-one.ts`… __deleting__ an item"
    // GIVEN a stored item
    const name = `plate-${Date.now()}`;
    await fetch(url('/items'), { method: 'POST', body: JSON.stringify({ name }) });
    const id = String((await listItems()).find((i) => i.name === name)?.itemId);
    // WHEN it is read, then PATCHed
    const got = await fetch(url(`/items/${id}`));
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ itemId: id, name });
    const patched = await fetch(url(`/items/${id}`), {
      method: 'PATCH',
      body: JSON.stringify({ price: 12 }),
    });
    // THEN the update answers 204 and the item has the new attribute
    expect(patched.status).toBe(204);
    expect(await (await fetch(url(`/items/${id}`))).json()).toMatchObject({ itemId: id, name, price: 12 });
    // WHEN it is deleted THEN it is gone: 404
    expect((await fetch(url(`/items/${id}`), { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(url(`/items/${id}`))).status).toBe(404);
  });

  it('answers the CORS preflight from its MOCK integration', async () => {
    // README: "An API, with CORS enabled on all HTTP Methods."
    // WHEN a browser sends the preflight OPTIONS /items/{id}
    const response = await fetch(url('/items/anything'), {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'DELETE' },
    });
    // THEN the MOCK integration answers 200 with the headers of its integration response
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('OPTIONS,GET,PUT,POST,DELETE');
    expect(response.headers.get('access-control-allow-headers')).toContain('X-Api-Key');
    expect(response.headers.get('access-control-allow-credentials')).toBe('false');
  });
});
