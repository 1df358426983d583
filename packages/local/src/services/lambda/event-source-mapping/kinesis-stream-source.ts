import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { iteratorReader, type ShardReader, type ShardRecord, type StreamSource } from './stream-poller.js';

/** A Kinesis stream on kinesalite (which knows streams by name only, not by ARN). */
export class KinesisStreamSource implements StreamSource {
  public readonly kind = 'Kinesis' as const;
  private readonly streamName: string;

  constructor(
    private readonly client: KinesisClient,
    public readonly arn: string,
    private readonly region: string,
  ) {
    this.streamName = arn.split(':stream/')[1] ?? arn;
  }

  public async shards(): Promise<string[]> {
    const { Shards = [] } = await this.client.send(new ListShardsCommand({ StreamName: this.streamName }));
    return Shards.map((s) => s.ShardId ?? '').filter((id) => id !== '');
  }

  public async open(
    shardId: string,
    startingPosition: 'TRIM_HORIZON' | 'LATEST',
    afterSequenceNumber?: string,
  ): Promise<ShardReader> {
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ...(afterSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: afterSequenceNumber }
          : { ShardIteratorType: startingPosition }),
      }),
    );
    return iteratorReader(shardId, ShardIterator, async (iterator, limit) => {
      const page = await this.client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 10000) }),
      );
      return {
        records: (page.Records ?? []).map((r) => this.record(shardId, r)),
        next: page.NextShardIterator,
      };
    });
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
