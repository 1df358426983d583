import { KinesisClient } from '@aws-sdk/client-kinesis';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { changeRecordsFromStream } from './dynamodb-source.js';
import type { CaptureOptions } from './envelope.js';
import { MalformedChangeError } from './errors.js';
import {
  kdsRecordsWithOrigin,
  parseKdsRecord,
  type KdsChange,
  type OriginRecord,
} from './kinesis-for-dynamodb.js';
import { putChangeRecords, type PutChangeRecordsOptions } from './put-records.js';
import { logger, metrics } from '../powertools.js';

/** Where a CDC processor reads a table's changes. */
export type CdcSource = 'dynamodb-stream' | 'kinesis';

/** What {@link createCdcProcessor} needs. */
export interface CdcProcessorOptions {
  /** The table's DynamoDB stream, or its Kinesis Data Streams for DynamoDB destination. */
  readonly source: CdcSource;
  /** The event stream the change events go to. */
  readonly streamName: string;
  readonly capture: CaptureOptions;
  /**
   * @default - a client for the function's Region over HTTP/1.1, created once (the Kinesis client's default
   * HTTP/2 is needed only by SubscribeToShard, and the offline runtime's Kinesis speaks HTTP/1.1)
   */
  readonly kinesis?: KinesisClient;
  /** Retry tuning of the writes. @default - see `putChangeRecords` */
  readonly put?: PutChangeRecordsOptions;
}

/** A processor's answer: the records to deliver again (the first not fully written and all after it). */
export type CdcBatchResponse = DynamoDBBatchResponse;

/** The change records of a batch, each with its source record's index, up to the first malformed record. */
interface Converted {
  readonly records: OriginRecord[];
  /** Index of the first source record that could not be converted. */
  readonly malformedAt?: number;
}

function reportMalformed(error: unknown, identifier: string | undefined): void {
  if (!(error instanceof MalformedChangeError)) throw error;
  logger.error('malformed change', { itemIdentifier: identifier, error: error.message });
  metrics.addMetric('MalformedChanges', MetricUnit.Count, 1);
}

function fromStream(records: readonly DynamoDBRecord[], capture: CaptureOptions): Converted {
  const out: OriginRecord[] = [];
  for (const [origin, record] of records.entries()) {
    try {
      out.push(...changeRecordsFromStream(record, capture).map((r) => ({ record: r, origin })));
    } catch (error: unknown) {
      reportMalformed(error, record.dynamodb?.SequenceNumber);
      return { records: out, malformedAt: origin };
    }
  }
  return { records: out };
}

function fromKinesis(records: readonly KinesisStreamRecord[], capture: CaptureOptions): Converted {
  const changes: KdsChange[] = [];
  let malformedAt: number | undefined;
  for (const [origin, record] of records.entries()) {
    try {
      changes.push(parseKdsRecord(record));
    } catch (error: unknown) {
      reportMalformed(error, record.kinesis.sequenceNumber);
      malformedAt = origin;
      break;
    }
  }
  const { records: converted, malformed } = kdsRecordsWithOrigin(changes, capture);
  if (malformed) {
    reportMalformed(malformed.error, records[malformed.at]?.kinesis.sequenceNumber);
    malformedAt = malformed.at;
  }
  return malformedAt === undefined ? { records: converted } : { records: converted, malformedAt };
}

/**
 * A Lambda handler that captures a table's changes as Debezium change events on a Kinesis stream, from
 * the table's DynamoDB stream or its Kinesis Data Streams for DynamoDB destination. Each batch becomes its
 * change records in source order (Kinesis Data Streams for DynamoDB: each key's changes sorted and
 * de-duplicated), written with `putChangeRecords` so each key's order holds. The answer names the first
 * source record whose records were not all written, and every record after it, so the mapping delivers them
 * again (what was written before is written again, and sinks skip it by position). A record that cannot be
 * converted is such a failure too: the mapping's retries and bisection isolate it and, once they are spent,
 * its on-failure destination receives it.
 */
export function createCdcProcessor(options: CdcProcessorOptions) {
  const kinesis = options.kinesis ?? new KinesisClient({ requestHandler: new NodeHttpHandler() });
  return async (
    event: DynamoDBStreamEvent | KinesisStreamEvent,
    context?: Context,
  ): Promise<CdcBatchResponse> => {
    if (context) logger.addContext(context);
    const identifiers =
      options.source === 'kinesis'
        ? (event as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber)
        : (event as DynamoDBStreamEvent).Records.map((r) => r.dynamodb?.SequenceNumber ?? r.eventID ?? '');
    try {
      const converted =
        options.source === 'kinesis'
          ? fromKinesis((event as KinesisStreamEvent).Records, options.capture)
          : fromStream((event as DynamoDBStreamEvent).Records, options.capture);
      const { failedFrom } = await putChangeRecords(
        kinesis,
        options.streamName,
        converted.records.map((r) => r.record),
        options.put,
      );
      const unwritten =
        failedFrom === undefined ? [] : converted.records.slice(failedFrom).map((r) => r.origin);
      const firstFailed = Math.min(converted.malformedAt ?? Infinity, ...unwritten);
      const written = failedFrom ?? converted.records.length;
      metrics.addMetric('ChangeRecordsWritten', MetricUnit.Count, written);
      if (firstFailed === Infinity) return { batchItemFailures: [] };
      logger.warn('batch not fully written', { firstFailed, records: identifiers.length, written });
      return {
        batchItemFailures: identifiers.slice(firstFailed).map((itemIdentifier) => ({ itemIdentifier })),
      };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
