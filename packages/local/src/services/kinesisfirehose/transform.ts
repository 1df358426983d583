import { randomUUID } from 'node:crypto';
import type { BufferedRecord } from './delivery-stream.js';

/** A Lambda processor of `ProcessingConfiguration`. */
export interface TransformConfig {
  readonly lambdaArn: string;
  /** `NumberOfRetries`: retries of an invocation that failed. @default 3 */
  readonly retries: number;
  /** `BufferSizeInMBs` of the processor: the most input one invocation carries. @default 1 MiB */
  readonly maxBytes: number;
  /** For a Kinesis source, `sourceKinesisStreamArn` of the event. */
  readonly sourceStreamArn?: string;
}

/** Invokes the transformation function synchronously. */
export type InvokeTransform = (
  arn: string,
  event: unknown,
) => Promise<
  { ok: true; payload: unknown } | { ok: false; error: { errorType: string; errorMessage: string } }
>;

/** A record that ends under the error prefix, with what the failed-record line says. */
export interface FailedRecord {
  readonly record: BufferedRecord;
  readonly attemptsMade: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
  readonly lambdaArn: string;
}

/** What a buffer became: the records to deliver (with their new data), how many were dropped, and the failures. */
export interface Transformed {
  readonly ok: { readonly record: BufferedRecord; readonly data: Buffer }[];
  dropped: number;
  readonly failed: FailedRecord[];
}

/** A delivery's attempts at writing before a stopping runtime gives up. */
export const FAILED_ATTEMPTS = 3;

/** The most a Lambda invocation's request may be (6 MB synchronous payload), less room for the envelope. */
const MAX_INVOCATION_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/** Splits records into invocations of at most `maxBytes` of data each (one record per invocation at least). */
function chunks(records: readonly BufferedRecord[], maxBytes: number): BufferedRecord[][] {
  const out: BufferedRecord[][] = [];
  let current: BufferedRecord[] = [];
  let size = 0;
  // Base64 grows data by a third.
  const limit = Math.min(maxBytes, (MAX_INVOCATION_BYTES * 3) / 4);
  for (const record of records) {
    if (current.length > 0 && size + record.data.length > limit) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += record.data.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The transformation event Firehose sends (developer guide, "Data transformation"). */
function eventOf(
  records: readonly BufferedRecord[],
  config: TransformConfig,
  streamArn: string,
  region: string,
) {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: streamArn,
    ...(config.sourceStreamArn ? { sourceKinesisStreamArn: config.sourceStreamArn } : {}),
    region,
    records: records.map((r) => ({
      recordId: r.recordId,
      approximateArrivalTimestamp: r.arrival.getTime(),
      data: r.data.toString('base64'),
      ...(r.kinesis
        ? {
            kinesisRecordMetadata: {
              shardId: r.kinesis.shardId,
              partitionKey: r.kinesis.partitionKey,
              approximateArrivalTimestamp: r.kinesis.approximateArrivalTimestamp,
              sequenceNumber: r.kinesis.sequenceNumber,
              subsequenceNumber: '',
            },
          }
        : {}),
    })),
  };
}

/** Why an answer cannot be used, or the answer's records by id. */
function answerOf(
  payload: unknown,
  records: readonly BufferedRecord[],
):
  { error: { code: string; message: string } } | { results: Map<string, { result: string; data?: string }> } {
  const list = (payload as { records?: unknown } | null)?.records;
  if (!Array.isArray(list)) {
    return {
      error: {
        code: 'Lambda.InvalidReturnedPayload',
        message: 'The Lambda function returned no records array.',
      },
    };
  }
  const results = new Map<string, { result: string; data?: string }>();
  for (const item of list as unknown[]) {
    const r = item as { recordId?: unknown; result?: unknown; data?: unknown } | null;
    if (typeof r?.recordId !== 'string') continue;
    if (results.has(r.recordId)) {
      return {
        error: {
          code: 'Lambda.DuplicatedRecordId',
          message: `The Lambda function returned record ${r.recordId} more than once.`,
        },
      };
    }
    results.set(r.recordId, {
      result: String(r.result),
      ...(typeof r.data === 'string' ? { data: r.data } : {}),
    });
  }
  const missing = records.find((r) => !results.has(r.recordId));
  if (missing) {
    return {
      error: {
        code: 'Lambda.MissingRecordId',
        message: `The Lambda function did not return record ${missing.recordId}; it must return every record it was given.`,
      },
    };
  }
  const bad = [...results.values()].find(
    (r) =>
      !['Ok', 'Dropped', 'ProcessingFailed'].includes(r.result) ||
      (r.result === 'Ok' && r.data === undefined),
  );
  if (bad) {
    return {
      error: {
        code: 'Lambda.InvalidReturnedPayload',
        message: `The Lambda function returned a record with result ${JSON.stringify(bad.result)}${bad.result === 'Ok' ? ' and no data' : ''}; the results are Ok (with data), Dropped and ProcessingFailed.`,
      },
    };
  }
  return { results };
}

/**
 * Runs a buffer through the transformation function as Firehose does: invocations of at most the processor's
 * buffer size, each retried `NumberOfRetries` times when it fails (a function error, an answer that is not
 * the records, a record missing); after that every record of the invocation is processing-failed. A record
 * the function answers `ProcessingFailed` is failed at once; `Dropped` is not delivered; `Ok` is delivered
 * with the data returned.
 */
export async function transformRecords(
  records: readonly BufferedRecord[],
  config: TransformConfig,
  streamArn: string,
  deps: { readonly invoke: InvokeTransform; readonly region: string; readonly log: (line: string) => void },
): Promise<Transformed> {
  const out: Transformed = { ok: [], dropped: 0, failed: [] };
  for (const chunk of chunks(records, config.maxBytes)) {
    let failure: { code: string; message: string } = { code: 'Lambda.FunctionError', message: '' };
    let done = false;
    let attempts = 0;
    while (!done && attempts <= config.retries) {
      attempts += 1;
      const result = await deps
        .invoke(config.lambdaArn, eventOf(chunk, config, streamArn, deps.region))
        .catch((error: unknown) => ({
          ok: false as const,
          error: { errorType: error instanceof Error ? error.name : 'Error', errorMessage: String(error) },
        }));
      if (!result.ok) {
        failure = {
          code: 'Lambda.FunctionError',
          message: 'The Lambda function was successfully invoked but it returned an error result.',
        };
        deps.log(`[firehose] transformation by ${config.lambdaArn} failed: ${result.error.errorType}`);
        continue;
      }
      const answer = answerOf(result.payload, chunk);
      if ('error' in answer) {
        failure = answer.error;
        deps.log(`[firehose] transformation by ${config.lambdaArn}: ${answer.error.message}`);
        continue;
      }
      done = true;
      for (const record of chunk) {
        const r = answer.results.get(record.recordId);
        if (r?.result === 'Ok') out.ok.push({ record, data: Buffer.from(r.data ?? '', 'base64') });
        else if (r?.result === 'Dropped') out.dropped += 1;
        else {
          out.failed.push({
            record,
            attemptsMade: attempts,
            errorCode: 'Lambda.ProcessingFailed',
            errorMessage: 'The Lambda function returned ProcessingFailed for this record.',
            attemptEndingTimestamp: Date.now(),
            lambdaArn: config.lambdaArn,
          });
        }
      }
    }
    if (!done) {
      const ended = Date.now();
      for (const record of chunk) {
        out.failed.push({
          record,
          attemptsMade: attempts,
          errorCode: failure.code,
          errorMessage: failure.message,
          attemptEndingTimestamp: ended,
          lambdaArn: config.lambdaArn,
        });
      }
    }
  }
  return out;
}
