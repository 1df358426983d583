#!/usr/bin/env -S npx tsx
/**
 * npm run cdc:snapshot -- --table <name> [--stream <name>] [--server-name N] [--chunk N] [--restart]
 *   [--endpoint URL] [--region R]
 *
 * Emits the table's existing rows as `op: "r"` change events onto its EventStream (found by the tag
 * `conflux:cdc:table`), resumably: a rerun continues after the last chunk written. Offline (a
 * `.conflux/local.json` present and no --endpoint) it talks to the running runtime's DynamoDB Local and
 * kinesalite. Exits 0 when the snapshot is complete, 1 when the table or stream is unknown or a write fails
 * (the checkpoint keeps what was written), 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { snapshotTable, SnapshotError } from '../ops/cdc-snapshot';
import { ProgressBar } from '../ops/progress';

const usage =
  'usage: npm run cdc:snapshot -- --table <name> [--stream <name>] [--server-name N] [--chunk N] [--restart] [--endpoint URL] [--region REGION]';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let values: {
    table?: string;
    stream?: string;
    'server-name'?: string;
    chunk?: string;
    restart?: boolean;
    endpoint?: string;
    region?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        table: { type: 'string' },
        stream: { type: 'string' },
        'server-name': { type: 'string' },
        chunk: { type: 'string' },
        restart: { type: 'boolean' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error: unknown) {
    err(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    out(usage);
    return 0;
  }
  if (!values.table) {
    err(`--table is required.\n${usage}`);
    return 2;
  }
  const chunk = values.chunk === undefined ? 100 : Number(values.chunk);
  if (!Number.isInteger(chunk) || chunk < 1) {
    err(`--chunk must be a whole number of at least 1; received "${values.chunk ?? ''}".\n${usage}`);
    return 2;
  }

  const local = '.conflux/local.json';
  let endpoints: { dynamodb?: string; kinesis?: string } = {};
  let region = values.region;
  if (values.endpoint) endpoints = { dynamodb: values.endpoint, kinesis: values.endpoint };
  else if (existsSync(local)) {
    endpoints = (JSON.parse(readFileSync(local, 'utf8')) as { endpoints: typeof endpoints }).endpoints;
    region ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region });
  // kinesalite speaks HTTP/1.1 only, and PutRecords needs nothing more anywhere.
  const kinesis = new KinesisClient({
    endpoint: endpoints.kinesis,
    region,
    requestHandler: new NodeHttpHandler(),
  });
  let bar: ProgressBar | undefined;
  try {
    const result = await snapshotTable({
      dynamodb,
      kinesis,
      table: values.table,
      stream: values.stream,
      serverName: values['server-name'],
      chunk,
      restart: values.restart === true,
      onProgress: (emitted, total) => {
        bar ??= new ProgressBar('snapshot', total);
        bar.update(emitted, total);
      },
    });
    bar?.finish();
    const checkpoint = path.relative(process.cwd(), result.checkpointFile);
    out(
      result.alreadyComplete
        ? `the snapshot of ${result.table} into ${result.stream} is already complete (${result.emitted} row(s), ${checkpoint}); pass --restart to take it again`
        : `snapshot of ${result.table}: ${result.emitted} row(s) emitted onto ${result.stream}${result.resumed ? ` (resumed: ${result.emittedNow} this run)` : ''}; checkpoint ${checkpoint}`,
    );
    return 0;
  } catch (error: unknown) {
    bar?.finish();
    if (error instanceof SnapshotError) {
      err(`cdc:snapshot: ${error.message}`);
      return 1;
    }
    err(`cdc:snapshot failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
  }
}

process.exitCode = await main();
