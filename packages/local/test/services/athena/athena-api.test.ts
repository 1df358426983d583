import { gzipSync } from 'node:zlib';
import {
  AthenaClient,
  BatchGetNamedQueryCommand,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  ListNamedQueriesCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** The aggregate the lake's named query computes, as LakeCatalog's `daily_device_aggregates` does. */
const DAILY_AGGREGATES = `
SELECT deviceid, metric, dt AS day, count(*) AS readings, min(value) AS minimum, max(value) AS maximum,
       avg(value) AS average
FROM telemetry
GROUP BY deviceid, metric, dt
ORDER BY deviceid, metric, day`;

/** A Firehose-named object key of the raw zone. */
const rawKey = (dt: string, hour: string, n: number) =>
  `raw/telemetry/dt=${dt}/hour=${hour}/lake-telemetry-1-${dt}-${hour}-00-00-${n}.gz`;

const lines = (rows: readonly unknown[]) => gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));

describe('Athena over the offline raw zone', () => {
  let running: RunningApp;
  let client: AthenaClient;
  let bucket: string;
  const fx: { query?: athena.CfnNamedQuery; group?: athena.CfnWorkGroup; bucket?: s3.Bucket } = {};

  const put = async (key: string, body: Buffer | string) => {
    await running.runtime.engines.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };

  /** Starts a query in the lake's workgroup and waits for its end. */
  const query = async (sql: string): Promise<QueryExecution> => {
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: 'lake' },
        WorkGroup: 'lake',
      }),
    );
    return eventually(async () => {
      const { QueryExecution: e } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      return e?.Status?.State === 'QUEUED' || e?.Status?.State === 'RUNNING' ? undefined : e;
    });
  };

  const rowsOf = async (id: string | undefined) => {
    const { ResultSet } = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    return (ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
  };

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Lake');
      const lake = new s3.Bucket(stack, 'Lake');
      const db = new glue.CfnDatabase(stack, 'Db', {
        catalogId: stack.account,
        databaseInput: { name: 'lake' },
      });
      const table = new glue.CfnTable(stack, 'Telemetry', {
        catalogId: stack.account,
        databaseName: db.ref,
        tableInput: {
          name: 'telemetry',
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'json',
            compressionType: 'gzip',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': '2026-01-01,NOW',
            'projection.hour.type': 'integer',
            'projection.hour.range': '0,23',
            'projection.hour.digits': '2',
            'storage.location.template': `s3://${lake.bucketName}/raw/telemetry/dt=\${dt}/hour=\${hour}/`,
          },
          partitionKeys: [
            { name: 'dt', type: 'string' },
            { name: 'hour', type: 'string' },
          ],
          storageDescriptor: {
            location: `s3://${lake.bucketName}/raw/telemetry/`,
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              parameters: { 'ignore.malformed.json': 'true' },
            },
            columns: [
              { name: 'deviceid', type: 'string' },
              { name: 'metric', type: 'string' },
              { name: 'value', type: 'double' },
              { name: 'recordedat', type: 'string' },
            ],
          },
        },
      });
      fx.group = new athena.CfnWorkGroup(stack, 'Queries', {
        name: 'lake',
        workGroupConfiguration: {
          enforceWorkGroupConfiguration: true,
          resultConfiguration: { outputLocation: `s3://${lake.bucketName}/athena-results/` },
          bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        },
      });
      fx.query = new athena.CfnNamedQuery(stack, 'Daily', {
        name: 'daily_device_aggregates',
        database: 'lake',
        workGroup: fx.group.ref,
        queryString: DAILY_AGGREGATES,
      });
      fx.query.addResourceDependency(table);
      new glue.CfnDatabase(stack, 'Other', { catalogId: stack.account, databaseInput: { name: 'other' } });
      fx.bucket = lake;
    });
    bucket = running.physical(fx.bucket as s3.Bucket);
    client = new AthenaClient({
      endpoint: running.runtime.endpoints.athena,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    // Two devices over two days, keys in the producers' camel case, with a broken line and a blank one.
    await put(
      rawKey('2026-01-01', '05', 1),
      lines([
        { deviceId: 'd1', metric: 'temp', value: 20, recordedAt: '2026-01-01T05:00:00Z' },
        { deviceId: 'd1', metric: 'temp', value: 24, recordedAt: '2026-01-01T05:01:00Z' },
        { deviceId: 'd2', metric: 'temp', value: 10, recordedAt: '2026-01-01T05:02:00Z' },
      ]),
    );
    await put(
      rawKey('2026-01-01', '06', 2),
      gzipSync('{"DeviceId":"d1","Metric":"temp","Value":28}\n{broken\n\n'),
    );
    await put(rawKey('2026-01-02', '00', 3), lines([{ deviceId: 'd1', metric: 'temp', value: 5 }]));
  });

  afterAll(async () => {
    client.destroy();
    await running.stop();
  });

  it('runs a named query over the raw zone and answers the aggregate through the SDK', async () => {
    // GIVEN the workgroup's named query, found as a client finds it
    const { NamedQueryIds } = await client.send(new ListNamedQueriesCommand({ WorkGroup: 'lake' }));
    expect(NamedQueryIds).toEqual([running.physical(fx.query as athena.CfnNamedQuery)]);
    const { NamedQuery } = await client.send(new GetNamedQueryCommand({ NamedQueryId: NamedQueryIds?.[0] }));
    expect(NamedQuery).toMatchObject({
      Name: 'daily_device_aggregates',
      Database: 'lake',
      WorkGroup: 'lake',
    });

    // WHEN it runs
    const execution = await query(NamedQuery?.QueryString ?? '');

    // THEN it succeeded with Athena's header row and values, per device and day
    expect(execution.Status?.State).toBe('SUCCEEDED');
    expect(execution.Statistics?.DataScannedInBytes).toBeGreaterThan(0);
    expect(await rowsOf(execution.QueryExecutionId)).toEqual([
      ['deviceid', 'metric', 'day', 'readings', 'minimum', 'maximum', 'average'],
      ['d1', 'temp', '2026-01-01', '3', '20.0', '28.0', '24.0'],
      ['d1', 'temp', '2026-01-02', '1', '5.0', '5.0', '5.0'],
      ['d2', 'temp', '2026-01-01', '1', '10.0', '10.0', '10.0'],
    ]);
    const { ResultSet } = await client.send(
      new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId, MaxResults: 1 }),
    );
    expect(ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Type)).toEqual([
      'varchar',
      'varchar',
      'varchar',
      'bigint',
      'double',
      'double',
      'double',
    ]);
    // AND the results were written as CSV where the workgroup puts them
    expect(execution.ResultConfiguration?.OutputLocation).toBe(
      `s3://${bucket}/athena-results/${execution.QueryExecutionId ?? ''}.csv`,
    );
    const csv = await running.runtime.engines.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `athena-results/${execution.QueryExecutionId ?? ''}.csv` }),
    );
    expect((await csv.Body?.transformToString())?.split('\n').slice(0, 2)).toEqual([
      '"deviceid","metric","day","readings","minimum","maximum","average"',
      '"d1","temp","2026-01-01","3","20.0","28.0","24.0"',
    ]);
  });

  it('pages results with MaxResults and NextToken, the header row on the first page only', async () => {
    // GIVEN a query with five rows
    const execution = await query('SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS t(n) ORDER BY n');

    // WHEN its results are read two rows at a time
    const pages: (string | undefined)[][] = [];
    let token: string | undefined;
    do {
      const answer = await client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: execution.QueryExecutionId,
          MaxResults: 2,
          NextToken: token,
        }),
      );
      pages.push((answer.ResultSet?.Rows ?? []).map((r) => r.Data?.[0]?.VarCharValue));
      token = answer.NextToken;
    } while (token !== undefined);

    // THEN every row comes once, in order
    expect(pages).toEqual([
      ['n', '1'],
      ['2', '3'],
      ['4', '5'],
    ]);
    await expect(
      client.send(
        new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId, MaxResults: 1001 }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('answers FAILED with a clean reason for bad SQL, and refuses its results', async () => {
    // GIVEN a query naming a column the table lacks
    const execution = await query('SELECT temperature FROM telemetry');

    // THEN it failed, saying why as Athena does, with no engine detail
    expect(execution.Status?.State).toBe('FAILED');
    expect(execution.Status?.StateChangeReason).toMatch(
      /^COLUMN_NOT_FOUND: Column 'temperature' cannot be resolved/,
    );
    expect(execution.Status?.StateChangeReason).not.toMatch(/\/|duckdb/i);
    await expect(
      client.send(new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('sees objects delivered after the last query', async () => {
    // GIVEN a count taken now
    const before = await query(`SELECT count(*) FROM telemetry WHERE dt = '2026-01-03'`);

    // WHEN Firehose delivers another object
    await put(rawKey('2026-01-03', '12', 4), lines([{ deviceId: 'd3', metric: 'rh', value: 50 }]));
    const after = await query(`SELECT count(*), max(hour) FROM telemetry WHERE dt = '2026-01-03'`);

    // THEN the next query reads it
    expect((await rowsOf(before.QueryExecutionId))[1]).toEqual(['0']);
    expect((await rowsOf(after.QueryExecutionId))[1]).toEqual(['1', '12']);
  });

  it('binds ExecutionParameters, and refuses a count that does not match the question marks', async () => {
    // WHEN a parameterised query runs with its values
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: 'SELECT count(*) FROM telemetry WHERE deviceid = ? AND dt = ?',
        ExecutionParameters: ["'d1'", "'2026-01-01'"],
        QueryExecutionContext: { Database: 'lake' },
        WorkGroup: 'lake',
      }),
    );
    const done = await eventually(async () => {
      const { QueryExecution: e } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      return e?.Status?.State === 'SUCCEEDED' ? e : undefined;
    });

    // THEN the values took the question marks' places
    expect((await rowsOf(done.QueryExecutionId))[1]).toEqual(['3']);
    await expect(
      client.send(
        new StartQueryExecutionCommand({
          QueryString: 'SELECT ?',
          ExecutionParameters: ['1', '2'],
          WorkGroup: 'lake',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('cancels a running query on StopQueryExecution, and runs the next one', async () => {
    // GIVEN a query that would run for minutes
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: 'SELECT count(*) FROM range(100000) AS a, range(100000) AS b',
        WorkGroup: 'lake',
      }),
    );

    // WHEN it is stopped
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId }));
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const next = await query('SELECT 1');

    // THEN it is CANCELLED and the engine is free again
    expect(QueryExecution?.Status?.State).toBe('CANCELLED');
    expect(next.Status?.State).toBe('SUCCEEDED');
  });

  it('refuses a query with no output location, and describes the workgroups and named queries', async () => {
    // WHEN a query goes to the primary workgroup, which has no output location
    const refused = client.send(
      new StartQueryExecutionCommand({
        QueryString: 'SELECT 1',
        QueryExecutionContext: { Database: 'lake' },
      }),
    );

    // THEN Athena's InvalidRequestException says what is missing
    await expect(refused).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/^No output location provided/) as unknown,
    });
    const { WorkGroup } = await client.send(new GetWorkGroupCommand({ WorkGroup: 'lake' }));
    expect(WorkGroup?.Configuration).toMatchObject({
      ResultConfiguration: { OutputLocation: `s3://${bucket}/athena-results/` },
      EnforceWorkGroupConfiguration: true,
    });
    const batch = await client.send(new BatchGetNamedQueryCommand({ NamedQueryIds: ['nope'] }));
    expect(batch.UnprocessedNamedQueryIds?.[0]).toMatchObject({
      NamedQueryId: 'nope',
      ErrorCode: 'INVALID_INPUT',
    });
  });
});
