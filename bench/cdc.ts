/**
 * Change data capture and replay on the local engines, each figure with a baseline measured in the same run:
 *
 *  1. CDC processor throughput: `createCdcProcessor` (dynamodb-stream source) over batches of DynamoDB
 *     stream records (INSERT/MODIFY/REMOVE of many keys, as Lambda delivers them) into a kinesalite
 *     EventStream, against the same body with no framework: `changeRecordsFromStream` and one PutRecords per
 *     batch (no per-key waves, no retries, no metrics). Runs interleaved (A B A B …).
 *  2. Replay throughput: `replayStream` from a 2-shard kinesalite stream into a fauxqs queue, against a bare
 *     loop (TRIM_HORIZON GetRecords + SendMessageBatch of 10, shard after shard, no checkpoint). A fresh
 *     queue per run.
 *  3. What one kinesalite shard accepted and served, against Kinesis's per-shard limits (1 MB/s or 1,000
 *     records/s in, 2 MB/s out): PutRecords of 500 records of 1 KiB as fast as it takes them for a few
 *     seconds, then GetRecords (10,000 per call) over all of them. The ratio is kinesalite ÷ the limit: above
 *     1, an offline test cannot meet the throttling a real shard would impose.
 *
 *   npx tsx bench/cdc.ts
 *   CDC_RECORDS=2000 CDC_RUNS=7 CDC_SHARD_SECONDS=3 npx tsx bench/cdc.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { LOCAL_CREDENTIALS, startFauxqs } from '@conflux/local';
import { replayStream } from '../app/ops/stream-replay';
import { resolveTarget, type InvokeTransport } from '../app/ops/stream-replay-targets';
import { exact, figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const REGION = 'us-east-1';
const STREAM_BATCH = 100;

function settings(env = process.env) {
  const positive = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  return {
    records: Math.round(positive('CDC_RECORDS', 1000)),
    runs: Math.round(positive('CDC_RUNS', 5)),
    shardSeconds: positive('CDC_SHARD_SECONDS', 3),
  };
}

const progress = (line: string) => process.stderr.write(`[cdc] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createStream(kinesis: KinesisClient, shards: number): Promise<string> {
  const StreamName = `bench-cdc-${randomUUID().slice(0, 8)}`;
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: shards }));
  for (;;) {
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return StreamName;
    await sleep(20);
  }
}

/** DynamoDB stream batches as Lambda delivers them: per 3 records of a key, an INSERT, a MODIFY, a REMOVE. */
function streamBatches(count: number, table: string): DynamoDBStreamEvent[] {
  const records: DynamoDBRecord[] = Array.from({ length: count }, (_, i) => {
    const id = `c-${Math.floor(i / 3)}`;
    const kind = (['INSERT', 'MODIFY', 'REMOVE'] as const)[i % 3] ?? 'INSERT';
    const row = (n: number) => ({
      customerId: { S: id },
      name: { S: `Customer ${id}` },
      email: { S: `${id}@example.com` },
      version: { N: String(n) },
    });
    return {
      eventID: randomUUID(),
      eventName: kind,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: { customerId: { S: id } },
        ...(kind === 'REMOVE' ? {} : { NewImage: row(i % 3) }),
        ...(kind === 'INSERT' ? {} : { OldImage: row((i % 3) - 1) }),
        SequenceNumber: String(1_000_000 + i),
        SizeBytes: 120,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: `arn:aws:dynamodb:${REGION}:000000000000:table/${table}/stream/bench`,
    };
  });
  const batches: DynamoDBStreamEvent[] = [];
  for (let i = 0; i < records.length; i += STREAM_BATCH)
    batches.push({ Records: records.slice(i, i + STREAM_BATCH) });
  return batches;
}

async function putAll(kinesis: KinesisClient, stream: string, count: number, size: number): Promise<void> {
  const data = Buffer.alloc(size, 'x');
  for (let i = 0; i < count; i += 500) {
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
          PartitionKey: `k-${i + j}`,
          Data: data,
        })),
      }),
    );
    if (put.FailedRecordCount) throw new Error(`PutRecords failed ${put.FailedRecordCount} records`);
  }
}

async function run(): Promise<Figure[]> {
  const s = settings();
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10_000 });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : 0);
    });
  });
  const fauxqs = await startFauxqs(REGION);
  Object.assign(process.env, {
    AWS_REGION: REGION,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
    POWERTOOLS_SERVICE_NAME: 'bench-cdc',
  });
  const clientConfig = { region: REGION, credentials: LOCAL_CREDENTIALS };
  const kinesis = new KinesisClient({
    ...clientConfig,
    endpoint: `http://127.0.0.1:${port}`,
    requestHandler: new NodeHttpHandler(),
  });
  const sqs = new SQSClient({ ...clientConfig, endpoint: fauxqs.address });
  const work = mkdtempSync(path.join(tmpdir(), 'bench-cdc-'));
  try {
    // After the environment: the kit's logger and metrics read it when its modules load.
    const cdc = await import('@conflux/handler-kit/cdc');
    const figures: Figure[] = [];
    const n = s.records;

    // 1. CDC processor ------------------------------------------------------------------------------------
    {
      progress(`processor: ${n} stream records in batches of ${STREAM_BATCH}, ${s.runs} runs`);
      const table = 'customers';
      const batches = streamBatches(n, table);
      const capture = {
        serverName: 'conflux',
        db: `000000000000/${REGION}`,
        table,
        keyAttributes: ['customerId'],
      };
      const framework: number[] = [];
      const bare: number[] = [];
      for (let r = 0; r <= s.runs; r += 1) {
        const streamName = await createStream(kinesis, 4);
        const processor = cdc.createCdcProcessor({ source: 'dynamodb-stream', streamName, capture, kinesis });
        let t0 = performance.now();
        for (const batch of batches) {
          const { batchItemFailures } = await processor(batch);
          if (batchItemFailures.length > 0) throw new Error('the processor failed records');
        }
        const frameworkMs = performance.now() - t0;
        const bareStream = await createStream(kinesis, 4);
        t0 = performance.now();
        for (const batch of batches) {
          const records = batch.Records.flatMap((record) => cdc.changeRecordsFromStream(record, capture));
          const put = await kinesis.send(
            new PutRecordsCommand({
              StreamName: bareStream,
              Records: records.map((c) => ({
                PartitionKey: c.partitionKey,
                Data: c.value ? Buffer.from(JSON.stringify(c.value)) : new Uint8Array(0),
              })),
            }),
          );
          if (put.FailedRecordCount) throw new Error('the bare loop failed records');
        }
        const bareMs = performance.now() - t0;
        if (r === 0) continue; // warm-up
        framework.push((n / frameworkMs) * 1000);
        bare.push((n / bareMs) * 1000);
      }
      figures.push(
        figure({
          id: 'cdc.processor.records-per-s',
          group: 'cdc',
          title: 'DynamoDB stream records/s through createCdcProcessor into kinesalite',
          unit: 'records/s',
          better: 'higher',
          subject: stats(framework),
          baseline: { label: 'changeRecordsFromStream + one PutRecords per batch', stats: stats(bare) },
          note: `${n} source records per run (INSERT, MODIFY, REMOVE per key: ${Math.round((n * 4) / 3)} change records with tombstones) in batches of ${STREAM_BATCH}, a 4-shard stream. The processor writes each batch in per-key waves (at most one record per partition key per PutRecords, so order per key holds under retries): here 4 PutRecords per batch (c, u, d and tombstone of each key) where the bare loop sends one.`,
        }),
      );
    }

    // 2. Replay -------------------------------------------------------------------------------------------
    {
      progress(`replay: ${n} records of 2 shards into an SQS queue, ${s.runs} runs`);
      const stream = await createStream(kinesis, 2);
      const from = new Date(Date.now() - 1000).toISOString();
      await putAll(kinesis, stream, n, 200);
      const noFunctions: InvokeTransport = { invoke: () => Promise.reject(new Error('no functions here')) };
      const replayRates: number[] = [];
      const bareRates: number[] = [];
      for (let r = 0; r <= s.runs; r += 1) {
        const queue = async () =>
          (await sqs.send(new CreateQueueCommand({ QueueName: `bench-replay-${randomUUID().slice(0, 8)}` })))
            .QueueUrl ?? '';
        const url = await queue();
        const target = await resolveTarget(url, { sqs, lambda: noFunctions }, { streamArn: stream });
        let t0 = performance.now();
        const result = await replayStream(kinesis, {
          stream,
          from,
          target,
          checkpointFile: path.join(work, `${randomUUID()}.json`),
        });
        const replayMs = performance.now() - t0;
        if (result.delivered !== n) throw new Error(`replay delivered ${result.delivered} of ${n}`);
        const bareUrl = await queue();
        t0 = performance.now();
        let sent = 0;
        const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
        for (const shard of Shards) {
          let { ShardIterator } = await kinesis.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shard.ShardId,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          );
          while (ShardIterator) {
            const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
            const records = page.Records ?? [];
            if (records.length === 0) break;
            for (let i = 0; i < records.length; i += 10) {
              await sqs.send(
                new SendMessageBatchCommand({
                  QueueUrl: bareUrl,
                  Entries: records.slice(i, i + 10).map((rec, j) => ({
                    Id: String(j),
                    MessageBody: Buffer.from(rec.Data ?? new Uint8Array()).toString('utf8'),
                  })),
                }),
              );
            }
            sent += records.length;
            ShardIterator = page.NextShardIterator;
          }
        }
        const bareMs = performance.now() - t0;
        if (sent !== n) throw new Error(`the bare loop sent ${sent} of ${n}`);
        if (r === 0) continue;
        replayRates.push((n / replayMs) * 1000);
        bareRates.push((n / bareMs) * 1000);
      }
      figures.push(
        figure({
          id: 'cdc.replay.records-per-s',
          group: 'cdc',
          title: 'stream:replay records/s from kinesalite into a fauxqs queue',
          unit: 'records/s',
          better: 'higher',
          subject: stats(replayRates),
          baseline: { label: 'bare GetRecords + SendMessageBatch loop', stats: stats(bareRates) },
          note: `${n} records of 200 bytes on 2 shards, from an instant before the first. The replay reads the shards side by side, sends the four record attributes with each message and writes its checkpoint after every page; the bare loop reads shard after shard and sends bodies only.`,
        }),
      );
    }

    // 3. One shard against Kinesis's limits -------------------------------------------------------------
    {
      progress(`shard: PutRecords of 1 KiB records into one shard for ${s.shardSeconds} s, then GetRecords`);
      const stream = await createStream(kinesis, 1);
      const size = 1024;
      const data = Buffer.alloc(size, 'y');
      let written = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < s.shardSeconds * 1000) {
        const put = await kinesis.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: `k-${j}`, Data: data })),
          }),
        );
        written += 500 - (put.FailedRecordCount ?? 0);
      }
      const writeS = (performance.now() - t0) / 1000;
      const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
      let { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: Shards[0]?.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let read = 0;
      let readBytes = 0;
      const t1 = performance.now();
      while (ShardIterator && read < written) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
        const records = page.Records ?? [];
        if (records.length === 0) break;
        read += records.length;
        readBytes += records.reduce(
          (sum, r) => sum + (r.Data?.length ?? 0) + (r.PartitionKey?.length ?? 0),
          0,
        );
        ShardIterator = page.NextShardIterator;
      }
      const readS = (performance.now() - t1) / 1000;
      const inRecords = written / writeS;
      const inMB = (written * (size + 5)) / writeS / 1_000_000;
      const outMB = readBytes / readS / 1_000_000;
      figures.push(
        figure({
          id: 'cdc.shard.write-records-per-s',
          group: 'cdc',
          title: 'records/s one kinesalite shard accepted (1 KiB records)',
          unit: 'records/s',
          better: 'higher',
          subject: exact(inRecords),
          baseline: { label: 'Kinesis per-shard write limit', stats: exact(1000) },
          note: `${written} records in ${writeS.toFixed(1)} s, PutRecords of 500, none refused: ${inMB.toFixed(2)} MB/s against the 1 MB/s limit. kinesalite enforces neither limit.`,
        }),
        figure({
          id: 'cdc.shard.write-mb-ratio',
          group: 'cdc',
          title: 'MB/s one kinesalite shard accepted ÷ the 1 MB/s write limit',
          unit: 'x',
          better: 'higher',
          subject: exact(inMB / 1),
          note: `${inMB.toFixed(2)} MB/s (data + partition keys) accepted by one shard.`,
        }),
        figure({
          id: 'cdc.shard.read-mb-ratio',
          group: 'cdc',
          title: 'MB/s one kinesalite shard served ÷ the 2 MB/s read limit',
          unit: 'x',
          better: 'higher',
          subject: exact(outMB / 2),
          note: `${read} records (${(readBytes / 1_000_000).toFixed(1)} MB) read in ${readS.toFixed(2)} s with GetRecords of 10,000: ${outMB.toFixed(2)} MB/s against the 2 MB/s limit (and 5 GetRecords/s, which kinesalite does not enforce either).`,
        }),
      );
    }
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
    kinesis.destroy();
    sqs.destroy();
    await fauxqs.stop();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

export const benchmark: Benchmark = { group: 'cdc', run };

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
