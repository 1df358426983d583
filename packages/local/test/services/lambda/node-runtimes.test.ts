import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost } from '../../../src/services/lambda/host.js';
import {
  chooseNode,
  describeChoice,
  machineCandidates,
  runtimeMajor,
  type NodeCandidates,
} from '../../../src/services/lambda/node-runtimes.js';

const currentMajor = Number(process.versions.node.split('.')[0]);

/** Candidates with made-up binaries and versions. */
const candidates = (overrides: Partial<NodeCandidates> & { versions?: Record<string, string> }) => ({
  currentVersion: 'v20.20.2',
  env: {},
  packageBinary: undefined,
  versionOf: (binary: string) => overrides.versions?.[binary],
  ...overrides,
});

describe('which Node.js a runtime gets', () => {
  it('reads the major from the runtime name', () => {
    expect([runtimeMajor('nodejs18.x'), runtimeMajor('nodejs24.x'), runtimeMajor('python3.12')]).toEqual([
      18,
      24,
      undefined,
    ]);
  });

  it('runs a runtime on the host process when its major matches', () => {
    // GIVEN a Node 20 host WHEN nodejs20.x is chosen THEN it runs in this process
    expect(chooseNode('nodejs20.x', candidates({}))).toMatchObject({
      source: 'current',
      version: 'v20.20.2',
      execPath: undefined,
    });
  });

  it('prefers CONFLUX_NODE_<major> to the node package, and the node package to a fallback', () => {
    // GIVEN both a variable and the package offering Node 22
    const both = candidates({
      env: { CONFLUX_NODE_22: '/opt/node22/bin/node' },
      packageBinary: '/pkg/node',
      versions: { '/opt/node22/bin/node': 'v22.1.0', '/pkg/node': 'v22.23.3' },
    });
    // WHEN nodejs22.x is chosen with and without the variable
    // THEN the variable wins, then the package
    expect(chooseNode('nodejs22.x', both)).toMatchObject({
      source: 'env',
      execPath: '/opt/node22/bin/node',
      version: 'v22.1.0',
    });
    expect(chooseNode('nodejs22.x', { ...both, env: {} })).toMatchObject({
      source: 'node-package',
      execPath: '/pkg/node',
      version: 'v22.23.3',
    });
  });

  it('skips a CONFLUX_NODE_<major> of another major and a package of another major', () => {
    // GIVEN a variable pointing at Node 22 for 24, and the package being Node 22
    const wrong = candidates({
      env: { CONFLUX_NODE_24: '/opt/node22/bin/node' },
      packageBinary: '/pkg/node',
      versions: { '/opt/node22/bin/node': 'v22.1.0', '/pkg/node': 'v22.23.3' },
    });
    // WHEN nodejs24.x is chosen
    const choice = chooseNode('nodejs24.x', wrong);
    // THEN it falls back to the host process, with a warning naming both versions
    expect(choice).toMatchObject({ source: 'fallback', execPath: undefined, wantedMajor: 24 });
    expect(describeChoice(choice)).toBe(
      'warning: nodejs24.x asks for Node.js 24 but none was found (set CONFLUX_NODE_24 to its binary); running it on Node.js v20.20.2',
    );
  });
});

/** A Node binary of another major than this process's: the node package's, or one on PATH. */
function otherNode(): { major: number; binary: string } | undefined {
  const seen = new Set<string>();
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.split(path.sep).includes('node_modules'))
    .map((dir) => path.join(dir, 'node'));
  for (const binary of [machineCandidates().packageBinary, ...onPath]) {
    if (!binary || seen.has(binary) || !existsSync(binary)) continue;
    seen.add(binary);
    const version = machineCandidates().versionOf(binary);
    const major = Number(/^v(\d+)/.exec(version ?? '')?.[1]);
    if (major && major !== currentMajor) return { major, binary };
  }
  return undefined;
}

const other = otherNode();

describe.skipIf(other === undefined)('a function on another Node.js major, in a child process', () => {
  const { major, binary } = other ?? { major: 0, binary: '' };
  const lines: string[] = [];
  const host = new LambdaHost({
    log: (line) => lines.push(line),
    nodeFor: (runtime) =>
      chooseNode(runtime, { ...machineCandidates(), env: { [`CONFLUX_NODE_${major}`]: binary } }),
  });
  afterAll(async () => {
    await host.stop();
  });
  const register = (
    name: string,
    files: Record<string, string>,
    extra: { reservedConcurrency?: number } = {},
  ) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'conflux-node-'));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    host.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: dir,
      handler: 'index.handler',
      runtime: `nodejs${major}.x`,
      timeoutSeconds: 1,
      memorySize: 128,
      environment: { GREETING: 'hello', AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}` },
      ...extra,
    });
  };

  it('runs on the Node.js its runtime names, with its own environment and Lambda context', async () => {
    // GIVEN a function on the other major
    register('versioned', {
      'index.js': `exports.handler = async (e, context) => ({ version: process.version, pid: process.pid,
        greeting: process.env.GREETING, path: process.env.PATH ?? null, group: context.logGroupName,
        left: context.getRemainingTimeInMillis() > 0, echo: e });`,
    });
    // WHEN it is invoked
    const result = await host.invoke('versioned', { n: 1 });
    // THEN it ran on that Node, in another process, with only the function's environment
    expect(result).toMatchObject({
      ok: true,
      payload: {
        version: expect.stringMatching(new RegExp(`^v${major}\\.`)) as unknown,
        greeting: 'hello',
        path: null,
        group: '/aws/lambda/versioned',
        left: true,
        echo: { n: 1 },
      },
    });
    expect((result as { payload: { pid: number } }).payload.pid).not.toBe(process.pid);
    expect(host.runtimeOf('versioned')).toMatchObject({ source: 'env', execPath: binary });
    expect(lines).toContain(
      `[lambda] nodejs${major}.x runs on Node.js ${machineCandidates().versionOf(binary)}, in child processes (CONFLUX_NODE_${major})`,
    );
  });

  it('times an invocation out and starts a fresh process for the next', async () => {
    // GIVEN a handler that can hang
    register('hanging', {
      'index.js':
        'exports.handler = async (e) => { if (e.hang) await new Promise(() => {}); return process.pid; };',
    });
    const first = await host.invoke('hanging', {});
    // WHEN it hangs past its 1 s timeout
    const hung = await host.invoke('hanging', { hang: true });
    const next = await host.invoke('hanging', {});
    // THEN Lambda's timeout error comes back and the next invocation runs in a new process
    expect(hung).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    expect(next.ok && first.ok && next.payload !== first.payload).toBe(true);
    expect(host.stats('hanging')).toEqual({ invocations: 3, coldStarts: 2 });
  });

  it('keeps the reserved concurrency: a second invocation waits for the one environment', async () => {
    // GIVEN a function with a reserved concurrency of 1
    register(
      'single',
      {
        'index.js':
          'let n = 0; exports.handler = async () => { n += 1; await new Promise((r) => setTimeout(r, 100)); return n; };',
      },
      { reservedConcurrency: 1 },
    );
    // WHEN it is invoked twice at once
    const results = await Promise.all([host.invoke('single', {}), host.invoke('single', {})]);
    // THEN both ran, one after the other, in the same process
    expect(results).toEqual([
      { ok: true, payload: 1 },
      { ok: true, payload: 2 },
    ]);
    expect(host.stats('single').coldStarts).toBe(1);
  });

  it('reports a process that exits as Runtime.ExitError, and resolves the provided SDK for ES modules', async () => {
    // GIVEN a function that exits, and an ES module one that imports the provided SDK
    register('exiting', { 'index.js': 'exports.handler = async () => process.exit(3);' });
    register('esm', {
      'index.mjs':
        'import { SQSClient } from "@aws-sdk/client-sqs"; export const handler = async () => typeof SQSClient;',
    });
    // WHEN both are invoked
    // THEN the exit is an error of the runtime, and the import resolved
    expect(await host.invoke('exiting', {})).toMatchObject({
      ok: false,
      error: {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited with code 3 without providing a reason',
      },
    });
    expect(await host.invoke('esm', {})).toEqual({ ok: true, payload: 'function' });
  });
});

describe('a runtime with no matching Node.js', () => {
  it('runs on the host process, after a warning naming both versions', async () => {
    // GIVEN no Node 18 anywhere
    const lines: string[] = [];
    const host = new LambdaHost({
      log: (line) => lines.push(line),
      nodeFor: (runtime) =>
        chooseNode(runtime, { ...machineCandidates(), env: {}, packageBinary: undefined }),
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'conflux-node-'));
    writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => process.version;');
    host.register({
      name: 'old',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:old',
      codeDir: dir,
      handler: 'index.handler',
      runtime: 'nodejs18.x',
      timeoutSeconds: 3,
      memorySize: 128,
      environment: {},
    });
    // WHEN it is invoked
    const result = await host.invoke('old', {});
    await host.stop();
    // THEN it ran on this process's Node, and the warning said so once
    expect(result).toEqual({ ok: true, payload: process.version });
    expect(lines).toEqual([
      `[lambda] warning: nodejs18.x asks for Node.js 18 but none was found (set CONFLUX_NODE_18 to its binary); running it on Node.js ${process.version}`,
    ]);
    expect(host.runtimeOf('old')).toMatchObject({ source: 'fallback' });
  });
});

it('the node package installs a working Node.js 22', () => {
  // GIVEN the node dependency of @conflux/local
  const binary = machineCandidates().packageBinary;
  // THEN its binary runs and is Node 22
  expect(binary).toBeDefined();
  expect(execFileSync(binary ?? '', ['-p', 'process.versions.node'], { encoding: 'utf8' })).toMatch(/^22\./);
});
