import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtlExtractResult, EtlStepBase, EtlTransformResult } from '@conflux/constructs/contracts';
import { parseJsonLines } from '@conflux/handler-kit/lake';
import type { handler as Extract } from '../../../functions/lake/extract.handler';
import type { handler as Transform } from '../../../functions/lake/transform.handler';
import type { handler as Load } from '../../../functions/lake/load.handler';
import { startFauxqs } from '@conflux/local';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { customerItem } from './fixtures';

describe('customers-nightly step handlers (DynamoDB Local, S3 on fauxqs)', () => {
  const ddb = useDynamoDbLocal();
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: ddb.endpoint }));
  let s3: S3Client;
  let stop: () => Promise<void>;
  let extract: typeof Extract;
  let transform: typeof Transform;
  let load: typeof Load;
  const bucket = 'lake-handlers';
  const id = (n: number) => `0b7f9a52-3c1e-4d8a-9f00-${String(n).padStart(12, '0')}`;

  beforeAll(async () => {
    const fauxqs = await startFauxqs('us-east-1');
    stop = () => fauxqs.stop();
    process.env.AWS_ENDPOINT_URL_S3 = fauxqs.address;
    s3 = new S3Client({ endpoint: fauxqs.address, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    process.env.CUSTOMERS_TABLE_NAME = await ddb.createTable('lake-steps', 'customerId');
    process.env.SCAN_SEGMENTS = '2';
    const put = (item: Record<string, unknown>) =>
      documents.send(new PutCommand({ TableName: process.env.CUSTOMERS_TABLE_NAME, Item: item }));
    await put(customerItem({ customerId: id(1), name: ' Ada  Lovelace ', email: 'ADA@example.com ' }));
    await put(customerItem({ customerId: id(2), name: 'Grace Hopper', email: 'grace@example', phone: '12' }));
    await put(customerItem({ customerId: id(3), name: '', email: 'nobody@example.com' }));
    await put(customerItem({ customerId: id(4), updatedAt: '2026-12-03T01:30:00.000Z' })); // after the window
    ({ handler: extract } = await import('../../../functions/lake/extract.handler'));
    ({ handler: transform } = await import('../../../functions/lake/transform.handler'));
    ({ handler: load } = await import('../../../functions/lake/load.handler'));
  });
  afterAll(async () => {
    s3.destroy();
    documents.destroy();
    await stop();
  });

  /** One run as the state machine drives it: its payloads, each step's answer passed on. */
  async function run(watermark: string | undefined, startedAt = '2026-12-03T01:00:00.000Z') {
    const base: EtlStepBase = {
      pipeline: 'customers-nightly',
      bucket,
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:customers-nightly:run',
      startedAt,
      settleMs: 60_000,
    };
    const stored = watermark ? { Item: { pipeline: { S: base.pipeline }, watermark: { S: watermark } } } : {};
    const extracted: EtlExtractResult = await extract({ ...base, input: {}, stored });
    const transformed: EtlTransformResult = await transform({
      ...base,
      window: extracted.window,
      staged: extracted.staged,
    });
    const loaded = await load({ ...base, window: extracted.window, staged: transformed.staged });
    return { extracted, transformed, loaded };
  }
  const read = async (key: string) => {
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToByteArray();
    return parseJsonLines<Record<string, unknown>>(body ?? new Uint8Array());
  };
  const etag = async (key: string) =>
    (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;

  it('extracts the window, quarantines the bad rows with their reasons and loads the rest, cleansed', async () => {
    // GIVEN the table above and the watermark of the night before
    // WHEN a run starts at 01:00 on 3 December (window 2 December 01:59 → 3 December 00:59 less the settle time)
    const { extracted, transformed, loaded } = await run('2026-12-02T00:59:00.000Z');
    // THEN the three customers changed in the window are extracted, one accepted, two quarantined
    expect(extracted.rows).toBe(3);
    expect(extracted.window.to).toBe('2026-12-03T00:59:00.000Z');
    expect(transformed).toMatchObject({ accepted: 1, rejected: 2, duplicates: 0 });
    const quarantine = await read(transformed.quarantined?.key ?? '');
    expect(transformed.quarantined?.key).toBe(
      `quarantine/customers-nightly/dt=2026-12-03/${extracted.window.id}.json.gz`,
    );
    const reasons = Object.fromEntries(
      quarantine.map((l) => [(l.row as { customerId: string }).customerId, l.reasons as string[]]),
    );
    expect(reasons[id(2)]).toEqual([expect.stringMatching(/^email: /), expect.stringMatching(/^phone: /)]);
    expect(reasons[id(3)]).toEqual(['name: empty']);
    // AND the curated object holds the cleansed customer
    expect(loaded.loaded).toBe(1);
    const key = loaded.written[0]?.key ?? '';
    expect(key).toBe(`curated/customers-nightly/dt=2026-12-03/${extracted.window.id}.json.gz`);
    expect(await read(key)).toEqual([
      expect.objectContaining({
        customerId: id(1),
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+442079460958',
      }),
    ]);
  });

  it('a rerun of the same window writes nothing new: the curated object keeps its ETag', async () => {
    // GIVEN a run of the window
    const first = await run('2026-12-02T00:59:00.000Z');
    const key = [...first.loaded.written, ...first.loaded.unchanged][0]?.key ?? '';
    const before = await etag(key);
    // WHEN the same window runs again
    const again = await run('2026-12-02T00:59:00.000Z');
    // THEN the object is unchanged, byte for byte
    expect(again.loaded.written).toEqual([]);
    expect(again.loaded.unchanged).toEqual([{ bucket, key }]);
    expect(await etag(key)).toBe(before);
  });

  it('an empty window (the watermark already at its end) reads and writes nothing', async () => {
    // GIVEN a watermark at the run's start less the settle time
    const { extracted, transformed, loaded } = await run('2026-12-03T00:59:00.000Z');
    // THEN nothing is extracted, cleansed or loaded
    expect([extracted.rows, transformed.accepted, transformed.rejected, loaded.loaded]).toEqual([0, 0, 0, 0]);
    expect(loaded.written).toEqual([]);
  });
});
