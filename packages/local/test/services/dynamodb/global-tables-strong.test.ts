import { randomUUID } from 'node:crypto';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** What a failed call rejects with, as far as these tests look. */
interface CallError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number };
}
const failure = async (call: Promise<unknown>): Promise<CallError | undefined> =>
  call.then(
    () => undefined,
    (error: unknown) => error as CallError,
  );

describe('global tables with multi-Region strong consistency, offline', () => {
  let running: RunningApp;
  /** Replicas in us-east-1 and us-east-2, the witness in us-west-2. */
  let witnessed: string;
  /** Replicas in us-east-1, us-east-2 and us-west-2. */
  let threeWay: string;
  const clients: DynamoDBClient[] = [];
  const client = (region: string) => {
    const c = new DynamoDBClient({
      region,
      endpoint: running.runtime.engines.endpoints.dynamodb,
      credentials: { accessKeyId: `AK-${region}`, secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    clients.push(c);
    return c;
  };
  let east1: DynamoDBClient;
  let east2: DynamoDBClient;
  let west2: DynamoDBClient;
  const router = () => running.runtime.engines.dynamodbRouter;
  const get = async (c: DynamoDBClient, TableName: string, id: string) =>
    (await c.send(new GetItemCommand({ TableName, Key: { id: { S: id } }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    let a!: dynamodb.TableV2;
    let b!: dynamodb.TableV2;
    running = await runApp((app) => {
      const stack = new Stack(app, 'GlobalStrong', { env: { region: 'us-east-1' } });
      a = new dynamodb.TableV2(stack, 'Accounts', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        replicas: [{ region: 'us-east-2' }],
        multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
        witnessRegion: 'us-west-2',
      });
      b = new dynamodb.TableV2(stack, 'Ledger', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        replicas: [{ region: 'us-east-2' }, { region: 'us-west-2' }],
        multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
      });
    });
    witnessed = running.physical(a);
    threeWay = running.physical(b);
    east1 = client('us-east-1');
    east2 = client('us-east-2');
    west2 = client('us-west-2');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await running.stop();
  });

  it('makes an acknowledged write visible in the other replicas at once', async () => {
    // GIVEN
    const id = randomUUID();
    // WHEN
    await east1.send(new PutItemCommand({ TableName: witnessed, Item: { id: { S: id }, v: { N: '1' } } }));
    await east2.send(new PutItemCommand({ TableName: threeWay, Item: { id: { S: id }, v: { N: '2' } } }));
    // THEN: no settling
    expect(await get(east2, witnessed, id)).toEqual({ id: { S: id }, v: { N: '1' } });
    expect(await get(east1, threeWay, id)).toEqual({ id: { S: id }, v: { N: '2' } });
    expect(await get(west2, threeWay, id)).toEqual({ id: { S: id }, v: { N: '2' } });
    expect(
      router()
        .replication()
        .tables.find((t) => t.tableName === witnessed),
    ).toMatchObject({
      mode: 'strong',
      witness: 'us-west-2',
      pending: 0,
    });
  });

  it('fails the writes and consistent reads of an isolated Region with 500, writing nothing', async () => {
    // GIVEN
    const id = randomUUID();
    router().region('us-east-1', 'partition');
    try {
      // WHEN
      const write = await failure(
        east1.send(new PutItemCommand({ TableName: witnessed, Item: { id: { S: id } } })),
      );
      const read = await failure(get(east1, witnessed, id));
      const query = await failure(
        east1.send(
          new QueryCommand({
            TableName: threeWay,
            KeyConditionExpression: 'id = :id',
            ExpressionAttributeValues: { ':id': { S: id } },
            ConsistentRead: true,
          }),
        ),
      );
      const eventual = await east1.send(new GetItemCommand({ TableName: witnessed, Key: { id: { S: id } } }));
      // THEN
      for (const error of [write, read, query]) {
        expect(error?.name).toBe('InternalServerError');
        expect(error?.$metadata.httpStatusCode).toBe(500);
      }
      expect(eventual.Item).toBeUndefined();
      expect(await get(east2, witnessed, id)).toBeUndefined();
    } finally {
      router().region('us-east-1', 'heal');
    }
    expect(await get(east1, witnessed, id)).toBeUndefined();
  });

  it('acknowledges a write while the witness answers, and delivers it to a stopped replica once it starts', async () => {
    // GIVEN
    const id = randomUUID();
    router().region('us-east-2', 'stop');
    // WHEN
    try {
      await east1.send(new PutItemCommand({ TableName: witnessed, Item: { id: { S: id } } }));
    } finally {
      router().region('us-east-2', 'start');
    }
    await router().settle();
    // THEN
    expect(await get(east2, witnessed, id)).toEqual({ id: { S: id } });
  });

  it('fails the later of two writes of one item from different Regions with ReplicatedWriteConflictException', async () => {
    // GIVEN
    const id = randomUUID();
    // WHEN
    const outcomes = await Promise.all([
      failure(
        east1.send(new PutItemCommand({ TableName: threeWay, Item: { id: { S: id }, by: { S: 'east-1' } } })),
      ),
      failure(
        east2.send(new PutItemCommand({ TableName: threeWay, Item: { id: { S: id }, by: { S: 'east-2' } } })),
      ),
    ]);
    // THEN
    const failed = outcomes.filter((o) => o !== undefined);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.name).toBe('ReplicatedWriteConflictException');
    expect(failed[0]?.$metadata.httpStatusCode).toBe(400);
    const winner = outcomes[0] === undefined ? 'east-1' : 'east-2';
    for (const c of [east1, east2, west2]) expect((await get(c, threeWay, id))?.by).toEqual({ S: winner });
  });

  it('refuses transactions naming an MRSC table', async () => {
    // WHEN
    const write = await failure(
      east1.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: witnessed, Item: { id: { S: randomUUID() } } } }],
        }),
      ),
    );
    const read = await failure(
      east1.send(
        new TransactGetItemsCommand({
          TransactItems: [{ Get: { TableName: threeWay, Key: { id: { S: 'x' } } } }],
        }),
      ),
    );
    // THEN
    for (const error of [write, read]) {
      expect(error?.name).toBe('ValidationException');
      expect(error?.message).toMatch(/do not support transactions/);
    }
  });
});
