#!/usr/bin/env -S npx tsx
/**
 * npm run projections:rebuild -- --projection <name> [--stage dev] [--control-table T] [--endpoint URL] [--region R]
 *
 * Replays the whole event store into the projection's inactive read-model table, switches readers to it,
 * then catches up on events committed meanwhile. Offline (a `.conflux/local.json` present and no
 * --endpoint) it talks to the running runtime's DynamoDB Local. Exits 1 when the rebuild cannot run or
 * switch, 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProgressBar } from '../ops/progress';
import { PROJECTIONS } from '../ops/projections';
import { rebuildProjection, RebuildError } from '../ops/rebuild-projection';

const usage =
  'usage: npm run projections:rebuild -- --projection <name> [--stage dev] [--control-table T] [--endpoint URL] [--region R]';

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        projection: { type: 'string' },
        stage: { type: 'string', default: 'dev' },
        'control-table': { type: 'string' },
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
  const name = typeof values.projection === 'string' ? values.projection : undefined;
  const spec = name ? PROJECTIONS[name] : undefined;
  if (!name || !spec) {
    console.error(`--projection must be one of ${Object.keys(PROJECTIONS).join(', ')}.\n${usage}`);
    return 2;
  }
  const local = '.conflux/local.json';
  let endpoint = typeof values.endpoint === 'string' ? values.endpoint : undefined;
  let region = typeof values.region === 'string' ? values.region : undefined;
  if (!endpoint && existsSync(local)) {
    endpoint = (JSON.parse(readFileSync(local, 'utf8')) as { endpoints: { dynamodb: string } }).endpoints
      .dynamodb;
    region ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  const controlTable =
    typeof values['control-table'] === 'string'
      ? values['control-table']
      : `conflux-${String(values.stage)}-api-projections`;
  const client = new DynamoDBClient({ endpoint, region });
  const bars = new Map<string, ProgressBar>();
  try {
    const report = await rebuildProjection({
      documents: DynamoDBDocumentClient.from(client),
      controlTable,
      projection: name,
      spec,
      onProgress: (phase, done, total) => {
        let bar = bars.get(phase);
        if (!bar) {
          bars.forEach((b) => {
            b.finish();
          });
          bar = new ProgressBar(phase.padEnd(7), total);
          bars.set(phase, bar);
        }
        bar.update(done, total);
      },
    });
    bars.forEach((b) => {
      b.finish();
    });
    console.log(
      `rebuilt ${name}: ${report.events} events into ${report.rows} rows of table ${report.to} (${report.table}), switched from ${report.from}, ${report.caughtUp} caught up after the switch, in ${report.ms} ms`,
    );
    return 0;
  } catch (error: unknown) {
    if (error instanceof RebuildError) {
      console.error(`projections:rebuild: ${error.message}`);
      return 1;
    }
    console.error(
      `projections:rebuild failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    return 1;
  } finally {
    client.destroy();
  }
}

process.exitCode = await main();
