import { randomUUID } from 'node:crypto';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';
import type { EtlWindow } from '@conflux/constructs/contracts';
import { planWindow } from '../../src/lake/index.js';

/** A Firehose transformation record holding `data` (text as UTF-8, or bytes). */
export function firehoseRecord(
  data: string | Buffer,
  overrides: Partial<FirehoseTransformationEventRecord> = {},
): FirehoseTransformationEventRecord {
  return {
    recordId: randomUUID(),
    approximateArrivalTimestamp: Date.parse('2026-12-03T01:00:00.000Z'),
    data: (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64'),
    ...overrides,
  };
}

/** A Firehose transformation invocation of `records`, as a direct-put stream sends it. */
export function firehoseEvent(...records: FirehoseTransformationEventRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/telemetry',
    region: 'us-east-1',
    records,
  };
}

/** The state machine's step payload base. */
export function stepBase(bucket: string, overrides: { startedAt?: string; settleMs?: number } = {}) {
  return {
    pipeline: 'customers-nightly',
    bucket,
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:customers-nightly:run-1',
    startedAt: overrides.startedAt ?? '2026-12-03T02:00:00.000Z',
    settleMs: overrides.settleMs ?? 60_000,
  };
}

/** The extract step's payload as the state machine sends it: `stored` is the raw GetItem output. */
export function extractPayload(bucket: string, watermark?: string, input: Record<string, unknown> = {}) {
  return {
    ...stepBase(bucket),
    input,
    stored:
      watermark === undefined
        ? { SdkHttpMetadata: { HttpStatusCode: 200 } }
        : { Item: { pipeline: { S: 'customers-nightly' }, watermark: { S: watermark } } },
  };
}

/** A window of a day ending at 01:00 on 2026-12-03. */
export const dayWindow: EtlWindow = planWindow({
  since: '2026-12-02T01:00:00.000Z',
  until: '2026-12-03T01:00:00.000Z',
  watermark: null,
  startedAt: '2026-12-03T02:00:00.000Z',
  settleMs: 0,
});
