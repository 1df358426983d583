import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeRecord } from './envelope.js';
import { logger } from '../powertools.js';

/** Tuning of {@link putChangeRecords}'s retries. */
export interface PutChangeRecordsOptions {
  /** Attempts per record before giving up on it (and on everything after it). @default 5 */
  readonly maxAttempts?: number;
  /** The first back-off, doubled at each further attempt (with jitter), at most 2 s. @default 50 */
  readonly baseDelayMs?: number;
}

/** Kinesis's limits on one PutRecords request. */
const MAX_ENTRIES = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

/** Errors of a whole PutRecords call that a later attempt may not meet. */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'KMSThrottlingException',
  'LimitExceededException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
]);

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return RETRYABLE.has(error.name) || (status !== undefined && status >= 500);
}

/** The entry of a record: its event as JSON, or no bytes at all for a tombstone. */
function entryOf(record: ChangeRecord): PutRecordsRequestEntry {
  return {
    PartitionKey: record.partitionKey,
    Data: record.value ? Buffer.from(JSON.stringify(record.value), 'utf8') : new Uint8Array(0),
  };
}

const sizeOf = (entry: PutRecordsRequestEntry) =>
  (entry.Data?.byteLength ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '', 'utf8');

/** Indices of a wave split into requests within Kinesis's limits. */
function requestsOf(wave: readonly number[], entries: readonly PutRecordsRequestEntry[]): number[][] {
  const requests: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const index of wave) {
    const size = sizeOf(entries[index] as PutRecordsRequestEntry);
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** Sends one request; answers the indices that were not written (all of them when the call was throttled). */
async function send(
  kinesis: KinesisClient,
  streamName: string,
  indices: readonly number[],
  entries: readonly PutRecordsRequestEntry[],
): Promise<number[]> {
  try {
    const response = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: indices.map((i) => entries[i] as PutRecordsRequestEntry),
      }),
    );
    if (!response.FailedRecordCount) return [];
    return indices.filter((_, position) => response.Records?.[position]?.ErrorCode !== undefined);
  } catch (error: unknown) {
    if (!isRetryable(error)) throw error;
    logger.warn('PutRecords throttled', { error: (error as Error).name, records: indices.length });
    return [...indices];
  }
}

/**
 * Writes change records to a Kinesis stream, keeping their order per partition key: PutRecords does not
 * keep order within a request, so the records go in waves holding at most one record per partition key,
 * each wave after the previous one's outcome. A failed entry (`ProvisionedThroughputExceededException`,
 * `InternalFailure`, or a throttled call) is retried in the next wave with exponential back-off, before the
 * records behind it on its key; after `maxAttempts` the writing stops. Answers `failedFrom`, the index of
 * the first record not written (every record before it is), when not all were; records after it may have
 * been written too, and are written again by a retry (sinks are idempotent). Errors that no retry can help
 * (a missing stream, no permission) are thrown.
 */
export async function putChangeRecords(
  kinesis: KinesisClient,
  streamName: string,
  records: readonly ChangeRecord[],
  options: PutChangeRecordsOptions = {},
): Promise<{ failedFrom?: number }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const entries = records.map(entryOf);
  const pending = new Map<string, number[]>();
  records.forEach((record, index) => {
    const queue = pending.get(record.partitionKey);
    if (queue) queue.push(index);
    else pending.set(record.partitionKey, [index]);
  });
  const written = new Array<boolean>(records.length).fill(false);
  const attempts = new Array<number>(records.length).fill(0);
  while (pending.size > 0) {
    let exhausted = false;
    const wave = [...pending.values()].map((queue) => queue[0] as number);
    const failed = new Set(
      (
        await Promise.all(
          requestsOf(wave, entries).map((request) => send(kinesis, streamName, request, entries)),
        )
      ).flat(),
    );
    let worst = 0;
    for (const [partitionKey, queue] of pending) {
      const head = queue[0] as number;
      if (failed.has(head)) {
        attempts[head] = (attempts[head] ?? 0) + 1;
        worst = Math.max(worst, attempts[head]);
        if (attempts[head] >= maxAttempts) exhausted = true;
        continue;
      }
      written[head] = true;
      queue.shift();
      if (queue.length === 0) pending.delete(partitionKey);
    }
    if (exhausted) break;
    if (failed.size > 0) {
      const delay = Math.min(baseDelayMs * 2 ** (worst - 1), 2000);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
  const failedFrom = written.indexOf(false);
  if (failedFrom === -1) return {};
  logger.warn('change records not written', { failedFrom, total: records.length, maxAttempts });
  return { failedFrom };
}
