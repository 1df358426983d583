import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.mjs');

/** What the worker script needs to load one function (its init data). */
export interface SandboxInit {
  readonly entryFile: string;
  readonly exportName: string;
  readonly sdkPaths: readonly string[];
  readonly codeDir: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySize: number;
  readonly logGroupName: string | undefined;
  readonly logStreamName: string | undefined;
}

/**
 * A message from the worker script: its module loaded (or failed to), one invocation's outcome, or a copy of
 * what the function wrote (with the invocation's id; without one during the init phase).
 */
export type SandboxMessage =
  | { readonly type: 'ready'; readonly error?: SandboxError }
  | { readonly type: 'log'; readonly id?: string; readonly text: string }
  | {
      readonly type: 'result';
      readonly id: string;
      readonly result?: unknown;
      readonly error?: SandboxError;
    };

interface SandboxError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/**
 * One execution environment: worker.mjs in a worker thread of this process, or in a child process of
 * another Node.js binary. Both speak the same protocol, so the host treats them alike.
 */
export interface Sandbox {
  send(message: { id: string; requestId: string; event: unknown; deadline: number }): void;
  onMessage(listener: (message: SandboxMessage) => void): void;
  /** Called once when the environment ends by itself (a crash, `process.exit`), not when terminated. */
  onExit(listener: (reason: string) => void): void;
  terminate(): Promise<void>;
}

/** Starts worker.mjs in a worker thread (no `execPath`) or a child process of `execPath`. */
export function startSandbox(
  init: SandboxInit,
  environment: Readonly<Record<string, string>>,
  execPath: string | undefined,
): Sandbox {
  return execPath === undefined
    ? threadSandbox(init, environment)
    : processSandbox(init, environment, execPath);
}

function threadSandbox(init: SandboxInit, environment: Readonly<Record<string, string>>): Sandbox {
  const worker = new Worker(workerScript, {
    env: { ...environment },
    workerData: init,
    resourceLimits: { maxOldGenerationSizeMb: Math.max(64, init.memorySize) },
  });
  let terminating = false;
  let exitListener: (reason: string) => void = () => undefined;
  worker.on('error', (error) => {
    exitListener(`Runtime exited with error: ${error.message}`);
  });
  worker.on('exit', (code) => {
    if (!terminating) exitListener(`Runtime exited with code ${code} without providing a reason`);
  });
  return {
    send: (message) => {
      worker.postMessage(message);
    },
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => {
      exitListener = listener;
    },
    terminate: async () => {
      terminating = true;
      await worker.terminate();
    },
  };
}

function processSandbox(
  init: SandboxInit,
  environment: Readonly<Record<string, string>>,
  execPath: string,
): Sandbox {
  const child: ChildProcess = fork(workerScript, [], {
    execPath,
    execArgv: [`--max-old-space-size=${Math.max(64, init.memorySize)}`],
    env: { ...environment },
    // Logs go where a worker thread's go: the host's own stdout and stderr.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let terminating = false;
  let exitListener: (reason: string) => void = () => undefined;
  let ended: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => {
    ended = resolve;
    child.once('exit', (code, signal) => {
      if (!terminating) {
        exitListener(
          signal
            ? `Runtime exited with signal: ${signal}`
            : `Runtime exited with code ${code} without providing a reason`,
        );
      }
      resolve();
    });
  });
  child.on('error', (error) => {
    // A binary that does not start emits no 'exit'.
    if (child.pid === undefined) ended();
    if (!terminating) exitListener(`Runtime exited with error: ${error.message}`);
  });
  // The first message is the init data a worker thread gets as workerData.
  child.send({ type: 'init', init });
  return {
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      exitListener = listener;
    },
    terminate: async () => {
      terminating = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
