import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import type { BufferedRecord } from '../../../src/services/kinesisfirehose/delivery-stream.js';
import { KinesisSourceReader } from '../../../src/services/kinesisfirehose/kinesis-source.js';

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  readonly data: string[];
  closed: boolean;
}

/**
 * A Kinesis stream in memory answering ListShards, GetShardIterator and GetRecords as kinesalite does: an
 * iterator is `<shard>@<position>`, a closed shard read to its end has no next iterator.
 */
class FakeKinesis {
  public readonly shards: FakeShard[] = [];
  public readonly iteratorTypes: string[] = [];

  public send(command: unknown): Promise<unknown> {
    if (command instanceof ListShardsCommand) {
      return Promise.resolve({
        Shards: this.shards.map((s) => ({ ShardId: s.id, ...(s.parent ? { ParentShardId: s.parent } : {}) })),
      });
    }
    if (command instanceof GetShardIteratorCommand) {
      const { ShardId = '', ShardIteratorType = '' } = command.input;
      this.iteratorTypes.push(`${ShardId}:${ShardIteratorType}`);
      const shard = this.shard(ShardId);
      return Promise.resolve({
        ShardIterator: `${ShardId}@${ShardIteratorType === 'LATEST' ? shard.data.length : 0}`,
      });
    }
    if (command instanceof GetRecordsCommand) {
      const [id = '', at = '0'] = (command.input.ShardIterator ?? '').split('@');
      const shard = this.shard(id);
      const from = Number(at);
      const records = shard.data.slice(from).map((d, i) => ({
        Data: Buffer.from(d),
        PartitionKey: 'k',
        SequenceNumber: `${id}-${from + i}`,
        ApproximateArrivalTimestamp: new Date(1_772_856_000_000 + from + i),
      }));
      const end = shard.data.length;
      return Promise.resolve({
        Records: records,
        ...(shard.closed && from >= end ? {} : { NextShardIterator: `${id}@${end}` }),
      });
    }
    return Promise.reject(new Error('unexpected command'));
  }

  private shard(id: string): FakeShard {
    const shard = this.shards.find((s) => s.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }
}

function reader(kinesis: FakeKinesis) {
  const delivered: BufferedRecord[] = [];
  let n = 0;
  const source = new KinesisSourceReader(
    kinesis as unknown as KinesisClient,
    'telemetry',
    (records) => delivered.push(...records),
    () => undefined,
    () => `id-${(n += 1)}`,
  );
  return { source, delivered, texts: () => delivered.map((r) => r.data.toString()) };
}

describe("a delivery stream's Kinesis source", () => {
  it('reads from LATEST at start: records put before are not delivered, records put after are', async () => {
    // GIVEN a shard that already holds a record
    const kinesis = new FakeKinesis();
    kinesis.shards.push({ id: 'shard-0', data: ['before'], closed: false });
    const { source, texts, delivered } = reader(kinesis);

    // WHEN the reader starts, a record is put, and the shard is read
    await source.start();
    kinesis.shards[0]?.data.push('after');
    await source.poll();
    await source.stop();

    // THEN only the later record is delivered, with its Kinesis metadata and arrival
    expect(texts()).toEqual(['after']);
    expect(delivered[0]).toMatchObject({
      recordId: 'id-1',
      arrival: new Date(1_772_856_000_001),
      kinesis: { shardId: 'shard-0', partitionKey: 'k', sequenceNumber: 'shard-0-1' },
    });
    expect(kinesis.iteratorTypes).toEqual(['shard-0:LATEST']);
  });

  it('follows a reshard: a child shard is read from its start once its parent has been read to its end', async () => {
    // GIVEN a reader on one shard
    const kinesis = new FakeKinesis();
    kinesis.shards.push({ id: 'shard-0', data: [], closed: false });
    const { source, texts } = reader(kinesis);
    await source.start();

    // WHEN the shard gets a record, is split (closed, with a child that gets a record at once)
    kinesis.shards[0]?.data.push('parent-1');
    const parent = kinesis.shards[0] as FakeShard;
    parent.closed = true;
    kinesis.shards.push({ id: 'shard-1', parent: 'shard-0', data: ['child-1'], closed: false });

    // THEN the first read takes the parent's record only, and the child waits for the parent's end
    await source.poll();
    expect(texts()).toEqual(['parent-1']);
    await source.poll();
    await source.poll();
    await source.stop();
    expect(texts()).toEqual(['parent-1', 'child-1']);
    expect(kinesis.iteratorTypes).toEqual(['shard-0:LATEST', 'shard-1:TRIM_HORIZON']);
  });
});
