import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJsonLines, gzipJsonLines, putObjectIfChanged, type LakeS3 } from '../../src/lake/index.js';
import { startLocalS3, type LocalS3 } from './s3.js';

let local: LocalS3;
beforeAll(async () => {
  local = await startLocalS3();
});
afterAll(async () => {
  await local.stop();
});

describe('putObjectIfChanged (S3 on fauxqs)', () => {
  it('writes a new object, then leaves it (and its ETag) alone for the same bytes', async () => {
    // GIVEN an object key that does not exist yet
    const object = { bucket: local.bucket, key: 'curated/p/dt=2026-12-03/a.json.gz' };
    const body = gzipJsonLines([{ id: 1 }]);
    // WHEN the same body is put twice
    const first = await putObjectIfChanged(local.s3, object, body);
    const etag = (await local.etags('curated/p/'))[object.key];
    const second = await putObjectIfChanged(local.s3, object, body);
    // THEN the first writes, the second does not, and the ETag is unchanged
    expect([first, second]).toEqual(['written', 'unchanged']);
    expect((await local.etags('curated/p/'))[object.key]).toBe(etag);
    expect(await getJsonLines(local.s3, object)).toEqual([{ id: 1 }]);
  });

  it('rewrites the object when the bytes differ', async () => {
    // GIVEN an object
    const object = { bucket: local.bucket, key: 'curated/p/dt=2026-12-03/b.json.gz' };
    await putObjectIfChanged(local.s3, object, gzipJsonLines([{ id: 1 }]));
    // WHEN other bytes are put
    const outcome = await putObjectIfChanged(local.s3, object, gzipJsonLines([{ id: 2 }]));
    // THEN it is written and holds the new rows
    expect(outcome).toBe('written');
    expect(await getJsonLines(local.s3, object)).toEqual([{ id: 2 }]);
  });

  it('keeps the MD5 in metadata, so an object whose ETag is not its MD5 (SSE-KMS) is still recognised', async () => {
    // GIVEN an S3 whose HeadObject answers an opaque ETag, as SSE-KMS objects have, but the metadata we wrote
    const object = { bucket: local.bucket, key: 'curated/p/dt=2026-12-03/c.json.gz' };
    const body = gzipJsonLines([{ id: 3 }]);
    await putObjectIfChanged(local.s3, object, body);
    const head = await local.s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    const puts: string[] = [];
    const kms: LakeS3 = {
      send: ((command: unknown) => {
        if (command instanceof HeadObjectCommand) return Promise.resolve({ ...head, ETag: '"0123opaque"' });
        if (command instanceof PutObjectCommand) puts.push(command.input.Key ?? '');
        return Promise.resolve({});
      }) as LakeS3['send'],
    };
    // WHEN the same bytes are put through it
    const outcome = await putObjectIfChanged(kms, object, body);
    // THEN nothing is written
    expect(outcome).toBe('unchanged');
    expect(puts).toEqual([]);
  });

  it('falls back to the ETag for an object written without the metadata', async () => {
    // GIVEN an object put by someone else with the same bytes
    const object = { bucket: local.bucket, key: 'curated/p/dt=2026-12-03/d.json.gz' };
    const body = gzipJsonLines([{ id: 4 }]);
    await local.s3.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: body }));
    // WHEN the same bytes are put
    // THEN the ETag (the MD5 of a single-part put) says they are there already
    expect(await putObjectIfChanged(local.s3, object, body)).toBe('unchanged');
  });

  it('lets errors other than not-found through', async () => {
    // GIVEN a bucket that does not exist
    // WHEN / THEN the error escapes
    await expect(putObjectIfChanged(local.s3, { bucket: 'no-such-bucket', key: 'k' }, 'x')).rejects.toThrow();
  });
});

describe('getJsonLines', () => {
  it('reads a plain (uncompressed) JSON lines object too', async () => {
    // GIVEN a plain object
    const object = { bucket: local.bucket, key: 'raw/x/plain.json' };
    await local.s3.send(
      new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: '{"a":1}\n{"a":2}\n' }),
    );
    // WHEN read / THEN its rows come back
    expect(await getJsonLines(local.s3, object)).toEqual([{ a: 1 }, { a: 2 }]);
    const raw = await local.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    expect(await raw.Body?.transformToString()).toBe('{"a":1}\n{"a":2}\n');
  });
});
