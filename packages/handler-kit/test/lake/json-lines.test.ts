import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  canonical,
  gzipJsonLines,
  isGzip,
  MalformedJsonLineError,
  parseJsonLines,
  toJsonLines,
} from '../../src/lake/index.js';

describe('JSON lines', () => {
  it('writes one compact value per line with a newline after every line', () => {
    // GIVEN two rows
    // WHEN they are written
    const text = toJsonLines([{ a: 1 }, { b: 'x y' }]);
    // THEN each is on its own line, the last one terminated too
    expect(text).toBe('{"a":1}\n{"b":"x y"}\n');
    expect(toJsonLines([])).toBe('');
  });

  it('gzips deterministically: the same rows give the same bytes', () => {
    // GIVEN the same rows twice
    const rows = [
      { id: 'c-1', name: 'Ann' },
      { id: 'c-2', name: 'Bo' },
    ];
    // WHEN they are gzipped
    const first = gzipJsonLines(rows);
    const second = gzipJsonLines(structuredClone(rows));
    // THEN the bytes are identical and gzip
    expect(first.equals(second)).toBe(true);
    expect(isGzip(first)).toBe(true);
  });

  it('reads gzip and plain objects, skipping blank lines and CRs', () => {
    // GIVEN a plain object with a blank line and CRLF endings, and a gzip one
    const plain = Buffer.from('{"a":1}\r\n\n{"a":2}\r\n', 'utf8');
    // WHEN they are parsed
    // THEN both give the rows
    expect(parseJsonLines(plain)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonLines(gzipJsonLines([{ a: 1 }, { a: 2 }]))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonLines(new Uint8Array(0))).toEqual([]);
  });

  it('reads concatenated gzip members as one object', () => {
    // GIVEN two gzip members back to back
    const bytes = Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"a":2}\n')]);
    // WHEN parsed
    // THEN the rows of both are read in order
    expect(parseJsonLines(bytes)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('names the first malformed line', () => {
    // GIVEN an object whose third line is broken
    const bytes = gzipSync('{"a":1}\n{"a":2}\n{"a":\n');
    // WHEN / THEN parsing fails naming line 3
    expect(() => parseJsonLines(bytes)).toThrow(MalformedJsonLineError);
    expect(() => parseJsonLines(bytes)).toThrow(/^line 3 is not JSON/);
  });

  it('round-trips any JSON rows (property)', () => {
    // GIVEN arbitrary JSON objects
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue())), (rows) => {
        // WHEN written and read back
        const back = parseJsonLines(gzipJsonLines(rows));
        // THEN they are the same values (as JSON sees them: -0 becomes 0)
        expect(back).toEqual(JSON.parse(JSON.stringify(rows)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a "__proto__" member as a member when canonicalising', () => {
    // GIVEN a parsed row with a "__proto__" member
    const row = JSON.parse('{"b":1,"__proto__":{"x":1}}') as unknown;
    // WHEN canonicalised
    // THEN the member is still there, first in code-unit order
    expect(JSON.stringify(canonical(row))).toBe('{"__proto__":{"x":1},"b":1}');
  });

  it('canonicalises member order so equal rows serialise alike (property)', () => {
    // GIVEN an object and the same object with its members reversed
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (row) => {
        const reversed = Object.fromEntries(Object.entries(row).reverse());
        // WHEN both are canonicalised
        // THEN they serialise to the same text
        expect(JSON.stringify(canonical(reversed))).toBe(JSON.stringify(canonical(row)));
      }),
      { numRuns: 200 },
    );
  });
});
