import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaEngine, QueryFailedError } from '../../../src/services/athena/engine.js';
import type { ListedObject, ObjectSource } from '../../../src/services/athena/mirror.js';
import type { GlueTable } from '../../../src/services/glue/service.js';

/** An in-memory bucket standing in for local S3. */
class FakeBucket implements ObjectSource {
  public readonly objects = new Map<string, Buffer>();

  public put(key: string, body: string | Buffer): void {
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body) : body);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async list(_bucket: string, prefix: string): Promise<ListedObject[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, body]) => ({
        key,
        etag: createHash('md5').update(body).digest('hex'),
        size: body.length,
      }));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async get(_bucket: string, key: string): Promise<Buffer> {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no ${key}`);
    return body;
  }
}

const jsonLines = (rows: readonly unknown[]) => gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));

/** A telemetry table as LakeCatalog declares it. */
function telemetryTable(
  parameters: Record<string, string> = {},
  serde: Record<string, string> = { 'ignore.malformed.json': 'true' },
): GlueTable {
  return {
    DatabaseName: 'lake',
    Name: 'telemetry',
    Parameters: { classification: 'json', ...parameters },
    PartitionKeys: [
      { Name: 'dt', Type: 'string' },
      { Name: 'hour', Type: 'string' },
    ],
    StorageDescriptor: {
      Location: 's3://lake-bucket/raw/telemetry/',
      Columns: [
        { Name: 'deviceid', Type: 'string' },
        { Name: 'metric', Type: 'string' },
        { Name: 'value', Type: 'double' },
        { Name: 'recordedat', Type: 'string' },
        { Name: 'tags', Type: 'struct<site:string,floor:int>' },
      ],
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: serde },
    },
  };
}

describe('the offline Athena engine', () => {
  let engine: AthenaEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  const start = (tables: GlueTable[], bucket: FakeBucket) => {
    engine = new AthenaEngine(
      { databaseNames: () => ['lake'], tables: (db) => (db === 'lake' ? tables : []) },
      bucket,
      path.join(mkdtempSync(path.join(tmpdir(), 'conflux-athena-')), 'cache'),
    );
    return engine;
  };

  it('reads partitions from hive-style keys and matches JSON keys in any case', async () => {
    // GIVEN two hours of telemetry, keys in camel case as producers write them
    const bucket = new FakeBucket();
    bucket.put(
      'raw/telemetry/dt=2026-01-01/hour=05/s-1-2026-01-01-05-00-00-a.gz',
      jsonLines([
        { deviceId: 'd1', metric: 'temp', value: 20, recordedAt: 'x', Tags: { Site: 'ams', FLOOR: 2 } },
        { deviceId: 'd1', metric: 'temp', value: 22 },
      ]),
    );
    bucket.put(
      'raw/telemetry/dt=2026-01-01/hour=06/s-1-2026-01-01-06-00-00-b.gz',
      jsonLines([{ DEVICEID: 'd2', metric: 'temp', value: 30 }]),
    );
    const run = start([telemetryTable()], bucket);

    // WHEN the rows are aggregated per hour
    const { result } = await run.run(
      `SELECT hour, count(*) AS n, avg(value) AS mean, max(tags.site) AS site
       FROM telemetry WHERE dt = '2026-01-01' GROUP BY hour ORDER BY hour`,
      'lake',
    );

    // THEN the partition values come from the keys, and every key matched its lower-case column
    expect(result.columns.map((c) => [c.Name, c.Type])).toEqual([
      ['hour', 'varchar'],
      ['n', 'bigint'],
      ['mean', 'double'],
      ['site', 'varchar'],
    ]);
    expect(result.rows).toEqual([
      ['05', '2', '21.0', 'ams'],
      ['06', '1', '30.0', undefined],
    ]);
  });

  it('skips malformed lines, counts them, and reads a value of the wrong type as NULL', async () => {
    // GIVEN an object with a broken line, an array line and a value that is not a number
    const bucket = new FakeBucket();
    bucket.put(
      'raw/telemetry/dt=2026-01-01/hour=05/a.gz',
      gzipSync('{"deviceid":"d1","value":1}\n{not json\n[1,2]\n\n{"deviceid":"d2","value":"high"}\n'),
    );
    const run = start(
      [telemetryTable({}, { 'ignore.malformed.json': 'true', 'use.null.for.invalid.data': 'true' })],
      bucket,
    );

    // WHEN every row is read
    const outcome = await run.run('SELECT deviceid, value FROM telemetry ORDER BY deviceid', 'lake');

    // THEN the two objects' rows remain and the two malformed lines are counted
    expect(outcome.result.rows).toEqual([
      ['d1', '1.0'],
      ['d2', undefined],
    ]);
    expect(outcome.malformedLines).toBe(2);
  });

  it('fails on a malformed line or a bad value when the SerDe is left strict, as Athena does', async () => {
    // GIVEN a strict table (JsonSerDe's defaults) and one with lenient values, over bad data
    const bucket = new FakeBucket();
    bucket.put(
      'raw/telemetry/dt=2026-01-01/hour=05/a.gz',
      gzipSync('{"deviceid":"d1","value":"high"}\n{oops\n'),
    );
    const strict = start([telemetryTable({}, {})], bucket);
    const malformed = await strict.run('SELECT * FROM telemetry', 'lake').catch((e: unknown) => e);
    await strict.close();
    bucket.put('raw/telemetry/dt=2026-01-01/hour=05/a.gz', gzipSync('{"deviceid":"d1","value":"high"}\n'));
    const run = start([telemetryTable({}, {})], bucket);

    // WHEN the values are read
    const badValue = await run.run('SELECT value FROM telemetry', 'lake').catch((e: unknown) => e);

    // THEN each query fails with Hive's error and the property that would allow it
    expect(String(malformed)).toMatch(
      /HIVE_CURSOR_ERROR: Row is not a valid JSON Object in s3:\/\/lake-bucket\/raw\/telemetry\/dt=2026-01-01\/hour=05\/a.gz; set the SerDe property ignore.malformed.json/,
    );
    expect(String(badValue)).toMatch(/HIVE_BAD_DATA: .*use.null.for.invalid.data/);
    expect(String(badValue)).not.toMatch(/conflux-athena/);
  });

  it('sees objects written after the first query, and forgets deleted ones', async () => {
    // GIVEN a table queried once
    const bucket = new FakeBucket();
    bucket.put('raw/telemetry/dt=2026-01-01/hour=05/a.gz', jsonLines([{ deviceid: 'd1' }]));
    const run = start([telemetryTable()], bucket);
    const first = await run.run('SELECT count(*) FROM telemetry', 'lake');

    // WHEN an object is added and the first one deleted
    bucket.put(
      'raw/telemetry/dt=2026-01-02/hour=00/b.gz',
      jsonLines([{ deviceid: 'd2' }, { deviceid: 'd3' }]),
    );
    bucket.objects.delete('raw/telemetry/dt=2026-01-01/hour=05/a.gz');
    const second = await run.run('SELECT count(*), min(dt) FROM telemetry', 'lake');

    // THEN the next query reads exactly what the location holds
    expect(first.result.rows).toEqual([['1']]);
    expect(second.result.rows).toEqual([['2', '2026-01-02']]);
  });

  it('takes partitions from a projection template and skips values outside the projection', async () => {
    // GIVEN a projected table with a custom layout and an enum of sources
    const bucket = new FakeBucket();
    bucket.put('raw/telemetry/2026/01/01/a.gz', jsonLines([{ deviceid: 'd1' }]));
    bucket.put('raw/telemetry/2026/13/01/b.gz', jsonLines([{ deviceid: 'd9' }]));
    bucket.put('raw/telemetry/loose.gz', jsonLines([{ deviceid: 'd8' }]));
    const table: GlueTable = {
      ...telemetryTable({
        'projection.enabled': 'true',
        'projection.year.type': 'integer',
        'projection.year.range': '2020,2030',
        'projection.month.type': 'integer',
        'projection.month.range': '1,12',
        'projection.day.type': 'integer',
        'projection.day.range': '1,31',
        'storage.location.template': 's3://lake-bucket/raw/telemetry/${year}/${month}/${day}/',
      }),
      PartitionKeys: [
        { Name: 'year', Type: 'int' },
        { Name: 'month', Type: 'int' },
        { Name: 'day', Type: 'int' },
      ],
    };
    const run = start([table], bucket);

    // WHEN the table is read
    const { result } = await run.run('SELECT deviceid, year, month, day FROM telemetry', 'lake');

    // THEN only the projected partition's rows are read, its values typed as the keys declare
    expect(result.rows).toEqual([['d1', '2026', '1', '1']]);
    expect(result.columns.map((c) => c.Type)).toEqual(['varchar', 'integer', 'integer', 'integer']);
  });

  it('answers Trino functions and integer division as Athena does', async () => {
    // GIVEN an engine with no table
    const run = start([], new FakeBucket());

    // WHEN Trino-only functions are called
    const { result } = await run.run(
      `SELECT 5 / 2, date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00'),
              to_iso8601(from_iso8601_timestamp('2026-01-01T05:00:00Z')),
              json_extract_scalar('{"a":{"b":"x"}}', '$.a.b'), element_at(ARRAY[1, 2, 3], 2),
              cardinality(ARRAY[1, 2, 3]), date_parse('2026-01-02 03:04:05', '%Y-%m-%d %H:%i:%s'),
              approx_distinct(1), regexp_like('abc', 'b'), 1e7, 0.5e0`,
      'lake',
    );

    // THEN each answers Trino's value in Trino's text form
    expect(result.rows).toEqual([
      [
        '2',
        '0',
        '2026-01-01T05:00:00.000Z',
        'x',
        '2',
        '3',
        '2026-01-02 03:04:05.000',
        '1',
        'true',
        '1.0E7',
        '0.5',
      ],
    ]);
  });

  it('fails a bad query with Athena’s error name and no file path', async () => {
    // GIVEN a table with objects
    const bucket = new FakeBucket();
    bucket.put('raw/telemetry/dt=2026-01-01/hour=05/a.gz', jsonLines([{ deviceid: 'd1' }]));
    const run = start([telemetryTable()], bucket);

    // WHEN queries name a missing column, a missing table, read a file, or are not queries
    const reasons = await Promise.all(
      [
        'SELECT nope FROM telemetry',
        'SELECT * FROM missing',
        'SELEC 1',
        "SELECT * FROM read_csv('/etc/passwd')",
        'DROP TABLE telemetry',
        'SELECT 1; SELECT 2',
      ].map(async (sql) =>
        run.run(sql, 'lake').then(
          () => 'succeeded',
          (error: unknown) => (error instanceof QueryFailedError ? error.message : String(error)),
        ),
      ),
    );

    // THEN each fails with a reason a client can show
    expect(reasons[0]).toMatch(/^COLUMN_NOT_FOUND: Column 'nope' cannot be resolved/);
    expect(reasons[1]).toMatch(/^TABLE_NOT_FOUND: Table 'missing' does not exist/);
    expect(reasons[2]).toMatch(/^SYNTAX_ERROR: /);
    expect(reasons[3]).toMatch(/^PERMISSION_DENIED: /);
    expect(reasons[4]).toMatch(/^NOT_SUPPORTED: /);
    expect(reasons[5]).toBe('Only one sql statement is allowed.');
    for (const reason of reasons) {
      expect(reason).not.toContain(tmpdir());
      expect(reason).not.toMatch(/conflux-athena|\/etc/);
    }
  });

  it('runs only reads: EXPLAIN ANALYZE of a write, a CTE before an INSERT and COPY fail and change nothing', async () => {
    // GIVEN a table with one object, queried once (its view made)
    const bucket = new FakeBucket();
    bucket.put('raw/telemetry/dt=2026-01-01/hour=05/a.gz', jsonLines([{ deviceid: 'd1' }]));
    const run = start([telemetryTable()], bucket);
    const count = async () => (await run.run('SELECT count(*) FROM telemetry', 'lake')).result.rows;
    const before = await count();

    // WHEN statements that would write are sent as queries
    const reasons = await Promise.all(
      [
        'EXPLAIN ANALYZE CREATE OR REPLACE VIEW telemetry AS SELECT 1 AS deviceid',
        'WITH x AS (SELECT 1) INSERT INTO telemetry SELECT * FROM x',
        "COPY (SELECT 1) TO 'x.csv'",
        'SET enable_external_access = true',
      ].map(async (sql) =>
        run.run(sql, 'lake').then(
          () => 'succeeded',
          (error: unknown) => (error instanceof QueryFailedError ? error.message : String(error)),
        ),
      ),
    );

    // THEN each is refused, an EXPLAIN ANALYZE of a query still runs, and the table reads as before
    expect(reasons[0]).toMatch(/^NOT_SUPPORTED: /);
    for (const reason of reasons) expect(reason).toMatch(/^(NOT_SUPPORTED|SEMANTIC_ERROR): /);
    await expect(run.run('EXPLAIN ANALYZE SELECT count(*) FROM telemetry', 'lake')).resolves.toBeDefined();
    expect(await count()).toEqual(before);
  });
});
