import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { BufferedRecord } from './delivery-stream.js';

/** How often a Kinesis source is read: Firehose reads its source about once a second per shard. */
export const KINESIS_POLL_MS = 1000;

/**
 * A delivery stream's Kinesis source (`KinesisStreamAsSource`): every shard read from the tip at the time the
 * reader starts (Firehose starts at LATEST), shards that appear later (a reshard's children) from their start,
 * a closed shard dropped once read to its end.
 */
export class KinesisSourceReader {
  private readonly iterators = new Map<string, string | null>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private started = false;
  private stopped = false;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly deliver: (records: BufferedRecord[]) => void,
    private readonly log: (line: string) => void,
    private readonly newRecordId: () => string,
  ) {}

  /** Positions every current shard at its tip now; records put from now on are delivered. */
  public async start(): Promise<void> {
    for (const shardId of await this.shardIds()) {
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: shardId,
          ShardIteratorType: 'LATEST',
        }),
      );
      this.iterators.set(shardId, ShardIterator ?? null);
    }
    this.started = true;
    this.schedule();
  }

  /** Stops reading; resolves once a read in progress has ended. */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Reads every shard once now (tests, and `flush`): a read begun before the call is followed by another. */
  public async poll(): Promise<void> {
    if (!this.started) return;
    if (this.running) await this.running;
    this.running ??= this.readAll().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.schedule();
      });
    }, KINESIS_POLL_MS);
    this.timer.unref();
  }

  private async shardIds(): Promise<string[]> {
    return (await this.shards()).map((s) => s.id);
  }

  /** Every shard of the stream, with its parents, through every page of `ListShards`. */
  private async shards(): Promise<{ readonly id: string; readonly parents: readonly string[] }[]> {
    const out: { id: string; parents: string[] }[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.streamName }),
      );
      for (const s of page.Shards ?? []) {
        if (!s.ShardId) continue;
        const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p);
        out.push({ id: s.ShardId, parents });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** A parent being read still: its children wait, so that a key's records stay in order across a reshard. */
  private reading(shardId: string): boolean {
    return (this.iterators.get(shardId) ?? null) !== null;
  }

  private async readAll(): Promise<void> {
    try {
      for (const { id: shardId, parents } of await this.shards()) {
        if (this.iterators.has(shardId) || parents.some((p) => this.reading(p))) continue;
        const { ShardIterator } = await this.client.send(
          new GetShardIteratorCommand({
            StreamName: this.streamName,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        this.iterators.set(shardId, ShardIterator ?? null);
      }
      for (const [shardId, iterator] of this.iterators) {
        if (!iterator) continue;
        const page = await this.client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
        );
        this.iterators.set(shardId, page.NextShardIterator ?? null);
        const records = (page.Records ?? []).map((r): BufferedRecord => {
          const arrival = r.ApproximateArrivalTimestamp ?? new Date();
          return {
            recordId: this.newRecordId(),
            data: Buffer.from(r.Data ?? new Uint8Array()),
            // Firehose dates a record read from Kinesis by its arrival in the stream.
            arrival,
            kinesis: {
              shardId,
              partitionKey: r.PartitionKey ?? '',
              sequenceNumber: r.SequenceNumber ?? '',
              approximateArrivalTimestamp: arrival.getTime(),
            },
          };
        });
        if (records.length > 0) this.deliver(records);
      }
    } catch (error: unknown) {
      // The stream is read again at the next poll, from the same iterators.
      this.log(
        `[firehose] reading Kinesis stream ${this.streamName} failed (${error instanceof Error ? error.name : 'error'}); retrying`,
      );
    }
  }
}
