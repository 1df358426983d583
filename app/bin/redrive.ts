#!/usr/bin/env -S npx tsx
/**
 * npm run redrive -- --queue <name-or-url> [--max N] [--endpoint URL] [--region R]
 *
 * Moves the messages of a dead-letter queue back to its source queue. Exits 0 with the count moved,
 * 1 when the queue is unknown, is not a DLQ, or the move fails, and 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ProgressBar } from '../ops/progress';
import { redrive, RedriveError } from '../ops/redrive';

const usage = 'usage: npm run redrive -- --queue <name-or-url> [--max N] [--endpoint URL] [--region REGION]';

async function main(): Promise<number> {
  let values: { queue?: string; max?: string; endpoint?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        queue: { type: 'string' },
        max: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error: unknown) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.queue) {
    console.error(`--queue is required.\n${usage}`);
    return 2;
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    console.error(`--max must be a whole number of at least 1; received "${values.max}".\n${usage}`);
    return 2;
  }

  // Without --endpoint the SDK's own resolution applies (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, or AWS).
  const sqs = new SQSClient({ endpoint: values.endpoint, region: values.region });
  let bar: ProgressBar | undefined;
  try {
    const result = await redrive(sqs, {
      queue: values.queue,
      max,
      onProgress: (moved, total) => {
        bar ??= new ProgressBar('redrive', total);
        bar.update(moved, total);
      },
    });
    bar?.finish();
    console.log(
      `moved ${result.moved} message(s) from ${result.deadLetterQueueUrl} to ${result.sourceQueueUrls.join(', ')} (${result.method})`,
    );
    return 0;
  } catch (error: unknown) {
    bar?.finish();
    if (error instanceof RedriveError) {
      console.error(`redrive: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`redrive failed: ${message}`);
    return 1;
  } finally {
    sqs.destroy();
  }
}

process.exitCode = await main();
