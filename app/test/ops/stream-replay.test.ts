import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import type { InvokeCommandInput } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFauxqs, type FauxqsEngine } from '@conflux/local';
import { parsePosition, replayStream, ReplayError, ReplayUsageError } from '../../ops/stream-replay';
import {
  resolveTarget,
  type InvokeAnswer,
  type InvokeTransport,
  type ReplayRecord,
  type ReplayTarget,
} from '../../ops/stream-replay-targets';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
/** The first hash key of shard i of 3 equal shards: records put with it land in that shard. */
const SHARD_HASH = [
  '0',
  '113427455640312821154458202477256070485',
  '226854911280625642308916404954512140970',
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A record as read back from the stream, to compute what a replay must deliver. */
interface Written {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly arrivalMs: number;
}

describe('stream:replay', () => {
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  let fauxqs: FauxqsEngine;
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
    kinesis = new KinesisClient({
      endpoint: `http://127.0.0.1:${port}`,
      region,
      credentials,
      requestHandler: new NodeHttpHandler(),
    });
    fauxqs = await startFauxqs(region);
    sqs = new SQSClient({ endpoint: fauxqs.address, region, credentials });
    work = mkdtempSync(path.join(tmpdir(), 'stream-replay-'));
  });

  afterAll(async () => {
    kinesis.destroy();
    sqs.destroy();
    await fauxqs.stop();
    await closeKinesalite();
    rmSync(work, { recursive: true, force: true });
  });

  const createStream = async (shards = 3): Promise<string> => {
    const StreamName = `replay-${randomUUID().slice(0, 8)}`;
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return StreamName;
      await sleep(20);
    }
  };

  /** Puts `count` records, key `k<i % keys>`, round-robin over the shards (or into `shards` only). */
  const put = async (stream: string, label: string, count: number, shards = [0, 1, 2]) => {
    for (let i = 0; i < count; i += 1) {
      const shard = shards[i % shards.length] ?? 0;
      await kinesis.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: `k${shard}-${i % 4}`,
          ExplicitHashKey: SHARD_HASH[shard],
          Data: Buffer.from(JSON.stringify({ label, i })),
        }),
      );
    }
  };

  /** Every record of the stream, per shard in order. */
  const readAll = async (stream: string): Promise<Written[]> => {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const all: Written[] = [];
    for (const shard of Shards) {
      let { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (ShardIterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        for (const r of page.Records ?? [])
          all.push({
            shardId: shard.ShardId ?? '',
            sequenceNumber: r.SequenceNumber ?? '',
            partitionKey: r.PartitionKey ?? '',
            data: Buffer.from(r.Data ?? new Uint8Array()).toString('utf8'),
            arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
          });
        if ((page.Records ?? []).length === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return all;
  };

  /** A target that keeps what it is given, in order; `failAfter` records, it refuses the rest. */
  const collector = (failAfter = Number.POSITIVE_INFINITY) => {
    const delivered: ReplayRecord[] = [];
    const target: ReplayTarget = {
      kind: 'function',
      id: 'collector',
      deliver: (records) => {
        const room = Math.max(0, failAfter - delivered.length);
        const taken = records.slice(0, room);
        delivered.push(...taken);
        return Promise.resolve(
          taken.length < records.length
            ? { handled: taken.length, skipped: 0, failure: 'injected failure' }
            : { handled: taken.length, skipped: 0 },
        );
      },
    };
    return { target, delivered };
  };

  const checkpointFile = () => path.join(work, `${randomUUID()}.json`);
  const summary = (records: readonly { shardId: string; sequenceNumber: string }[]) =>
    records.map((r) => `${r.shardId}/${r.sequenceNumber}`);
  const bySequence = (a: Written, b: Written) =>
    a.shardId === b.shardId
      ? Number(BigInt(a.sequenceNumber) - BigInt(b.sequenceNumber))
      : a.shardId.localeCompare(b.shardId);
  const perShard = (records: readonly { shardId: string; sequenceNumber: string }[]) => {
    const shards = new Map<string, string[]>();
    for (const r of records) shards.set(r.shardId, [...(shards.get(r.shardId) ?? []), r.sequenceNumber]);
    return shards;
  };

  it('delivers from an instant exactly the records of every shard at or after it, in order per shard', async () => {
    // GIVEN records on three shards before and after an instant
    const stream = await createStream();
    await put(stream, 'before', 9);
    await sleep(30);
    const instant = new Date();
    await sleep(30);
    await put(stream, 'after', 12);
    const expected = (await readAll(stream)).filter((r) => r.arrivalMs >= instant.getTime()).sort(bySequence);
    const { target, delivered } = collector();

    // WHEN it is replayed from the instant
    const result = await replayStream(kinesis, {
      stream,
      from: instant.toISOString(),
      target,
      checkpointFile: checkpointFile(),
    });

    // THEN exactly the later records arrive, each shard's in sequence order
    expect(result.delivered).toBe(12);
    expect(
      new Set(
        delivered
          .map((r) => JSON.parse(Buffer.from(r.data).toString()) as { label: string })
          .map((d) => d.label),
      ),
    ).toEqual(new Set(['after']));
    expect(perShard(delivered)).toEqual(perShard(expected));
    expect(result.shards.map((s) => s.read)).toEqual([4, 4, 4]);
  });

  it('starts a shard with no record after the instant without waiting on it', async () => {
    // GIVEN a shard whose records all precede the instant (kinesalite never answers AT_TIMESTAMP there)
    const stream = await createStream();
    await put(stream, 'before', 6);
    await sleep(30);
    const instant = new Date();
    await sleep(30);
    await put(stream, 'after', 4, [0, 1]);
    const { target, delivered } = collector();

    // WHEN it is replayed from the instant
    const result = await replayStream(kinesis, {
      stream,
      from: instant.toISOString(),
      target,
      checkpointFile: checkpointFile(),
      iteratorTimeoutMs: 500,
    });

    // THEN the other shards' later records arrive and the empty shard delivers none
    expect(result.delivered).toBe(4);
    expect(delivered.every((r) => r.shardId !== 'shardId-000000000002')).toBe(true);
  });

  it('starts from a sequence number in its shard and at its arrival time in the others', async () => {
    // GIVEN records on three shards, and one record in the middle of shard 1
    const stream = await createStream();
    await put(stream, 'a', 9);
    await sleep(30);
    await put(stream, 'b', 9);
    await sleep(30);
    await put(stream, 'c', 9);
    const all = await readAll(stream);
    const pivot = all.filter((r) => r.shardId === 'shardId-000000000001')[4];
    if (!pivot) throw new Error('no pivot record');
    const expected = all
      .filter((r) =>
        r.shardId === pivot.shardId
          ? BigInt(r.sequenceNumber) >= BigInt(pivot.sequenceNumber)
          : r.arrivalMs >= pivot.arrivalMs,
      )
      .sort(bySequence);
    const { target, delivered } = collector();

    // WHEN it is replayed from that record's sequence number
    await replayStream(kinesis, {
      stream,
      from: pivot.sequenceNumber,
      target,
      checkpointFile: checkpointFile(),
    });

    // THEN the record itself comes first in its shard, and the other shards start at its arrival
    expect(delivered.find((r) => r.shardId === pivot.shardId)?.sequenceNumber).toBe(pivot.sequenceNumber);
    expect(perShard(delivered)).toEqual(perShard(expected));
  });

  it('ends at --to, an instant or a sequence number', async () => {
    // GIVEN three bursts of records
    const stream = await createStream();
    await put(stream, 'a', 6);
    await sleep(30);
    const from = new Date();
    await put(stream, 'b', 6);
    await sleep(30);
    const to = new Date();
    await sleep(30);
    await put(stream, 'c', 6);
    const all = await readAll(stream);
    const last = all.filter((r) => r.shardId === 'shardId-000000000000' && r.data.includes('"b"')).pop();
    if (!last) throw new Error('no last record');

    // WHEN it is replayed up to an instant, and up to a sequence number
    const byInstant = collector();
    await replayStream(kinesis, {
      stream,
      from: from.toISOString(),
      to: to.toISOString(),
      target: byInstant.target,
      checkpointFile: checkpointFile(),
    });
    const bySeq = collector();
    await replayStream(kinesis, {
      stream,
      from: from.toISOString(),
      to: last.sequenceNumber,
      target: bySeq.target,
      checkpointFile: checkpointFile(),
    });

    // THEN only the middle burst arrives; by sequence, its own shard ends with that record
    const middle = all.filter((r) => r.data.includes('"b"')).sort(bySequence);
    expect(perShard(byInstant.delivered)).toEqual(perShard(middle));
    const expected = middle.filter(
      (r) => r.shardId !== last.shardId || BigInt(r.sequenceNumber) <= BigInt(last.sequenceNumber),
    );
    expect(perShard(bySeq.delivered)).toEqual(
      perShard(expected.filter((r) => r.shardId === last.shardId || r.arrivalMs <= last.arrivalMs)),
    );
    expect(bySeq.delivered.filter((r) => r.shardId === last.shardId).pop()?.sequenceNumber).toBe(
      last.sequenceNumber,
    );
  });

  it('resumes after an interruption from its checkpoint, delivering no record twice and none lost', async () => {
    // GIVEN 60 records, and a target that fails after 23 of them
    const stream = await createStream();
    const from = new Date(Date.now() - 1000).toISOString();
    await put(stream, 'x', 60);
    const file = checkpointFile();
    const first = collector(23);

    // WHEN the replay is interrupted, then run again with the same checkpoint
    await expect(
      replayStream(kinesis, { stream, from, target: first.target, checkpointFile: file, pageSize: 7 }),
    ).rejects.toThrow(/injected failure; stopped at record \d+ of shardId-00000000000\d\. Rerun/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { shards: Record<string, { last?: string }> };
    const second = collector();
    const result = await replayStream(kinesis, {
      stream,
      from,
      target: second.target,
      checkpointFile: file,
      pageSize: 7,
    });

    // THEN together the runs delivered every record once, each shard in order
    const both = [...first.delivered, ...second.delivered];
    expect(first.delivered.length).toBe(23);
    expect(Object.keys(saved.shards).length).toBeGreaterThan(0);
    expect(result.resumed).toBe(true);
    expect(new Set(summary(both)).size).toBe(60);
    expect(both.length).toBe(60);
    const all = (await readAll(stream)).sort(bySequence);
    expect(perShard(both.sort(bySequence as never))).toEqual(perShard(all));
  });

  it('reads a parent shard to its end before its children, keeping each key in order across a split', async () => {
    // GIVEN one shard with records, split in two, and more records of the same keys afterwards
    const stream = await createStream(1);
    const from = new Date(Date.now() - 1000).toISOString();
    const putKey = async (label: string, n: number) => {
      for (let i = 0; i < n; i += 1)
        await kinesis.send(
          new PutRecordCommand({
            StreamName: stream,
            PartitionKey: `key-${i % 3}`,
            Data: Buffer.from(`${label}-${i}`),
          }),
        );
    };
    await putKey('old', 9);
    await kinesis.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: '170141183460469231731687303715884105728',
      }),
    );
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: stream }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await sleep(20);
    }
    await putKey('new', 9);
    const { target, delivered } = collector();

    // WHEN it is replayed
    const result = await replayStream(kinesis, { stream, from, target, checkpointFile: checkpointFile() });

    // THEN every key's old records precede its new ones
    expect(result.shards).toHaveLength(3);
    expect(result.delivered).toBe(18);
    const order = new Map<string, string[]>();
    for (const r of delivered)
      order.set(r.partitionKey, [
        ...(order.get(r.partitionKey) ?? []),
        Buffer.from(r.data).toString().split('-')[0] ?? '',
      ]);
    for (const labels of order.values())
      expect(labels).toEqual([...labels].sort((a, b) => (a === b ? 0 : a === 'old' ? -1 : 1)));
  });

  it('delivers into a FIFO queue with the record attributes, grouped by partition key, skipping tombstones', async () => {
    // GIVEN records of two keys, one a tombstone, one not text, and a FIFO queue
    const stream = await createStream(1);
    const from = new Date(Date.now() - 1000).toISOString();
    const data = [
      Buffer.from('{"n":1}'),
      Buffer.alloc(0),
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('{"n":4}'),
    ];
    for (const [i, d] of data.entries())
      await kinesis.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: `orders:{"id":${i % 2}}`, Data: d }),
      );
    const { QueueUrl = '' } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `replay-${randomUUID().slice(0, 8)}.fifo`,
        Attributes: { FifoQueue: 'true' },
      }),
    );
    const target = await resolveTarget(
      QueueUrl.split('/').pop() ?? '',
      { sqs, lambda: noFunctions },
      { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/x' },
    );

    // WHEN it is replayed into the queue
    const result = await replayStream(kinesis, { stream, from, target, checkpointFile: checkpointFile() });

    // THEN the queue holds the three non-empty records, text as text, bytes as base64, with their attributes
    const messages = await receiveAll(QueueUrl);
    expect(result.skipped).toBe(1);
    expect(result.delivered).toBe(3);
    const group = (id: number) =>
      messages.filter((m) => m.Attributes?.MessageGroupId === `orders:{"id":${id}}`).map((m) => m.Body);
    expect(group(0)).toEqual(['{"n":1}', Buffer.from([0xff, 0xfe, 0x00]).toString('base64')]);
    expect(group(1)).toEqual(['{"n":4}']);
    const [firstMessage] = messages;
    expect(firstMessage?.MessageAttributes?.partitionKey?.StringValue).toBe('orders:{"id":0}');
    expect(firstMessage?.MessageAttributes?.shardId?.StringValue).toBe('shardId-000000000000');
    expect(firstMessage?.MessageAttributes?.sequenceNumber?.StringValue).toMatch(/^\d+$/);
    expect(
      Date.parse(firstMessage?.MessageAttributes?.approximateArrivalTimestamp?.StringValue ?? ''),
    ).toBeGreaterThan(0);
    const bytes = messages.find((m) => m.Body === '//4A');
    expect(bytes?.MessageAttributes?.dataEncoding?.StringValue).toBe('base64');
    expect(firstMessage?.MessageAttributes?.dataEncoding).toBeUndefined();
    expect(firstMessage?.Attributes?.MessageGroupId).toBe('orders:{"id":0}');
  });

  it('delivers into a function as Kinesis events of up to 100 records, stopping at its batchItemFailures', async () => {
    // GIVEN 250 records on one shard, and a function that fails record 170
    const stream = await createStream(1);
    const from = new Date(Date.now() - 1000).toISOString();
    await put(stream, 'f', 250, [0]);
    const all = await readAll(stream);
    const poison = all[170]?.sequenceNumber;
    const events: KinesisStreamEvent[] = [];
    const lambda: InvokeTransport = {
      invoke: (input: InvokeCommandInput): Promise<InvokeAnswer> => {
        if (input.InvocationType === 'DryRun') return Promise.resolve({ StatusCode: 204 });
        const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()) as KinesisStreamEvent;
        events.push(event);
        const failed = event.Records.find((r) => r.kinesis.sequenceNumber === poison);
        const answer = {
          batchItemFailures: failed ? [{ itemIdentifier: failed.kinesis.sequenceNumber }] : [],
        };
        return Promise.resolve({
          StatusCode: 200,
          Payload: Buffer.from(JSON.stringify(answer)),
        });
      },
    };
    const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`;
    const target = await resolveTarget('projector', { sqs, lambda }, { streamArn });
    const file = checkpointFile();

    // WHEN it is replayed into the function
    const replay = replayStream(kinesis, { stream, from, target, checkpointFile: file });

    // THEN it stops at the failed record, the checkpoint just before it, after events shaped as a mapping's
    await expect(replay).rejects.toThrow(
      `function projector reported batchItemFailures from record ${poison ?? ''}`,
    );
    expect(events.map((e) => e.Records.length)).toEqual([100, 100]);
    const [record] = events[0]?.Records ?? [];
    expect(record).toMatchObject({
      eventSource: 'aws:kinesis',
      eventName: 'aws:kinesis:record',
      eventSourceARN: streamArn,
      awsRegion: 'us-east-1',
      eventID: `shardId-000000000000:${all[0]?.sequenceNumber ?? ''}`,
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: all[0]?.partitionKey,
        sequenceNumber: all[0]?.sequenceNumber,
      },
    });
    expect(Buffer.from(record?.kinesis.data ?? '', 'base64').toString()).toBe(all[0]?.data);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { shards: Record<string, { last?: string }> };
    expect(saved.shards['shardId-000000000000']?.last).toBe(all[169]?.sequenceNumber);
  });

  it('stops on a function error, keeping the checkpoint of the batches before it', async () => {
    // GIVEN 150 records and a function that fails its second invocation
    const stream = await createStream(1);
    const from = new Date(Date.now() - 1000).toISOString();
    await put(stream, 'e', 150, [0]);
    const all = await readAll(stream);
    let calls = 0;
    const lambda: InvokeTransport = {
      invoke: (input) => {
        if (input.InvocationType === 'DryRun') return Promise.resolve({ StatusCode: 204 });
        calls += 1;
        return Promise.resolve(
          calls === 2
            ? {
                StatusCode: 200,
                FunctionError: 'Unhandled',
                Payload: Buffer.from('{"errorType":"Boom","errorMessage":"no"}'),
              }
            : { StatusCode: 200, Payload: Buffer.from('null') },
        );
      },
    };
    const target = await resolveTarget(
      'arn:aws:lambda:us-east-1:000000000000:function:f',
      { sqs, lambda },
      { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/x' },
    );
    const file = checkpointFile();

    // WHEN it is replayed into the function
    const replay = replayStream(kinesis, { stream, from, target, checkpointFile: file });

    // THEN the error names the function and its message, and the checkpoint is after the first batch
    await expect(replay).rejects.toThrow(
      'function arn:aws:lambda:us-east-1:000000000000:function:f failed: Boom: no',
    );
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { shards: Record<string, { last?: string }> };
    expect(saved.shards['shardId-000000000000']?.last).toBe(all[99]?.sequenceNumber);
  });

  it('refuses an unknown stream, an unknown target, a sequence number not in the stream, and bad instants', async () => {
    // GIVEN a stream with one record
    const stream = await createStream(1);
    await put(stream, 'z', 1, [0]);
    const { target } = collector();

    // WHEN/THEN each mistake is named
    await expect(
      replayStream(kinesis, { stream: 'nope', from: '2024-01-01', target, checkpointFile: checkpointFile() }),
    ).rejects.toThrow(new ReplayError('stream nope does not exist: check the name, region and endpoint.'));
    await expect(
      resolveTarget(
        'nothing-here',
        { sqs, lambda: noFunctions },
        { streamArn: 'arn:aws:kinesis:us-east-1:0:stream/x' },
      ),
    ).rejects.toThrow('"nothing-here" is neither a queue nor a function');
    await expect(
      replayStream(kinesis, { stream, from: '1234567', target, checkpointFile: checkpointFile() }),
    ).rejects.toThrow(`sequence number 1234567 is not a record of stream ${stream}`);
    expect(() => parsePosition('2024-02-30', '--from')).toThrow(ReplayUsageError);
    expect(() => parsePosition('2024-05-01T12:00:00', '--from')).toThrow(/with Z or an offset/);
    expect(() => parsePosition('2999-01-01T00:00:00Z', '--to')).toThrow(
      '--to 2999-01-01T00:00:00Z is in the future.',
    );
    expect(parsePosition('2024-05-01T12:00:00.123456+0200', '--from')).toEqual({
      instant: new Date('2024-05-01T10:00:00.123Z'),
    });
    await expect(
      replayStream(kinesis, {
        stream,
        from: '2024-05-02',
        to: '2024-05-01',
        target,
        checkpointFile: checkpointFile(),
      }),
    ).rejects.toThrow(ReplayUsageError);
  });

  it('refuses a checkpoint written for other arguments, and starts over with restart', async () => {
    // GIVEN a finished replay's checkpoint
    const stream = await createStream(1);
    const from = new Date(Date.now() - 1000).toISOString();
    await put(stream, 'r', 3, [0]);
    const file = checkpointFile();
    await replayStream(kinesis, { stream, from, target: collector().target, checkpointFile: file });

    // WHEN it is reused for another --from (refused), rerun, then restarted
    await expect(
      replayStream(kinesis, { stream, from: '2024-01-01', target: collector().target, checkpointFile: file }),
    ).rejects.toThrow(/belongs to another replay .* pass --restart/);
    const again = collector();
    await replayStream(kinesis, { stream, from, target: again.target, checkpointFile: file });
    const restarted = collector();
    await replayStream(kinesis, {
      stream,
      from,
      target: restarted.target,
      checkpointFile: file,
      restart: true,
    });

    // THEN a rerun finds nothing new, a restart delivers all again
    expect(again.delivered).toHaveLength(0);
    expect(restarted.delivered).toHaveLength(3);
    expect(existsSync(file)).toBe(true);
  });

  const noFunctions: InvokeTransport = {
    invoke: () =>
      Promise.reject(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' })),
  };

  const receiveAll = async (QueueUrl: string): Promise<Message[]> => {
    const messages: Message[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) return messages;
      messages.push(...Messages);
      // A FIFO group stays locked while its messages are in flight.
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };
});
