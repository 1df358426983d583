import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TableLayout } from './partitions.js';

/** An object of the table's location, as listed. */
export interface ListedObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

/** How the mirror reads the local S3 engine. */
export interface ObjectSource {
  /** Every object under a prefix of a bucket, following continuation tokens. */
  list(bucket: string, prefix: string): Promise<ListedObject[]>;
  get(bucket: string, key: string): Promise<Buffer>;
}

/** What one sync found. */
export interface SyncReport {
  /** Objects the table reads now. */
  readonly objects: number;
  /** Their bytes as stored (compressed): Athena's "data scanned" when every partition is read. */
  readonly bytes: number;
  /** Objects mirrored by this sync (new or changed ETag). */
  readonly mirrored: number;
  /** Lines of the objects read now that are not one JSON object. */
  readonly malformed: number;
  /** The key of an object with a malformed line, if any. */
  readonly malformedKey?: string;
  /** Whether the set of files changed (the view may need to be made again). */
  readonly changed: boolean;
}

interface Mirrored {
  readonly etag: string;
  readonly size: number;
  readonly file: string;
  readonly malformed: number;
}

/** How the table's SerDe reads keys (its `case.insensitive` and `dots.in.keys` properties). */
export interface KeyOptions {
  /** Keys match columns whatever their case (JsonSerDe's default): they are lower-cased. @default true */
  readonly caseInsensitive?: boolean;
  /** Dots in keys become underscores (OpenX's `dots.in.keys`). @default false */
  readonly dotsInKeys?: boolean;
}

/**
 * Every object key as the SerDe matches it, at every depth: lower-cased (JsonSerDe matches keys
 * case-insensitively and Glue keeps column names in lower case), dots replaced when asked.
 */
export function lowerKeys(value: unknown, options: KeyOptions = {}): unknown {
  if (Array.isArray(value)) return value.map((v) => lowerKeys(v, options));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    let name = options.caseInsensitive === false ? k : k.toLowerCase();
    if (options.dotsInKeys === true) name = name.replace(/\./g, '_');
    // Two keys that differ only in case: the last one wins.
    out[name] = lowerKeys(v, options);
  }
  return out;
}

/**
 * What JsonSerDe reads from an object's bytes: gunzipped when gzip (by extension or magic number), one JSON
 * object per line with the keys lower-cased; blank lines are not rows, and any other line is malformed
 * (skipped and counted, as `ignore.malformed.json` does).
 */
export function jsonRows(
  key: string,
  body: Buffer,
  options: KeyOptions = {},
): { lines: string[]; malformed: number } {
  const gzip = key.endsWith('.gz') || (body.length > 1 && body[0] === 0x1f && body[1] === 0x8b);
  let text: string;
  try {
    text = (gzip ? gunzipSync(body) : body).toString('utf8');
  } catch {
    return { lines: [], malformed: 1 };
  }
  const lines: string[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) malformed += 1;
      else lines.push(JSON.stringify(lowerKeys(parsed, options)));
    } catch {
      malformed += 1;
    }
  }
  return { lines, malformed };
}

/** How many objects one sync reads at once. */
const MIRROR_CONCURRENCY = 8;

/** Athena skips objects whose name, or a folder's under the location, starts with `_` or `.`. */
const hidden = (relative: string) => relative.split('/').some((s) => s.startsWith('_') || s.startsWith('.'));

/**
 * Keeps a folder of newline-delimited JSON files in step with a table's location in local S3: each object new
 * or changed (by ETag) is read as JsonSerDe would and written under its partition's `key=value/` folders, so
 * that DuckDB's Hive partitioning gives the partition columns; objects gone are removed.
 */
export class TableMirror {
  private readonly files = new Map<string, Mirrored>();

  constructor(
    private readonly layout: TableLayout,
    /** The folder the table's files go in; emptied first. */
    public readonly dir: string,
    private readonly keys: KeyOptions = {},
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Whether the folder holds any file for DuckDB to read. */
  public get empty(): boolean {
    return this.files.size === 0;
  }

  /** Lists the location and mirrors what is new, changed or gone. */
  public async sync(source: ObjectSource): Promise<SyncReport> {
    const listed = await source.list(this.layout.bucket, this.layout.prefix);
    const seen = new Set<string>();
    const todo: { object: ListedObject; partition: Readonly<Record<string, string>> }[] = [];
    for (const object of listed) {
      const relative = object.key.slice(this.layout.prefix.length);
      if (object.key.endsWith('/') || relative === '' || hidden(relative)) continue;
      const partition = this.layout.partitionOf(object.key);
      if (partition === undefined) continue;
      seen.add(object.key);
      if (this.files.get(object.key)?.etag !== object.etag) todo.push({ object, partition });
    }
    let changed = false;
    let next = 0;
    // A few objects at a time: S3 reads overlap with the parsing of the others.
    const worker = async () => {
      for (let item = todo[next++]; item !== undefined; item = todo[next++]) {
        const { object, partition } = item;
        const body = await source.get(this.layout.bucket, object.key);
        const { lines, malformed } = jsonRows(object.key, body, this.keys);
        const folder = path.join(
          this.dir,
          ...Object.entries(partition).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
        );
        const file = path.join(folder, `${createHash('sha1').update(object.key).digest('hex')}.json`);
        const kept = this.files.get(object.key);
        if (kept && kept.file !== file) rmSync(kept.file, { force: true });
        mkdirSync(folder, { recursive: true });
        writeFileSync(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
        this.files.set(object.key, { etag: object.etag, size: object.size, file, malformed });
        changed = changed || kept === undefined;
      }
    };
    await Promise.all(Array.from({ length: Math.min(MIRROR_CONCURRENCY, todo.length) }, worker));
    const mirrored = todo.length;
    for (const [key, kept] of this.files) {
      if (seen.has(key)) continue;
      rmSync(kept.file, { force: true });
      this.files.delete(key);
      changed = true;
    }
    let bytes = 0;
    let malformed = 0;
    let malformedKey: string | undefined;
    for (const [key, kept] of this.files) {
      bytes += kept.size;
      malformed += kept.malformed;
      if (kept.malformed > 0) malformedKey ??= key;
    }
    return {
      objects: this.files.size,
      bytes,
      mirrored,
      malformed,
      changed,
      ...(malformedKey === undefined ? {} : { malformedKey }),
    };
  }
}
