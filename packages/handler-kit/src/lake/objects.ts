import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LakeObject } from '@conflux/constructs/contracts';
import { parseJsonLines } from './json-lines.js';

/**
 * The S3 client of the lake helpers, created once per execution environment. The endpoint comes from the
 * SDK's own `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) when set — the offline runtime and tests — and
 * then path-style addressing is used, since a local endpoint has no per-bucket host names.
 */
export const lakeS3 = /* @__PURE__ */ new S3Client({
  forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
});

/** The S3 operations the lake helpers use: an `S3Client`, or a stand-in with its `send`. */
export type LakeS3 = Pick<S3Client, 'send'>;

/** The object metadata key holding the body's MD5 (hex): S3 returns it as `x-amz-meta-content-md5`. */
export const CONTENT_MD5_METADATA = 'content-md5';

/** What {@link putObjectIfChanged} did. */
export type PutOutcome = 'written' | 'unchanged';

/** Options of {@link putObjectIfChanged}. */
export interface PutObjectOptions {
  /** @default 'application/x-ndjson' */
  readonly contentType?: string;
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NotFound' || error.name === 'NoSuchKey' || status === 404;
}

/**
 * Writes `body` to `object` unless the object already holds exactly these bytes, so a re-run of a step
 * leaves the lake (keys, ETags, versions, modification times) as it was. "The same bytes" is the MD5 kept in
 * the object's metadata (`x-amz-meta-content-md5`), else its ETag: for a single-part put with SSE-S3 the
 * ETag is the body's MD5, but with SSE-KMS it is not, which is why the metadata is written too. The put sends
 * `Content-MD5`, so S3 refuses a body damaged on the way. Single-part puts only (up to 5 GB).
 *
 * Between the HeadObject and the PutObject another writer may put the same key: the ETL's steps are the only
 * writers of their keys and Step Functions runs one execution's step at a time, so this is not guarded.
 */
export async function putObjectIfChanged(
  s3: LakeS3,
  object: LakeObject,
  body: Uint8Array | string,
  options: PutObjectOptions = {},
): Promise<PutOutcome> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const md5 = createHash('md5').update(bytes).digest();
  const hex = md5.toString('hex');
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    const stored = head.Metadata?.[CONTENT_MD5_METADATA] ?? head.ETag?.replace(/^(W\/)?"|"$/g, '');
    if (stored === hex) return 'unchanged';
  } catch (error: unknown) {
    if (!isNotFound(error)) throw error;
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      Body: bytes,
      ContentMD5: md5.toString('base64'),
      ContentType: options.contentType ?? 'application/x-ndjson',
      Metadata: { [CONTENT_MD5_METADATA]: hex },
    }),
  );
  return 'written';
}

/** Whether `object` exists (HeadObject: needs `s3:GetObject` on it, or a missing one answers 403). */
export async function objectExists(s3: LakeS3, object: LakeObject): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    return true;
  } catch (error: unknown) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Writes `body` to `object` (no comparison): for staging objects, which each run rewrites. */
export async function putObject(
  s3: LakeS3,
  object: LakeObject,
  body: Uint8Array | string,
  options: PutObjectOptions = {},
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      Body: body,
      ContentType: options.contentType ?? 'application/x-ndjson',
    }),
  );
}

/** The bytes of a lake object. */
export async function getObjectBytes(s3: LakeS3, object: LakeObject): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  if (!response.Body) return new Uint8Array(0);
  return response.Body.transformToByteArray();
}

/** The rows of a lake object (gzip or plain JSON lines), by {@link parseJsonLines}. */
export async function getJsonLines<T = unknown>(s3: LakeS3, object: LakeObject): Promise<T[]> {
  return parseJsonLines<T>(await getObjectBytes(s3, object));
}
