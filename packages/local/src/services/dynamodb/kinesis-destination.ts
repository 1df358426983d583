import { createHash } from 'node:crypto';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue,
  type DynamoDBStreamsClient,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { PollBackoff } from '../lambda/event-source-mapping/poll-backoff.js';
import { streamImage } from './stream-image.js';

/** How precise `ApproximateCreationDateTime` is in the records a table streams to Kinesis. */
export type CreationTimePrecision = 'MILLISECOND' | 'MICROSECOND';

/** A table's Kinesis streaming destination, as its template declares it. */
export interface KinesisDestinationSpec {
  readonly tableName: string;
  /** The table's key attributes, partition key first. */
  readonly keyAttributes: readonly string[];
  /** The local table stream the changes are read from (DynamoDB Local's ARN). */
  readonly tableStreamArn: string;
  /** The Kinesis stream the changes go to, by name. */
  readonly streamName: string;
  /** @default 'MILLISECOND', CloudFormation's default */
  readonly precision: CreationTimePrecision;
  readonly region: string;
}

/** The record Kinesis Data Streams for DynamoDB writes for one change. */
export interface KinesisChangeRecord {
  readonly awsRegion: string;
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly userIdentity: { type: string; principalId: string } | null;
  readonly recordFormat: 'application/json';
  readonly tableName: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly SizeBytes: number;
  };
  readonly eventSource: 'aws:dynamodb';
}

/**
 * The partition key a change is written with: the uppercase hex MD5 of the item's key as canonical JSON
 * (key attributes in key-schema order, DynamoDB JSON), so each item's changes stay on one shard, in order,
 * and different items spread over the shards, as Kinesis Data Streams for DynamoDB does.
 */
export function changePartitionKey(
  keys: Record<string, AttributeValue> | undefined,
  keyAttributes: readonly string[],
): string {
  const canonical = Object.fromEntries(keyAttributes.map((name) => [name, streamImage(keys)?.[name]]));
  return createHash('md5').update(JSON.stringify(canonical)).digest('hex').toUpperCase();
}

/**
 * Kinesis Data Streams for DynamoDB on the local engines: reads a table's changes from DynamoDB Local's
 * stream of it (both images) and puts each as a KDS-format record on the Kinesis stream, keyed by the
 * item's key. `ApproximateCreationDateTime` is in milliseconds or microseconds as the precision says,
 * strictly increasing for each item.
 */
export class KinesisDestination {
  private running = false;
  private readonly shardLoops = new Map<string, Promise<void>>();
  private discovery?: Promise<void>;
  private wake?: () => void;
  /** The last `ApproximateCreationDateTime` written for each item, by partition key. */
  private readonly lastTime = new Map<string, number>();
  private readonly backoff = new PollBackoff((line) => {
    this.log(`[dynamodb ${this.spec.tableName} → kinesis ${this.spec.streamName}] ${line}`);
  });

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly kinesis: KinesisClient,
    private readonly spec: KinesisDestinationSpec,
    private readonly log: (line: string) => void,
    private readonly pollIntervalMs = 100,
  ) {}

  /** Starts forwarding from the start of the table's stream, so no change since the table exists is lost. */
  public start(): void {
    this.running = true;
    this.backoff.start();
    this.discovery = this.discover();
  }

  /** Stops reading and waits for the records in flight to be written. */
  public async stop(): Promise<void> {
    this.running = false;
    this.backoff.stop();
    this.wake?.();
    await Promise.allSettled([this.discovery, ...this.shardLoops.values()]);
  }

  private async discover(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const { StreamDescription } = await this.streams.send(
          new DescribeStreamCommand({ StreamArn: this.spec.tableStreamArn }),
        );
        for (const shard of StreamDescription?.Shards ?? []) {
          const id = shard.ShardId;
          if (id && !this.shardLoops.has(id))
            this.shardLoops.set(id, this.forwardShard(id, shard.ParentShardId));
        }
        failures = 0;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      } catch (error: unknown) {
        failures += 1;
        await this.backoff.failed(errorText(error), failures, 1000, () => this.running);
      }
    }
  }

  private async forwardShard(shardId: string, parentShardId: string | undefined): Promise<void> {
    // A child shard waits for its parent, so each item's changes stay in order across a shard rollover.
    const parent = parentShardId === undefined ? undefined : this.shardLoops.get(parentShardId);
    if (parent) await parent;
    let iterator: string | undefined;
    let checkpoint: string | undefined;
    let failures = 0;
    while (this.running) {
      try {
        iterator ??= (
          await this.streams.send(
            new GetShardIteratorCommand({
              StreamArn: this.spec.tableStreamArn,
              ShardId: shardId,
              ...(checkpoint
                ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
                : { ShardIteratorType: 'TRIM_HORIZON' }),
            }),
          )
        ).ShardIterator;
        if (!iterator) {
          this.wake?.();
          return;
        }
        const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = page.Records ?? [];
        await this.put(records);
        failures = 0;
        this.backoff.succeeded();
        checkpoint = records[records.length - 1]?.dynamodb?.SequenceNumber ?? checkpoint;
        iterator = page.NextShardIterator;
        if (!iterator) {
          this.wake?.();
          return;
        }
        if (records.length === 0) await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
      } catch (error: unknown) {
        iterator = undefined;
        // DynamoDB Local answers a fresh shard's first reads so at times: read it again from its start.
        if (
          error instanceof Error &&
          error.name === 'TrimmedDataAccessException' &&
          checkpoint === undefined
        ) {
          await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
          continue;
        }
        failures += 1;
        await this.backoff.failed(
          `${shardId}: ${errorText(error)}`,
          failures,
          this.pollIntervalMs,
          () => this.running,
        );
      }
    }
  }

  /** Writes the records in order; entries Kinesis refuses are written again until they are in. */
  private async put(records: readonly _Record[]): Promise<void> {
    let pending = records.map((r) => {
      const record = this.changeRecord(r);
      return { PartitionKey: changePartitionKey(r.dynamodb?.Keys, this.spec.keyAttributes), record };
    });
    let attempt = 0;
    while (pending.length > 0) {
      // Up to 500 records a request; a failed entry and everything after it go again, which keeps order.
      const wave = pending.slice(0, 500);
      const { Records: results = [] } = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.spec.streamName,
          Records: wave.map((w) => ({
            PartitionKey: w.PartitionKey,
            Data: Buffer.from(JSON.stringify(w.record)),
          })),
        }),
      );
      const failed = results.findIndex((r) => r.ErrorCode !== undefined);
      const written = failed < 0 ? wave.length : failed;
      pending = pending.slice(written);
      if (failed >= 0) {
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  /** One change in the KDS record format. */
  public changeRecord(r: _Record): KinesisChangeRecord {
    const d = r.dynamodb ?? {};
    const key = changePartitionKey(d.Keys, this.spec.keyAttributes);
    const identity = r.userIdentity;
    return {
      awsRegion: this.spec.region,
      eventID: r.eventID ?? '',
      eventName: r.eventName ?? 'MODIFY',
      userIdentity: identity ? { type: identity.Type ?? '', principalId: identity.PrincipalId ?? '' } : null,
      recordFormat: 'application/json',
      tableName: this.spec.tableName,
      dynamodb: {
        ApproximateCreationDateTime: this.creationTime(key, d.ApproximateCreationDateTime),
        Keys: streamImage(d.Keys) ?? {},
        ...(d.NewImage ? { NewImage: streamImage(d.NewImage) } : {}),
        ...(d.OldImage ? { OldImage: streamImage(d.OldImage) } : {}),
        SizeBytes: d.SizeBytes ?? 0,
      },
      eventSource: 'aws:dynamodb',
    };
  }

  /**
   * The change's time at the destination's precision: the time it is read (DynamoDB Local stamps changes to
   * the minute only), never before DynamoDB Local's stamp, and later than the item's previous change.
   */
  private creationTime(key: string, created: Date | undefined): number {
    const unit = this.spec.precision === 'MICROSECOND' ? 1000 : 1;
    const now = Math.floor((performance.timeOrigin + performance.now()) * unit);
    const stamped = (created?.getTime() ?? 0) * unit;
    const time = Math.max(now, stamped, (this.lastTime.get(key) ?? -Infinity) + 1);
    this.lastTime.set(key, time);
    return time;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
