import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { atTimestampIterator } from '../../kinesis/at-timestamp.js';
import {
  iteratorReader,
  type ShardReader,
  type ShardRecord,
  type StartingPosition,
  type StreamSource,
} from './stream-poller.js';

/**
 * A Kinesis stream on kinesalite (which knows streams by name only, not by ARN), named by its ARN or by the
 * ARN of one of its enhanced fan-out consumers (`<stream ARN>/consumer/<name>:<created>`): a consumer reads
 * its stream's records, and its records and on-failure records carry the stream's ARN, as on AWS.
 */
export class KinesisStreamSource implements StreamSource {
  public readonly kind = 'Kinesis' as const;
  /** The stream's ARN, also when the mapping names a consumer. */
  public readonly arn: string;
  private readonly streamName: string;

  constructor(
    private readonly client: KinesisClient,
    sourceArn: string,
    private readonly region: string,
  ) {
    this.arn = streamArnOf(sourceArn);
    this.streamName = this.arn.split(':stream/')[1] ?? this.arn;
  }

  public async shards(): Promise<string[]> {
    const { Shards = [] } = await this.client.send(new ListShardsCommand({ StreamName: this.streamName }));
    return Shards.map((s) => s.ShardId ?? '').filter((id) => id !== '');
  }

  public async open(
    shardId: string,
    startingPosition: StartingPosition,
    afterSequenceNumber?: string,
    timestampMs?: number,
  ): Promise<ShardReader> {
    const first = await this.firstIterator(shardId, startingPosition, afterSequenceNumber, timestampMs);
    // A timestamp still to come is read from the tip on: what arrives before it is passed over.
    const notBefore =
      afterSequenceNumber === undefined && startingPosition === 'AT_TIMESTAMP' ? timestampMs : undefined;
    return iteratorReader(shardId, first, async (iterator, limit) => {
      const page = await this.client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 10000) }),
      );
      const records = (page.Records ?? []).filter(
        (r) => notBefore === undefined || (r.ApproximateArrivalTimestamp?.getTime() ?? 0) >= notBefore,
      );
      return { records: records.map((r) => this.record(shardId, r)), next: page.NextShardIterator };
    });
  }

  private async firstIterator(
    shardId: string,
    startingPosition: StartingPosition,
    afterSequenceNumber: string | undefined,
    timestampMs: number | undefined,
  ): Promise<string | undefined> {
    if (afterSequenceNumber === undefined && startingPosition === 'AT_TIMESTAMP') {
      const at = timestampMs ?? 0;
      if (at <= Date.now()) return atTimestampIterator(this.client, this.streamName, shardId, at);
    }
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ...(afterSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: afterSequenceNumber }
          : { ShardIteratorType: startingPosition === 'AT_TIMESTAMP' ? 'LATEST' : startingPosition }),
      }),
    );
    return ShardIterator;
  }

  private record(shardId: string, r: _Record): ShardRecord {
    const arrival = r.ApproximateArrivalTimestamp ?? new Date();
    const sequenceNumber = r.SequenceNumber ?? '';
    return {
      sequenceNumber,
      arrival,
      event: {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey,
          sequenceNumber,
          // Empty data (a tombstone) is the empty string.
          data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: arrival.getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::000000000000:role/local`,
        awsRegion: this.region,
        eventSourceARN: this.arn,
      },
    };
  }
}

/** The stream ARN of a stream ARN or a consumer ARN (`arn:…:stream/<name>/consumer/<consumer>:<created>`). */
export function streamArnOf(arn: string): string {
  const at = arn.indexOf('/consumer/');
  return at < 0 ? arn : arn.slice(0, at);
}

/** Whether an event source ARN names an enhanced fan-out consumer rather than a stream. */
export function isConsumerArn(arn: string): boolean {
  return /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/[^/]+\/consumer\/[^/]+$/.test(arn);
}
