import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { streamImage as image } from '../../dynamodb/stream-image.js';
import {
  iteratorReader,
  type ShardReader,
  type ShardRecord,
  type StartingPosition,
  type StreamSource,
  type StreamViewType,
} from './stream-poller.js';

/**
 * A DynamoDB table's stream on DynamoDB Local, read through the DynamoDB Streams API. DynamoDB Local names
 * its own region (`ddblocal`) in the stream ARNs it makes; what functions and on-failure records see is
 * the stream's ARN in the runtime's region and account, as on AWS.
 */
export class DynamoDbStreamSource implements StreamSource {
  public readonly kind = 'DDBStream' as const;
  /** The stream's ARN as records and on-failure records carry it: in the runtime's region and account. */
  public readonly arn: string;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    /** The stream's ARN as DynamoDB Local knows it, for its API. */
    private readonly engineArn: string,
    private readonly region: string,
    accountId?: string,
  ) {
    this.arn = inRegion(engineArn, region, accountId);
  }

  public async shards(): Promise<string[]> {
    const { StreamDescription } = await this.client.send(
      new DescribeStreamCommand({ StreamArn: this.engineArn }),
    );
    return (StreamDescription?.Shards ?? []).map((s) => s.ShardId ?? '').filter((id) => id !== '');
  }

  public async open(
    shardId: string,
    startingPosition: StartingPosition,
    afterSequenceNumber?: string,
  ): Promise<ShardReader> {
    // Refused from the template, as Lambda refuses it for DynamoDB streams.
    if (startingPosition === 'AT_TIMESTAMP')
      throw new Error('StartingPosition AT_TIMESTAMP is for Kinesis streams only');
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.engineArn,
        ShardId: shardId,
        ...(afterSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: afterSequenceNumber }
          : { ShardIteratorType: startingPosition }),
      }),
    );
    return iteratorReader(shardId, ShardIterator, async (iterator, limit) => {
      const page = await this.client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, 1000) }),
      );
      return { records: (page.Records ?? []).map((r) => this.record(r)), next: page.NextShardIterator };
    });
  }

  /**
   * The record as a stream of `viewType` carries it: DynamoDB Local's stream holds both images when the
   * table also streams to Kinesis, while the template may declare a narrower view.
   */
  public project(record: ShardRecord, viewType: StreamViewType): ShardRecord {
    const event = record.event as { dynamodb: Record<string, unknown> };
    const d = event.dynamodb;
    const withNew = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
    const dynamodb = {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime,
      Keys: d.Keys,
      ...(withNew && d.NewImage !== undefined ? { NewImage: d.NewImage } : {}),
      ...(withOld && d.OldImage !== undefined ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: viewType,
    };
    return { ...record, event: { ...event, dynamodb } };
  }

  private record(r: _Record): ShardRecord {
    const d = r.dynamodb ?? {};
    // DynamoDB Local dates a change to the minute, AWS to the second: a change up to a minute early would
    // look older than a snapshot read that followed it. The time it is first read (a poll follows a write
    // within a fraction of a second), to the second as AWS gives it, is never earlier than the change.
    const created = new Date(
      Math.max(d.ApproximateCreationDateTime?.getTime() ?? 0, Math.floor(Date.now() / 1000) * 1000),
    );
    const event = {
      eventID: r.eventID,
      eventName: r.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(created.getTime() / 1000),
        Keys: image(d.Keys),
        ...(d.NewImage ? { NewImage: image(d.NewImage) } : {}),
        ...(d.OldImage ? { OldImage: image(d.OldImage) } : {}),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType,
      },
      eventSourceARN: this.arn,
      ...(r.userIdentity
        ? { userIdentity: { type: r.userIdentity.Type, principalId: r.userIdentity.PrincipalId } }
        : {}),
    };
    return { sequenceNumber: d.SequenceNumber ?? '', arrival: created, event };
  }
}

/** `arn` with its region (and, when given, its account) replaced: `arn:aws:dynamodb:ddblocal:…` → `…:us-east-1:…`. */
export function inRegion(arn: string, region: string, accountId?: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return arn;
  parts[3] = region;
  if (accountId !== undefined) parts[4] = accountId;
  return parts.join(':');
}
