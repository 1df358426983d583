import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCloudAssembly } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import { cdkJsonContext } from '../../../../../test/support/cdk.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify(event.Records.map((r) => r.dynamodb)) + '\\n');
};`;

interface Fixtures {
  orders: dynamodb.Table;
  orderChanges: kinesis.Stream;
  ledger: dynamodb.Table;
  ledgerChanges: kinesis.Stream;
  customers: dynamodb.TableV2;
  customerChanges: kinesis.Stream;
}

/**
 * Orders (partition and sort key, a KEYS_ONLY stream read by a function) stream to a 4-shard Kinesis stream
 * at the default precision; the ledger at microseconds; customers are a TableV2 with `kinesisStream`.
 */
function buildApp(app: App, recordFile: string): Fixtures {
  const stack = new Stack(app, 'KinesisForDynamoDb');
  const orderChanges = new kinesis.Stream(stack, 'OrderChanges', { shardCount: 4 });
  const orders = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'orderId', type: dynamodb.AttributeType.NUMBER },
    stream: dynamodb.StreamViewType.KEYS_ONLY,
    kinesisStream: orderChanges,
  });
  new lambda.Function(stack, 'KeysReader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(recorder),
    environment: { RECORD_FILE: recordFile },
  }).addEventSource(
    new sources.DynamoEventSource(orders, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  const ledgerChanges = new kinesis.Stream(stack, 'LedgerChanges', { shardCount: 1 });
  const ledger = new dynamodb.Table(stack, 'Ledger', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    kinesisStream: ledgerChanges,
    kinesisPrecisionTimestamp: dynamodb.ApproximateCreationDateTimePrecision.MICROSECOND,
  });
  const customerChanges = new kinesis.Stream(stack, 'CustomerChanges', { shardCount: 1 });
  const customers = new dynamodb.TableV2(stack, 'Customers', {
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    kinesisStream: customerChanges,
  });
  return { orders, orderChanges, ledger, ledgerChanges, customers, customerChanges };
}

interface KinesisRecord {
  shardId: string;
  partitionKey: string;
  data: Record<string, unknown> & { dynamodb: Record<string, unknown> };
}

describe('Kinesis Data Streams for DynamoDB, offline', () => {
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-kds-')), 'deliveries.jsonl');
  let running: RunningApp;
  let fx: Fixtures;

  beforeAll(async () => {
    running = await runApp((app) => {
      fx = buildApp(app, recordFile);
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  /** Every record of a stream, shard by shard, each shard in order. */
  const readAll = async (stream: kinesis.Stream): Promise<KinesisRecord[]> => {
    const client = running.runtime.engines.kinesis;
    const StreamName = running.physical(stream);
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }));
    const all: KinesisRecord[] = [];
    for (const shard of Shards) {
      const ShardId = shard.ShardId ?? '';
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const r of Records) {
        all.push({
          shardId: ShardId,
          partitionKey: r.PartitionKey ?? '',
          data: JSON.parse(Buffer.from(r.Data ?? new Uint8Array()).toString()) as KinesisRecord['data'],
        });
      }
    }
    return all;
  };
  const atLeast = (
    stream: kinesis.Stream,
    count: number,
    where: (r: KinesisRecord) => boolean = () => true,
  ) =>
    eventually(async () => {
      const records = (await readAll(stream)).filter(where);
      return records.length >= count ? records : undefined;
    });

  it('refuses nothing of an app whose tables stream to Kinesis', () => {
    // GIVEN the same app, synthesized
    const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-kds-synth-'));
    const app = new App({ outdir, context: cdkJsonContext() });
    buildApp(app, recordFile);
    app.synth();
    // WHEN its templates are checked
    const problems = readCloudAssembly(outdir).flatMap((stack) => unsupported(stack, LOCAL_ENV));
    rmSync(outdir, { recursive: true, force: true });
    // THEN nothing is refused
    expect(problems).toEqual([]);
  });

  it('writes each change in the KDS record format, both images, millisecond times by default', async () => {
    // GIVEN an order created, changed and deleted
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.orders);
    const Key = { customerId: { S: 'c-format' }, orderId: { N: '1' } };
    const started = Date.now();
    await db.send(new PutItemCommand({ TableName, Item: { ...Key, amount: { N: '10' } } }));
    await db.send(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET amount = :t',
        ExpressionAttributeValues: { ':t': { N: '12' } },
      }),
    );
    await db.send(new DeleteItemCommand({ TableName, Key }));
    // THEN the Kinesis stream holds three records of the KDS format
    const records = await atLeast(fx.orderChanges, 3, (r) => JSON.stringify(r.data).includes('c-format'));
    expect(records.map((r) => r.data.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    for (const { data } of records) {
      expect(Object.keys(data).sort()).toEqual(
        [
          'awsRegion',
          'dynamodb',
          'eventID',
          'eventName',
          'eventSource',
          'recordFormat',
          'tableName',
          'userIdentity',
        ].sort(),
      );
      expect(data).toMatchObject({
        awsRegion: LOCAL_ENV.region,
        userIdentity: null,
        recordFormat: 'application/json',
        tableName: TableName,
        eventSource: 'aws:dynamodb',
      });
      expect(data.dynamodb.Keys).toEqual(Key);
      expect(Object.keys(data.dynamodb)).not.toEqual(expect.arrayContaining(['SequenceNumber']));
      expect(data.dynamodb.StreamViewType).toBeUndefined();
      expect(data.dynamodb.SizeBytes).toEqual(expect.any(Number));
      // Milliseconds since the epoch, no earlier than the writes began
      const time = Number(data.dynamodb.ApproximateCreationDateTime);
      expect(time).toBeGreaterThanOrEqual(started);
      expect(time).toBeLessThan(Date.now() + 1000);
    }
    // with both images, whatever the table's own stream view (KEYS_ONLY here)
    const [insert, modify, remove] = records.map((r) => r.data.dynamodb);
    expect(insert).toMatchObject({ NewImage: { ...Key, amount: { N: '10' } } });
    expect(insert?.OldImage).toBeUndefined();
    expect(modify).toMatchObject({ OldImage: { amount: { N: '10' } }, NewImage: { amount: { N: '12' } } });
    expect(remove).toMatchObject({ OldImage: { amount: { N: '12' } } });
    expect(remove?.NewImage).toBeUndefined();
  });

  it('keys each item’s changes to one shard, in order, spreading items over the shards', async () => {
    // GIVEN 40 items of the orders table, the first one changed five times
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.orders);
    for (let i = 0; i < 40; i += 1) {
      await db.send(
        new PutItemCommand({
          TableName,
          Item: { customerId: { S: `c-${i}` }, orderId: { N: '7' }, v: { N: '0' } },
        }),
      );
    }
    for (let v = 1; v <= 5; v += 1) {
      await db.send(
        new PutItemCommand({
          TableName,
          Item: { customerId: { S: 'c-0' }, orderId: { N: '7' }, v: { N: String(v) } },
        }),
      );
    }
    // THEN the records land on more than one shard
    const records = await atLeast(fx.orderChanges, 45, (r) =>
      /"c-\d+"/.test(JSON.stringify(r.data.dynamodb.Keys)),
    );
    expect(new Set(records.map((r) => r.shardId)).size).toBeGreaterThan(1);
    // each keyed by the uppercase hex MD5 of the item's key in key-schema order
    const c0 = records.filter((r) => JSON.stringify(r.data.dynamodb.Keys).includes('"c-0"'));
    const canonical = JSON.stringify({ customerId: { S: 'c-0' }, orderId: { N: '7' } });
    const md5 = createHash('md5').update(canonical).digest('hex').toUpperCase();
    expect(new Set(c0.map((r) => r.partitionKey))).toEqual(new Set([md5]));
    // and one item's six changes are on one shard, in order, with strictly increasing times
    expect(new Set(c0.map((r) => r.shardId)).size).toBe(1);
    const image = (r: KinesisRecord) => r.data.dynamodb.NewImage as { v: { N: string } };
    expect(c0.map((r) => image(r).v.N)).toEqual(['0', '1', '2', '3', '4', '5']);
    const times = c0.map((r) => Number(r.data.dynamodb.ApproximateCreationDateTime));
    for (let i = 1; i < times.length; i += 1) expect(times[i]).toBeGreaterThan(times[i - 1] ?? Infinity);
  });

  it('stamps times in microseconds when the table asks for MICROSECOND', async () => {
    // GIVEN a ledger entry written twice
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.ledger);
    const started = Date.now();
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'l-1' }, amount: { N: '5' } } }));
    await db.send(new PutItemCommand({ TableName, Item: { id: { S: 'l-1' }, amount: { N: '6' } } }));
    // THEN both times are microseconds since the epoch, the second later than the first
    const records = await atLeast(fx.ledgerChanges, 2);
    const times = records.map((r) => Number(r.data.dynamodb.ApproximateCreationDateTime));
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(started * 1000);
      expect(time).toBeLessThan((Date.now() + 1000) * 1000);
    }
    expect(times[1]).toBeGreaterThan(times[0] ?? Infinity);
  });

  it('streams a TableV2 with kinesisStream to its Kinesis stream', async () => {
    // GIVEN a customer written to the TableV2 (an AWS::DynamoDB::GlobalTable)
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.customers);
    await db.send(new PutItemCommand({ TableName, Item: { customerId: { S: 'cu-1' }, name: { S: 'Ada' } } }));
    // THEN its INSERT reaches the stream, keyed by its key
    const [record] = await atLeast(fx.customerChanges, 1);
    expect(record?.data).toMatchObject({
      eventName: 'INSERT',
      tableName: TableName,
      dynamodb: { Keys: { customerId: { S: 'cu-1' } }, NewImage: { name: { S: 'Ada' } } },
    });
    expect(record?.partitionKey).toBe(
      createHash('md5')
        .update(JSON.stringify({ customerId: { S: 'cu-1' } }))
        .digest('hex')
        .toUpperCase(),
    );
  });

  it('gives a mapping on the table’s own stream the declared view only (KEYS_ONLY), though the local stream holds both images', async () => {
    // GIVEN an order created (the orders table streams KEYS_ONLY, and to Kinesis)
    const db = running.runtime.engines.dynamodb;
    const TableName = running.physical(fx.orders);
    await db.send(
      new PutItemCommand({
        TableName,
        Item: { customerId: { S: 'c-view' }, orderId: { N: '3' }, v: { N: '1' } },
      }),
    );
    // THEN the function's records hold keys and no image
    const records = await eventually(() => {
      const seen = existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .flatMap((l) => JSON.parse(l) as Record<string, unknown>[])
        : [];
      const mine = seen.filter((d) => JSON.stringify(d.Keys).includes('c-view'));
      return Promise.resolve(mine.length > 0 ? mine : undefined);
    });
    expect(records[0]).toMatchObject({ Keys: { customerId: { S: 'c-view' } }, StreamViewType: 'KEYS_ONLY' });
    expect(records[0]?.NewImage).toBeUndefined();
    expect(records[0]?.OldImage).toBeUndefined();
  });
});

describe('a table that streams only to Kinesis, offline', () => {
  it('has no stream of its own to name: GetAtt StreamArn fails at start, as it fails to deploy', async () => {
    // GIVEN a TableV2 with a Kinesis destination and no DynamoDB stream, whose StreamArn an output names
    const build = (app: App) => {
      const stack = new Stack(app, 'NoOwnStream');
      const table = new dynamodb.TableV2(stack, 'Table', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        kinesisStream: new kinesis.Stream(stack, 'Changes', { shardCount: 1 }),
      });
      new CfnOutput(stack, 'StreamArn', {
        value: (table.node.defaultChild as dynamodb.CfnGlobalTable).attrStreamArn,
      });
    };
    // WHEN it starts
    // THEN the start fails naming the attribute
    await expect(runApp(build)).rejects.toThrow(/does not provide \w+\.StreamArn/);
  });
});
