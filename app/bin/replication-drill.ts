#!/usr/bin/env -S npx tsx
/**
 * npm run replication:drill -- [--mode eventual|strong|both] [--writes N] [--items N] [--interval-ms N]
 *   [--table NAME] [--endpoint URL] [--json]
 *
 * The failover drill against the offline runtime `npm start` runs from this folder (its DynamoDB endpoint in
 * `.conflux/local.json`, or `--endpoint`): writes a stream of changes in Region A (a replica other than us-east-1,
 * where the app's handlers run, so the app keeps serving), cuts A off mid-stream, fails
 * over to Region B and prints, a row per mode, what was lost (writes and seconds), how soon B served reads and
 * writes, what last-writer-wins resolved once A came back, and the write latency. The Regions are restored and
 * the drill's own items deleted afterwards. Exits 0 when every drill ran, 1 when one could not, 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DrillError, drillTable, runDrill, type DrillMode, type DrillResult } from '../ops/replication-drill';

const usage =
  'usage: npm run replication:drill -- [--mode eventual|strong|both] [--writes N] [--items N] [--interval-ms N] [--table NAME] [--endpoint URL] [--json]';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** A whole number ≥ min from a flag, or undefined when absent; NaN when it is not one. */
function whole(text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) && Number(text) >= min ? Number(text) : Number.NaN;
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        mode: { type: 'string', default: 'both' },
        writes: { type: 'string' },
        items: { type: 'string' },
        'interval-ms': { type: 'string' },
        table: { type: 'string' },
        endpoint: { type: 'string' },
        json: { type: 'boolean' },
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
  const mode = values.mode as string;
  if (!['eventual', 'strong', 'both'].includes(mode)) {
    err(`--mode must be eventual, strong or both, not ${JSON.stringify(mode)}\n${usage}`);
    return 2;
  }
  const writes = whole(values.writes as string | undefined, 2);
  const items = whole(values.items as string | undefined, 1);
  const intervalMs = whole(values['interval-ms'] as string | undefined, 0);
  if ([writes, items, intervalMs].some((n) => Number.isNaN(n))) {
    err(`--writes (≥ 2), --items (≥ 1) and --interval-ms (≥ 0) take whole numbers\n${usage}`);
    return 2;
  }
  let endpoint = values.endpoint as string | undefined;
  const local = '.conflux/local.json';
  if (!endpoint && existsSync(local)) {
    endpoint = (JSON.parse(readFileSync(local, 'utf8')) as { endpoints?: { dynamodb?: string } }).endpoints
      ?.dynamodb;
  }
  if (!endpoint) {
    err(
      'replication:drill: no offline runtime here (.conflux/local.json): start the app with npm start first',
    );
    return 1;
  }
  const modes: DrillMode[] = mode === 'both' ? ['eventual', 'strong'] : [mode as DrillMode];
  const results: DrillResult[] = [];
  try {
    for (const m of modes) {
      if (!values.json) err(`drilling ${m}…`);
      results.push(
        await runDrill({
          endpoint,
          mode: m,
          writes,
          items,
          intervalMs,
          tableName: values.table as string | undefined,
        }),
      );
    }
  } catch (error: unknown) {
    if (error instanceof DrillError) err(`replication:drill: ${error.message}`);
    else
      err(
        `replication:drill failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
    return 1;
  }
  out(values.json ? JSON.stringify(results, null, 2) : drillTable(results));
  return 0;
}

process.exitCode = await main();
