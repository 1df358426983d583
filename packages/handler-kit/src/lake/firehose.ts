import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { logger } from '../powertools.js';
import { unrepresentable } from '../schemas.js';

/** What a transformation does with one record, as Firehose's data-transformation contract names it. */
export type TransformOutcome =
  | { readonly result: 'Ok'; readonly data: Buffer | string }
  | { readonly result: 'Dropped' }
  | { readonly result: 'ProcessingFailed'; readonly reason: string };

/** A record's transformation: its bytes (decoded from base64) and the record as Firehose sent it. */
export type RecordTransform = (
  data: Buffer,
  record: FirehoseTransformationEventRecord,
) => TransformOutcome | Promise<TransformOutcome>;

/** Lambda's limit on a synchronous invocation's response, which Firehose's invocation is. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * A Lambda handler for Firehose data transformation: each record's bytes go through `transform`, and its
 * outcome becomes the record's `result` (`Ok` with the new data, `Dropped`, or `ProcessingFailed`, which
 * Firehose writes to the stream's error prefix as `processing-failed` with the record's original bytes).
 * A `transform` that throws fails only that record (`ProcessingFailed`, the error's name as the reason):
 * a failed invocation would make Firehose retry, then fail, every record of the batch. Records are
 * transformed one at a time, in order. Reasons are logged (Firehose keeps none); the counts are logged once
 * per invocation.
 *
 * Lambda's 6 MB response limit applies to the answer (the data base64-encoded, a third larger than the
 * bytes): keep the processor's `BufferSizeInMBs` (Firehose's default 1 MB, at most 3) small enough for what
 * the transformation makes of it. An answer over the limit is logged as an error; Lambda then fails the
 * invocation and Firehose retries it and, after `NumberOfRetries`, fails its records.
 */
export function createFirehoseTransformer(transform: RecordTransform) {
  return async (
    event: FirehoseTransformationEvent,
    context?: Context,
  ): Promise<FirehoseTransformationResult> => {
    if (context) logger.addContext(context);
    const counts = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    const records: FirehoseTransformationResultRecord[] = [];
    let responseBytes = 0;
    for (const record of event.records) {
      let outcome: TransformOutcome;
      try {
        outcome = await transform(Buffer.from(record.data, 'base64'), record);
      } catch (error: unknown) {
        outcome = { result: 'ProcessingFailed', reason: error instanceof Error ? error.name : String(error) };
      }
      counts[outcome.result] += 1;
      const answer = answerOf(record, outcome);
      responseBytes += (answer.data?.length ?? 0) + record.recordId.length + 40;
      if (outcome.result === 'ProcessingFailed') {
        logger.warn('record processing failed', { recordId: record.recordId, reason: outcome.reason });
      }
      records.push(answer);
    }
    logger.info('records transformed', {
      deliveryStreamArn: event.deliveryStreamArn,
      invocationId: event.invocationId,
      ok: counts.Ok,
      dropped: counts.Dropped,
      processingFailed: counts.ProcessingFailed,
    });
    if (responseBytes > MAX_RESPONSE_BYTES) {
      logger.error('response exceeds the 6 MB Lambda limit: lower the processor BufferSizeInMBs', {
        responseBytes,
        records: records.length,
      });
    }
    return { records };
  };
}

function answerOf(
  record: FirehoseTransformationEventRecord,
  outcome: TransformOutcome,
): FirehoseTransformationResultRecord {
  switch (outcome.result) {
    case 'Ok': {
      const data = typeof outcome.data === 'string' ? Buffer.from(outcome.data, 'utf8') : outcome.data;
      return { recordId: record.recordId, result: 'Ok', data: data.toString('base64') };
    }
    // Firehose requires `data` in every answered record; a dropped or failed record's is not used.
    case 'Dropped':
      return { recordId: record.recordId, result: 'Dropped', data: '' };
    case 'ProcessingFailed':
      // The error output holds the record's original bytes, not these.
      return { recordId: record.recordId, result: 'ProcessingFailed', data: '' };
  }
}

/** The reason {@link jsonLinesTransform} gives for a record that is not exactly one JSON value. */
export const NOT_ONE_JSON_VALUE = 'not one JSON value';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The lake's raw-zone transformation (the `lake-json-lines` handler): an empty record (a CDC tombstone) is
 * `Dropped`; one JSON value, with any whitespace around it, becomes that value as compact JSON and a `\n`
 * (Firehose adds no delimiter, and Athena's JSON SerDe reads one value per line); anything else — not UTF-8,
 * not JSON, two values, or a value JSON cannot carry faithfully (a number beyond the double range, a lone
 * surrogate, nesting deeper than 32) — is `ProcessingFailed` with `not one JSON value` as the reason.
 *
 * Numbers are re-serialised as JavaScript doubles: an integer beyond 2^53 loses digits, so sources should
 * write such values (sequence numbers, 64-bit ids) as strings, as the CDC envelope does.
 */
export function jsonLinesTransform(data: Buffer): TransformOutcome {
  if (data.length === 0) return { result: 'Dropped' };
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(data).trim());
  } catch {
    return { result: 'ProcessingFailed', reason: NOT_ONE_JSON_VALUE };
  }
  const problem = unrepresentable(value, '(record)');
  if (problem) return { result: 'ProcessingFailed', reason: `${NOT_ONE_JSON_VALUE} (${problem})` };
  return { result: 'Ok', data: `${JSON.stringify(value)}\n` };
}
