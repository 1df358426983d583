import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicationDocument } from '../../../src/services/dynamodb/replication-types.js';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const LAG_MS = 400;

describe('global tables with multi-Region eventual consistency, offline', () => {
  let running: RunningApp;
  let orders: string;
  let notes: string;
  const clients: DynamoDBClient[] = [];

  /** A client signed for `region` with an access key of its own, as another caller would have. */
  const client = (region: string, accessKeyId = `AK${randomUUID().slice(0, 8)}`) => {
    const c = new DynamoDBClient({
      region,
      endpoint: running.runtime.engines.endpoints.dynamodb,
      credentials: { accessKeyId, secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  let east1: DynamoDBClient;
  let east2: DynamoDBClient;

  const control = async (method: string, route: string, body?: string) => {
    const res = await fetch(`${running.runtime.engines.endpoints.dynamodb}/_conflux/${route}`, {
      method,
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const settle = async () => {
    const { status, body } = await control('POST', 'replication/settle');
    expect(status).toBe(200);
    return body as unknown as ReplicationDocument & { blocked: number };
  };
  const table = (doc: ReplicationDocument) => doc.tables.find((t) => t.tableName === orders);
  const get = async (c: DynamoDBClient, id: string) =>
    (await c.send(new GetItemCommand({ TableName: orders, Key: { id: { S: id } }, ConsistentRead: true })))
      .Item;

  beforeAll(async () => {
    let ordersTable!: dynamodb.TableV2;
    let notesTable!: dynamodb.Table;
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'GlobalEventual', { env: { region: 'us-east-1' } });
        ordersTable = new dynamodb.TableV2(stack, 'Orders', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          replicas: [{ region: 'us-east-2' }],
        });
        notesTable = new dynamodb.Table(stack, 'Notes', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        });
      },
      { replicationLagMs: LAG_MS },
    );
    orders = running.physical(ordersTable);
    notes = running.physical(notesTable);
    east1 = client('us-east-1');
    east2 = client('us-east-2');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await running.stop();
  });

  it('replicates a write after the lag, and measures a lag no shorter than the one configured', async () => {
    // GIVEN
    const id = randomUUID();
    // WHEN
    await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, total: { N: '12' } } }));
    const before = await get(east2, id);
    const doc = await settle();
    // THEN
    expect(before).toBeUndefined();
    expect(await get(east2, id)).toEqual({ id: { S: id }, total: { N: '12' } });
    expect(table(doc)?.lag.count).toBeGreaterThanOrEqual(1);
    expect(table(doc)?.lag.p50).toBeGreaterThanOrEqual(LAG_MS);
    expect(doc.lagMs).toBe(LAG_MS);
  });

  it('lets the later of two concurrent writes win in both Regions, counting the conflict once', async () => {
    // GIVEN
    const id = randomUUID();
    const conflictsBefore = table(await settle())?.conflicts ?? 0;
    // WHEN: both writes within the lag, us-east-2's the later one
    await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, by: { S: 'east-1' } } }));
    await east2.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, by: { S: 'east-2' } } }));
    const doc = await settle();
    // THEN
    expect((await get(east1, id))?.by).toEqual({ S: 'east-2' });
    expect((await get(east2, id))?.by).toEqual({ S: 'east-2' });
    expect(table(doc)?.conflicts).toBe(conflictsBefore + 1);
  });

  it('replicates deletes, BatchWriteItem requests and each item of a transaction', async () => {
    // GIVEN
    const [gone, batched, batchGone, t1, t2] = [1, 2, 3, 4, 5].map(() => randomUUID()) as [
      string,
      string,
      string,
      string,
      string,
    ];
    for (const id of [gone, batchGone]) {
      await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id } } }));
    }
    await settle();
    // WHEN
    await east1.send(new DeleteItemCommand({ TableName: orders, Key: { id: { S: gone } } }));
    await east1.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [orders]: [
            { PutRequest: { Item: { id: { S: batched }, via: { S: 'batch' } } } },
            { DeleteRequest: { Key: { id: { S: batchGone } } } },
          ],
        },
      }),
    );
    await east2.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: orders, Item: { id: { S: t1 }, via: { S: 'transaction' } } } },
          { Put: { TableName: orders, Item: { id: { S: t2 }, via: { S: 'transaction' } } } },
        ],
      }),
    );
    await settle();
    // THEN
    expect(await get(east2, gone)).toBeUndefined();
    expect(await get(east2, batchGone)).toBeUndefined();
    expect((await get(east2, batched))?.via).toEqual({ S: 'batch' });
    expect((await get(east1, t1))?.via).toEqual({ S: 'transaction' });
    expect((await get(east1, t2))?.via).toEqual({ S: 'transaction' });
  });

  it('replicates the full image an UpdateItem leaves, not the update', async () => {
    // GIVEN
    const id = randomUUID();
    await east1.send(
      new PutItemCommand({ TableName: orders, Item: { id: { S: id }, a: { N: '1' }, b: { S: 'kept' } } }),
    );
    // WHEN
    await east1.send(
      new UpdateItemCommand({
        TableName: orders,
        Key: { id: { S: id } },
        UpdateExpression: 'SET a = a + :one, c = :c',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':c': { S: 'new' } },
      }),
    );
    await settle();
    // THEN
    expect(await get(east2, id)).toEqual({ id: { S: id }, a: { N: '2' }, b: { S: 'kept' }, c: { S: 'new' } });
  });

  it('holds the writes a stopped Region acknowledged until it starts again, and answers 503 meanwhile', async () => {
    // GIVEN
    const id = randomUUID();
    await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, v: { N: '1' } } }));
    // WHEN
    const stopped = await control('POST', 'regions/us-east-1/stop');
    const held = await settle();
    const absent = await get(east2, id);
    const refused = await east1.send(new GetItemCommand({ TableName: orders, Key: { id: { S: id } } })).then(
      () => undefined,
      (error: unknown) => error as { name: string; $metadata: { httpStatusCode?: number } },
    );
    const started = await control('POST', 'regions/us-east-1/start');
    await settle();
    // THEN
    expect(stopped).toEqual({
      status: 200,
      body: { region: 'us-east-1', state: 'stopped', partitioned: false },
    });
    expect(held.blocked).toBeGreaterThanOrEqual(1);
    expect(absent).toBeUndefined();
    expect(refused?.name).toBe('ServiceUnavailableException');
    expect(refused?.$metadata.httpStatusCode).toBe(503);
    expect(started.body.state).toBe('up');
    expect((await get(east2, id))?.v).toEqual({ N: '1' });
  });

  it('replicates nothing in or out of a partitioned Region, which still serves its clients, until it heals', async () => {
    // GIVEN
    const id = randomUUID();
    await control('POST', 'regions/us-east-2/partition');
    // WHEN
    await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, by: { S: 'east-1' } } }));
    await east2.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id }, by: { S: 'east-2' } } }));
    const partitioned = await settle();
    const inEast1 = (await get(east1, id))?.by;
    const inEast2 = (await get(east2, id))?.by;
    await control('POST', 'regions/us-east-2/heal');
    const healed = await settle();
    // THEN
    expect(partitioned.regions).toContainEqual({ region: 'us-east-2', state: 'up', partitioned: true });
    expect(partitioned.blocked).toBe(2);
    expect(inEast1).toEqual({ S: 'east-1' });
    expect(inEast2).toEqual({ S: 'east-2' });
    expect(healed.blocked).toBe(0);
    expect((await get(east1, id))?.by).toEqual({ S: 'east-2' });
    expect((await get(east2, id))?.by).toEqual({ S: 'east-2' });
  });

  it('serves a table that is not replicated to every access key alike, in the runtime’s Region', async () => {
    // GIVEN
    const someone = client('us-east-1', 'SOMEONEELSE');
    // WHEN
    await someone.send(new PutItemCommand({ TableName: notes, Item: { id: { S: 'n1' } } }));
    const { Item } = await running.runtime.engines.dynamodb.send(
      new GetItemCommand({ TableName: notes, Key: { id: { S: 'n1' } } }),
    );
    // THEN
    expect(Item).toEqual({ id: { S: 'n1' } });
    expect(table(await settle())).toBeDefined();
    expect((await settle()).tables.map((t) => t.tableName)).not.toContain(notes);
  });

  it('serves a caller signed for a Region no global table names the runtime’s Region’s tables', async () => {
    // GIVEN
    await running.runtime.engines.dynamodb.send(
      new PutItemCommand({ TableName: notes, Item: { id: { S: 'n2' }, by: { S: 'home' } } }),
    );
    // WHEN: the aws CLI with AWS_REGION=eu-west-1, NoSQL Workbench's "localhost"
    const reads = await Promise.all(
      ['eu-west-1', 'localhost'].map(async (region) =>
        client(region).send(new GetItemCommand({ TableName: notes, Key: { id: { S: 'n2' } } })),
      ),
    );
    // THEN
    for (const { Item } of reads) expect(Item).toEqual({ id: { S: 'n2' }, by: { S: 'home' } });
  });

  it('answers 504 SettleTimeout with the pending count when deliveries outlast the timeout', async () => {
    // GIVEN: a lag far longer than the settle timeout
    await control('PUT', 'replication', JSON.stringify({ lagMs: 1_500 }));
    const id = randomUUID();
    await east1.send(new PutItemCommand({ TableName: orders, Item: { id: { S: id } } }));
    // WHEN
    const timedOut = await control('POST', 'replication/settle?timeoutMs=50');
    await control('PUT', 'replication', JSON.stringify({ lagMs: LAG_MS }));
    // THEN
    expect(timedOut).toMatchObject({ status: 504, body: { code: 'SettleTimeout', pending: 1 } });
    expect(typeof timedOut.body.message).toBe('string');
    await expect(running.runtime.engines.dynamodbRouter.settle(10_000)).resolves.toMatchObject({
      blocked: 0,
    });
    expect(await get(east2, id)).toEqual({ id: { S: id } });
  });

  it('answers the controls’ errors as JSON { code, message }', async () => {
    // WHEN
    const unknownRegion = await control('POST', 'regions/eu-west-9/stop');
    const unknownAction = await control('POST', 'regions/us-east-2/explode');
    const wrongMethod = await control('GET', 'regions/us-east-2/stop');
    const malformed = await control('PUT', 'replication', '{not json');
    const negative = await control('PUT', 'replication', JSON.stringify({ lagMs: -1 }));
    const badTimeout = await control('POST', 'replication/settle?timeoutMs=soon');
    const noRoute = await control('GET', 'replication/nothing');
    const changed = await control('PUT', 'replication', JSON.stringify({ lagMs: 250, roundTripMs: 10 }));
    await control('PUT', 'replication', JSON.stringify({ lagMs: LAG_MS, roundTripMs: 30 }));
    // THEN
    expect(unknownRegion).toMatchObject({ status: 404, body: { code: 'UnknownRegion' } });
    expect(unknownAction).toMatchObject({ status: 404, body: { code: 'UnknownAction' } });
    expect(wrongMethod).toMatchObject({ status: 405, body: { code: 'MethodNotAllowed' } });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'MalformedBody' } });
    expect(negative).toMatchObject({ status: 400, body: { code: 'ValidationError' } });
    expect(badTimeout).toMatchObject({ status: 400, body: { code: 'ValidationError' } });
    expect(noRoute).toMatchObject({ status: 404, body: { code: 'NotFound' } });
    for (const error of [
      unknownRegion,
      unknownAction,
      wrongMethod,
      malformed,
      negative,
      badTimeout,
      noRoute,
    ]) {
      expect(typeof error.body.message).toBe('string');
      expect(String(error.body.message)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    expect(changed).toMatchObject({ status: 200, body: { lagMs: 250, roundTripMs: 10 } });
  });
});
