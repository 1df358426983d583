/**
 * The offline runtime's costs, each figure with a baseline measured in the same run:
 *
 *  1. `npm start` to `ready`, cold (no `.conflux/cdk.out`: the build, the synth, the runtime) and warm (the
 *     synth output current, so the synth is skipped), against `node -e 0` started the same way (a process
 *     group of its own, its output piped). The real command is spawned in the repository root, its stdout
 *     read until the `ready <url>` line, and then it is stopped as Ctrl-C stops it (SIGINT to its process
 *     group); the run fails if anything of that group (Java included) survives.
 *  2. Throughput and latency through the offline gateway on a route with the JWT authorizer (its result
 *     cached, as in steady state), an API key (usage plan) and the handlers' DynamoDB rate limiter
 *     (`GET /v2/orders/{id}` of a missing order: authorizer, key, stage throttle, the orders function's
 *     limiter — two DynamoDB calls — and its read — one more — answering 404), against a bare node:http
 *     server answering the same status, headers and body bytes (one real answer of the gateway, recorded and
 *     replayed). Both are driven by the same load generator (`support/load.mjs`, C keep-alive connections
 *     for a fixed time) in a child process of its own, the bare server in another; runs interleaved. Also
 *     the open `GET /v1/health` (no authorizer, key or DynamoDB; still a Lambda proxy) against its own
 *     replay, which separates the gateway and Lambda host from the handler's work, and the CPU each
 *     request costs, from `/proc` (Linux only; skipped elsewhere).
 *  3. Orders end to end (`POST /v2/orders` to a terminal status, confirmed and compensated, against
 *     `GET /v1/health` round trips) and the state transitions per order; the authorizer's cold start (bundle,
 *     init, first verified token) against the health handler's; the DynamoDB limiter's accuracy under
 *     concurrent bursts.
 *
 * The gateway, the orders and the limiter run on the reference app synthesized and run in this process
 * (`runReferenceApp`, free ports), with limits raised so that the usage plan, the stage throttle and the
 * limiter admit everything while still running — except the partner tier, whose limiter is set to
 * RUNTIME_LIMIT for the accuracy bursts. `npm start` uses the fixed gateway port 3000 (or CONFLUX_PORT);
 * the run fails at once if that port is taken or another `conflux local` holds this checkout's lock.
 *
 *   npx tsx bench/runtime.ts
 *   RUNTIME_START_COLD=2 RUNTIME_START_WARM=3 RUNTIME_LOAD_CONNECTIONS=16 RUNTIME_LOAD_SECONDS=4 \
 *   RUNTIME_LOAD_RUNS=3 RUNTIME_ORDERS=20 RUNTIME_AUTH_RUNS=7 RUNTIME_LIMITER_TRIALS=3 npx tsx bench/runtime.ts
 *   RUNTIME_ONLY=gateway,limiter npx tsx bench/runtime.ts      (sections: start, authorizer, gateway, orders, limiter)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { build } from 'esbuild';
import { DEV_ISSUER, devIssuerKeys, issueDevToken, LOCAL_CREDENTIALS } from '@conflux/local';
import { fulfilmentOf } from '../app/test/support/fulfilment';
import { runReferenceApp, type ReferenceApp } from '../app/test/support/reference-app';
import { exact, figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const root = path.resolve(import.meta.dirname, '..');
const LOAD_SCRIPT = path.join(import.meta.dirname, 'support', 'load.mjs');

const setting = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
};
const SETTINGS = {
  coldStarts: setting('RUNTIME_START_COLD', 2),
  warmStarts: setting('RUNTIME_START_WARM', 3),
  connections: setting('RUNTIME_LOAD_CONNECTIONS', 16),
  loadSeconds: setting('RUNTIME_LOAD_SECONDS', 4),
  loadRuns: setting('RUNTIME_LOAD_RUNS', 3),
  loadWarmupSeconds: setting('RUNTIME_LOAD_WARMUP_SECONDS', 3),
  orders: setting('RUNTIME_ORDERS', 20),
  authRuns: setting('RUNTIME_AUTH_RUNS', 7),
  limiterTrials: setting('RUNTIME_LIMITER_TRIALS', 3),
  limit: setting('RUNTIME_LIMIT', 25),
};
type Section = 'start' | 'authorizer' | 'gateway' | 'orders' | 'limiter';
const only = (process.env.RUNTIME_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const enabled = (section: Section) => only.length === 0 || only.includes(section);

const progress = (line: string) => process.stderr.write(`[runtime] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: readonly number[]) => stats(values).median;
const fixed = (n: number, digits = 1) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------------------
// Stopping what the benchmark started, also when it fails or is interrupted.

/** What is still running, each with how to stop it (async) and, for process exit, how to kill it at once. */
const running = new Map<string, { stop: () => Promise<void>; kill: () => void }>();

function track(name: string, stop: () => Promise<void>, kill: () => void): () => void {
  running.set(name, { stop, kill });
  return () => running.delete(name);
}

async function stopEverything(): Promise<void> {
  for (const [name, entry] of [...running].reverse()) {
    try {
      await entry.stop();
    } catch (error: unknown) {
      progress(`stopping ${name} failed: ${String(error)}`);
      entry.kill();
    }
    running.delete(name);
  }
}

const killEverything = () => {
  for (const entry of running.values()) entry.kill();
};

const onSignal = (signal: NodeJS.Signals) => {
  progress(`${signal}: stopping what the benchmark started`);
  void stopEverything().finally(() => process.exit(130));
};

// ---------------------------------------------------------------------------------------------------------
// Processes: CPU from /proc, process groups.

const HAS_PROC = existsSync('/proc/self/task');
/** Linux's USER_HZ, the unit of utime and stime in /proc: 100 on every architecture Node runs on. */
const TICK_MS = 10;

function statCpuMs(file: string): number {
  // Fields after the command name (which may hold spaces) start at the state: utime is the 12th, stime the 13th.
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU ms of a process (all its threads), or NaN without /proc or once it is gone. */
function processCpuMs(pid: number | undefined): number {
  if (!HAS_PROC || pid === undefined) return NaN;
  try {
    return statCpuMs(`/proc/${pid}/stat`);
  } catch {
    return NaN;
  }
}

/** CPU ms of this process: its main thread and every other thread (Lambda workers, GC, libuv, loaders). */
function ownCpuMs(): { main: number; others: number } {
  if (!HAS_PROC) return { main: NaN, others: NaN };
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ms = statCpuMs(`/proc/self/task/${tid}/stat`);
      if (tid === String(process.pid)) main += ms;
      else others += ms;
    } catch {
      // The thread ended meanwhile (its time is then lost from the sum, a few ms at most).
    }
  }
  return { main, others };
}

/** Whether any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command lines of the group's processes (from /proc), to name what survived. */
function groupMembers(pgid: number): string[] {
  if (!HAS_PROC) return [];
  const members: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      members.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return members;
}

interface Group {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a command as the leader of a new process group, its stdout and stderr piped. */
function spawnGroup(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Group {
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, pgid: child.pid, exited };
}

/**
 * Stops a process group as a terminal's Ctrl-C does (SIGINT to every member), waits for its leader to exit
 * and for the whole group to be gone; kills what is left after `timeoutMs` and then fails, naming it.
 */
async function stopGroup(group: Group, timeoutMs = 30_000): Promise<void> {
  try {
    process.kill(-group.pgid, 'SIGINT');
  } catch {
    // Already gone.
  }
  const deadline = Date.now() + timeoutMs;
  const leaderExited = await Promise.race([
    group.exited.then(() => true),
    sleep(timeoutMs).then(() => false),
  ]);
  while (groupAlive(group.pgid) && Date.now() < deadline) await sleep(100);
  if (leaderExited && !groupAlive(group.pgid)) return;
  const left = groupMembers(group.pgid);
  try {
    process.kill(-group.pgid, 'SIGKILL');
  } catch {
    // Gone at the last moment.
  }
  throw new Error(
    `process group ${group.pgid} did not stop within ${timeoutMs} ms of SIGINT; killed: ${left.join('; ') || '(leader)'}`,
  );
}

/** Fails when something listens on `port` of the loopback interface. */
async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  }).catch((error: unknown) => {
    throw new Error(
      `port ${port} is in use (${String((error as NodeJS.ErrnoException).code)}): npm start's gateway needs it; stop what listens there or set CONFLUX_PORT`,
      { cause: error },
    );
  });
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// 1. npm start to ready

interface StartRun {
  readonly readyMs: number;
  /** From the spawn to the CLI's synth decision: npm, `npm run build`, the CLI's own start, the Java check. */
  readonly preMs: number;
  /** What the CLI reports as `started in N ms`: the runtime's start and the seed. */
  readonly runtimeMs: number;
  readonly synthesized: boolean;
}

const stateDir = path.join(root, '.conflux');

/** Fails when a live `conflux local` holds this checkout's lock (its cdk.out must not be removed under it). */
function assertUnlocked(): void {
  const lock = path.join(stateDir, 'lock');
  if (!existsSync(lock)) return;
  let pid: number | undefined;
  try {
    pid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number }).pid;
  } catch {
    return;
  }
  if (pid === undefined) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // A stale lock: conflux local takes it over.
  }
  throw new Error(
    `another conflux local (pid ${pid}) holds ${path.relative(root, lock)}: stop it before benchmarking npm start`,
  );
}

/** One `npm start`: the time to its `ready` line, then a clean stop of everything it started. */
async function startOnce(label: string, port: number): Promise<StartRun> {
  await assertPortFree(port);
  assertUnlocked();
  const t0 = performance.now();
  const group = spawnGroup('npm', ['start']);
  const untrack = track(
    `npm start (${label})`,
    () => stopGroup(group),
    () => {
      try {
        process.kill(-group.pgid, 'SIGKILL');
      } catch {
        // Gone.
      }
    },
  );
  const stderrTail: string[] = [];
  let decisionAt: number | undefined;
  let synthesized = false;
  let runtimeMs = NaN;
  const stderr = createInterface({ input: group.child.stderr ?? process.stdin });
  stderr.on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 30) stderrTail.shift();
    if (decisionAt === undefined && /synthesizing into|is current; not synthesizing/.test(line)) {
      decisionAt = performance.now() - t0;
      synthesized = line.includes('synthesizing into');
    }
    const started = /^started in (\d+) ms$/.exec(line);
    if (started) runtimeMs = Number(started[1]);
  });
  const stdout = createInterface({ input: group.child.stdout ?? process.stdin });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`npm start (${label}) printed no ready line within 300 s`));
      }, 300_000);
      stdout.on('line', (line) => {
        if (line.startsWith('ready ')) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      void group.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `npm start (${label}) exited (${String(code ?? signal)}) before ready:\n${stderrTail.join('\n')}`,
          ),
        );
      });
    });
    return { readyMs, preMs: decisionAt ?? NaN, runtimeMs, synthesized };
  } finally {
    await stopGroup(group);
    untrack();
    stdout.close();
    stderr.close();
  }
}

/** `node -e 0` started as npm start is (a new process group, output piped): the floor of any spawned command. */
async function nodeFloorMs(): Promise<number> {
  const t0 = performance.now();
  const group = spawnGroup(process.execPath, ['-e', '0']);
  group.child.stdout?.resume();
  group.child.stderr?.resume();
  await group.exited;
  return performance.now() - t0;
}

async function startFigures(): Promise<Figure[]> {
  const port = Number(process.env.CONFLUX_PORT || 3000);
  const cdkOut = path.join(stateDir, 'cdk.out');
  const cold: StartRun[] = [];
  const warm: StartRun[] = [];
  const floor: number[] = [];
  let resynthesized = 0;
  for (let i = 0; i < SETTINGS.coldStarts; i += 1) {
    assertUnlocked();
    // Cold: no synth output (the dev issuer's keys and the DynamoDB Local jar under .cache/ stay).
    rmSync(cdkOut, { recursive: true, force: true });
    progress(`npm start, cold ${i + 1}/${SETTINGS.coldStarts}`);
    const run = await startOnce(`cold ${i + 1}`, port);
    if (!run.synthesized)
      throw new Error('a cold npm start did not synthesize: is .conflux/cdk.out elsewhere?');
    cold.push(run);
    floor.push(await nodeFloorMs());
  }
  for (let i = 0; warm.length < SETTINGS.warmStarts; i += 1) {
    progress(`npm start, warm ${warm.length + 1}/${SETTINGS.warmStarts}`);
    const run = await startOnce(`warm ${warm.length + 1}`, port);
    floor.push(await nodeFloorMs());
    // A source that changed meanwhile (watch.include) makes the output stale: that start synthesized and is
    // no warm sample; the next start is warm again.
    if (run.synthesized) {
      resynthesized += 1;
      if (resynthesized > 2) throw new Error('npm start kept re-synthesizing: sources change while it runs');
      continue;
    }
    warm.push(run);
  }
  const floorStats = stats(floor);
  const phases = (runs: readonly StartRun[]) => {
    const pre = median(runs.map((r) => r.preMs));
    const runtime = median(runs.map((r) => r.runtimeMs));
    const synth = Math.max(0, median(runs.map((r) => r.readyMs - r.preMs - r.runtimeMs)));
    return `npm + \`npm run build\` + CLI start + Java check ${fixed(pre / 1000)} s, synth ${fixed(synth / 1000)} s, runtime start + seed ${fixed(runtime / 1000)} s (the CLI's "started in")`;
  };
  const floorNote =
    `Baseline: \`node -e 0\` spawned the same way (new process group, piped output), n=${floor.length}. ` +
    'The practical floor of npm start is far above it: npm itself (~0.3 s), the no-op `npm run build` ' +
    "(tsc -b, the authorizer bundle, the asset copy) and the runtime start (DynamoDB Local's JVM, the tables, " +
    'every resource) run on every start; the phases are in the note.';
  const figures: Figure[] = [];
  if (cold.length > 0)
    figures.push(
      figure({
        id: 'runtime.start.cold-ms',
        group: 'runtime',
        title: 'npm start to ready, no synth output',
        unit: 'ms',
        better: 'lower',
        subject: stats(cold.map((r) => r.readyMs)),
        baseline: { label: 'node -e 0', stats: floorStats },
        note: `Spawn of \`npm start\` in the repository root to its \`ready\` line on stdout, after removing .conflux/cdk.out (the dev issuer's keys and the DynamoDB Local jar cache stay). Medians: ${phases(cold)}. ${floorNote} Gateway on the fixed port ${port}; stopped with SIGINT to its process group, nothing of it left running.`,
      }),
    );
  if (warm.length > 0)
    figures.push(
      figure({
        id: 'runtime.start.warm-ms',
        group: 'runtime',
        title: 'npm start to ready, synth output current',
        unit: 'ms',
        better: 'lower',
        subject: stats(warm.map((r) => r.readyMs)),
        baseline: { label: 'node -e 0', stats: floorStats },
        note: `A start whose .conflux/cdk.out is newer than every watched source (the CLI prints "is current; not synthesizing"): what "warm" means to conflux local. Medians: ${phases(warm)}. ${floorNote}${resynthesized > 0 ? ` ${resynthesized} start(s) re-synthesized because a source changed meanwhile and were not counted.` : ''}`,
      }),
    );
  return figures;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Gateway throughput and latency

interface LoadResult {
  readonly requests: number;
  readonly elapsedMs: number;
  readonly reqPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly cpuMs: number;
}

interface LoadOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}

/** Runs the load generator in a child process and resolves with its report. */
function load(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [LOAD_SCRIPT, JSON.stringify(options)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        untrack();
        if (error) reject(new Error(`load generator failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
    const untrack = track(
      `load generator ${String(child.pid)}`,
      async () => {
        child.kill('SIGKILL');
        await Promise.resolve();
      },
      () => child.kill('SIGKILL'),
    );
  });
}

interface Recorded {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Node's own connection headers, which any node:http server writes itself. */
const CONNECTION_HEADERS = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
]);

/** One real answer of `url`, with the headers as sent (minus the connection's own) and the body's bytes. */
function record(url: string, headers: Record<string, string>): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const recorded: Record<string, string> = {};
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] ?? '';
          if (!CONNECTION_HEADERS.has(name.toLowerCase())) recorded[name] = res.rawHeaders[i + 1] ?? '';
        }
        resolve({ status: res.statusCode ?? 0, headers: recorded, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Replay {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The baseline: a bare node:http server in a child process, answering every request with `answer`. */
async function replayServer(answer: Recorded): Promise<Replay> {
  const child = spawn(
    process.execPath,
    [
      LOAD_SCRIPT,
      'serve',
      JSON.stringify({
        status: answer.status,
        headers: answer.headers,
        body64: answer.body.toString('base64'),
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const untrack = track(`replay server ${String(child.pid)}`, stop, () => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`replay server said: ${line}`));
    });
    child.once('exit', () => {
      reject(new Error('replay server exited before listening'));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    async stop() {
      await stop();
      untrack();
    },
  };
}

interface Measured {
  readonly runs: LoadResult[];
  /** CPU ms per request: this process's main thread, its other threads, DynamoDB Local; NaN without /proc. */
  readonly cpu: { main: number[]; others: number[]; java: number[]; total: number[] };
}

/** `runs` interleaved load runs of the subject and of its replay; CPU per request of both. */
async function compare(
  subject: { url: string; headers: Record<string, string>; javaPid?: number },
  replay: Replay,
  target: string,
): Promise<{ subject: Measured; baseline: Measured }> {
  const empty = (): Measured => ({ runs: [], cpu: { main: [], others: [], java: [], total: [] } });
  const result = { subject: empty(), baseline: empty() };
  const options = {
    connections: SETTINGS.connections,
    durationMs: SETTINGS.loadSeconds * 1000,
    warmupMs: 500,
  };
  for (let r = 0; r < SETTINGS.loadRuns; r += 1) {
    progress(`gateway ${target}: run ${r + 1}/${SETTINGS.loadRuns}`);
    const own0 = ownCpuMs();
    const java0 = processCpuMs(subject.javaPid);
    const gateway = await load({ ...options, url: subject.url, headers: subject.headers });
    const own1 = ownCpuMs();
    const java1 = processCpuMs(subject.javaPid);
    // The generator's warm-up half second is in the CPU window too: counted per request of the whole window.
    const gatewayRequests = gateway.requests * ((gateway.elapsedMs + options.warmupMs) / gateway.elapsedMs);
    const main = (own1.main - own0.main) / gatewayRequests;
    const others = (own1.others - own0.others) / gatewayRequests;
    const java = (java1 - java0) / gatewayRequests;
    result.subject.runs.push(gateway);
    result.subject.cpu.main.push(main);
    result.subject.cpu.others.push(others);
    result.subject.cpu.java.push(java);
    result.subject.cpu.total.push(main + others + (Number.isNaN(java) ? 0 : java));

    const bare0 = processCpuMs(replay.pid);
    const bare = await load({ ...options, url: `${replay.url}${target}`, headers: subject.headers });
    const bare1 = processCpuMs(replay.pid);
    const bareRequests = bare.requests * ((bare.elapsedMs + options.warmupMs) / bare.elapsedMs);
    result.baseline.runs.push(bare);
    result.baseline.cpu.main.push((bare1 - bare0) / bareRequests);
    result.baseline.cpu.total.push((bare1 - bare0) / bareRequests);
  }
  return result;
}

const statusesOf = (runs: readonly LoadResult[]) => {
  const all: Record<string, number> = {};
  for (const run of runs) for (const [s, n] of Object.entries(run.statuses)) all[s] = (all[s] ?? 0) + n;
  return Object.entries(all)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
};

async function gatewayFigures(app: ReferenceApp): Promise<Figure[]> {
  const key = app.keys.free ?? '';
  const token = await app.token({ scopes: 'orders:read', clientId: 'bench-load' });
  const guardedPath = `/v2/orders/${randomUUID()}`;
  const headers = { authorization: `Bearer ${token}`, 'x-api-key': key };
  const javaPid = app.running.runtime.engines.javaPid;
  const host = app.running.runtime.host;
  const loadAverage = loadavg()
    .map((l) => fixed(l, 2))
    .join(' ');
  const resources = app.running.runtime.resources;
  const ordersKey = Object.keys(resources).find((k) => /(^|\/)OrdersFunction[0-9A-F]{8}$/.test(k));
  const ordersFunction = ordersKey === undefined ? '' : (resources[ordersKey] ?? '');
  // Warm-up at the measured concurrency: every worker of the orders function started (cold starts are not
  // the subject), the authorizer's result cached, the JIT warm.
  progress(`gateway: warm-up ${SETTINGS.loadWarmupSeconds} s`);
  await load({
    url: `${app.baseUrl}${guardedPath}`,
    headers,
    connections: SETTINGS.connections,
    durationMs: SETTINGS.loadWarmupSeconds * 1000,
    warmupMs: 0,
  });
  const coldBefore = host.stats(ordersFunction).coldStarts;
  const idle0 = ownCpuMs();
  const idleJava0 = processCpuMs(javaPid);
  await sleep(2000);
  const idle1 = ownCpuMs();
  const idleRuntime = (idle1.main - idle0.main + idle1.others - idle0.others) / 2;
  const idleJava = (processCpuMs(javaPid) - idleJava0) / 2;

  const guardedAnswer = await record(`${app.baseUrl}${guardedPath}`, headers);
  if (guardedAnswer.status !== 404)
    throw new Error(`GET ${guardedPath} answered ${guardedAnswer.status}, not the 404 of a missing order`);
  const guardedReplay = await replayServer(guardedAnswer);
  let guarded: { subject: Measured; baseline: Measured };
  try {
    guarded = await compare(
      { url: `${app.baseUrl}${guardedPath}`, headers, javaPid },
      guardedReplay,
      guardedPath,
    );
  } finally {
    await guardedReplay.stop();
  }
  const coldDuring = host.stats(ordersFunction).coldStarts - coldBefore;

  await load({
    url: `${app.baseUrl}/v1/health`,
    connections: SETTINGS.connections,
    durationMs: 1000,
    warmupMs: 0,
  });
  const openAnswer = await record(`${app.baseUrl}/v1/health`, {});
  const openReplay = await replayServer(openAnswer);
  let open: { subject: Measured; baseline: Measured };
  try {
    open = await compare({ url: `${app.baseUrl}/v1/health`, headers: {}, javaPid }, openReplay, '/v1/health');
  } finally {
    await openReplay.stop();
  }

  const c = SETTINGS.connections;
  const runsNote = (m: { subject: Measured; baseline: Measured }) =>
    `${SETTINGS.loadRuns} runs of ${SETTINGS.loadSeconds} s each side, interleaved, ${c} keep-alive connections from support/load.mjs in a child process; answers: gateway ${statusesOf(m.subject.runs)}, bare ${statusesOf(m.baseline.runs)}; generator CPU ${fixed(median(m.subject.runs.map((r) => r.cpuMs / r.requests)), 3)} ms/req (gateway), ${fixed(median(m.baseline.runs.map((r) => r.cpuMs / r.requests)), 3)} ms/req (bare)`;
  const guardedNote =
    `GET /v2/orders/{id} of a missing order with a valid token (authorizer result cached) and the free tier's API key: ` +
    `authorizer, usage plan, stage throttle, then the orders function's DynamoDB limiter (GetItem + conditional UpdateItem) and its read (GetItem), answering ${guardedAnswer.status} (${guardedAnswer.body.length} bytes). ` +
    `Baseline: a bare node:http server in its own process replaying that answer's status, ${Object.keys(guardedAnswer.headers).length} headers and body. ` +
    `${runsNote(guarded)}; orders-function cold starts during the runs: ${coldDuring}. Load average before the runs ${loadAverage} on ${availableParallelism()} cores (other work on the machine slows both sides).`;
  const figures: Figure[] = [
    figure({
      id: 'runtime.gateway.req-per-s',
      group: 'runtime',
      title: 'Requests/s through the gateway (authorizer, key, limiter)',
      unit: 'req/s',
      better: 'higher',
      subject: stats(guarded.subject.runs.map((r) => r.reqPerS)),
      baseline: { label: 'bare node:http', stats: stats(guarded.baseline.runs.map((r) => r.reqPerS)) },
      note: `${guardedNote} Target: at least 0.33× bare node.`,
    }),
    figure({
      id: 'runtime.gateway.p50-ms',
      group: 'runtime',
      title: 'p50 latency through the gateway (authorizer, key, limiter)',
      unit: 'ms',
      better: 'lower',
      subject: stats(guarded.subject.runs.map((r) => r.p50Ms)),
      baseline: { label: 'bare node:http', stats: stats(guarded.baseline.runs.map((r) => r.p50Ms)) },
      note: `Per-run p50 under the throughput load (${c} connections); ${guardedNote}`,
    }),
    figure({
      id: 'runtime.gateway.p99-ms',
      group: 'runtime',
      title: 'p99 latency through the gateway (authorizer, key, limiter)',
      unit: 'ms',
      better: 'lower',
      subject: stats(guarded.subject.runs.map((r) => r.p99Ms)),
      baseline: { label: 'bare node:http', stats: stats(guarded.baseline.runs.map((r) => r.p99Ms)) },
      note: `Per-run p99 under the throughput load (${c} connections); ${guardedNote}`,
    }),
    figure({
      id: 'runtime.gateway.open.req-per-s',
      group: 'runtime',
      title: 'Requests/s through the gateway, open route (GET /v1/health)',
      unit: 'req/s',
      better: 'higher',
      subject: stats(open.subject.runs.map((r) => r.reqPerS)),
      baseline: { label: 'bare node:http', stats: stats(open.baseline.runs.map((r) => r.reqPerS)) },
      note: `GET /v1/health: no authorizer, key or DynamoDB, still a Lambda proxy integration (event, worker thread, result), so the gateway and Lambda host alone against the same bare replay. ${runsNote(open)}.`,
    }),
  ];
  if (HAS_PROC) {
    const s = guarded.subject.cpu;
    figures.push(
      figure({
        id: 'runtime.gateway.cpu-ms-per-req',
        group: 'runtime',
        title: 'CPU per request through the gateway (authorizer, key, limiter)',
        unit: 'ms',
        better: 'lower',
        subject: stats(s.total),
        baseline: { label: 'bare node:http', stats: stats(guarded.baseline.cpu.total) },
        note:
          `CPU (user + system, /proc) during the guarded runs ÷ requests: the runtime's process (main thread ${fixed(median(s.main), 2)} ms: gateway, engines, pollers; other threads ${fixed(median(s.others), 2)} ms: the Lambda workers, GC, libuv) and DynamoDB Local's JVM (${fixed(median(s.java), 2)} ms). ` +
          `Idle, the runtime burns ${fixed(idleRuntime)} ms/s in its process and ${fixed(idleJava)} ms/s in Java (the event-source pollers), counted here too: at ${fixed(median(guarded.subject.runs.map((r) => r.reqPerS)), 0)} req/s that is ${fixed((idleRuntime + idleJava) / median(guarded.subject.runs.map((r) => r.reqPerS)), 2)} ms of each request. ` +
          `Open route for comparison: ${fixed(median(open.subject.cpu.total), 3)} ms/req (bare ${fixed(median(open.baseline.cpu.total), 3)}). The load generator's own CPU is not counted.`,
      }),
    );
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------------------
// 3a. Orders end to end

async function orderFigures(app: ReferenceApp): Promise<Figure[]> {
  const f = fulfilmentOf(app);
  const token = await app.token({
    subject: 'bench',
    scopes: 'orders:write orders:read',
    clientId: 'bench-saga',
  });
  await f.stock('SKU-BENCH', 1_000_000, 100);
  await f.customer('rich', 1_000_000_000);
  await f.customer('poor', 50);
  const headers = {
    authorization: `Bearer ${token}`,
    'x-api-key': app.keys.free ?? '',
    'content-type': 'application/json',
  };
  const placeAndWait = async (customerId: string) => {
    const t0 = performance.now();
    const response = await fetch(`${app.baseUrl}/v2/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        customerId,
        items: [{ sku: 'SKU-BENCH', quantity: 1 }],
        shipTo: { region: 'eu', postcode: '1011' },
      }),
    });
    if (response.status !== 201)
      throw new Error(`POST /v2/orders answered ${response.status}: ${await response.text()}`);
    const { orderId } = (await response.json()) as { orderId: string };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const order = await f.get(f.table.orders, { orderId });
      if (order && order.status !== 'PENDING')
        return { ms: performance.now() - t0, orderId, status: String(order.status) };
      if (Date.now() > deadline) throw new Error(`order ${orderId} still PENDING after 30 s`);
      await sleep(10);
    }
  };
  progress('orders: warm-up');
  // Both paths: the compensations run functions (and workers) the confirmed path never starts.
  for (let i = 0; i < 3; i += 1) {
    await placeAndWait('rich');
    await placeAndWait('poor');
  }
  const confirmed: { ms: number; orderId: string; status: string }[] = [];
  const compensated: { ms: number; orderId: string; status: string }[] = [];
  const health: number[] = [];
  progress(`orders: ${SETTINGS.orders} confirmed and ${SETTINGS.orders} compensated, interleaved`);
  for (let i = 0; i < SETTINGS.orders; i += 1) {
    confirmed.push(await placeAndWait('rich'));
    compensated.push(await placeAndWait('poor'));
    for (let h = 0; h < 2; h += 1) {
      const t0 = performance.now();
      await (await fetch(`${app.baseUrl}/v1/health`)).arrayBuffer();
      health.push(performance.now() - t0);
    }
  }
  const wrong = [
    ...confirmed.filter((o) => o.status !== 'CONFIRMED'),
    ...compensated.filter((o) => o.status !== 'FAILED'),
  ];
  if (wrong.length > 0)
    throw new Error(`orders ended otherwise than expected: ${wrong.map((o) => o.status).join(', ')}`);

  const sfn = new SFNClient({
    endpoint: app.running.runtime.endpoints.stepfunctions,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const machine = app.running.physical(app.stacks.api.fulfilment.saga.stateMachine);
    const transitions = async (orderId: string) => {
      const { events = [] } = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${orderId}`,
          maxResults: 1000,
        }),
      );
      return events.filter((e) => e.type?.endsWith('StateEntered')).length;
    };
    const sample = (orders: readonly { orderId: string }[]) =>
      Promise.all(orders.slice(0, 5).map((o) => transitions(o.orderId)));
    const healthStats = stats(health);
    const note = (what: string) =>
      `${what}: from sending POST /v2/orders (token, key, limiter; no Idempotency-Key) to reading the order's terminal status from its table (polled every 10 ms, consistent reads), ${SETTINGS.orders} orders of each kind after 3 warm-up ones of each, sequential, confirmed and compensated interleaved. Baseline: GET /v1/health round trips through the same gateway (n=${health.length}, interleaved).`;
    return [
      figure({
        id: 'runtime.orders.confirmed-ms',
        group: 'runtime',
        title: 'POST /v2/orders to CONFIRMED',
        unit: 'ms',
        better: 'lower',
        subject: stats(confirmed.map((o) => o.ms)),
        baseline: { label: 'GET /v1/health', stats: healthStats },
        note: note('Saga of 4 steps (reserve, charge, ship, confirm)'),
      }),
      figure({
        id: 'runtime.orders.compensated-ms',
        group: 'runtime',
        title: 'POST /v2/orders to FAILED (compensated)',
        unit: 'ms',
        better: 'lower',
        subject: stats(compensated.map((o) => o.ms)),
        baseline: { label: 'GET /v1/health', stats: healthStats },
        note: note('Payment declined at the charge step, the reservation released (2 compensations)'),
      }),
      figure({
        id: 'runtime.orders.confirmed.transitions',
        group: 'runtime',
        title: 'State transitions per confirmed order',
        unit: 'x',
        better: 'lower',
        subject: stats(await sample(confirmed)),
        note: 'A count, not a ratio: StateEntered events in the execution history (what Step Functions Standard bills per transition), of the first 5 measured orders. No baseline: a count of the state machine as synthesized.',
      }),
      figure({
        id: 'runtime.orders.compensated.transitions',
        group: 'runtime',
        title: 'State transitions per compensated order',
        unit: 'x',
        better: 'lower',
        subject: stats(await sample(compensated)),
        note: 'A count, not a ratio: StateEntered events of a saga failed at the charge step and compensated, of the first 5 measured orders. No baseline.',
      }),
    ];
  } finally {
    sfn.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3b. Limiter accuracy

async function limiterFigures(app: ReferenceApp): Promise<Figure[]> {
  const partner = app.keys.partner ?? '';
  const limit = SETTINGS.limit;
  const figures: Figure[] = [];
  for (const concurrency of [10, 25, 50, 100, 200]) {
    const deviations: number[] = [];
    const trials: string[] = [];
    for (let t = 0; t < SETTINGS.limiterTrials; t += 1) {
      // A fresh client each trial: its own counters, an empty window.
      const clientToken = await app.token({ scopes: 'orders:read', clientId: `accuracy-${randomUUID()}` });
      const statuses = await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const response = await fetch(`${app.baseUrl}/v2/orders/${randomUUID()}`, {
            headers: { authorization: `Bearer ${clientToken}`, 'x-api-key': partner },
          });
          await response.arrayBuffer();
          return response.status;
        }),
      );
      const admitted = statuses.filter((s) => s === 404).length;
      const limited = statuses.filter((s) => s === 429).length;
      const expected = Math.min(concurrency, limit);
      deviations.push(Math.abs(1 - admitted / expected));
      trials.push(
        `${admitted}/${expected}${limited + admitted < concurrency ? ` (+${concurrency - admitted - limited} other)` : ''}`,
      );
    }
    figures.push(
      figure({
        id: `runtime.limiter.c${concurrency}.deviation`,
        group: 'runtime',
        title: `Limiter |1 − admitted/expected|, ${concurrency} concurrent`,
        unit: 'x',
        better: 'lower',
        subject: stats(deviations),
        baseline: { label: 'exact limit', stats: exact(0) },
        note: `${concurrency} concurrent GET /v2/orders/{id} of one new client on the partner tier, whose limiter allows ${limit} per 60 s window; expected admitted = min(concurrency, limit) = ${Math.min(concurrency, limit)}. The figure is |1 − admitted/expected| so that 0 is exact and both failures count: over-admission (the limiter let more through than its limit) and under-admission (it refused requests it owed). Baseline: 0, the exact limiter. Admitted/expected per trial: ${trials.join(', ')}.`,
      }),
    );
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------------------
// 3c. The authorizer's cold start

async function bundle(work: string, name: string, entry: string): Promise<string> {
  const outfile = path.join(work, `${name}.cjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Loads a bundle in a fresh Node process and invokes it once: what a Lambda cold start pays for code. */
function coldStart(
  file: string,
  event: unknown,
  env: Record<string, string>,
): Promise<{ initMs: number; firstMs: number }> {
  const script = `
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(file)});
    const t1 = performance.now();
    Promise.resolve(handler(${JSON.stringify(event)}, {})).then(() => {
      const t2 = performance.now();
      process.stdout.write(JSON.stringify({ initMs: t1 - t0, firstMs: t2 - t1 }));
    }, (e) => { process.stderr.write(String(e)); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-warnings', '-e', script],
      { env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_TRACE_ENABLED: 'false' } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`cold start of ${file} failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as { initMs: number; firstMs: number });
      },
    );
  });
}

async function authorizerFigures(): Promise<Figure[]> {
  const work = mkdtempSync(path.join(tmpdir(), 'conflux-bench-runtime-'));
  try {
    const issuerDir = path.join(work, 'issuer');
    const { jwks } = await devIssuerKeys(issuerDir);
    const token = await issueDevToken(issuerDir, { subject: 'bench', scopes: 'orders:read' });
    const authorizer = await bundle(
      work,
      'authorizer',
      'packages/constructs/handlers/jwt-authorizer/handler.ts',
    );
    const health = await bundle(work, 'health', 'app/functions/platform/health.handler.ts');
    const authEnv = {
      JWT_ISSUER: DEV_ISSUER.issuer,
      JWT_AUDIENCE: DEV_ISSUER.audience,
      JWKS_JSON: JSON.stringify(jwks),
      ROUTE_SCOPES: JSON.stringify({ 'GET /v2/orders/{orderId}': ['orders:read'] }),
    };
    const authEvent = {
      type: 'TOKEN',
      authorizationToken: `Bearer ${token}`,
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/v2/orders/1',
    };
    const authRuns: { initMs: number; firstMs: number }[] = [];
    const healthRuns: { initMs: number; firstMs: number }[] = [];
    progress(`authorizer: ${SETTINGS.authRuns} cold starts each, interleaved`);
    for (let i = 0; i < SETTINGS.authRuns; i += 1) {
      authRuns.push(await coldStart(authorizer, authEvent, authEnv));
      healthRuns.push(
        await coldStart(health, { requestContext: { requestId: 'r' } }, { SERVICE_VERSION: '0' }),
      );
    }
    const note = `Each sample a fresh Node process loading the esbuild bundle (minified CJS, SDK bundled) and calling its handler once; the JWT authorizer against the health handler, interleaved.`;
    return [
      figure({
        id: 'runtime.authorizer.bundle-bytes',
        group: 'runtime',
        title: 'JWT authorizer bundle size',
        unit: 'bytes',
        better: 'lower',
        subject: exact(statSync(authorizer).size),
        baseline: { label: 'health handler', stats: exact(statSync(health).size) },
        note: 'esbuild, minified, everything bundled (as the cold-start samples load it).',
      }),
      figure({
        id: 'runtime.authorizer.init-ms',
        group: 'runtime',
        title: 'JWT authorizer init (module load)',
        unit: 'ms',
        better: 'lower',
        subject: stats(authRuns.map((r) => r.initMs)),
        baseline: { label: 'health handler', stats: stats(healthRuns.map((r) => r.initMs)) },
        note: `${note} Init: require() of the bundle.`,
      }),
      figure({
        id: 'runtime.authorizer.first-token-ms',
        group: 'runtime',
        title: 'JWT authorizer first verified token',
        unit: 'ms',
        better: 'lower',
        subject: stats(authRuns.map((r) => r.firstMs)),
        baseline: { label: 'health handler first call', stats: stats(healthRuns.map((r) => r.firstMs)) },
        note: `${note} First call: a TOKEN event with a valid dev-issuer token, verified against the inline JWKS (key import, signature, claims, route scopes).`,
      }),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Tier limits no measured load reaches (the maxima `conflux:api` allows), so every check runs and admits. */
const OPEN_TIER = {
  rate: 10_000,
  burst: 5_000,
  quotaPerDay: 1_000_000_000,
  limit: 1_000_000,
  windowSeconds: 60,
};

async function run(): Promise<Figure[]> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', killEverything);
  // The in-process runtime's Lambda workers write to this process's stdout (their logs and metrics, as a
  // function's stdout goes to CloudWatch); a benchmark's stdout is its figures alone, so while it runs they
  // go to stderr.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  const figures: Figure[] = [];
  try {
    if (enabled('authorizer')) figures.push(...(await authorizerFigures()));
    // npm start before the in-process app, so the two runtimes never compete for the cores.
    if (enabled('start') && SETTINGS.coldStarts + SETTINGS.warmStarts > 0)
      figures.push(...(await startFigures()));
    if (enabled('gateway') || enabled('orders') || enabled('limiter')) {
      progress('synthesizing and starting the reference app in process');
      const app = await runReferenceApp({
        stageThrottle: { rate: 10_000, burst: 5_000 },
        tiers: { free: OPEN_TIER, partner: { ...OPEN_TIER, limit: SETTINGS.limit } },
      });
      const javaPid = app.running.runtime.engines.javaPid;
      const untrack = track(
        'reference app',
        () => app.stop(),
        () => {
          try {
            if (javaPid !== undefined) process.kill(javaPid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        },
      );
      try {
        if (enabled('gateway')) figures.push(...(await gatewayFigures(app)));
        if (enabled('limiter')) figures.push(...(await limiterFigures(app)));
        if (enabled('orders')) figures.push(...(await orderFigures(app)));
      } finally {
        await app.stop();
        untrack();
      }
    }
    return figures;
  } finally {
    await stopEverything();
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', killEverything);
    process.stdout.write = stdoutWrite;
  }
}

export const benchmark: Benchmark = { group: 'runtime', run };

if (isMain(import.meta.url)) {
  for (const f of await benchmark.run()) {
    console.log(formatFigure(f));
    // RUNTIME_NOTES=1: each figure's note too, on stderr (what the baseline is, the phases, the CPU split).
    if (process.env.RUNTIME_NOTES && f.note) process.stderr.write(`  ${f.note}\n`);
  }
}
