import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { logger, requireEnv } from '@conflux/handler-kit';
import { parseChangeRecord } from '@conflux/handler-kit/cdc';
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
export const handler = async (event: KinesisStreamEvent, context: Context) =>
  processPartialResponse(
    event,
    async (record: KinesisStreamRecord) => {
      try {
        await apply(record);
      } catch (error: unknown) {
        logger.warn('change not archived', {
          sequenceNumber: record.kinesis.sequenceNumber,
          partitionKey: record.kinesis.partitionKey,
          error: error as Error,
        });
        throw error;
      }
    },
    new BatchProcessor(EventType.KinesisDataStreams),
    { context, processInParallel: true, throwOnFullBatchFailure: false },
  );
