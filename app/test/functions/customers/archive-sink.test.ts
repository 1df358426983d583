import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../functions/customers/archive-sink.handler';
import { startFauxqs } from '@conflux/local';
import { lambdaContext } from '../../../../test/support/fixtures';
import { changeRecord, customer, kinesisEvent } from './fixtures';

describe('customer change archive sink (S3 on fauxqs)', () => {
  let handler: typeof Handler;
  let s3: S3Client;
  let stop: () => Promise<void>;
  const bucket = 'customer-archive';

  beforeAll(async () => {
    const fauxqs = await startFauxqs('us-east-1');
    stop = () => fauxqs.stop();
    process.env.AWS_ENDPOINT_URL_S3 = fauxqs.address;
    s3 = new S3Client({ endpoint: fauxqs.address, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    process.env.ARCHIVE_BUCKET_NAME = bucket;
    ({ handler } = await import('../../../functions/customers/archive-sink.handler'));
  });
  afterAll(async () => {
    s3.destroy();
    await stop();
  });

  const deliver = async (...records: KinesisStreamRecord[]) =>
    (await handler(kinesisEvent(...records), lambdaContext())).batchItemFailures.map((f) => f.itemIdentifier);
  const keys = async (prefix: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key ?? '')
      .sort();
  const body = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('archives each change once, as it came, however often it is delivered', async () => {
    // GIVEN a create, an update and a delete (with its tombstone) of one customer on 2026-11-25
    const ada = customer({ customerId: 'arch-1' });
    const at = Date.UTC(2026, 10, 25, 12);
    const changes = [
      changeRecord({ op: 'c', after: ada, position: 1, tsMs: at }),
      changeRecord({ op: 'u', before: ada, after: { ...ada, name: 'Ada King' }, position: 2, tsMs: at + 1 }),
      changeRecord({ op: 'd', before: ada, position: 3, tsMs: at + 2 }),
      changeRecord({ key: { customerId: 'arch-1' }, tombstone: true, tsMs: at + 2 }),
    ];
    // WHEN the batch is delivered, then again, then replayed from the middle
    expect(await deliver(...changes)).toEqual([]);
    expect(await deliver(...changes)).toEqual([]);
    expect(await deliver(...changes.slice(1))).toEqual([]);
    // THEN there is one object per change (none for the tombstone), holding the record's data byte for byte
    const prefix = 'cdc/table=customers/date=2026-11-25/';
    const partition = sha('customers:{"customerId":"arch-1"}');
    const found = await keys(prefix);
    expect(found).toEqual([1, 2, 3].map((p) => `${prefix}${String(p).padStart(40, '0')}-${partition}.json`));
    for (const [i, key] of found.entries()) {
      expect(await body(key)).toBe(Buffer.from(changes[i]?.kinesis.data ?? '', 'base64').toString('utf8'));
    }
  });

  it('archives a snapshot read under its read time, by the date it was read', async () => {
    const readAt = Date.UTC(2026, 11, 31, 23, 59, 59);
    const read = changeRecord({ op: 'r', after: customer({ customerId: 'arch-2' }), tsMs: readAt });
    expect(await deliver(read, read)).toEqual([]);
    expect(await keys('cdc/table=customers/date=2026-12-31/snapshot-')).toEqual([
      `cdc/table=customers/date=2026-12-31/snapshot-${readAt}-${sha('customers:{"customerId":"arch-2"}')}.json`,
    ]);
  });

  it('fails a malformed record alone', async () => {
    const good = changeRecord({
      op: 'c',
      after: customer({ customerId: 'arch-3' }),
      position: 9,
      tsMs: Date.UTC(2026, 0, 3),
    });
    const malformed = changeRecord({ key: { customerId: 'arch-4' }, rawData: 'not json' });
    expect(await deliver(malformed, good)).toEqual([malformed.kinesis.sequenceNumber]);
    expect(await keys('cdc/table=customers/date=2026-01-03/')).toHaveLength(1);
  });
});
