import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeExit, type ProcessExit } from '../../core/supervisor.js';

const run = promisify(execFile);

/**
 * The npm package that ships AWS's DynamoDB Local jar. Only its tarball is fetched (its own dependencies
 * weigh hundreds of megabytes and are not needed to run the jar).
 */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

/**
 * Where the jar is unpacked: `<CONFLUX_CACHE_DIR>/dynamodb-local/<package version>`, the cache folder
 * defaulting to `.cache/` in the folder the runtime runs from (the project), so a reinstall of
 * `node_modules` keeps it.
 */
export function dynamoDbLocalHome(): string {
  const cache = process.env.CONFLUX_CACHE_DIR || path.join(process.cwd(), '.cache');
  return path.join(path.resolve(cache), 'dynamodb-local', DYNAMODB_LOCAL_PACKAGE.split('@')[1] ?? 'latest');
}

/** Fetches and unpacks DynamoDB Local once; later calls return at once. Returns the folder holding the jar. */
export async function ensureDynamoDbLocal(home = dynamoDbLocalHome()): Promise<string> {
  if (existsSync(path.join(home, 'DynamoDBLocal.jar'))) return home;
  const work = await mkdtemp(path.join(tmpdir(), 'conflux-ddb-'));
  try {
    await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--silent', '--pack-destination', work], { cwd: work });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} produced no tarball`);
    await run('tar', ['-xzf', tarball, 'package/emulator'], { cwd: work });
    await mkdir(path.dirname(home), { recursive: true });
    // A rename is atomic, so a concurrent start never sees half a folder.
    await rename(path.join(work, 'package', 'emulator'), home).catch((error: unknown) => {
      if (!existsSync(path.join(home, 'DynamoDBLocal.jar'))) throw error;
    });
    return home;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** HTTP endpoint, e.g. `http://127.0.0.1:8123`. */
  readonly endpoint: string;
  /** Process id of the Java process. */
  readonly pid?: number;
  /** Settles when the Java process exits, whether stopped or not. */
  readonly exited: Promise<ProcessExit>;
  /** Stops the Java process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Java cannot be run: DynamoDB Local needs it. The message says what to install. */
export class JavaNotFoundError extends Error {
  public override readonly name = 'JavaNotFoundError';
}

/** The Java command: `CONFLUX_JAVA` when set (a path or a command name), else `java` from PATH. */
export function javaCommand(): string {
  return process.env.CONFLUX_JAVA || 'java';
}

/** Resolves when `java -version` can be spawned; rejects with a {@link JavaNotFoundError} when it cannot. */
export async function assertJava(java = javaCommand()): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(java, ['-version'], { stdio: 'ignore' });
    child.once('error', (error: NodeJS.ErrnoException) => {
      const where = java === 'java' ? 'was not found on PATH' : `was not found as CONFLUX_JAVA=${java}`;
      const found = error.code === 'ENOENT' ? where : `could not be run as ${java} (${String(error.code)})`;
      reject(
        new JavaNotFoundError(
          `Java 17+ is needed for DynamoDB Local and ${found}: install a JRE (Debian: apt-get install openjdk-17-jre-headless).`,
          { cause: error },
        ),
      );
    });
    // A failing `-version` is left to the start itself, whose error carries Java's own output.
    child.once('exit', () => {
      resolve();
    });
  });
}

/**
 * Starts DynamoDB Local and resolves once it answers requests: in memory, or with `dbPath` in SQLite files
 * in that folder (made when missing), which a later start with the same folder reads back. By default it
 * keeps one database for all credentials and Regions (`-sharedDb`); with `sharedDb: false` it keeps one per
 * access key and Region, as the runtime's router needs to give each Region its own table set. Java is
 * `options.java`, else {@link javaCommand}.
 */
export async function startDynamoDbLocal(
  options: { port?: number; timeoutMs?: number; java?: string; sharedDb?: boolean; dbPath?: string } = {},
): Promise<DynamoDbLocal> {
  const java = options.java ?? javaCommand();
  await assertJava(java);
  const home = await ensureDynamoDbLocal();
  const port = options.port ?? (await freePort());
  // DynamoDB Local fails on a -dbPath that does not exist, and resolves a relative one against its cwd.
  const dbPath = options.dbPath === undefined ? undefined : path.resolve(options.dbPath);
  if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
  const child = spawn(
    java,
    [
      `-Djava.library.path=${path.join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(home, 'DynamoDBLocal.jar'),
      ...(dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath]),
      ...(options.sharedDb === false ? [] : ['-sharedDb']),
      '-port',
      String(port),
    ],
    // cwd: the jar writes a metadata file into its working folder.
    { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Without a listener, a failed spawn or kill would be thrown at the event loop and end the process.
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError ??= error;
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, options.timeoutMs ?? 30_000, () => spawnError);
  } catch (error: unknown) {
    child.kill('SIGKILL');
    throw new Error(`DynamoDB Local did not start on port ${port}: ${String(error)}\n${output}`, {
      cause: error,
    });
  }
  return { endpoint, pid: child.pid, exited, stop: () => stopProcess(child) };
}

async function waitUntilServing(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
  spawnError: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failed = spawnError();
    if (failed) throw failed;
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`java exited (${describeExit({ code: child.exitCode, signal: child.signalCode })})`);
    try {
      // Any HTTP answer means the server is up; an unsigned request gets a 400.
      await fetch(endpoint, { method: 'POST' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
