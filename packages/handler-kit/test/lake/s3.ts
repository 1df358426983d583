import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from '@conflux/local';

/** fauxqs's S3 with one bucket, and a client of it. */
export interface LocalS3 {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Every key under `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  /** Key → ETag of every object under `prefix`. */
  etags(prefix?: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts fauxqs and creates `bucket` in it. */
export async function startLocalS3(bucket = 'lake'): Promise<LocalS3> {
  const fauxqs = await startFauxqs('us-east-1');
  const s3 = new S3Client({
    endpoint: fauxqs.address,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const list = async (prefix = '') =>
    (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [];
  return {
    s3,
    bucket,
    keys: async (prefix) => (await list(prefix)).map((o) => o.Key ?? '').sort(),
    etags: async (prefix) => Object.fromEntries((await list(prefix)).map((o) => [o.Key ?? '', o.ETag ?? ''])),
    stop: async () => {
      s3.destroy();
      await fauxqs.stop();
    },
  };
}
