import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** An object as fauxqs's S3 store (1.9) keeps it. */
interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/** The part of fauxqs's `S3Store` (1.9) a snapshot reads and refills: its objects by bucket and key. */
interface FauxqsS3Store {
  readonly buckets: Map<string, Map<string, StoredObject>>;
}

/** One line of `objects.json`: an object's metadata and the file holding its body. */
interface SavedObject {
  readonly bucket: string;
  readonly key: string;
  readonly file: string;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: string;
  readonly metadata: Record<string, string>;
}

function storeOf(store: unknown): FauxqsS3Store {
  if (
    typeof store !== 'object' ||
    store === null ||
    !('buckets' in store) ||
    !(store.buckets instanceof Map)
  ) {
    throw new Error('fauxqs S3 store has no buckets map: check the fauxqs version (1.9 expected)');
  }
  return store as FauxqsS3Store;
}

/**
 * Writes every object of every bucket into `dir` (`objects.json` and one file per body), replacing what
 * was there. It is written beside `dir` first and swapped in, so a crash mid-save keeps the last save.
 * Returns the number of objects saved.
 */
export function saveObjects(store: unknown, dir: string): number {
  const temporary = `${dir}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(path.join(temporary, 'bodies'), { recursive: true });
  const saved: SavedObject[] = [];
  for (const [bucket, objects] of storeOf(store).buckets) {
    for (const object of objects.values()) {
      const file = `bodies/${saved.length}`;
      writeFileSync(path.join(temporary, file), object.body);
      saved.push({
        bucket,
        key: object.key,
        file,
        contentType: object.contentType,
        etag: object.etag,
        lastModified: object.lastModified.toISOString(),
        metadata: object.metadata,
      });
    }
  }
  writeFileSync(path.join(temporary, 'objects.json'), `${JSON.stringify(saved, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(temporary, dir);
  return saved.length;
}

/**
 * Puts the objects saved in `dir` back into their buckets, straight into the store: no event notification
 * is sent, since the objects are not new. An object the start put again (a `BucketDeployment`) keeps the
 * new version. Returns the number restored and the buckets the application no longer has.
 */
export function restoreObjects(
  store: unknown,
  dir: string,
): { readonly restored: number; readonly dropped: readonly string[] } {
  const index = path.join(dir, 'objects.json');
  if (!existsSync(index)) return { restored: 0, dropped: [] };
  const saved = JSON.parse(readFileSync(index, 'utf8')) as SavedObject[];
  const buckets = storeOf(store).buckets;
  let restored = 0;
  const dropped = new Set<string>();
  for (const object of saved) {
    const objects = buckets.get(object.bucket);
    if (!objects) {
      dropped.add(object.bucket);
      continue;
    }
    if (objects.has(object.key)) continue;
    const body = readFileSync(path.join(dir, object.file));
    objects.set(object.key, {
      key: object.key,
      body,
      contentType: object.contentType,
      contentLength: body.length,
      etag: object.etag,
      lastModified: new Date(object.lastModified),
      metadata: object.metadata,
    });
    restored += 1;
  }
  return { restored, dropped: [...dropped] };
}
