import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/**
 * A shard iterator at the first record that arrived at or after `timestampMs`, the way Kinesis positions an
 * `AT_TIMESTAMP` iterator. kinesalite answers such a request only when a record at or after the time
 * exists: with none it never answers (the request hangs). This asks for the shard's tip first, scans the
 * shard for the first such record and answers an `AT_SEQUENCE_NUMBER` iterator for it, or the tip when there
 * is none — so a record written during the scan is still read. `timestampMs` must not be in the future.
 */
export async function atTimestampIterator(
  client: KinesisClient,
  streamName: string,
  shardId: string,
  timestampMs: number,
): Promise<string | undefined> {
  const iterator = async (input: Omit<ConstructorParameters<typeof GetShardIteratorCommand>[0], 'ShardId'>) =>
    (await client.send(new GetShardIteratorCommand({ ...input, StreamName: streamName, ShardId: shardId })))
      .ShardIterator;
  const tip = await iterator({ ShardIteratorType: 'LATEST' });
  let scan = await iterator({ ShardIteratorType: 'TRIM_HORIZON' });
  while (scan) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: scan, Limit: 10_000 }));
    const records = page.Records ?? [];
    const first = records.find((r) => (r.ApproximateArrivalTimestamp?.getTime() ?? 0) >= timestampMs);
    if (first?.SequenceNumber) {
      return iterator({
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: first.SequenceNumber,
      });
    }
    if (records.length === 0) break;
    scan = page.NextShardIterator;
  }
  return tip;
}

/** A `StartingPositionTimestamp` or `Timestamp` (epoch seconds, possibly fractional) in milliseconds. */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}
