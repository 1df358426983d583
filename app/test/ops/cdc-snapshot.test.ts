import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
  type AttributeValue as StreamsAttributeValue,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeRecordsFromStream,
  decideApply,
  parseChangeRecord,
  putChangeRecords,
  type ParsedChange,
  type SinkRow,
} from '@conflux/handler-kit/cdc';
import { useDynamoDbLocal } from '../../../test/support/dynamodb';
import { resolveTable, snapshotTable, SnapshotError } from '../../ops/cdc-snapshot';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const SERVER = 'conflux-test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cdc:snapshot', () => {
  const ddb = useDynamoDbLocal();
  let dynamodb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let kinesis: KinesisClient;
  let kinesisEndpoint: string;
  let tagFront: { url: string; server: Server };
  let closeKinesalite: () => Promise<void>;
  let work: string;

  beforeAll(async () => {
    const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(address && typeof address === 'object' ? address.port : 0);
      });
    });
    closeKinesalite = () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    tagFront = await withTags(`http://127.0.0.1:${port}`);
    kinesisEndpoint = tagFront.url;
    kinesis = new KinesisClient({
      endpoint: kinesisEndpoint,
      region,
      credentials,
      requestHandler: new NodeHttpHandler(),
    });
    dynamodb = new DynamoDBClient({ endpoint: ddb.endpoint, region, credentials });
    streams = new DynamoDBStreamsClient({ endpoint: ddb.endpoint, region, credentials });
    work = mkdtempSync(path.join(tmpdir(), 'cdc-snapshot-'));
  });

  afterAll(async () => {
    kinesis.destroy();
    dynamodb.destroy();
    streams.destroy();
    tagFront.server.closeAllConnections();
    tagFront.server.close();
    await closeKinesalite();
    rmSync(work, { recursive: true, force: true });
  });

  /** A table keyed `tenant` + `customerId` (or `customerId` alone), with a stream when asked. */
  const createTable = async (prefix: string, options: { sortKey?: boolean; stream?: boolean } = {}) => {
    const TableName = `${prefix}-${randomUUID().slice(0, 8)}`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'customerId', AttributeType: 'S' },
          ...(options.sortKey ? [{ AttributeName: 'tenant', AttributeType: 'S' as const }] : []),
        ],
        KeySchema: options.sortKey
          ? [
              { AttributeName: 'tenant', KeyType: 'HASH' },
              { AttributeName: 'customerId', KeyType: 'RANGE' },
            ]
          : [{ AttributeName: 'customerId', KeyType: 'HASH' }],
        ...(options.stream
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
          : {}),
      }),
    );
    return TableName;
  };

  const seed = async (table: string, count: number, sortKey = false) => {
    const items = Array.from({ length: count }, (_, i) => ({
      customerId: { S: `c-${String(i).padStart(4, '0')}` },
      ...(sortKey ? { tenant: { S: `t-${i % 3}` } } : {}),
      name: { S: `Customer ${i}` },
      n: { N: '0' },
      tags: { SS: ['a', `t${i}`] },
    }));
    for (let i = 0; i < items.length; i += 25)
      await dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
  };

  /** An EventStream's stream for `table`, tagged as ChangeCapture tags it. */
  const createEventStream = async (table: string, shards = 2) => {
    const StreamName = `changes-${randomUUID().slice(0, 8)}`;
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await sleep(20);
    }
    await kinesis.send(
      new AddTagsToStreamCommand({
        StreamName,
        Tags: { 'conflux:cdc:table': table, 'conflux:cdc:server-name': SERVER },
      }),
    );
    return StreamName;
  };

  /** Every record of the stream as a Lambda mapping would hand it over, per shard in order. */
  const readStream = async (StreamName: string): Promise<KinesisStreamRecord[]> => {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName }));
    const records: KinesisStreamRecord[] = [];
    for (const shard of Shards) {
      let { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (ShardIterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        for (const r of page.Records ?? [])
          records.push({
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: r.PartitionKey ?? '',
              sequenceNumber: r.SequenceNumber ?? '',
              data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
              approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `${shard.ShardId ?? ''}:${r.SequenceNumber ?? ''}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
            awsRegion: region,
            eventSourceARN: `arn:aws:kinesis:${region}:000000000000:stream/${StreamName}`,
          });
        if ((page.Records ?? []).length === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return records;
  };

  const snapshotEvents = async (stream: string) =>
    (await readStream(stream)).map(parseChangeRecord).filter((c) => c.snapshot);

  it('emits every row as an op "r" event marked first, true … and last, keyed as the live events', async () => {
    // GIVEN a table of 23 rows with a composite key and its tagged EventStream
    const table = await createTable('customers', { sortKey: true });
    await seed(table, 23, true);
    const stream = await createEventStream(table);
    const progress: number[] = [];

    // WHEN the snapshot runs in chunks of 5, named by a part of the table's name in another case
    const before = Date.now();
    const result = await snapshotTable({
      dynamodb,
      kinesis,
      table: table.toUpperCase().slice(0, 15),
      chunk: 5,
      checkpointDir: work,
      onProgress: (emitted) => progress.push(emitted),
    });

    // THEN 23 r events arrive, one first and one last, with the key as partition key and the row as after
    const events = await snapshotEvents(stream);
    expect(result).toMatchObject({ table, stream, emitted: 23, resumed: false, alreadyComplete: false });
    expect(events).toHaveLength(23);
    const markers = events.map((e) => e.value?.source.snapshot);
    expect(markers.filter((m) => m === 'first')).toHaveLength(1);
    expect(markers.filter((m) => m === 'last')).toHaveLength(1);
    expect(markers.filter((m) => m === 'true')).toHaveLength(21);
    const one = events.find((e) => e.key.customerId === 'c-0004');
    expect(one?.key).toEqual({ tenant: 't-1', customerId: 'c-0004' });
    expect(one?.value).toMatchObject({
      op: 'r',
      before: null,
      after: { tenant: 't-1', customerId: 'c-0004', name: 'Customer 4', n: 0, tags: ['a', 't4'] },
      source: { connector: 'dynamodb', name: SERVER, table, db: '000000000000/us-east-1', sequence: null },
    });
    expect(one?.sourceTsMs).toBeGreaterThanOrEqual(before);
    expect(new Set(events.map((e) => JSON.stringify(e.key))).size).toBe(23);
    expect(progress.at(-1)).toBe(23);
  });

  it('marks the only row of a one-row table last, and emits nothing for an empty table', async () => {
    // GIVEN a table of one row and an empty one, each with its stream
    const single = await createTable('single');
    await seed(single, 1);
    const singleStream = await createEventStream(single);
    const empty = await createTable('empty');
    const emptyStream = await createEventStream(empty);

    // WHEN both are snapshotted
    await snapshotTable({ dynamodb, kinesis, table: single, checkpointDir: work });
    const result = await snapshotTable({ dynamodb, kinesis, table: empty, checkpointDir: work });

    // THEN the one row is "last", and the empty table's snapshot is complete with no events
    expect((await snapshotEvents(singleStream)).map((e) => e.value?.source.snapshot)).toEqual(['last']);
    expect(result.emitted).toBe(0);
    expect(await readStream(emptyStream)).toHaveLength(0);
  });

  it('resumes after a failed write from its checkpoint, emitting no row twice outside the failed chunk', async () => {
    // GIVEN 40 rows, and a Kinesis client whose third PutRecords fails
    const table = await createTable('resume');
    await seed(table, 40);
    const stream = await createEventStream(table);
    const failing = new KinesisClient({
      endpoint: kinesisEndpoint,
      region,
      credentials,
      requestHandler: new NodeHttpHandler(),
    });
    let puts = 0;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRecordsCommand' && ++puts === 3) throw new Error('injected failure');
        return next(args);
      },
      { step: 'initialize' },
    );

    // WHEN the snapshot fails part-way, and is run again
    const first = snapshotTable({ dynamodb, kinesis: failing, table, chunk: 6, checkpointDir: work });
    await expect(first).rejects.toThrow(
      new SnapshotError(
        `Error: injected failure; 11 row(s) of ${table} emitted so far. Rerun the same command to resume after the last row written.`,
      ),
    );
    const second = await snapshotTable({ dynamodb, kinesis, table, chunk: 6, checkpointDir: work });
    const again = await snapshotTable({ dynamodb, kinesis, table, chunk: 6, checkpointDir: work });
    failing.destroy();

    // THEN every row was emitted exactly once, first and last once each, and a third run emits nothing
    const events = await snapshotEvents(stream);
    expect(second).toMatchObject({ emitted: 40, emittedNow: 29, resumed: true });
    expect(again).toMatchObject({ alreadyComplete: true, emitted: 40 });
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.key.customerId)).size).toBe(40);
    expect(events.filter((e) => e.value?.source.snapshot === 'first')).toHaveLength(1);
    expect(events.filter((e) => e.value?.source.snapshot === 'last')).toHaveLength(1);

    // AND a restart takes the snapshot again
    const restarted = await snapshotTable({ dynamodb, kinesis, table, checkpointDir: work, restart: true });
    expect(restarted).toMatchObject({ emitted: 40, emittedNow: 40, resumed: false });
  });

  it('names the candidates of an ambiguous table, and says so when none or no stream matches', async () => {
    // GIVEN two tables sharing a part of their names, and no stream for either
    const tag = randomUUID().slice(0, 6);
    const a = await createTable(`orders-${tag}-a`);
    const b = await createTable(`orders-${tag}-b`);

    // WHEN/THEN
    await expect(resolveTable(dynamodb, `ORDERS-${tag}`)).rejects.toThrow(
      `"ORDERS-${tag}" matches 2 tables: ${[a, b].sort().join(', ')}. Give the full name.`,
    );
    await expect(resolveTable(dynamodb, `nothing-${tag}`)).rejects.toThrow(
      new RegExp(`^no table is named or contains "nothing-${tag}"`),
    );
    await expect(snapshotTable({ dynamodb, kinesis, table: a, checkpointDir: work })).rejects.toThrow(
      `no stream is tagged conflux:cdc:table=${a}`,
    );
    await expect(
      snapshotTable({ dynamodb, kinesis, table: a, stream: 'missing', checkpointDir: work }),
    ).rejects.toThrow('stream missing does not exist');
  });

  it('racing live writes loses nothing: the log and the snapshot applied by decideApply equal the table', async () => {
    // GIVEN a table of 120 rows with a stream, its EventStream, and a forwarder of its stream's changes
    const table = await createTable('race', { stream: true });
    await seed(table, 120);
    const stream = await createEventStream(table, 3);
    const capture = {
      serverName: SERVER,
      db: '000000000000/us-east-1',
      table,
      keyAttributes: ['customerId'],
    };
    const state = { writing: true };
    let forwarded = 0;
    const forwarder = forwardChanges(
      table,
      async (records) => {
        const changes = records.flatMap((r) => changeRecordsFromStream(r, capture));
        const { failedFrom } = await putChangeRecords(kinesis, stream, changes);
        if (failedFrom !== undefined) throw new Error(`forwarding failed at ${failedFrom}`);
        forwarded += records.length;
      },
      () => state.writing,
    );
    // A slow snapshot, so that the writes race it from start to end.
    const slow = new DynamoDBClient({ endpoint: ddb.endpoint, region, credentials });
    slow.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') await sleep(40);
        return next(args);
      },
      { step: 'initialize' },
    );

    // WHEN the snapshot runs while a loop inserts, updates and deletes rows
    const writer = (async () => {
      let i = 0;
      // At least 100 writes, and more for as long as the snapshot runs.
      while (state.writing || i < 100) {
        const id = `c-${String((i * 37) % 160).padStart(4, '0')}`;
        const op = i % 5;
        if (op === 0)
          await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { customerId: { S: id } } }));
        else if (op === 1)
          await dynamodb.send(
            new PutItemCommand({
              TableName: table,
              Item: { customerId: { S: id }, name: { S: `Recreated ${i}` }, n: { N: String(i) } },
            }),
          );
        else
          await dynamodb.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { customerId: { S: id } },
              UpdateExpression: 'SET n = :n, #name = :name',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':n': { N: String(i) }, ':name': { S: `Updated ${i}` } },
            }),
          );
        i += 1;
        await sleep(3);
      }
      return i;
    })();
    const result = await snapshotTable({ dynamodb: slow, kinesis, table, chunk: 8, checkpointDir: work });
    await sleep(300);
    state.writing = false;
    const writes = await writer;
    await forwarder;
    slow.destroy();

    // THEN applying every event of the stream into a sink gives exactly the table's rows
    const sink = new Map<string, SinkRow & { deleted?: boolean; after?: Record<string, unknown> | null }>();
    let skipped = 0;
    for (const record of await readStream(stream)) {
      const change: ParsedChange = parseChangeRecord(record);
      const key = JSON.stringify(change.key);
      if (decideApply(sink.get(key), change) === 'skip') {
        skipped += 1;
        continue;
      }
      const deleted = change.value?.op === 'd';
      sink.set(key, {
        origin: change.snapshot ? 'snapshot' : 'log',
        position: change.position,
        readAtMs: change.snapshot ? change.sourceTsMs : undefined,
        deleted,
        after: change.value?.after,
      });
    }
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const expected = Object.fromEntries(
      Items.map((item) => [JSON.stringify({ customerId: item.customerId?.S }), plain(item)]),
    );
    const actual = Object.fromEntries(
      [...sink.entries()].filter(([, row]) => !row.deleted).map(([key, row]) => [key, row.after]),
    );
    expect(result.emitted).toBeGreaterThan(0);
    expect(writes).toBeGreaterThanOrEqual(100);
    expect(forwarded).toBeGreaterThanOrEqual(writes);
    expect(skipped).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });

  /**
   * Reads the table's DynamoDB stream as a Lambda mapping would and hands each batch to `deliver`, until
   * `active()` turns false and the stream is drained.
   */
  async function forwardChanges(
    table: string,
    deliver: (records: DynamoDBRecord[]) => Promise<void>,
    active: () => boolean,
  ): Promise<void> {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    const StreamArn = Table?.LatestStreamArn;
    if (!StreamArn) throw new Error(`table ${table} has no stream`);
    const iterators = new Map<string, string | undefined>();
    let idle = 0;
    while (active() || idle < 3) {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
      for (const shard of StreamDescription?.Shards ?? []) {
        const id = shard.ShardId ?? '';
        if (!iterators.has(id))
          iterators.set(
            id,
            (
              await streams.send(
                new GetStreamShardIteratorCommand({
                  StreamArn,
                  ShardId: id,
                  ShardIteratorType: 'TRIM_HORIZON',
                }),
              )
            ).ShardIterator,
          );
      }
      let read = 0;
      for (const [id, iterator] of iterators) {
        if (!iterator) continue;
        const page = await streams.send(new GetStreamRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
        iterators.set(id, page.NextShardIterator);
        const records = (page.Records ?? []).map(lambdaRecord(StreamArn));
        read += records.length;
        if (records.length > 0) await deliver(records);
      }
      idle = !active() && read === 0 ? idle + 1 : 0;
      if (read === 0) await sleep(25);
    }
  }
});

/**
 * A stream record as Lambda delivers it: images in DynamoDB JSON, binary as base64, and
 * ApproximateCreationDateTime in whole seconds, rounded down, as DynamoDB writes it. DynamoDB Local rounds it
 * down to the minute, which would date a change up to a minute before it happened; the time the record is
 * read, a few milliseconds after the change, rounded down to the second, is what DynamoDB would have said.
 */
function lambdaRecord(StreamArn: string) {
  return (r: StreamsRecord): DynamoDBRecord => {
    const d = r.dynamodb ?? {};
    const readAt = Date.now();
    return {
      eventID: r.eventID,
      eventName: r.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(readAt / 1000),
        Keys: image(d.Keys) as never,
        ...(d.NewImage ? { NewImage: image(d.NewImage) as never } : {}),
        ...(d.OldImage ? { OldImage: image(d.OldImage) as never } : {}),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType,
      },
      eventSourceARN: StreamArn,
    };
  };
}

function image(item: Record<string, StreamsAttributeValue> | undefined): Record<string, unknown> | undefined {
  if (!item) return undefined;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v]));
}

/** A scanned item as the change events carry it. */
function plain(item: Record<string, AttributeValue>): Record<string, unknown> {
  const value = unmarshall(item);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, v instanceof Set ? [...(v as Set<unknown>)] : v]),
  );
}

/**
 * kinesalite behind a front that keeps the streams' tags itself: kinesalite refuses the `:` of
 * `conflux:cdc:table`, which Kinesis accepts (the offline runtime's Kinesis front does the same).
 */
async function withTags(engine: string): Promise<{ url: string; server: Server }> {
  const tags = new Map<string, Record<string, string>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const input =
        target.endsWith('TagsForStream') || target.endsWith('TagsToStream')
          ? (JSON.parse(body.toString()) as { StreamName: string; Tags?: Record<string, string> })
          : undefined;
      if (input && target.endsWith('.AddTagsToStream')) {
        tags.set(input.StreamName, { ...tags.get(input.StreamName), ...input.Tags });
        res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' }).end('{}');
        return;
      }
      if (input && target.endsWith('.ListTagsForStream')) {
        const own = Object.entries(tags.get(input.StreamName) ?? {}).map(([Key, Value]) => ({ Key, Value }));
        res
          .writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ Tags: own, HasMoreTags: false }));
        return;
      }
      const forward = request(
        `${engine}${req.url ?? '/'}`,
        { method: req.method, headers: { ...req.headers, 'content-length': String(body.length) } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`, server };
}
