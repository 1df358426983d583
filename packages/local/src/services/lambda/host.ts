import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { chooseNode, describeChoice, machineCandidates, type NodeChoice } from './node-runtimes.js';
import { startSandbox, type Sandbox, type SandboxMessage } from './sandbox.js';

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
  /** The Lambda runtime, e.g. `nodejs22.x`: the host runs the function on that Node.js major if it has it. */
  readonly runtime?: string;
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

/** One invocation as the host saw it: the invocation log that the local console shows. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  /** When the invocation started, epoch ms. */
  readonly startedAt: number;
  /** From start to result, the init phase of a cold start included. */
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error' | 'timeout';
  /** Whether the invocation started a new execution environment. */
  readonly coldStart: boolean;
  /** What the function wrote during the invocation (and during the init phase of its cold start), line by line. */
  readonly logs: readonly string[];
  /** `errorType: errorMessage` of a failed invocation. */
  readonly error?: string;
}

/** Invocation records kept per function; older ones are dropped. */
export const INVOCATIONS_KEPT = 100;

/** One execution environment of a function, and the invocation it is running. */
interface Slot {
  readonly sandbox: Sandbox;
  /** Lines written during the init phase: the first invocation's logs begin with them. */
  readonly initLogs: string[];
  /** Settles when the init phase ends: undefined once the module has loaded, else the init's error. */
  readonly init: Promise<FunctionError | undefined>;
  initialised: boolean;
  /** Whether an invocation has used the environment (its first is the cold start). */
  taken: boolean;
  /** The function's code version it runs; a {@link LambdaHost.reload} makes it stale. */
  readonly version: number;
  pending?: { readonly id: string; readonly resolve: (r: InvokeResult) => void };
}

/** How long Lambda's init phase (loading the function's module) may take: 10 s. */
export const INIT_TIMEOUT_MS = 10_000;

/** How a {@link LambdaHost} runs its functions; every member has a default. */
export interface LambdaHostOptions {
  /** The init phase's limit. @default {@link INIT_TIMEOUT_MS} */
  readonly initTimeoutMs?: number;
  /** Where the host's own lines go (which Node each runtime gets, init timeouts), each `[lambda] …`. @default stderr */
  readonly log?: (line: string) => void;
  /** The Node.js a runtime runs on. @default {@link chooseNode} over this machine's Node binaries */
  readonly nodeFor?: (runtime: string | undefined) => NodeChoice;
}

/** Concurrency of a function with no reservation; the local machine's stand-in for the account pool. */
const DEFAULT_CONCURRENCY = 10;

const TIMED_OUT = Symbol('timed out');

/**
 * Runs Lambda functions from their bundled code, each in its own execution environments — worker threads,
 * or child processes when the function's runtime names another Node.js major — with its own environment.
 * As in Lambda, an environment first runs the init phase (the module loads, its scope runs once: the cold
 * start), limited to 10 s; only then does the invocation's timeout start. An init that takes longer goes on
 * within the first invocation's own timeout, as Lambda retries it there. A timeout or a crash ends the
 * environment (Lambda resets it), so the next invocation cold-starts.
 */
export class LambdaHost {
  private readonly functions = new Map<string, FunctionSpec>();
  /** The module file and export of each function, found once at registration. */
  private readonly entries = new Map<string, { entryFile: string; exportName: string }>();
  private readonly idle = new Map<string, Slot[]>();
  private readonly busy = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly all = new Set<Sandbox>();
  private readonly counts = new Map<string, { invocations: number; coldStarts: number }>();
  /** The Node.js of each distinct runtime, chosen once. */
  private readonly nodes = new Map<string, NodeChoice>();
  private readonly initTimeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly nodeFor: (runtime: string | undefined) => NodeChoice;
  /** Lines of each running invocation, by request id. */
  private readonly liveLogs = new Map<string, string[]>();
  private readonly records = new Map<string, InvocationRecord[]>();
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  /** The code version of each function, raised by each reload. */
  private readonly versions = new Map<string, number>();
  private stopped = false;

  constructor(options: LambdaHostOptions = {}) {
    this.initTimeoutMs = options.initTimeoutMs ?? INIT_TIMEOUT_MS;
    const log =
      options.log ??
      ((line: string) => {
        process.stderr.write(`${line}\n`);
      });
    this.log = (line) => {
      log(`[lambda] ${line}`);
    };
    this.nodeFor = options.nodeFor ?? ((runtime) => chooseNode(runtime, machineCandidates()));
  }

  /** Invocations and cold starts (environments started) of a function so far. */
  public stats(nameOrArn: string): { invocations: number; coldStarts: number } {
    const name = this.get(nameOrArn)?.name ?? nameOrArn;
    return { ...(this.counts.get(name) ?? { invocations: 0, coldStarts: 0 }) };
  }

  /** The Node.js a function runs on: its version, and whether in a thread of this process or a child process. */
  public runtimeOf(nameOrArn: string): NodeChoice | undefined {
    const spec = this.get(nameOrArn);
    return spec && this.nodes.get(spec.runtime ?? '');
  }

  /** The recent invocations of one function, or of all (in the order they ended), newest last. */
  public invocations(functionName?: string): readonly InvocationRecord[] {
    if (functionName !== undefined) {
      return [...(this.records.get(this.get(functionName)?.name ?? functionName) ?? [])];
    }
    return [...this.records.values()]
      .flat()
      .sort((a, b) => a.startedAt + a.durationMs - (b.startedAt + b.durationMs));
  }

  /** Calls `listener` with each invocation as it ends; returns the function that unsubscribes it. */
  public onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private record(record: InvocationRecord): void {
    const list = this.records.get(record.functionName) ?? [];
    list.push(record);
    if (list.length > INVOCATIONS_KEPT) list.splice(0, list.length - INVOCATIONS_KEPT);
    this.records.set(record.functionName, list);
    for (const listener of [...this.listeners]) {
      try {
        listener(record);
      } catch (error: unknown) {
        this.log(`an invocation listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private count(name: string, key: 'invocations' | 'coldStarts'): void {
    const c = this.counts.get(name) ?? { invocations: 0, coldStarts: 0 };
    c[key] += 1;
    this.counts.set(name, c);
  }

  /** Registers a function; it is looked up by name or ARN. The first of each runtime says which Node it gets. */
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
    const key = spec.runtime ?? '';
    if (!this.nodes.has(key)) {
      const choice = this.nodeFor(spec.runtime);
      this.nodes.set(key, choice);
      if (spec.runtime !== undefined) this.log(describeChoice(choice));
    }
    this.entries.set(spec.name, { entryFile: entry, exportName });
    this.functions.set(spec.name, spec);
    this.functions.set(spec.arn, spec);
  }

  /**
   * Swaps a registered function's code (hot reload): invocations running now finish on their environments,
   * which then end; the next invocations cold-start on the code in `codeDir`. Everything else stays.
   */
  public async reload(nameOrArn: string, codeDir: string): Promise<void> {
    const spec = this.get(nameOrArn);
    if (!spec) throw new Error(`cannot reload ${nameOrArn}: no such function`);
    const environment = { ...spec.environment };
    if (environment.LAMBDA_TASK_ROOT === spec.codeDir) environment.LAMBDA_TASK_ROOT = codeDir;
    await this.replace(spec, { ...spec, codeDir, environment });
  }

  /**
   * Gives a function new configuration, as `UpdateFunctionConfiguration` does: environment variables set
   * (a `null` value removes one), timeout, memory. Invocations in flight finish as they were; idle workers
   * are retired, so the next invocation starts cold with the new configuration.
   */
  public async reconfigure(
    nameOrArn: string,
    change: {
      readonly environment?: Readonly<Record<string, string | null>>;
      readonly timeoutSeconds?: number;
      readonly memorySize?: number;
    },
  ): Promise<void> {
    const spec = this.get(nameOrArn);
    if (!spec) throw new Error(`cannot reconfigure ${nameOrArn}: no such function`);
    const changed = change.environment ?? {};
    const environment = Object.fromEntries(
      [...Object.entries(spec.environment), ...Object.entries(changed)].filter(
        (entry): entry is [string, string] => changed[entry[0]] !== null && entry[1] !== null,
      ),
    );
    await this.replace(spec, {
      ...spec,
      environment,
      timeoutSeconds: change.timeoutSeconds ?? spec.timeoutSeconds,
      memorySize: change.memorySize ?? spec.memorySize,
    });
  }

  private async replace(spec: FunctionSpec, next: FunctionSpec): Promise<void> {
    this.register(next);
    this.versions.set(spec.name, (this.versions.get(spec.name) ?? 0) + 1);
    const idle = this.idle.get(spec.name) ?? [];
    this.idle.set(spec.name, []);
    await Promise.all(idle.map((slot) => this.retire(spec, slot)));
  }

  /** Every registered function, once each. */
  public specs(): FunctionSpec[] {
    return [...new Set(this.functions.values())];
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
    const startedAt = Date.now();
    const coldStart = !slot.initialised && !slot.taken;
    slot.taken = true;
    // The init phase's lines keep coming into the same array until the module has loaded.
    const logs = coldStart ? slot.initLogs : [];
    this.liveLogs.set(requestId, logs);
    let result: InvokeResult | undefined;
    try {
      const budgetMs = await this.initialise(spec, slot);
      if (typeof budgetMs !== 'number') {
        void this.retire(spec, slot);
        result = { ok: false, error: budgetMs ?? timedOut(requestId, spec.timeoutSeconds) };
        return result;
      }
      result = await this.run(spec, slot, requestId, event, budgetMs);
      return result;
    } finally {
      this.liveLogs.delete(requestId);
      this.release(spec, slot);
      const error = result?.ok === false ? result.error : undefined;
      this.record({
        functionName: spec.name,
        requestId,
        startedAt,
        durationMs: Date.now() - startedAt,
        outcome:
          result === undefined || error?.errorType === 'Sandbox.Timedout'
            ? 'timeout'
            : error
              ? 'error'
              : 'ok',
        coldStart,
        logs,
        ...(error ? { error: `${error.errorType}: ${error.errorMessage}` } : {}),
      });
    }
  }

  /**
   * Waits for the environment's init phase; resolves with what is left of the invocation's timeout (all of
   * it when the init ended within its own limit), an init error, or undefined when the timeout ran out first.
   */
  private async initialise(spec: FunctionSpec, slot: Slot): Promise<number | FunctionError | undefined> {
    const timeoutMs = spec.timeoutSeconds * 1000;
    if (slot.initialised) return timeoutMs;
    let outcome = await within(slot.init, this.initTimeoutMs);
    let budgetMs = timeoutMs;
    if (outcome === TIMED_OUT) {
      // Lambda retries an init that overran its 10 s at the first invocation, within that invocation's timeout.
      this.log(
        `${spec.name}: INIT_REPORT Init Duration: ${this.initTimeoutMs} ms Phase: init Status: timeout; ` +
          `the init goes on within the invocation's timeout of ${spec.timeoutSeconds} s`,
      );
      const retried = Date.now();
      outcome = await within(slot.init, timeoutMs);
      if (outcome === TIMED_OUT) return undefined;
      budgetMs = Math.max(1, timeoutMs - (Date.now() - retried));
    }
    if (outcome !== undefined) return outcome;
    slot.initialised = true;
    return budgetMs;
  }

  private run(
    spec: FunctionSpec,
    slot: Slot,
    requestId: string,
    event: unknown,
    budgetMs: number,
  ): Promise<InvokeResult> {
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        slot.pending = undefined;
        void this.retire(spec, slot);
        resolve({ ok: false, error: timedOut(requestId, spec.timeoutSeconds) });
      }, budgetMs);
      slot.pending = {
        id: requestId,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      };
      slot.sandbox.send({ id: requestId, requestId, event, deadline: Date.now() + budgetMs });
    });
  }

  /** Ends every environment. */
  public async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((s) => s.terminate()));
    this.all.clear();
  }

  private async acquire(spec: FunctionSpec): Promise<Slot> {
    const limit = spec.reservedConcurrency ?? DEFAULT_CONCURRENCY;
    while ((this.busy.get(spec.name) ?? 0) >= limit) {
      await new Promise<void>((resolve) => {
        this.waiting.set(spec.name, [...(this.waiting.get(spec.name) ?? []), resolve]);
      });
    }
    this.busy.set(spec.name, (this.busy.get(spec.name) ?? 0) + 1);
    const idle = this.idle.get(spec.name) ?? [];
    for (let slot = idle.pop(); slot; slot = idle.pop()) {
      if (this.all.has(slot.sandbox) && slot.version === this.version(spec)) return slot; // else it ended
    }
    return this.spawn(spec);
  }

  private release(spec: FunctionSpec, slot: Slot): void {
    this.busy.set(spec.name, (this.busy.get(spec.name) ?? 1) - 1);
    if (slot.version !== this.version(spec)) {
      void this.retire(spec, slot);
    } else if (this.all.has(slot.sandbox) && !this.stopped) {
      this.idle.set(spec.name, [...(this.idle.get(spec.name) ?? []), slot]);
    }
    const next = this.waiting.get(spec.name)?.shift();
    next?.();
  }

  private version(spec: FunctionSpec): number {
    return this.versions.get(spec.name) ?? 0;
  }

  private spawn(spec: FunctionSpec): Slot {
    const { entryFile, exportName } = this.entries.get(spec.name) ?? { entryFile: '', exportName: '' };
    const node = this.nodes.get(spec.runtime ?? '');
    const sandbox = startSandbox(
      {
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
      spec.environment,
      node?.execPath,
    );
    this.all.add(sandbox);
    this.count(spec.name, 'coldStarts');
    let settleInit: (error: FunctionError | undefined) => void = () => undefined;
    const slot: Slot = {
      sandbox,
      initLogs: [],
      taken: false,
      version: this.version(spec),
      initialised: false,
      init: new Promise((resolve) => {
        settleInit = resolve;
      }),
    };
    sandbox.onMessage((message: SandboxMessage) => {
      if (message.type === 'ready') {
        settleInit(message.error);
        return;
      }
      if (message.type === 'log') {
        const lines = message.text.replace(/\r?\n$/, '').split(/\r?\n/);
        // Lines written between invocations (a leftover timer) belong to none: dropped from the log.
        const into =
          message.id === undefined
            ? slot.initialised
              ? undefined
              : slot.initLogs
            : this.liveLogs.get(message.id);
        into?.push(...lines);
        return;
      }
      const pending = slot.pending;
      if (pending?.id !== message.id) return;
      slot.pending = undefined;
      pending.resolve(
        message.error ? { ok: false, error: message.error } : { ok: true, payload: message.result },
      );
    });
    sandbox.onExit((reason) => {
      this.all.delete(sandbox);
      const error: FunctionError = { errorType: 'Runtime.ExitError', errorMessage: reason };
      settleInit(error);
      const pending = slot.pending;
      slot.pending = undefined;
      pending?.resolve({ ok: false, error });
    });
    return slot;
  }

  private async retire(spec: FunctionSpec, slot: Slot): Promise<void> {
    this.all.delete(slot.sandbox);
    const idle = this.idle.get(spec.name) ?? [];
    this.idle.set(
      spec.name,
      idle.filter((s) => s !== slot),
    );
    await slot.sandbox.terminate();
  }
}

/** Lambda's error for an invocation that ran out of time. */
function timedOut(requestId: string, timeoutSeconds: number): FunctionError {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** `promise`'s value, or {@link TIMED_OUT} when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => {
          resolve(TIMED_OUT);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function splitHandler(handler: string): [string, string | undefined] {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? [handler, undefined] : [handler.slice(0, dot), handler.slice(dot + 1)];
}
