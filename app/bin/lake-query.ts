#!/usr/bin/env -S npx tsx
/**
 * npm run lake:query -- --query <name> [--format table|json|csv] [--workgroup W] [--endpoint URL] [--region R]
 *
 * Runs one of the lake's named Athena queries (`daily_device_aggregates`, `current_customers`, …), waits
 * for it and prints its rows. Offline (a `.conflux/local.json` present and no --endpoint) it asks the
 * running runtime's Athena. Exits 0 with the rows, 1 when the query is unknown or fails (with Athena's
 * reason), 2 on a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { formatRows, LakeQueryError, runNamedQuery, type RowFormat } from '../ops/lake-query';

const usage =
  'usage: npm run lake:query -- --query <name> [--format table|json|csv] [--workgroup NAME] [--endpoint URL] [--region REGION]';
const FORMATS: readonly RowFormat[] = ['table', 'json', 'csv'];

const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let values: {
    query?: string;
    format?: string;
    workgroup?: string;
    endpoint?: string;
    region?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        query: { type: 'string' },
        format: { type: 'string' },
        workgroup: { type: 'string' },
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
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!values.query) {
    err(`--query is required.\n${usage}`);
    return 2;
  }
  const format = (values.format ?? 'table') as RowFormat;
  if (!FORMATS.includes(format)) {
    err(`--format must be one of ${FORMATS.join(', ')}; received "${values.format ?? ''}".\n${usage}`);
    return 2;
  }

  const local = '.conflux/local.json';
  let endpoint = values.endpoint;
  let region = values.region;
  if (!endpoint && existsSync(local)) {
    const state = JSON.parse(readFileSync(local, 'utf8')) as { endpoints: { athena?: string } };
    endpoint = state.endpoints.athena;
    if (!endpoint) {
      err(
        'lake:query: the running runtime serves no Athena endpoint (.conflux/local.json): is the lake in the app?',
      );
      return 1;
    }
    region ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  const athena = new AthenaClient({ endpoint, region });
  try {
    const result = await runNamedQuery({ athena, query: values.query, workGroup: values.workgroup });
    process.stdout.write(formatRows(result.columns, result.rows, format));
    return 0;
  } catch (error: unknown) {
    if (error instanceof LakeQueryError) err(`lake:query: ${error.message}`);
    else
      err(`lake:query failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  } finally {
    athena.destroy();
  }
}

process.exitCode = await main();
