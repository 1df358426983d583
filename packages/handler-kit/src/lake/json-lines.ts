import { gunzipSync, gzipSync } from 'node:zlib';

/** A lake object's line that is not JSON. */
export class MalformedJsonLineError extends Error {
  public override readonly name = 'MalformedJsonLineError';

  constructor(
    /** 1-based line number in the (decompressed) object. */
    public readonly line: number,
    reason: string,
  ) {
    super(`line ${line} is not JSON: ${reason}`);
  }
}

/** Newline-delimited JSON: each row compact on its own line, `\n` after every line (none for no rows). */
export function toJsonLines(rows: Iterable<unknown>): string {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  return text;
}

/**
 * {@link toJsonLines}, gzip-compressed: the lake's object format. Deterministic — the same rows (with their
 * members in the same order) give the same bytes: Node's gzip writes no modification time and no file name.
 */
export function gzipJsonLines(rows: Iterable<unknown>): Buffer {
  return gzipSync(Buffer.from(toJsonLines(rows), 'utf8'));
}

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The rows of a lake object: gunzipped when it starts with the gzip magic number (several gzip members, as
 * concatenated objects have, are read in turn), one JSON value per line; blank lines (and a `\r` before a
 * `\n`) are skipped. Fails with a {@link MalformedJsonLineError} naming the first bad line.
 */
export function parseJsonLines<T = unknown>(bytes: Uint8Array | string): T[] {
  const text =
    typeof bytes === 'string'
      ? bytes
      : (isGzip(bytes)
          ? gunzipSync(bytes)
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        ).toString('utf8');
  const rows: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch (error: unknown) {
      throw new MalformedJsonLineError(i + 1, error instanceof Error ? error.message : String(error));
    }
  }
  return rows;
}

/**
 * A copy of `value` with every object's members in code-point order of their names: rows that are equal
 * as data serialise to the same bytes, whatever order a source (a DynamoDB scan, a JSON parse) gave them.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  // fromEntries defines members (a JSON `"__proto__"` member stays a member; assignment would set the prototype).
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => compareText(a, b))
      .map(([key, member]) => [key, canonical(member)]),
  );
}

/** Compares strings by UTF-16 code units, as `Array.prototype.sort` does: locale-free, so stable everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
