/**
 * `conflux local [--app "<command>" | --cdk-out <dir>] [--port N]`: runs a CDK application offline.
 * With neither option it synthesizes the app of `cdk.json` into `.conflux/cdk.out` with the dev issuer as
 * `conflux:auth` (so tokens from `npm run token` are accepted), skipping the synth when that output is
 * newer than every source file and the issuer's keys.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ISSUER, devAuthConfig, devIssuerKeys } from './dev-issuer';
import { startRuntime, type RunningRuntime } from './runtime';
import { applySeed } from './seed';

const usage = 'usage: conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]';

/** Newest modification time of the files below `dirs` (node_modules and outputs excluded). */
function newestSource(root: string, entries: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const child of readdirSync(p)) {
        if (child !== 'node_modules' && !child.startsWith('.')) visit(path.join(p, child));
      }
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  entries.forEach((e) => {
    visit(path.join(root, e));
  });
  return newest;
}

function synthesize(root: string, outdir: string, app: string | undefined, auth: string): void {
  const manifest = path.join(outdir, 'manifest.json');
  const sources = [
    'bin',
    'lib',
    'lambdas',
    'schemas',
    'cdk.json',
    'package-lock.json',
    '.conflux/dev-issuer',
  ];
  if (!app && existsSync(manifest) && statSync(manifest).mtimeMs > newestSource(root, sources)) {
    process.stderr.write(`${path.relative(root, outdir)} is current; not synthesizing\n`);
    return;
  }
  process.stderr.write(`synthesizing into ${path.relative(root, outdir) || outdir} …\n`);
  const args = [
    'cdk',
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    outdir,
    '--context',
    `conflux:auth=${auth}`,
    ...(app ? ['--app', app] : []),
  ];
  execFileSync('npx', args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

/** Ends a DynamoDB Local left behind by a runtime that was killed before it could stop it. */
function reapAfterCrash(stateDir: string): void {
  const file = path.join(stateDir, 'pids.json');
  if (!existsSync(file)) return;
  try {
    const { dynamodbLocal } = JSON.parse(readFileSync(file, 'utf8')) as { dynamodbLocal?: number };
    const cmdline = dynamodbLocal ? readFileSync(`/proc/${dynamodbLocal}/cmdline`, 'utf8') : '';
    if (dynamodbLocal && cmdline.includes('DynamoDBLocal.jar')) {
      process.kill(dynamodbLocal, 'SIGKILL');
      process.stderr.write(`ended DynamoDB Local (pid ${dynamodbLocal}) left by an earlier run\n`);
    }
  } catch {
    // Gone already, or not ours to end.
  }
  rmSync(file, { force: true });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== 'local'),
    options: {
      app: { type: 'string' },
      'cdk-out': { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.app && values['cdk-out']) throw new Error(`--app and --cdk-out exclude each other.\n${usage}`);
  const root = process.cwd();
  const stateDir = path.join(root, '.conflux');
  mkdirSync(stateDir, { recursive: true });
  const { jwks } = await devIssuerKeys(stateDir);
  const cdkOut = path.resolve(root, values['cdk-out'] ?? path.join(stateDir, 'cdk.out'));
  if (!values['cdk-out']) synthesize(root, cdkOut, values.app, JSON.stringify(devAuthConfig(jwks)));

  reapAfterCrash(stateDir);
  const started = Date.now();
  const port = Number(values.port ?? process.env.CONFLUX_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number; received ${String(values.port)}.\n${usage}`);
  const runtime: RunningRuntime = await startRuntime({
    cdkOut,
    stateDir,
    port,
    onBatch: (b) => {
      process.stderr.write(
        `[esm ${b.mapping}] ${b.received} received, ${b.deleted} deleted, ${b.failed.length} failed\n`,
      );
    },
    onStreamBatch: (b) => {
      process.stderr.write(
        `[esm ${b.mapping}] ${b.shardId}: ${b.invoked} invocation(s), ${b.succeeded} processed, ${b.discarded} discarded\n`,
      );
    },
  });
  const seed = values.seed
    ? await applySeed(runtime.engines.dynamodb, runtime.resources, values.seed)
    : undefined;
  if (seed)
    process.stderr.write(
      `seeded ${Object.entries(seed)
        .map(([t, n]) => `${t} (${n})`)
        .join(', ')}\n`,
    );
  const state = {
    baseUrl: runtime.baseUrl,
    seed: values.seed ? (JSON.parse(readFileSync(values.seed, 'utf8')) as unknown) : undefined,
    devIssuer: {
      issuer: DEV_ISSUER.issuer,
      audience: DEV_ISSUER.audience,
      jwksFile: path.relative(root, path.join(stateDir, 'dev-issuer', 'jwks.json')),
    },
    endpoints: runtime.endpoints,
    apiKeys: runtime.apiKeys,
    resources: runtime.resources,
  };
  writeFileSync(path.join(stateDir, 'local.json'), `${JSON.stringify(state, null, 2)}\n`);
  if (runtime.engines.javaPid !== undefined) {
    writeFileSync(
      path.join(stateDir, 'pids.json'),
      JSON.stringify({ dynamodbLocal: runtime.engines.javaPid }),
    );
  }
  process.stderr.write(`started in ${Date.now() - started} ms\n`);
  process.stdout.write(`ready ${runtime.baseUrl ?? '(no REST API in this application)'}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    runtime.stop().then(
      () => {
        rmSync(path.join(stateDir, 'pids.json'), { force: true });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`conflux local: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
