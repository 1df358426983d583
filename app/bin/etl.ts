#!/usr/bin/env -S npx tsx
/**
 * npm run etl -- --since <ISO> [--until <ISO>] [--pipeline customers-nightly] [--state-machine ARN]
 *   [--endpoint URL] [--region R]
 *
 * Runs an ETL pipeline now over the window from `--since` (instead of its watermark) to `--until` (or the
 * run's start less the settle time), shows its steps as a progress bar and prints each step's counts. A
 * rerun of a window writes the same objects (unchanged) and never moves the watermark back. Offline (a
 * `.conflux/local.json` present and no --endpoint) it runs the state machine of the running runtime.
 * Exits 0 when the run succeeded, 1 when it failed (with the step and the reason), 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CUSTOMERS_PIPELINE } from '../functions/lake/domain';
import {
  describeRun,
  ETL_STEPS,
  EtlRunError,
  findPipelineStateMachine,
  manualInput,
  runPipeline,
} from '../ops/etl';
import { ProgressBar } from '../ops/progress';

const usage =
  'usage: npm run etl -- --since <ISO instant> [--until <ISO instant>] [--pipeline NAME] [--state-machine ARN] [--endpoint URL] [--region REGION]';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let values: {
    since?: string;
    until?: string;
    pipeline?: string;
    'state-machine'?: string;
    endpoint?: string;
    region?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        pipeline: { type: 'string' },
        'state-machine': { type: 'string' },
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
  if (!values.since) {
    err(`--since is required.\n${usage}`);
    return 2;
  }
  let input;
  try {
    input = manualInput(values.since, values.until);
  } catch (error: unknown) {
    err(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }

  const local = '.conflux/local.json';
  let endpoint = values.endpoint;
  let region = values.region;
  let resources: Record<string, string> | undefined;
  if (!endpoint && existsSync(local)) {
    const state = JSON.parse(readFileSync(local, 'utf8')) as {
      endpoints: { stepfunctions?: string };
      resources?: Record<string, string>;
    };
    endpoint = state.endpoints.stepfunctions;
    resources = state.resources ?? {};
    region ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  const sfn = new SFNClient({ endpoint, region });
  const pipeline = values.pipeline ?? CUSTOMERS_PIPELINE;
  const bar = new ProgressBar(pipeline, ETL_STEPS.length);
  try {
    const stateMachineArn =
      values['state-machine'] ?? (await findPipelineStateMachine(pipeline, { sfn, resources }));
    const summary = await runPipeline({
      sfn,
      stateMachineArn,
      input,
      onStep: (_step, index) => {
        bar.update(index);
      },
    });
    bar.update(ETL_STEPS.length);
    bar.finish();
    for (const line of describeRun(summary)) out(line);
    return 0;
  } catch (error: unknown) {
    bar.finish();
    if (error instanceof EtlRunError) err(`etl: ${error.message}`);
    else err(`etl failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  } finally {
    sfn.destroy();
  }
}

process.exitCode = await main();
