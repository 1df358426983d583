/**
 * The lake offline, each figure with a baseline (or a note) measured in the same run, on a small app of its
 * own (a RawZone with direct-put sources and a LakeCatalog over them) run by the offline runtime:
 *
 *  1. Records into the raw zone: PutRecordBatch (500 records of ~110 bytes a call) into a direct-put
 *     delivery stream with the bundled json-lines transform (buffering 5 MiB / 60 s, flushed at the end),
 *     from the first call until every record is in S3, against bare S3 PutObject of the same records as
 *     gzip JSON lines, one object per 500 (no Firehose, no Lambda). Runs interleaved (A B A B …).
 *  2. Freshness, record in → counted by an Athena query: one PutRecord, then the same count query until it
 *     sees the record, at the minimum buffering (0 s), against the query's own time once the record is
 *     there. At the default buffering (5 MiB / 300 s) once, with a note; LAKE_DEFAULT_FRESHNESS=0 skips it.
 *  3. ETL rows/s: the reference app's customers-nightly extract (a 4-segment scan of DynamoDB Local),
 *     transform (cleansing, 5 % of rows rejected) and load handlers, in process, over LAKE_ETL_ROWS changed
 *     customers, against a bare scan + gzip + one PutObject of the same rows.
 *  4. `daily_device_aggregates` over LAKE_QUERY_RECORDS raw telemetry records (gzip objects under
 *     `raw/telemetry/dt=…/hour=…/`, 48 partitions): the first run (the mirror reads every object) against
 *     a repeat (nothing new to mirror).
 *
 *   npx tsx bench/lake.ts
 *   LAKE_RECORDS=20000 LAKE_RUNS=3 LAKE_ETL_ROWS=10000 LAKE_QUERY_RECORDS=100000 LAKE_DEFAULT_FRESHNESS=0 npx tsx bench/lake.ts
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Duration, RemovalPolicy, Size, Stack, type App } from 'aws-cdk-lib';
import { LakeCatalog, RawZone, type RawZoneSource } from '@conflux/constructs';
import { LOCAL_CREDENTIALS } from '@conflux/local';
import { DAILY_DEVICE_AGGREGATES, TELEMETRY_COLUMNS } from '../app/functions/lake/contract';
import { runApp, type RunningApp } from '../test/support/runtime';
import { exact, figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const REGION = 'us-east-1';
const BATCH = 500;
const DATABASE = 'bench_lake';

function settings(env = process.env) {
  const positive = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return Math.round(value);
  };
  return {
    records: positive('LAKE_RECORDS', 10_000),
    runs: positive('LAKE_RUNS', 3),
    freshnessSamples: positive('LAKE_FRESHNESS_SAMPLES', 5),
    defaultFreshness: env.LAKE_DEFAULT_FRESHNESS !== '0',
    etlRows: positive('LAKE_ETL_ROWS', 10_000),
    queryRecords: positive('LAKE_QUERY_RECORDS', 100_000),
  };
}

const progress = (line: string) => process.stderr.write(`[lake] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bench's app: direct-put sources `bulk` (5 MiB / 60 s), `fast` (0 s) and `slow` (default), tables over them and `telemetry`. */
interface BenchLake {
  zone: RawZone;
  bulk: RawZoneSource;
  fast: RawZoneSource;
  slow: RawZoneSource;
  catalog: LakeCatalog;
}

function buildLake(app: App): BenchLake {
  const stack = new Stack(app, 'LakeBench');
  const zone = new RawZone(stack, 'Zone', { removalPolicy: RemovalPolicy.DESTROY });
  const bulk = zone.addSource('Bulk', {
    name: 'bulk',
    buffering: { size: Size.mebibytes(5), interval: Duration.seconds(60) },
  });
  const fast = zone.addSource('Fast', {
    name: 'fast',
    buffering: { size: Size.mebibytes(1), interval: Duration.seconds(0) },
  });
  const slow = zone.addSource('Slow', { name: 'slow' });
  const catalog = new LakeCatalog(stack, 'Catalog', {
    databaseName: DATABASE,
    bucket: zone.bucket,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const name of ['bulk', 'fast', 'slow', 'telemetry']) {
    catalog.addTable(`${name}Table`, {
      name,
      location: `raw/${name}/`,
      columns: [...TELEMETRY_COLUMNS],
      partitions: [
        { name: 'dt', type: 'date', format: 'yyyy-MM-dd', range: '2026-01-01,NOW' },
        { name: 'hour', type: 'integer', range: '0,23', digits: 2 },
      ],
    });
  }
  return { zone, bulk, fast, slow, catalog };
}

const reading = (deviceId: string, i: number) => ({
  deviceId,
  metric: ['temperature', 'humidity', 'pressure'][i % 3] ?? 'temperature',
  value: (i % 1000) / 10,
  recordedAt: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
});

/** Lake objects' lines under a prefix (every object is gzip JSON lines). */
async function countLines(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let lines = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    token = page.NextContinuationToken;
    for (const o of page.Contents ?? []) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
      ).Body?.transformToByteArray();
      const text = gunzipSync(body ?? new Uint8Array()).toString('utf8');
      lines += text.split('\n').filter((l) => l !== '').length;
    }
  } while (token);
  return lines;
}

/** Runs `sql` and returns its first cell and its wall time. */
async function athenaScalar(
  athena: AthenaClient,
  workGroup: string,
  sql: string,
): Promise<{ value: string; ms: number }> {
  const t0 = performance.now();
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Database: DATABASE },
      WorkGroup: workGroup,
    }),
  );
  for (;;) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED')
      throw new Error(`query failed: ${QueryExecution?.Status?.StateChangeReason ?? state}`);
    await sleep(20);
  }
  const results = await athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
  const value = results.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue ?? '';
  return { value, ms: performance.now() - t0 };
}

async function ingestFigure(
  running: RunningApp,
  lake: BenchLake,
  s3: S3Client,
  bucket: string,
  config: ReturnType<typeof settings>,
): Promise<Figure> {
  const { endpoints } = running.runtime;
  const firehose = new FirehoseClient({
    endpoint: endpoints.firehose,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const stream = running.physical(lake.bulk.deliveryStream);
  const records = Array.from({ length: config.records }, (_, i) =>
    Buffer.from(JSON.stringify(reading(`bulk-${i % 50}`, i))),
  );
  const viaFirehose: number[] = [];
  const bare: number[] = [];
  try {
    // Warm-up, unmeasured: the transform's first invocation starts its worker.
    await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: stream,
        Records: records.slice(0, BATCH).map((Data) => ({ Data })),
      }),
    );
    await fetch(`${endpoints.firehose}/_conflux/firehose/flush/${encodeURIComponent(stream)}`, {
      method: 'POST',
    });
    for (let run = 0; run < config.runs; run += 1) {
      const before = await countLines(s3, bucket, 'raw/bulk/');
      const t0 = performance.now();
      for (let i = 0; i < records.length; i += BATCH) {
        const out = await firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: stream,
            Records: records.slice(i, i + BATCH).map((Data) => ({ Data })),
          }),
        );
        if (out.FailedPutCount) throw new Error(`${out.FailedPutCount} records refused`);
      }
      const flushed = await fetch(
        `${endpoints.firehose}/_conflux/firehose/flush/${encodeURIComponent(stream)}`,
        {
          method: 'POST',
        },
      );
      if (flushed.status !== 200) throw new Error(`flush answered ${flushed.status}`);
      const ms = performance.now() - t0;
      const delivered = (await countLines(s3, bucket, 'raw/bulk/')) - before;
      if (delivered !== records.length)
        throw new Error(`${delivered} of ${records.length} records delivered`);
      viaFirehose.push(records.length / (ms / 1000));

      const b0 = performance.now();
      for (let i = 0; i < records.length; i += BATCH) {
        const body = gzipSync(
          Buffer.from(
            records
              .slice(i, i + BATCH)
              .map((r) => `${r.toString('utf8')}\n`)
              .join(''),
          ),
        );
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: `bare/run-${run}/${i}.json.gz`, Body: body }),
        );
      }
      bare.push(records.length / ((performance.now() - b0) / 1000));
      progress(
        `ingest run ${run + 1}: ${viaFirehose.at(-1)?.toFixed(0)} vs ${bare.at(-1)?.toFixed(0)} records/s`,
      );
    }
  } finally {
    firehose.destroy();
  }
  return figure({
    id: 'lake.raw-zone.put-record-batch.records-per-s',
    group: 'lake',
    title: `PutRecordBatch into the raw zone, ${config.records} records to S3`,
    unit: 'records/s',
    better: 'higher',
    subject: stats(viaFirehose),
    baseline: { label: 'bare S3 PutObject, gzip JSON lines, 500 per object', stats: stats(bare) },
    note: `${BATCH} records (~${records[0]?.length ?? 0} bytes) per call, json-lines transform (the bundled Lambda, in the runtime's host), buffers flushed at the end; until the last record is in S3; after one unmeasured warm-up batch`,
  });
}

async function freshness(
  running: RunningApp,
  source: RawZoneSource,
  athena: AthenaClient,
  workGroup: string,
  samples: number,
): Promise<{ fresh: number[]; query: number[] }> {
  const firehose = new FirehoseClient({
    endpoint: running.runtime.endpoints.firehose,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const stream = running.physical(source.deliveryStream);
  const fresh: number[] = [];
  const query: number[] = [];
  try {
    for (let i = 0; i < samples; i += 1) {
      const deviceId = `fresh-${randomUUID().slice(0, 8)}`;
      const sql = `SELECT count(*) FROM ${source.name} WHERE deviceid = '${deviceId}'`;
      const t0 = performance.now();
      await firehose.send(
        new PutRecordCommand({
          DeliveryStreamName: stream,
          Record: { Data: Buffer.from(JSON.stringify(reading(deviceId, i))) },
        }),
      );
      for (;;) {
        if ((await athenaScalar(athena, workGroup, sql)).value === '1') break;
        await sleep(100);
      }
      fresh.push(performance.now() - t0);
      query.push((await athenaScalar(athena, workGroup, sql)).ms);
      progress(`freshness ${source.name} ${i + 1}: ${fresh.at(-1)?.toFixed(0)} ms`);
    }
  } finally {
    firehose.destroy();
  }
  return { fresh, query };
}

async function etlFigure(
  running: RunningApp,
  bucket: string,
  config: ReturnType<typeof settings>,
): Promise<Figure> {
  const { engines } = running.runtime;
  const documents = DynamoDBDocumentClient.from(engines.dynamodb);
  const table = `bench-customers-${randomUUID().slice(0, 8)}`;
  await engines.dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'customerId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
    }),
  );
  const changedAt = new Date(Date.now() - 3_600_000).toISOString();
  const items = Array.from({ length: config.etlRows }, (_, i) => ({
    customerId: randomUUID(),
    name: ` Customer  ${i} `,
    email: i % 20 === 0 ? `bad@@${i}` : ` Customer.${i}@Example.com`,
    phone: `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
    createdAt: changedAt,
    updatedAt: changedAt,
  }));
  for (let i = 0; i < items.length; i += 25) {
    await documents.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  // The handlers' SDK clients are made at module load, from the environment, as in Lambda.
  process.env.AWS_REGION ??= REGION;
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  process.env.CUSTOMERS_TABLE_NAME = table;
  process.env.SCAN_SEGMENTS = '4';
  process.env.AWS_ENDPOINT_URL_S3 = engines.endpoints.s3;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = engines.endpoints.dynamodb;
  const { handler: extract } = await import('../app/functions/lake/extract.handler');
  const { handler: transform } = await import('../app/functions/lake/transform.handler');
  const { handler: load } = await import('../app/functions/lake/load.handler');
  const withSdk: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < config.runs; run += 1) {
    // A window of its own per run, so every run writes its objects.
    const base = {
      pipeline: 'customers-nightly',
      bucket,
      executionArn: `arn:aws:states:${REGION}:000000000000:execution:bench:${run}`,
      startedAt: new Date().toISOString(),
      settleMs: 0,
    };
    const input = {
      since: new Date(Date.parse(changedAt) - 1000 - run).toISOString(),
      until: new Date().toISOString(),
    };
    const t0 = performance.now();
    const extracted = await extract({ ...base, input, stored: {} });
    const transformed = await transform({ ...base, window: extracted.window, staged: extracted.staged });
    const loaded = await load({ ...base, window: extracted.window, staged: transformed.staged });
    withSdk.push(config.etlRows / ((performance.now() - t0) / 1000));
    if (extracted.rows !== config.etlRows || loaded.loaded + transformed.rejected !== config.etlRows)
      throw new Error(
        `ETL saw ${extracted.rows} rows, loaded ${loaded.loaded}, rejected ${transformed.rejected}`,
      );

    const b0 = performance.now();
    const rows: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      rows.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    await engines.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `bare-etl/${run}.json.gz`,
        Body: gzipSync(Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''))),
      }),
    );
    bare.push(config.etlRows / ((performance.now() - b0) / 1000));
    progress(`etl run ${run + 1}: ${withSdk.at(-1)?.toFixed(0)} vs ${bare.at(-1)?.toFixed(0)} rows/s`);
  }
  return figure({
    id: 'lake.etl.customers-nightly.rows-per-s',
    group: 'lake',
    title: `customers-nightly extract → transform → load, ${config.etlRows} rows`,
    unit: 'records/s',
    better: 'higher',
    subject: stats(withSdk),
    baseline: { label: 'bare scan + gzip + one PutObject of the rows', stats: stats(bare) },
    note: 'the three handlers in process on DynamoDB Local and the local S3; 5 % of rows quarantined; staging, quarantine and curated objects written',
  });
}

async function queryFigure(
  s3: S3Client,
  bucket: string,
  athena: AthenaClient,
  workGroup: string,
  config: ReturnType<typeof settings>,
): Promise<Figure> {
  const partitions = 48;
  const perObject = Math.ceil(config.queryRecords / partitions);
  let written = 0;
  for (let p = 0; p < partitions && written < config.queryRecords; p += 1) {
    const day = `2026-11-${String(1 + Math.floor(p / 24)).padStart(2, '0')}`;
    const hour = String(p % 24).padStart(2, '0');
    const n = Math.min(perObject, config.queryRecords - written);
    const lines = Array.from(
      { length: n },
      (_, i) => `${JSON.stringify(reading(`dev-${(written + i) % 20}`, written + i))}\n`,
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `raw/telemetry/dt=${day}/hour=${hour}/bench-1-${day}-${hour}-00-00-${randomUUID()}.gz`,
        Body: gzipSync(Buffer.from(lines.join(''))),
      }),
    );
    written += n;
  }
  const total = `SELECT sum(readings) FROM (${DAILY_DEVICE_AGGREGATES.sql.replace(/\nORDER BY[^\n]*$/, '')})`;
  const first = await athenaScalar(athena, workGroup, total);
  if (Number(first.value) !== config.queryRecords)
    throw new Error(`the query counted ${first.value} records`);
  const repeats: number[] = [];
  for (let i = 0; i < config.runs; i += 1)
    repeats.push((await athenaScalar(athena, workGroup, DAILY_DEVICE_AGGREGATES.sql)).ms);
  progress(
    `query: first ${first.ms.toFixed(0)} ms, repeats ${repeats.map((r) => r.toFixed(0)).join(', ')} ms`,
  );
  return figure({
    id: 'lake.athena.daily-device-aggregates.ms',
    group: 'lake',
    title: `daily_device_aggregates over ${config.queryRecords} raw records, first run`,
    unit: 'ms',
    better: 'lower',
    subject: exact(first.ms),
    baseline: { label: 'the same query again (nothing new to mirror)', stats: stats(repeats) },
    note: `${partitions} gzip objects under raw/telemetry/dt=…/hour=…/; the first run mirrors them (gunzip, lower-case keys) into DuckDB's cache; wall time from StartQueryExecution to SUCCEEDED and the first results page`,
  });
}

export const benchmark: Benchmark = {
  group: 'lake',
  async run(): Promise<Figure[]> {
    const config = settings();
    let lake: BenchLake | undefined;
    progress('synthesizing and starting the bench app…');
    const running = await runApp((app) => {
      lake = buildLake(app);
    });
    if (!lake) throw new Error('the bench app was not built');
    const athena = new AthenaClient({
      endpoint: running.runtime.endpoints.athena,
      region: REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const s3 = running.runtime.engines.s3;
      const bucket = running.physical(lake.zone.bucket);
      const workGroup = running.physical(lake.catalog.workGroup);
      const figures: Figure[] = [await ingestFigure(running, lake, s3, bucket, config)];

      const fast = await freshness(running, lake.fast, athena, workGroup, config.freshnessSamples);
      figures.push(
        figure({
          id: 'lake.freshness.min-buffering.ms',
          group: 'lake',
          title: 'record in → counted by Athena, 0 s buffering',
          unit: 'ms',
          better: 'lower',
          subject: stats(fast.fresh),
          baseline: { label: 'the count query alone, once the record is there', stats: stats(fast.query) },
          withDelta: true,
          note: 'PutRecord, then the count query every 100 ms until it sees the record; 0 s buffering delivers within a second',
        }),
      );
      if (config.defaultFreshness) {
        progress('freshness at the default buffering: about 5 minutes…');
        const slow = await freshness(running, lake.slow, athena, workGroup, 1);
        figures.push(
          figure({
            id: 'lake.freshness.default-buffering.ms',
            group: 'lake',
            title: 'record in → counted by Athena, default buffering (300 s)',
            unit: 'ms',
            better: 'lower',
            subject: stats(slow.fresh),
            baseline: { label: 'the count query alone', stats: stats(slow.query) },
            withDelta: true,
            note: 'one sample: Firehose holds a lone record for the whole interval (5 MiB is never reached); set conflux:lakeBufferSeconds to trade cost for freshness',
          }),
        );
      }
      figures.push(await etlFigure(running, bucket, config));
      figures.push(await queryFigure(s3, bucket, athena, workGroup, config));
      return figures;
    } finally {
      athena.destroy();
      await running.stop();
    }
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
