#!/usr/bin/env -S npx tsx
/**
 * npm run token -- --sub <id> --scopes "<space-separated scopes>" [--ttl 1h] [--client <id>]
 *
 * Prints a JWT signed by the offline runtime's development issuer (keys in `.conflux/dev-issuer/`).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { issueDevToken, parseTtl } from '@conflux/local';

const usage =
  'usage: npm run token -- --sub <id> --scopes "<space-separated scopes>" [--ttl 1h] [--client <id>]';

async function main(): Promise<number> {
  let values: { sub?: string; scopes?: string; ttl?: string; client?: string };
  try {
    ({ values } = parseArgs({
      options: {
        sub: { type: 'string' },
        scopes: { type: 'string' },
        ttl: { type: 'string' },
        client: { type: 'string' },
      },
    }));
  } catch (error: unknown) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (!values.sub) {
    console.error(`--sub is required.\n${usage}`);
    return 2;
  }
  const ttlSeconds = values.ttl === undefined ? 3600 : parseTtl(values.ttl);
  if (ttlSeconds === undefined) {
    console.error(
      `--ttl must be a duration such as 90s, 15m, 1h or 2d; received "${values.ttl ?? ''}".\n${usage}`,
    );
    return 2;
  }
  const token = await issueDevToken(path.join(process.cwd(), '.conflux'), {
    subject: values.sub,
    scopes: values.scopes ?? '',
    ttlSeconds,
    clientId: values.client,
  });
  console.log(token);
  return 0;
}

process.exitCode = await main();
