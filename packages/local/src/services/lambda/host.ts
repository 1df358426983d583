import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.mjs');

/**
 * The AWS SDK for JavaScript v3 packages the offline runtime provides to every function, as Lambda's Node.js
 * runtime provides its own (`/var/runtime/node_modules`): a bundle that leaves `@aws-sdk/*` external — the
 * default of `NodejsFunction` and of Conflux's functions — finds them wherever `cdk.out` lives.
 */
export const PROVIDED_SDK_PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-dynamodb-streams',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/client-lambda',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/util-dynamodb',
] as const;

/** The `node_modules` folders the provided SDK packages resolve from (usually one). */
function providedSdkPaths(): string[] {
  const require = createRequire(import.meta.url);
  const dirs = new Set<string>();
  for (const name of PROVIDED_SDK_PACKAGES) {
    // <dir>/node_modules/@aws-sdk/<name>/package.json → <dir>/node_modules
    dirs.add(path.resolve(path.dirname(require.resolve(`${name}/package.json`)), '..', '..'));
  }
  return [...dirs];
}
const sdkPaths = providedSdkPaths();

/** A Lambda function as the host runs it. */
export interface FunctionSpec {
  readonly name: string;
  readonly arn: string;
  /** Folder holding the function's code (the unzipped asset). */
  readonly codeDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Most concurrent invocations; the host's own cap applies when unset. */
  readonly reservedConcurrency?: number;
  /** Environment of the function's workers, already resolved. */
  readonly environment: Readonly<Record<string, string>>;
}

/** The error payload Lambda returns for a failed invocation (`X-Amz-Function-Error: Unhandled`). */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** The outcome of one invocation. */
export type InvokeResult =
  { readonly ok: true; readonly payload: unknown } | { readonly ok: false; readonly error: FunctionError };

interface WorkerSlot {
  readonly worker: Worker;
  pending?: { id: string; resolve: (r: InvokeResult) => void; timer: NodeJS.Timeout };
}

/** Concurrency of a function with no reservation; the local machine's stand-in for the account pool. */
const DEFAULT_CONCURRENCY = 10;

/**
 * Runs Lambda functions from their bundled code, each in its own worker threads with its own environment.
 * A worker's module scope is initialised once, like a cold start, and reused by later invocations; a
 * timeout ends the worker (the next invocation cold-starts), as Lambda ends a timed-out sandbox.
 */
export class LambdaHost {
  private readonly functions = new Map<string, FunctionSpec>();
  /** The module file and export of each function, found once at registration. */
  private readonly entries = new Map<string, { entryFile: string; exportName: string }>();
  private readonly idle = new Map<string, WorkerSlot[]>();
  private readonly busy = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly all = new Set<Worker>();
  private readonly counts = new Map<string, { invocations: number; coldStarts: number }>();
  private stopped = false;

  /** Invocations and cold starts (workers started) of a function so far. */
  public stats(nameOrArn: string): { invocations: number; coldStarts: number } {
    const name = this.get(nameOrArn)?.name ?? nameOrArn;
    return { ...(this.counts.get(name) ?? { invocations: 0, coldStarts: 0 }) };
  }

  private count(name: string, key: 'invocations' | 'coldStarts'): void {
    const c = this.counts.get(name) ?? { invocations: 0, coldStarts: 0 };
    c[key] += 1;
    this.counts.set(name, c);
  }

  /** Registers a function; it is looked up by name or ARN. */
  public register(spec: FunctionSpec): void {
    const [file, exportName] = splitHandler(spec.handler);
    const entry = ['.js', '.cjs', '.mjs']
      .map((ext) => path.join(spec.codeDir, `${file}${ext}`))
      .find((f) => existsSync(f));
    if (!entry || !exportName) {
      throw new Error(
        `function ${spec.name}: handler "${spec.handler}" names no file in its code (${spec.codeDir})`,
      );
    }
    this.entries.set(spec.name, { entryFile: entry, exportName });
    this.functions.set(spec.name, spec);
    this.functions.set(spec.arn, spec);
  }

  /** The function registered under a name or ARN. */
  public get(nameOrArn: string): FunctionSpec | undefined {
    return this.functions.get(nameOrArn) ?? this.functions.get(nameOrArn.split(':').slice(0, 7).join(':'));
  }

  /** Invokes a function synchronously and returns its result or its error payload. */
  public async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const spec = this.get(nameOrArn);
    if (!spec) {
      return {
        ok: false,
        error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${nameOrArn}` },
      };
    }
    const slot = await this.acquire(spec);
    this.count(spec.name, 'invocations');
    const requestId = randomUUID();
    const timeoutMs = spec.timeoutSeconds * 1000;
    try {
      return await new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          slot.pending = undefined;
          void this.retire(spec, slot);
          resolve({
            ok: false,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `RequestId: ${requestId} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
        slot.pending = { id: requestId, resolve, timer };
        slot.worker.postMessage({ id: requestId, requestId, event, deadline: Date.now() + timeoutMs });
      });
    } finally {
      this.release(spec, slot);
    }
  }

  /** Ends every worker. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((w) => w.terminate()));
    this.all.clear();
  }

  private async acquire(spec: FunctionSpec): Promise<WorkerSlot> {
    const limit = spec.reservedConcurrency ?? DEFAULT_CONCURRENCY;
    while ((this.busy.get(spec.name) ?? 0) >= limit) {
      await new Promise<void>((resolve) => {
        this.waiting.set(spec.name, [...(this.waiting.get(spec.name) ?? []), resolve]);
      });
    }
    this.busy.set(spec.name, (this.busy.get(spec.name) ?? 0) + 1);
    return this.idle.get(spec.name)?.pop() ?? this.spawn(spec);
  }

  private release(spec: FunctionSpec, slot: WorkerSlot): void {
    this.busy.set(spec.name, (this.busy.get(spec.name) ?? 1) - 1);
    if (this.all.has(slot.worker) && !this.stopped) {
      this.idle.set(spec.name, [...(this.idle.get(spec.name) ?? []), slot]);
    }
    const next = this.waiting.get(spec.name)?.shift();
    next?.();
  }

  private spawn(spec: FunctionSpec): WorkerSlot {
    const { entryFile, exportName } = this.entries.get(spec.name) ?? { entryFile: '', exportName: '' };
    const worker = new Worker(workerScript, {
      env: { ...spec.environment },
      workerData: {
        entryFile,
        exportName,
        sdkPaths,
        codeDir: spec.codeDir,
        functionName: spec.name,
        functionArn: spec.arn,
        memorySize: spec.memorySize,
        logGroupName: spec.environment.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: spec.environment.AWS_LAMBDA_LOG_STREAM_NAME,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, spec.memorySize) },
    });
    this.all.add(worker);
    this.count(spec.name, 'coldStarts');
    const slot: WorkerSlot = { worker };
    worker.on('message', (message: { id: string; result?: unknown; error?: FunctionError }) => {
      const pending = slot.pending;
      if (pending?.id !== message.id) return;
      clearTimeout(pending.timer);
      slot.pending = undefined;
      pending.resolve(
        message.error ? { ok: false, error: message.error } : { ok: true, payload: message.result },
      );
    });
    const fail = (error: FunctionError) => {
      this.all.delete(worker);
      const pending = slot.pending;
      if (!pending) return;
      clearTimeout(pending.timer);
      slot.pending = undefined;
      pending.resolve({ ok: false, error });
    };
    worker.on('error', (error) => {
      fail({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${error.message}` });
    });
    worker.on('exit', (code) => {
      fail({
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with code ${code} without providing a reason`,
      });
    });
    return slot;
  }

  private async retire(spec: FunctionSpec, slot: WorkerSlot): Promise<void> {
    this.all.delete(slot.worker);
    const idle = this.idle.get(spec.name) ?? [];
    this.idle.set(
      spec.name,
      idle.filter((s) => s !== slot),
    );
    await slot.worker.terminate();
  }
}

function splitHandler(handler: string): [string, string | undefined] {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? [handler, undefined] : [handler.slice(0, dot), handler.slice(dot + 1)];
}
