import { describe, expect, it } from 'vitest';
import {
  athenaReason,
  bindParameters,
  namesIn,
  rewriteDateFormats,
  statementKind,
} from '../../../src/services/athena/dialect.js';
import { lowerKeys } from '../../../src/services/athena/mirror.js';
import { tableLayout } from '../../../src/services/athena/partitions.js';
import { javaDouble, resultCsv } from '../../../src/services/athena/results.js';
import type { GlueTable } from '../../../src/services/glue/service.js';

const table = (parameters: Record<string, string>, keys: [string, string][]): GlueTable => ({
  DatabaseName: 'lake',
  Name: 't',
  Parameters: parameters,
  PartitionKeys: keys.map(([Name, Type]) => ({ Name, Type })),
  StorageDescriptor: {
    Location: 's3://lake/raw/t',
    Columns: [{ Name: 'a', Type: 'string' }],
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: {} },
  },
});

describe('the Athena dialect offline', () => {
  it('rewrites date_parse and date_format with literal MySQL formats into strptime and strftime', () => {
    // WHEN Trino's calls are rewritten, one nested in another call and one in a string that must stay
    const sql = rewriteDateFormats(
      `SELECT date_parse(concat(a, 'x'), '%Y-%m-%d %H:%i:%s'), date_format(ts, '%W %T'), 'date_parse(x, ''%i'')'`,
    );

    // THEN the formats are C's and the literal is untouched
    expect(sql).toBe(
      `SELECT strptime(concat(a, 'x'), '%Y-%m-%d %H:%M:%S'), strftime(CAST(ts AS TIMESTAMP), '%A %H:%M:%S'), 'date_parse(x, ''%i'')'`,
    );
  });

  it('binds ExecutionParameters to the question marks outside literals, or refuses a count that differs', () => {
    // THEN each ? takes the next parameter, a quoted '?' stays
    expect(bindParameters(`SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?`, [`'x'`, '2'])).toBe(
      `SELECT * FROM t WHERE a = 'x' AND b = '?' AND c = 2`,
    );
    expect(bindParameters('SELECT ?', [])).toBeUndefined();
    expect(bindParameters('SELECT 1', ['1'])).toBeUndefined();
  });

  it('knows queries from what it refuses', () => {
    // THEN queries run, MSCK is a no-op repair, DDL and writes are refused
    expect(
      ['-- c\n(SELECT 1)', 'WITH x AS (SELECT 1) SELECT * FROM x', 'show tables'].map(statementKind),
    ).toEqual(['DML', 'DML', 'UTILITY']);
    expect(statementKind('MSCK REPAIR TABLE telemetry')).toBe('REPAIR');
    expect(statementKind('ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt = 1)')).toBe('REPAIR');
    expect(['INSERT INTO t VALUES (1)', 'CREATE TABLE x (a int)', 'COPY t TO x'].map(statementKind)).toEqual([
      'UNSUPPORTED',
      'UNSUPPORTED',
      'UNSUPPORTED',
    ]);
    expect(namesIn('SELECT * FROM "Lake"."Tele""metry" JOIN devices')).toEqual(
      new Set(['select', 'from', 'lake', 'tele"metry', 'join', 'devices']),
    );
  });

  it('states engine errors as Athena does, with paths removed', () => {
    // THEN the reason starts with Trino's error name and names no file
    expect(athenaReason('Parser Error: syntax error at or near "FORM"\n\nLINE 1: ...', [])).toBe(
      'SYNTAX_ERROR: syntax error at or near "FORM"',
    );
    expect(
      athenaReason('Invalid Input Error: JSON transform error in file "/cache/x/1.json", in line 3: bad', [
        '/cache',
      ]),
    ).toMatch(/^HIVE_BAD_DATA: JSON transform error, in line 3: bad; set the SerDe property/);
    expect(athenaReason('Conversion Error: Could not convert string "/data/x" to INT32', [])).toBe(
      'INVALID_CAST_ARGUMENT: Could not convert string "…" to INT32',
    );
  });
});

describe('Athena results offline', () => {
  it('print doubles as Java does', () => {
    // THEN Trino's double text forms come out
    expect([21.5, 100, 0, 1e7, 1.5e-4, 0.001, -2.25e10, Number.NaN].map(javaDouble)).toEqual([
      '21.5',
      '100.0',
      '0.0',
      '1.0E7',
      '1.5E-4',
      '0.001',
      '-2.25E10',
      'NaN',
    ]);
  });

  it('write CSV as Athena does: every value quoted, NULL empty', () => {
    // WHEN a result with a quote and a NULL is written
    const csv = resultCsv({
      columns: [{ Name: 'a' }, { Name: 'b' }] as never,
      rows: [['say "hi"', undefined]],
    });

    // THEN the CSV is Athena's
    expect(csv).toBe('"a","b"\n"say ""hi""",\n');
  });
});

describe('partitions and keys offline', () => {
  it('take hive-style partitions in key order, in any case, and refuse keys outside them', () => {
    // GIVEN a table partitioned by dt and hour
    const layout = tableLayout(
      table({}, [
        ['dt', 'string'],
        ['hour', 'int'],
      ]),
    );

    // THEN the values come from the key's folders
    expect(layout.prefix).toBe('raw/t/');
    expect(layout.partitionOf('raw/t/DT=2026-01-01/hour=05/f.gz')).toEqual({ dt: '2026-01-01', hour: '05' });
    expect(layout.partitionOf('raw/t/dt=2026-01-01/f.gz')).toBeUndefined();
    expect(layout.partitionOf('raw/t/hour=05/dt=2026-01-01/f.gz')).toBeUndefined();
    expect(layout.partitionOf('raw/t/dt=2026-01-01/hour=xx/f.gz')).toBeUndefined();
  });

  it('keep only enum values a projection declares', () => {
    // GIVEN a projected enum partition
    const layout = tableLayout(
      table({ 'projection.enabled': 'true', 'projection.src.type': 'enum', 'projection.src.values': 'a,b' }, [
        ['src', 'string'],
      ]),
    );

    // THEN only its values are partitions
    expect(layout.partitionOf('raw/t/src=a/f')).toEqual({ src: 'a' });
    expect(layout.partitionOf('raw/t/src=c/f')).toBeUndefined();
  });

  it('lower-case keys at every depth, and replace dots when asked', () => {
    // THEN nested objects and arrays of objects are lower-cased too
    expect(lowerKeys({ A: { 'B.c': [{ D: 1 }] } })).toEqual({ a: { 'b.c': [{ d: 1 }] } });
    expect(lowerKeys({ 'A.b': 1 }, { dotsInKeys: true })).toEqual({ a_b: 1 });
    expect(lowerKeys({ Aa: 1 }, { caseInsensitive: false })).toEqual({ Aa: 1 });
  });
});
