/**
 * `conflux local [--app "<command>" | --cdk-out <dir>] [--port N]`: runs a CDK application offline.
 * With neither option it synthesizes the app of `cdk.json` into `.conflux/cdk.out` with the dev issuer as
 * `conflux:auth` (so tokens from `npm run token` are accepted), skipping the synth when that output is
 * newer than every source file and the issuer's keys.
 *
 * One run at a time per folder: `.conflux/lock` names the running one, and a second start refuses. Before
 * it synthesizes or starts anything it checks that the port is free; DynamoDB Local needs Java
 * (`CONFLUX_JAVA` names another one than `java` on PATH).
 *
 * Exit codes:
 * - `0`: stopped by SIGINT, SIGTERM or SIGHUP.
 * - `1`: could not start (arguments, a busy port, no Java, the synth, an unsupported resource), or could
 *   not stop cleanly.
 * - `2`: another `conflux local` is running from this folder; nothing was started or touched.
 * - `3`: an engine (DynamoDB Local) exited while running; its state is lost, so the runtime was stopped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ISSUER, devAuthConfig, devIssuerKeys } from './dev-issuer.js';
import { assertJava } from '../services/dynamodb/engine.js';
import {
  acquireLock,
  isAlive,
  ownIdentity,
  StateLockedError,
  type ProcessIdentity,
  type StateLock,
} from '../core/lock.js';
import { startRuntime, type RunningRuntime } from '../core/runtime.js';
import { applySeed } from '../services/dynamodb/seed.js';

/** The exit codes of `conflux local`, as the comment at the top of this file explains them. */
const EXIT = { stopped: 0, failed: 1, locked: 2, engineExited: 3 } as const;

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

/** `.conflux/pids.json`: the DynamoDB Local a run started, and that run. */
interface PidsFile {
  readonly dynamodbLocal?: number;
  readonly owner?: ProcessIdentity;
}

/**
 * Ends a DynamoDB Local left behind by a runtime that was killed before it could stop it, and only then:
 * one whose owning run is alive (or unknown) is left alone.
 */
function reapAfterCrash(stateDir: string): void {
  const file = path.join(stateDir, 'pids.json');
  if (!existsSync(file)) return;
  try {
    const { dynamodbLocal, owner } = JSON.parse(readFileSync(file, 'utf8')) as PidsFile;
    const cmdline = dynamodbLocal ? readFileSync(`/proc/${dynamodbLocal}/cmdline`, 'utf8') : '';
    if (dynamodbLocal && cmdline.includes('DynamoDBLocal.jar')) {
      if (!owner || isAlive(owner)) {
        process.stderr.write(
          `left DynamoDB Local (pid ${dynamodbLocal}) running: the run that started it may be alive\n`,
        );
        return;
      }
      process.kill(dynamodbLocal, 'SIGKILL');
      process.stderr.write(`ended DynamoDB Local (pid ${dynamodbLocal}) left by an earlier run\n`);
    }
  } catch {
    // Gone already, or not ours to end.
  }
  rmSync(file, { force: true });
}

/** Fails with one line when something already listens on `port` of the loopback interface. */
async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'another process listens on 127.0.0.1' : String(code);
    throw new Error(`port ${port} is in use (${why}); set CONFLUX_PORT or --port`, { cause: error });
  });
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

async function main(): Promise<number | undefined> {
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
  const portValue = values.port ?? (process.env.CONFLUX_PORT || '3000');
  const port = Number(portValue);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number; received ${portValue}.\n${usage}`);
  const root = process.cwd();
  const stateDir = path.join(root, '.conflux');
  mkdirSync(stateDir, { recursive: true });
  // First, so that a second start refuses before it touches anything of the running one.
  let lock: StateLock;
  try {
    lock = acquireLock(stateDir);
  } catch (error: unknown) {
    if (!(error instanceof StateLockedError)) throw error;
    process.stderr.write(`conflux local: ${error.message}\n`);
    return EXIT.locked;
  }
  process.once('exit', () => {
    lock.release();
  });
  if (lock.takenFrom)
    process.stderr.write(
      `took over ${path.relative(root, lock.file)} from pid ${lock.takenFrom.pid}, which no longer runs conflux local\n`,
    );
  await assertPortFree(port);
  // Before the synth (tens of seconds), so a machine without Java is told at once.
  await assertJava();

  const { jwks } = await devIssuerKeys(stateDir);
  const cdkOut = path.resolve(root, values['cdk-out'] ?? path.join(stateDir, 'cdk.out'));
  if (!values['cdk-out']) synthesize(root, cdkOut, values.app, JSON.stringify(devAuthConfig(jwks)));

  reapAfterCrash(stateDir);
  const started = Date.now();
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
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    runtime.stop().then(
      () => {
        rmSync(path.join(stateDir, 'pids.json'), { force: true });
        process.exit(code);
      },
      () => process.exit(EXIT.failed),
    );
  };
  // The runtime has logged what exited; without its state the run is of no use, so it ends.
  void runtime.engineExit.then(() => {
    shutdown(EXIT.engineExited);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (!stopping) process.stderr.write(`${signal}: stopping\n`);
      shutdown(EXIT.stopped);
    });
  }
  if (runtime.engines.javaPid !== undefined) {
    const pids: PidsFile = { dynamodbLocal: runtime.engines.javaPid, owner: ownIdentity() };
    writeFileSync(path.join(stateDir, 'pids.json'), JSON.stringify(pids));
  }

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
  lock.update({ baseUrl: runtime.baseUrl });
  process.stderr.write(`started in ${Date.now() - started} ms\n`);
  process.stdout.write(`ready ${runtime.baseUrl ?? '(no REST API in this application)'}\n`);
  return undefined;
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`conflux local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.failed);
  },
);
