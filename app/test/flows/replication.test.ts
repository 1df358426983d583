import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfluxApp } from '../../app';
import { replicationState, runDrill } from '../../ops/replication-drill';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { cdkJsonContext } from '../../../test/support/cdk';
import { eventually } from '../../../test/support/runtime';

/**
 * The reference app with cdk.json's replication (read models eventual to us-east-2 and us-west-2, orders strong
 * over the three US Regions), offline: replicas converge after the lag, concurrent writes end with the later
 * one everywhere, and the failover drill loses writes in eventual mode and none in strong mode.
 */
describe('replication, offline', () => {
  let app: ReferenceApp;
  let endpoint: string;
  const clients: DynamoDBClient[] = [];
  const client = (region: string) => {
    const made = new DynamoDBClient({
      region,
      endpoint,
      credentials: { accessKeyId: `test-${region}`, secretAccessKey: 'test' },
    });
    clients.push(made);
    return made;
  };
  let productView: string;

  beforeAll(async () => {
    app = await runReferenceApp();
    endpoint = app.running.runtime.endpoints.dynamodb ?? '';
    productView = app.running.physical(app.stacks.api.catalog.productView);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await app.stop();
  });

  it('replicates each family as cdk.json says, and leaves the event store single-Region', async () => {
    const state = await replicationState(endpoint);
    const modes = Object.fromEntries(state.tables.map((t) => [t.tableName, t.mode]));
    expect(modes[productView]).toBe('eventual');
    expect(modes[app.running.physical(app.stacks.api.customers.searchTable)]).toBe('eventual');
    expect(modes[app.running.physical(app.stacks.api.accounts.view.tables.a)]).toBe('eventual');
    expect(modes[app.running.physical(app.stacks.api.ordersTable)]).toBe('strong');
    expect(modes[app.running.physical(app.stacks.api.accounts.store.table)]).toBeUndefined();
    expect(modes[app.running.physical(app.stacks.api.fulfilment.inventory)]).toBeUndefined();
  });

  it('converges a replica after the configured lag, with no aws:rep attributes', async () => {
    // GIVEN a product view row written in us-east-1
    const sku = `SKU-${randomUUID().slice(0, 8)}`;
    const key = { sku: { S: sku } };
    const east = client('us-east-1');
    const ohio = client('us-east-2');
    const { lagMs } = await replicationState(endpoint);
    const written = Date.now();
    await east.send(new PutItemCommand({ TableName: productView, Item: { ...key, name: { S: 'Hammer' } } }));
    // THEN us-east-2 does not have it yet…
    const early = await ohio.send(new GetItemCommand({ TableName: productView, Key: key }));
    expect(early.Item).toBeUndefined();
    // …and has it, as written, once the lag has passed
    let arrived: Record<string, unknown> | undefined;
    while (!arrived && Date.now() - written < lagMs + 10_000) {
      arrived = (await ohio.send(new GetItemCommand({ TableName: productView, Key: key }))).Item;
      if (!arrived) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(Date.now() - written).toBeGreaterThanOrEqual(lagMs);
    expect(arrived).toEqual({ ...key, name: { S: 'Hammer' } });
    expect(Object.keys(arrived ?? {}).filter((k) => k.startsWith('aws:rep'))).toEqual([]);
  });

  it('ends concurrent writes in two Regions with the later one in both', async () => {
    // GIVEN one item written in us-east-1, then in us-west-2, within the lag
    const key = { sku: { S: `SKU-${randomUUID().slice(0, 8)}` } };
    const east = client('us-east-1');
    const oregon = client('us-west-2');
    const before = (await replicationState(endpoint)).tables.find((t) => t.tableName === productView);
    await east.send(new PutItemCommand({ TableName: productView, Item: { ...key, name: { S: 'first' } } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await oregon.send(
      new PutItemCommand({ TableName: productView, Item: { ...key, name: { S: 'second' } } }),
    );
    // WHEN replication settles
    const settled = await fetch(new URL('/_conflux/replication/settle', endpoint), { method: 'POST' });
    expect(settled.status).toBe(200);
    // THEN every Region holds the later write, and the conflict was counted once
    for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
      const { Item } = await client(region).send(
        new GetItemCommand({ TableName: productView, Key: key, ConsistentRead: true }),
      );
      expect(Item?.name, region).toEqual({ S: 'second' });
    }
    const after = (await replicationState(endpoint)).tables.find((t) => t.tableName === productView);
    expect((after?.conflicts ?? 0) - (before?.conflicts ?? 0)).toBe(1);
  });

  it('loses acknowledged writes on failover in eventual mode, and converges once A is back', async () => {
    const result = await runDrill({ endpoint, mode: 'eventual', writes: 80, items: 10 });
    expect(result.tableName).toBe(
      (await replicationState(endpoint)).tables.find((t) => t.mode === 'eventual')?.tableName,
    );
    expect(result.lostWrites).toBeGreaterThan(0);
    expect(result.rpoSeconds).toBeGreaterThan(0);
    expect(result.rpoSeconds).toBeLessThan(result.configuredMs / 1000 + 1);
    expect(result.converged).toBe(true);
    // A's unreplicated writes were older than B's: last writer wins each conflict for B.
    expect(result.overwrittenItems + result.recoveredItems).toBeGreaterThan(0);
    expect(result.conflicts).toBeGreaterThan(0);
  });

  it('loses no acknowledged write on failover in strong mode', async () => {
    const result = await runDrill({ endpoint, mode: 'strong', writes: 40, items: 10 });
    expect(result.tableName).toBe(app.running.physical(app.stacks.api.ordersTable));
    expect(result.ackedInA).toBe(20);
    expect(result.lostWrites).toBe(0);
    expect(result.rpoSeconds).toBe(0);
    expect(result.ackedInB).toBe(20);
    expect(result.converged).toBe(true);
    expect(result.conflicts).toBe(0);
    // Each write waited for the round trip to another Region.
    expect(result.writeLatencyMs.p50).toBeGreaterThanOrEqual(result.configuredMs);
  });

  it('serves the product view from the local replica, and replicates the projector’s row to every Region', async () => {
    // GIVEN a category and a product written through the API
    const token = await app.token({ scopes: 'catalog:read catalog:write', clientId: randomUUID() });
    const suffix = randomUUID().slice(0, 8);
    const sku = `SKU-${suffix.toUpperCase()}`;
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${app.baseUrl}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'x-api-key': app.keys.partner ?? '',
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await call('PUT', `/v1/categories/tools-${suffix}`, { name: 'Tools' })).status).toBe(200);
    const put = await call('PUT', `/v1/products/${sku}`, {
      name: 'Saw',
      categoryId: `tools-${suffix}`,
      priceMinor: 900,
    });
    expect(put.status).toBe(200);
    // WHEN the projector has written the view in us-east-1 and replication has settled
    const view = await eventually(async () => {
      const r = await call('GET', `/v1/products/${sku}`);
      return r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined;
    });
    expect(view).toMatchObject({ sku, name: 'Saw', category: { name: 'Tools' } });
    expect((await fetch(new URL('/_conflux/replication/settle', endpoint), { method: 'POST' })).status).toBe(
      200,
    );
    // THEN both other Regions hold the same row
    const rows = await Promise.all(
      ['us-east-1', 'us-east-2', 'us-west-2'].map(
        async (region) =>
          (
            await client(region).send(
              new GetItemCommand({ TableName: productView, Key: { sku: { S: sku } }, ConsistentRead: true }),
            )
          ).Item,
      ),
    );
    expect(rows[0]).toBeDefined();
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });
});

describe('replication, at synth', () => {
  const synth =
    (replication: unknown, more: Record<string, unknown> = {}) =>
    () => {
      const app = new App({
        context: {
          ...cdkJsonContext(),
          'aws:cdk:bundling-stacks': [],
          'conflux:replication': replication,
          ...more,
        },
      });
      buildConfluxApp(app);
      app.synth();
    };

  it.each([
    [
      'strong orders across Region sets',
      { replicaRegions: ['eu-west-1', 'us-west-2'], families: { orders: 'strong' } },
      /MRSC|Region set/,
    ],
    [
      'strong orders in two Regions without a witness',
      { replicaRegions: ['us-east-2'], families: { orders: 'strong' } },
      /three Regions|witness/,
    ],
    [
      'strong stock, whose reservations are transactions',
      { replicaRegions: ['us-east-2', 'us-west-2'], families: { stock: 'strong' } },
      /stock cannot be "strong"/,
    ],
    [
      'a replica in the stack’s own Region',
      { replicaRegions: ['us-east-1'], families: { readModels: 'eventual' } },
      /us-east-1 is the stack's own Region/,
    ],
  ])('fails on %s, naming the rule', (_name, replication, message) => {
    expect(synth(replication)).toThrow(message);
  });

  it('synthesizes the default configuration, env-agnostic or in a named account and Region', () => {
    const defaults = cdkJsonContext()['conflux:replication'];
    expect(synth(defaults)).not.toThrow();
    expect(synth(defaults, { 'conflux:account': '123456789012', 'conflux:stage': 'prod' })).not.toThrow();
    expect(synth(undefined, { 'conflux:region': undefined })).not.toThrow();
  });
});
