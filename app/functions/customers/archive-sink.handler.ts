import type { KinesisStreamRecord } from 'aws-lambda';
import { requireEnv } from '@conflux/handler-kit';
import { createChangeConsumer, parseChangeRecord } from '@conflux/handler-kit/cdc';
import { changeArchive } from './adapters';
import { archiveObject } from './domain';

const archive = changeArchive(requireEnv('ARCHIVE_BUCKET_NAME'));

async function apply(record: KinesisStreamRecord): Promise<void> {
  const change = parseChangeRecord(record);
  const object = archiveObject(change, {
    partitionKey: record.kinesis.partitionKey,
    sequenceNumber: record.kinesis.sequenceNumber,
    data: Buffer.from(record.kinesis.data, 'base64'),
    arrivedAtMs: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
  });
  if (object) await archive.put(object);
}

/**
 * The raw change archive: every change event as it came, one S3 object per change at a key made of its
 * table, date and source position (see `archiveObject`), so duplicates and replays rewrite the same object
 * with the same bytes and never add one. Objects are independent, so a batch is written in parallel; a
 * malformed record is reported alone in `batchItemFailures`.
 */
export const handler = createChangeConsumer(apply, {
  failureMessage: 'change not archived',
  inOrder: false,
});
