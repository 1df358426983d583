/**
 * `conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]`: runs a CDK
 * application offline, from the folder of its `cdk.json`. With neither `--app` nor `--cdk-out` it
 * synthesizes the app of `cdk.json` into `.conflux/cdk.out`, skipping the synth when that output is newer
 * than every source file (`cdk.json` `watch.include` / `watch.exclude`), `cdk.json` and the dev issuer's keys.
 * The `conflux.local` section of `cdk.json` says which context key the dev issuer goes under and which seed
 * file to apply (see `project.ts` and the package README).
 *
 * One run at a time per folder: `.conflux/lock` names the running one, and a second start refuses. Before
 * it synthesizes or starts anything it checks that the port is free; DynamoDB Local needs Java
 * (`CONFLUX_JAVA` names another one than `java` on PATH). The start shows one line per phase
 * (`progress.ts`), the synth's own output in `.conflux/synth.log` (`--verbose` shows it); `--watch` hot
 * reloads functions whose sources change (`watch.ts`).
 *
 * Two more commands talk to the run of this folder, through the endpoints it writes into
 * `.conflux/local.json`: `conflux fire [<name>]` fires a scheduled rule or a schedule now (`fire.ts`), and
 * `conflux region` shows and drives the replication between Regions — stop, start, partition or heal a
 * Region, settle the deliveries, set the lag and the round trip (`region.ts`). Each exits 0 or 1.
 * `conflux diagram` draws the architecture of a cloud assembly (`../graph/cli.ts`).
 *
 * Exit codes of `conflux local` ({@link EXIT}):
 * - `0`: stopped by SIGINT, SIGTERM or SIGHUP.
 * - `1`: could not start (arguments, `cdk.json`, a busy port, no Java, the synth, an unsupported resource,
 *   the seed), or could not stop cleanly.
 * - `2`: another `conflux local` is running from this folder; nothing was started or touched.
 * - `3`: an engine (DynamoDB Local) exited while running; its state is lost, so the runtime was stopped.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_ISSUER, devAuthConfig, devIssuerKeys } from './dev-issuer.js';
import { fire } from './fire.js';
import { readProject } from './project.js';
import { region } from './region.js';
import { StartProgress } from './progress.js';
import { isCurrent, synthesize } from './synth.js';
import { BUNDLE_LOG_ENV, HotReloader } from './watch.js';
import { assertJava } from '../services/dynamodb/engine.js';
import {
  acquireLock,
  isAlive,
  ownIdentity,
  StateLockedError,
  type ProcessIdentity,
  type StateLock,
} from '../core/lock.js';
import { assertCloudAssembly, readCloudAssembly, type AssemblyStack } from '../core/cloud-assembly.js';
import { glob } from './glob.js';
import type { Project } from './project.js';
import { diagram } from '../graph/cli.js';
import { startRuntime, type RunningRuntime } from '../core/runtime.js';
import { applySeed } from '../services/dynamodb/seed.js';
import { clearPersistentState } from '../core/persistence.js';

/** The exit codes of `conflux local`, as the comment at the top of this file explains them. */
export const EXIT = { stopped: 0, failed: 1, locked: 2, engineExited: 3 } as const;

const USAGE =
  'usage: conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]\n' +
  '                     [--watch] [--persist] [--reset] [--verbose]\n' +
  '       conflux fire [<rule or schedule: name, <bus|group>/<name> or ARN>]\n' +
  '       conflux region [<region> stop|start|partition|heal | settle [--timeout <ms>] | lag <ms> | rtt <ms>] [--json]\n' +
  '       conflux diagram [--cdk-out <dir>] [--out <file.svg>] [--png <file.png>] [--title <text>]';

/** Where `conflux local` runs and writes: the process's own by default. */
export interface CliIo {
  /** The app's folder, where its `cdk.json` is. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: the start-up display then redraws one line per phase. */
  readonly isTTY?: boolean;
}

/** The process's own folder, environment and streams. */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY,
  };
}

/** `.conflux/pids.json`: the DynamoDB Local a run started, and that run. */
interface PidsFile {
  readonly dynamodbLocal?: number;
  readonly owner?: ProcessIdentity;
}

/**
 * Runs `conflux local` with `argv` (the arguments after the command's name, `local` first or not) until it
 * is stopped; resolves with the exit code. With `fire`, `region` or `diagram` first it runs that command instead. It
 * never exits the process itself.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  if (argv[0] === 'fire') return fire(argv.slice(1), io);
  if (argv[0] === 'region') return region(argv.slice(1), io);
  if (argv[0] === 'diagram') return diagram(argv.slice(1), io);
  const held: { lock?: StateLock } = {};
  // Also when something ends the process before `main` returns.
  const release = () => held.lock?.release();
  process.once('exit', release);
  try {
    return await run(argv, io, held);
  } catch (error: unknown) {
    io.stderr(`conflux local: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  } finally {
    release();
    process.off('exit', release);
  }
}

async function run(argv: readonly string[], io: CliIo, held: { lock?: StateLock }): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== 'local'),
    options: {
      app: { type: 'string' },
      'cdk-out': { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      watch: { type: 'boolean' },
      persist: { type: 'boolean' },
      reset: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.stopped;
  }
  if (values.app && values['cdk-out']) throw new Error(`--app and --cdk-out exclude each other.\n${USAGE}`);
  const portValue = values.port ?? (io.env.CONFLUX_PORT || '3000');
  const port = Number(portValue);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number; received ${portValue}.\n${USAGE}`);
  const root = io.cwd;
  const project = readProject(root);
  if (!project.hasCdkJson && !values.app && !values['cdk-out']) {
    throw new Error(
      `no cdk.json in ${root}: run conflux local in the folder of your app's cdk.json, or pass --app or --cdk-out.\n${USAGE}`,
    );
  }
  // The settings of cdk.json's conflux.local describe the app of that cdk.json: another command (--app) or
  // assembly (--cdk-out) is not given them.
  const settings = values.app || values['cdk-out'] ? {} : project.local;
  if (values['cdk-out']) assertCloudAssembly(path.resolve(root, values['cdk-out']));
  const seedFile = values.seed ?? settings.seed;
  const stateDir = path.join(root, '.conflux');
  mkdirSync(stateDir, { recursive: true });
  // First, so that a second start refuses before it touches anything of the running one.
  let lock: StateLock;
  try {
    lock = acquireLock(stateDir);
  } catch (error: unknown) {
    if (!(error instanceof StateLockedError)) throw error;
    io.stderr(`conflux local: ${error.message}\n`);
    return EXIT.locked;
  }
  held.lock = lock;
  if (lock.takenFrom)
    io.stderr(
      `took over ${path.relative(root, lock.file)} from pid ${lock.takenFrom.pid}, which no longer runs conflux local\n`,
    );
  await assertPortFree(port);
  // Before the synth (tens of seconds), so a machine without Java is told at once.
  await assertJava();

  // Made whether or not the app is given them, so that tools (`issueDevToken`) have a key to sign with.
  const { jwks } = await devIssuerKeys(stateDir);
  const jwksFile = path.join(stateDir, 'dev-issuer', 'jwks.json');
  const cdkOut = path.resolve(root, values['cdk-out'] ?? path.join(stateDir, 'cdk.out'));
  const progress = new StartProgress({
    write: (text) => {
      io.stderr(text);
    },
    isTTY: io.isTTY === true,
  });
  const quiet = !values.verbose;
  const bundleLog = path.join(stateDir, 'bundles');
  const key = settings.devIssuerContext;
  const synthOptions = {
    app: values.app,
    context: key === undefined ? {} : { [key]: devAuthConfig(jwks) },
    inputs: key === undefined ? [] : [path.relative(root, jwksFile)],
  };
  // Every bundle the app's bundler makes is recorded, so that --watch can rebuild one without a synth.
  const synthRun = (outdir: string, force: boolean) => ({
    quiet,
    force,
    logFile: path.join(outdir, '..', outdir.endsWith('.next') ? 'synth-watch.log' : 'synth.log'),
    env: { [BUNDLE_LOG_ENV]: bundleLog },
  });
  if (!values['cdk-out']) {
    if (!existsSync(path.join(cdkOut, 'manifest.json')))
      progress.note(
        'first start: the app is synthesized and each of its functions bundled, which takes a minute or so; ' +
          `later starts reuse ${path.relative(root, cdkOut)} until a source of the app changes`,
      );
    // Without the bundle records (an assembly synthesized before them) --watch would rebuild nothing.
    const force = values.watch === true && !existsSync(bundleLog);
    progress.begin('synth', 'cdk synth');
    let bundles = 0;
    const options = { ...synthOptions, outdir: cdkOut };
    if (force || !isCurrent(project, options)) rmSync(bundleLog, { recursive: true, force: true });
    const ran = await synthesize(
      project,
      options,
      (line) => {
        if (!quiet) progress.note(line);
      },
      synthRun(cdkOut, force),
      {
        bundled: (count) => {
          bundles = count;
          if (count === 1) progress.begin('bundles');
          progress.update(`${String(count)} bundled`);
        },
      },
    );
    const synthLog = path.relative(root, path.join(stateDir, 'synth.log'));
    if (bundles > 0)
      progress.end(`${String(bundles)} functions bundled, templates written (log: ${synthLog})`);
    else progress.end(ran ? 'synthesized' : `${path.relative(root, cdkOut)} is current`);
  }

  reapAfterCrash(stateDir, io);
  const persistDir = path.join(stateDir, 'state');
  if (values.reset) {
    clearPersistentState(persistDir);
    progress.note(`--reset: cleared ${path.relative(root, persistDir)}`);
  }
  const started = Date.now();
  progress.begin('engines', 'DynamoDB Local, fauxqs, kinesalite');
  const runtime: RunningRuntime = await startRuntime({
    onProgress: (event) => {
      if (event.phase === 'engines') {
        progress.end('DynamoDB Local, fauxqs, kinesalite and the services listening');
        progress.begin('resources');
      } else if (event.phase === 'resources') {
        progress.update(`${String(event.done)}/${String(event.total)} created`);
      }
    },
    cdkOut,
    stateDir,
    port,
    // Offline no issuer answers discovery: HTTP APIs' JWT authorizers trust the dev issuer's keys instead.
    jwks,
    ...(values.persist ? { persistDir } : {}),
    onBatch: (b) => {
      io.stderr(
        `[esm ${b.mapping}] ${b.received} received, ${b.deleted} deleted, ${b.failed.length} failed\n`,
      );
    },
    onStreamBatch: (b) => {
      io.stderr(
        `[esm ${b.mapping}] ${b.shardId}: ${b.invoked} invocation(s), ${b.succeeded} processed, ${b.discarded} discarded\n`,
      );
    },
  });
  const pidsFile = path.join(stateDir, 'pids.json');
  // Settles with the exit code once something asks the run to end: a signal, or an engine that exited.
  let stopping = false;
  let requestStop: (code: number) => void = () => undefined;
  const stopRequested = new Promise<number>((resolve) => {
    requestStop = (code) => {
      stopping = true;
      resolve(code);
    };
  });
  // The runtime has logged what exited; without its state the run is of no use, so it ends.
  void runtime.engineExit.then(() => {
    requestStop(EXIT.engineExited);
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) io.stderr(`${signal}: stopping\n`);
    requestStop(EXIT.stopped);
  };
  for (const signal of signals) process.on(signal, onSignal);
  let reloader: HotReloader | undefined;
  try {
    if (runtime.engines.javaPid !== undefined) {
      const pids: PidsFile = { dynamodbLocal: runtime.engines.javaPid, owner: ownIdentity() };
      writeFileSync(pidsFile, JSON.stringify(pids));
    }
    progress.end(`${Object.keys(runtime.resources).length} created; event sources polling`);
    await announce(runtime, { root, stateDir, seedFile, lock, io });
    if (values.watch) {
      reloader = startWatch(runtime, {
        project,
        cdkOut,
        bundleLog,
        stateDir,
        resynth: async () => {
          const next = path.join(stateDir, 'cdk.out.next');
          rmSync(next, { recursive: true, force: true });
          await synthesize(project, { ...synthOptions, outdir: next }, () => undefined, synthRun(next, true));
          return readCloudAssembly(next);
        },
        io,
      });
    }
    io.stderr(`started in ${Date.now() - started} ms\n`);
    io.stdout(`ready ${runtime.baseUrl ?? '(no API in this application)'}\n`);
  } catch (error: unknown) {
    // Could not finish starting (the seed): stop what did start, then fail.
    await runtime.stop().catch(() => undefined);
    rmSync(pidsFile, { force: true });
    for (const signal of signals) process.off(signal, onSignal);
    throw error;
  }
  const code = await stopRequested;
  await reloader?.stop();
  try {
    await runtime.stop();
  } catch {
    return EXIT.failed;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  rmSync(pidsFile, { force: true });
  return code;
}

/** Applies the seed, then writes `.conflux/local.json` and the base URL into the lock. */
async function announce(
  runtime: RunningRuntime,
  run: { root: string; stateDir: string; seedFile?: string; lock: StateLock; io: CliIo },
): Promise<void> {
  const { root, stateDir, lock, io } = run;
  const seedFile = run.seedFile === undefined ? undefined : path.resolve(root, run.seedFile);
  // Kept state is the user's: the seed goes into a fresh one only, so edits of seeded items survive.
  const kept = runtime.persisted;
  const restored = kept?.restored === true;
  if (kept && restored)
    io.stderr(
      `kept state restored from ${path.relative(root, kept.dir)}${seedFile ? '; not seeding' : ''}\n`,
    );
  const seed =
    seedFile && !restored
      ? await applySeed(runtime.engines.dynamodb, runtime.resources, seedFile)
      : undefined;
  if (seed)
    io.stderr(
      `seeded ${Object.entries(seed)
        .map(([t, n]) => `${t} (${n})`)
        .join(', ')}\n`,
    );
  const state = {
    baseUrl: runtime.baseUrl,
    seed: seedFile ? (JSON.parse(readFileSync(seedFile, 'utf8')) as unknown) : undefined,
    devIssuer: {
      issuer: DEV_ISSUER.issuer,
      audience: DEV_ISSUER.audience,
      jwksFile: path.relative(root, path.join(stateDir, 'dev-issuer', 'jwks.json')),
    },
    apis: runtime.apis,
    endpoints: runtime.endpoints,
    apiKeys: runtime.apiKeys,
    resources: runtime.resources,
  };
  writeFileSync(path.join(stateDir, 'local.json'), `${JSON.stringify(state, null, 2)}\n`);
  lock.update({ baseUrl: runtime.baseUrl });
}

/**
 * Ends a DynamoDB Local left behind by a runtime that was killed before it could stop it, and only then:
 * one whose owning run is alive (or unknown) is left alone.
 */
function reapAfterCrash(stateDir: string, io: CliIo): void {
  const file = path.join(stateDir, 'pids.json');
  if (!existsSync(file)) return;
  try {
    const { dynamodbLocal, owner } = JSON.parse(readFileSync(file, 'utf8')) as PidsFile;
    const cmdline = dynamodbLocal ? readFileSync(`/proc/${dynamodbLocal}/cmdline`, 'utf8') : '';
    if (dynamodbLocal && cmdline.includes('DynamoDBLocal.jar')) {
      if (!owner || isAlive(owner)) {
        io.stderr(
          `left DynamoDB Local (pid ${dynamodbLocal}) running: the run that started it may be alive\n`,
        );
        return;
      }
      process.kill(dynamodbLocal, 'SIGKILL');
      io.stderr(`ended DynamoDB Local (pid ${dynamodbLocal}) left by an earlier run\n`);
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

/** Starts `--watch`: the hot reloader over the running runtime, logging each round. */
function startWatch(
  runtime: RunningRuntime,
  options: {
    project: Project;
    cdkOut: string;
    bundleLog: string;
    stateDir: string;
    resynth: () => Promise<readonly AssemblyStack[]>;
    io: CliIo;
  },
): HotReloader {
  const { project, io } = options;
  const include = glob(project.include);
  const exclude = glob(project.exclude);
  const reloader = new HotReloader({
    root: project.root,
    host: runtime.host,
    bundleLog: options.bundleLog,
    hotDir: path.join(options.stateDir, 'hot'),
    stacks: readCloudAssembly(options.cdkOut),
    resources: runtime.resources,
    isSource: (file) => include.matches(file) && !exclude.matches(file),
    resynth: options.resynth,
    log: (line) => {
      io.stderr(`${line}\n`);
    },
  });
  reloader.start();
  const functions = runtime.host.specs().length;
  io.stderr(
    `watch: ${String(reloader.tracked)} of ${String(functions)} functions rebuild alone when a file of theirs changes; ` +
      'any other source of the app synthesizes again and is compared\n',
  );
  return reloader;
}
