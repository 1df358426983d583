import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

/** The catalog through the offline gateway: commands on write tables, the joined product view by stream. */
describe('catalog, offline', () => {
  let app: ReferenceApp;
  const scopes = 'catalog:read catalog:write reviews:write';

  beforeAll(async () => {
    app = await runReferenceApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  async function call(method: string, route: string, body?: unknown, subject = 'alice') {
    const token = await app.token({ subject, scopes, clientId: randomUUID() });
    const response = await fetch(`${app.baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-api-key': app.keys.partner ?? '',
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string } | undefined)?.code;

  it('serves a product view that joins its category name and average rating, and follows a rename', async () => {
    const suffix = randomUUID().slice(0, 8);
    const category = `tools-${suffix}`;
    const sku = `SKU-${suffix.toUpperCase()}`;
    expect((await call('PUT', `/v1/categories/${category}`, { name: 'Tools' })).status).toBe(200);
    expect(
      (await call('PUT', `/v1/products/${sku}`, { name: 'Hammer', categoryId: category, priceMinor: 1999 }))
        .status,
    ).toBe(200);
    expect((await call('POST', `/v1/products/${sku}/reviews`, { rating: 4 }, 'alice')).status).toBe(201);
    expect(
      (await call('POST', `/v1/products/${sku}/reviews`, { rating: 5, comment: 'solid' }, 'bob')).status,
    ).toBe(201);
    // Alice changes her mind: one review per reviewer, the second replaces the first.
    expect((await call('POST', `/v1/products/${sku}/reviews`, { rating: 2 }, 'alice')).status).toBe(201);

    const view = await eventually(async () => {
      const r = await call('GET', `/v1/products/${sku}`);
      const rating = r.json.rating as { count: number; average: number } | undefined;
      return rating?.count === 2 && rating.average === 3.5 ? r.json : undefined;
    });
    expect(view).toMatchObject({
      sku,
      name: 'Hammer',
      priceMinor: 1999,
      category: { id: category, name: 'Tools' },
    });

    await call('PUT', `/v1/categories/${category}`, { name: 'Hand tools' });
    await eventually(async () => {
      const r = await call('GET', `/v1/products/${sku}`);
      return (r.json.category as { name: string } | undefined)?.name === 'Hand tools' ? true : undefined;
    });
  });

  it('refuses a product in an unknown category, a review of an unknown product, and a bad rating', async () => {
    const missingCategory = await call('PUT', '/v1/products/SKU-NOPE', {
      name: 'x',
      categoryId: 'nope',
      priceMinor: 1,
    });
    expect(missingCategory.status).toBe(422);
    expect(code(missingCategory)).toBe('UnknownCategory');
    const missingProduct = await call(
      'POST',
      `/v1/products/SKU-${randomUUID().slice(0, 8).toUpperCase()}/reviews`,
      { rating: 3 },
    );
    expect(missingProduct.status).toBe(404);
    expect(code(missingProduct)).toBe('ProductNotFound');
    const badRating = await call('POST', '/v1/products/SKU-ANY/reviews', { rating: 6 });
    expect(badRating.status).toBe(400);
    expect(code(badRating)).toBe('ValidationFailed');
    expect((await call('GET', '/v1/products/SKU-NEVER')).status).toBe(404);
  });
});
