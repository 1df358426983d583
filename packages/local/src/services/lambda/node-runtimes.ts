import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The Node.js a function's `Runtime` runs on, and where it came from. */
export interface NodeChoice {
  /** The Lambda runtime asked for, e.g. `nodejs22.x`; undefined when the function named none. */
  readonly runtime: string | undefined;
  /** The Node.js major the runtime names (`nodejs22.x` → 22), or undefined for none. */
  readonly wantedMajor: number | undefined;
  /** `process.version` of the Node that runs the function, e.g. `v22.23.3`. */
  readonly version: string;
  /** The Node binary of a child process, or undefined when the function runs in the host's own process. */
  readonly execPath: string | undefined;
  /**
   * Where the binary came from: the host's own process, a `CONFLUX_NODE_<major>` variable, the `node`
   * package this package depends on, or — when none has the major — the host's process as a fallback.
   */
  readonly source: 'current' | 'env' | 'node-package' | 'fallback';
}

/** What {@link chooseNode} may look at; tests pass their own. */
export interface NodeCandidates {
  /** The host process's `process.version`. */
  readonly currentVersion: string;
  /** Environment of the host (for `CONFLUX_NODE_<major>`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The `node` package's binary, if installed. */
  readonly packageBinary: string | undefined;
  /** The `--version` of a binary, or undefined when it does not run. */
  versionOf(binary: string): string | undefined;
}

const majorOf = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);

/** The Node.js major a Lambda runtime name names: `nodejs20.x` → 20; undefined for another runtime. */
export function runtimeMajor(runtime: string | undefined): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Picks the Node.js for a runtime, in this order: the host's own process if its major matches (the function
 * runs in a worker thread), else `CONFLUX_NODE_<major>`, else the `node` package's binary if its major
 * matches, else the host's own process with a warning (`fallback`).
 */
export function chooseNode(runtime: string | undefined, candidates: NodeCandidates): NodeChoice {
  const wantedMajor = runtimeMajor(runtime);
  const current = { runtime, wantedMajor, version: candidates.currentVersion, execPath: undefined };
  if (wantedMajor === undefined || majorOf(candidates.currentVersion) === wantedMajor) {
    return { ...current, source: 'current' };
  }
  const fromEnv = candidates.env[`CONFLUX_NODE_${wantedMajor}`];
  if (fromEnv) {
    const version = candidates.versionOf(fromEnv);
    if (version !== undefined && majorOf(version) === wantedMajor) {
      return { runtime, wantedMajor, version, execPath: fromEnv, source: 'env' };
    }
  }
  const bundled = candidates.packageBinary;
  if (bundled) {
    const version = candidates.versionOf(bundled);
    if (version !== undefined && majorOf(version) === wantedMajor) {
      return { runtime, wantedMajor, version, execPath: bundled, source: 'node-package' };
    }
  }
  return { ...current, source: 'fallback' };
}

/** The line the host prints once per distinct runtime: which Node it runs, or the warning of a fallback. */
export function describeChoice(choice: NodeChoice): string {
  const runtime = choice.runtime ?? 'a function with no Runtime';
  if (choice.source === 'fallback') {
    return (
      `warning: ${runtime} asks for Node.js ${choice.wantedMajor ?? '?'} but none was found ` +
      `(set CONFLUX_NODE_${choice.wantedMajor ?? '<major>'} to its binary); running it on Node.js ${choice.version}`
    );
  }
  const where =
    choice.source === 'current'
      ? 'in worker threads of this process'
      : `in child processes (${choice.source === 'env' ? `CONFLUX_NODE_${choice.wantedMajor}` : 'the node package'})`;
  return `${runtime} runs on Node.js ${choice.version}, ${where}`;
}

const versions = new Map<string, string | undefined>();

/** The candidates of this machine: this process, its environment, the `node` package; versions cached. */
export function machineCandidates(): NodeCandidates {
  return {
    currentVersion: process.version,
    env: process.env,
    packageBinary: nodePackageBinary(),
    versionOf(binary) {
      if (!versions.has(binary)) {
        let version: string | undefined;
        try {
          version = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
        } catch {
          version = undefined;
        }
        versions.set(binary, version);
      }
      return versions.get(binary);
    },
  };
}

function nodePackageBinary(): string | undefined {
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('node/package.json'));
    const binary = path.join(dir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}
