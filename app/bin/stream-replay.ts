#!/usr/bin/env -S npx tsx
/**
 * npm run stream:replay -- --stream <name> --from <ISO instant | sequence> [--to <ISO instant | sequence>]
 *   --into <queue | function> [--checkpoint FILE] [--restart] [--endpoint URL] [--region R]
 *
 * Replays a Kinesis stream's records into an SQS queue or a Lambda function, in order per shard, with a
 * checkpoint that a rerun resumes from. Offline (a `.conflux/local.json` present and no --endpoint) it talks
 * to the running runtime's kinesalite, fauxqs and Lambda. Exits 0 when everything was delivered, 1 when the
 * stream or target is unknown or the target refused a record (the checkpoint keeps what was delivered), 2 on
 * a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ProgressBar } from '../ops/progress';
import {
  defaultCheckpointFile,
  describeStream,
  parsePosition,
  replayStream,
  ReplayError,
  ReplayUsageError,
} from '../ops/stream-replay';
import { lambdaTransport, resolveTarget } from '../ops/stream-replay-targets';

const usage =
  'usage: npm run stream:replay -- --stream <name> --from <ISO instant | sequence> [--to <ISO instant | sequence>] --into <queue | function> [--checkpoint FILE] [--restart] [--endpoint URL] [--region REGION]';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let values: {
    stream?: string;
    from?: string;
    to?: string;
    into?: string;
    checkpoint?: string;
    restart?: boolean;
    endpoint?: string;
    region?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        stream: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        into: { type: 'string' },
        checkpoint: { type: 'string' },
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
  const missing = (['stream', 'from', 'into'] as const).filter((flag) => !values[flag]);
  if (missing.length > 0) {
    err(`${missing.map((m) => `--${m}`).join(', ')} required.\n${usage}`);
    return 2;
  }
  const { stream = '', from = '', into = '', to } = values;
  try {
    parsePosition(from, '--from');
    if (to !== undefined) parsePosition(to, '--to');
  } catch (error: unknown) {
    err(`stream:replay: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }

  // Offline, every client goes to the runtime's engines; otherwise --endpoint (if any) serves all three.
  const endpoints = localEndpoints(values.endpoint);
  const region = values.region ?? (endpoints ? 'us-east-1' : undefined);
  // kinesalite speaks HTTP/1.1 only, and GetRecords needs nothing more anywhere.
  const kinesis = new KinesisClient({
    endpoint: endpoints?.kinesis ?? values.endpoint,
    region,
    requestHandler: new NodeHttpHandler(),
  });
  const sqs = new SQSClient({ endpoint: endpoints?.sqs ?? values.endpoint, region });
  const lambda = new LambdaClient({ endpoint: endpoints?.lambda ?? values.endpoint, region });
  let bar: ProgressBar | undefined;
  try {
    // The stream first: an unknown one is reported before the target is looked for.
    const { arn: streamArn } = await describeStream(kinesis, stream);
    const target = await resolveTarget(into, { sqs, lambda: lambdaTransport(lambda) }, { streamArn });
    const checkpointFile = values.checkpoint
      ? path.resolve(values.checkpoint)
      : defaultCheckpointFile({ stream, from, to, into });
    const result = await replayStream(kinesis, {
      stream,
      from,
      to,
      into,
      target,
      checkpointFile,
      restart: values.restart === true,
      onProgress: (p) => {
        bar ??= new ProgressBar('replay', p.estimatedTotal);
        bar.update(p.read, p.estimatedTotal);
      },
    });
    bar?.finish();
    const perShard = result.shards.map((s) => `${s.shardId} ${s.read}`).join(', ');
    out(
      `replayed ${result.delivered} record(s) of ${result.streamName} into ${target.kind} ${target.id}${result.skipped ? `, skipped ${result.skipped} tombstone(s)` : ''}${result.resumed ? ' (resumed)' : ''}; read per shard: ${perShard}; checkpoint ${path.relative(process.cwd(), result.checkpointFile)}`,
    );
    return 0;
  } catch (error: unknown) {
    bar?.finish();
    if (error instanceof ReplayUsageError) {
      err(`stream:replay: ${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof ReplayError) {
      err(`stream:replay: ${error.message}`);
      return 1;
    }
    err(
      `stream:replay failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return 1;
  } finally {
    kinesis.destroy();
    sqs.destroy();
    lambda.destroy();
  }
}

/** The running offline runtime's endpoints, unless --endpoint says where to go. */
function localEndpoints(endpoint: string | undefined): Record<string, string | undefined> | undefined {
  const local = '.conflux/local.json';
  if (endpoint || !existsSync(local)) return undefined;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return (JSON.parse(readFileSync(local, 'utf8')) as { endpoints: Record<string, string | undefined> })
    .endpoints;
}

process.exitCode = await main();
