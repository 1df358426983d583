import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_LOG_ENV as CONSTRUCTS_BUNDLE_LOG_ENV,
  bundledCode,
  serviceBundling,
} from '../../packages/constructs/src/service-function/index.js';
import { readCloudAssembly } from '../../packages/local/src/core/cloud-assembly.js';
import { BUNDLE_LOG_ENV, HotReloader, type ReloadOutcome } from '../../packages/local/src/cli/watch.js';
import { runApp, type RunningApp } from '../support/runtime.js';

/** A function of the project in `root`, bundled by Conflux's bundler from `fn/handler.ts`. */
function greeter(stack: Stack, root: string, timeout = 3): lambda.Function {
  return new lambda.Function(stack, 'Greeter', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: bundledCode(path.join(root, 'fn', 'handler.ts'), serviceBundling),
    timeout: Duration.seconds(timeout),
  });
}

/** Synthesizes `build` into a folder of its own, with the bundler recording into `bundleLog`. */
function withBundleLog<T>(bundleLog: string, run: () => T): T {
  process.env[BUNDLE_LOG_ENV] = bundleLog;
  try {
    return run();
  } finally {
    Reflect.deleteProperty(process.env, BUNDLE_LOG_ENV);
  }
}

/**
 * `conflux local --watch` over a running app: a saved source of a function's bundle rebuilds that bundle
 * alone and the running function serves it; a template change is compared and said.
 */
describe('hot reload', () => {
  let root: string;
  let bundleLog: string;
  let running: RunningApp;
  let fn: lambda.Function;
  let reloader: HotReloader;
  const logs: string[] = [];
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const greeting = async () => {
    const result = await running.runtime.host.invoke(running.physical(fn), {});
    return result.ok ? result.payload : result.error;
  };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'conflux-hot-'));
    bundleLog = path.join(root, '.conflux', 'bundles');
    write('fn/message.ts', "export const message = 'v1';\n");
    write(
      'fn/handler.ts',
      "import { message } from './message';\nexport const handler = async () => ({ message });\n",
    );
    running = await withBundleLog(bundleLog, () =>
      runApp((app) => {
        fn = greeter(new Stack(app, 'Hot'), root);
      }),
    );
    reloader = new HotReloader({
      root,
      host: running.runtime.host,
      bundleLog,
      hotDir: path.join(root, '.conflux', 'hot'),
      stacks: [],
      resources: running.runtime.resources,
      isSource: () => false,
      resynth: () => Promise.reject(new Error('not in this test')),
      log: (line) => logs.push(line),
      debounceMs: 20,
    });
  });
  afterAll(async () => {
    await reloader.stop();
    await running.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('names the same environment variable in the bundler and the watcher', () => {
    expect(CONSTRUCTS_BUNDLE_LOG_ENV).toBe(BUNDLE_LOG_ENV);
  });

  it('tracks the function whose bundle the bundler recorded', async () => {
    // THEN the one function of the app rebuilds without a synth, and runs the synthesized code
    expect(reloader.tracked).toBe(1);
    expect(await greeting()).toEqual({ message: 'v1' });
  });

  it('serves a changed import of the handler after one rebuild, and nothing else is touched', async () => {
    // GIVEN a file the bundle was built from, changed
    write('fn/message.ts', "export const message = 'v2';\n");

    // WHEN the watcher reloads it, and a file of no bundle
    const outcome = await reloader.reload(['fn/message.ts', 'README.md']);

    // THEN the function runs the new code
    expect(outcome).toMatchObject({
      reloaded: [running.physical(fn)],
      needsRestart: [],
      errors: [],
    });
    expect(await greeting()).toEqual({ message: 'v2' });
  });

  it('follows a new import: the rebuilt bundle’s inputs are its own', async () => {
    // GIVEN the handler now imports a file it did not
    write('fn/extra.ts', "export const extra = 'x1';\n");
    write(
      'fn/handler.ts',
      "import { message } from './message';\nimport { extra } from './extra';\nexport const handler = async () => ({ message, extra });\n",
    );
    await reloader.reload(['fn/handler.ts']);

    // WHEN the new import changes
    write('fn/extra.ts', "export const extra = 'x2';\n");
    const outcome = await reloader.reload(['fn/extra.ts']);

    // THEN that change reloads the function too
    expect(outcome.reloaded).toEqual([running.physical(fn)]);
    expect(await greeting()).toEqual({ message: 'v2', extra: 'x2' });
  });

  it('keeps the running code when the new code does not build, and says where it fails', async () => {
    // GIVEN a syntax error in a source of the bundle
    write('fn/extra.ts', "export const extra = 'x3\n");

    // WHEN it is reloaded
    const outcome = await reloader.reload(['fn/extra.ts']);

    // THEN nothing was swapped, the error names the file, and the function answers as before
    expect(outcome.reloaded).toEqual([]);
    expect(outcome.errors.join('\n')).toContain('extra.ts:1');
    expect(await greeting()).toEqual({ message: 'v2', extra: 'x2' });
    write('fn/extra.ts', "export const extra = 'x2';\n");
  });

  it('sees a save on disk through its folder watchers, also a save by rename as editors do', async () => {
    // GIVEN the watcher is running
    reloader.start();
    const next = () =>
      new Promise<ReloadOutcome>((resolve) => {
        const off = reloader.onReload((outcome) => {
          off();
          resolve(outcome);
        });
      });

    // WHEN a source is written in place
    let reloaded = next();
    write('fn/message.ts', "export const message = 'v3';\n");
    expect((await reloaded).reloaded).toEqual([running.physical(fn)]);

    // AND then replaced by a rename
    reloaded = next();
    write('fn/message.ts.tmp', "export const message = 'v4';\n");
    rmSync(path.join(root, 'fn', 'message.ts'));
    writeFileSync(path.join(root, 'fn', 'message.ts'), "export const message = 'v4';\n");
    rmSync(path.join(root, 'fn', 'message.ts.tmp'));
    await reloaded;

    // THEN the function serves the last save
    expect(await greeting()).toEqual({ message: 'v4', extra: 'x2' });
  });
});

describe('hot reload of a template change', () => {
  it('swaps a function whose code changed and lists every other change as needing a restart', async () => {
    // GIVEN a running app of a function and a queue
    const root = mkdtempSync(path.join(tmpdir(), 'conflux-hot-template-'));
    const bundleLog = path.join(root, 'bundles');
    writeFileSync(path.join(root, 'stack.ts'), '// the app\n');
    mkdirSync(path.join(root, 'fn'));
    const handler = (message: string) => {
      writeFileSync(
        path.join(root, 'fn', 'handler.ts'),
        `export const handler = async () => ({ message: '${message}' });\n`,
      );
    };
    const synth = (visibility: number): string => {
      const outdir = mkdtempSync(path.join(root, 'cdk.out-'));
      withBundleLog(bundleLog, () => {
        const app = new App({ outdir });
        const stack = new Stack(app, 'Hot');
        greeter(stack, root);
        new sqs.Queue(stack, 'Jobs', {
          visibilityTimeout: Duration.seconds(visibility),
          enforceSSL: true,
        });
        app.synth();
      });
      return outdir;
    };
    handler('before');
    const before = synth(30);
    const { startRuntime } = await import('../../packages/local/src/core/runtime.js');
    const runtime = await startRuntime({ cdkOut: before, stateDir: path.join(root, '.conflux'), port: 0 });
    const name =
      runtime.resources[Object.keys(runtime.resources).find((k) => /^Greeter[0-9A-F]{8}$/.test(k)) ?? ''];
    try {
      const reloader = new HotReloader({
        root,
        host: runtime.host,
        bundleLog,
        hotDir: path.join(root, 'hot'),
        stacks: readCloudAssembly(before),
        resources: runtime.resources,
        isSource: (file) => file.endsWith('.ts'),
        // WHEN the app changes both the function's code and the queue, and synthesizes again
        resynth: () => {
          handler('after');
          return Promise.resolve(readCloudAssembly(synth(60)));
        },
        log: () => undefined,
      });
      const outcome = await reloader.reload(['stack.ts']);

      // THEN the function serves the new code, and the queue is said to need a restart
      expect(outcome.reloaded).toEqual([name]);
      expect(outcome.needsRestart).toEqual([
        expect.stringMatching(/^Hot\/Jobs[0-9A-F]{8} \(AWS::SQS::Queue\)$/),
      ]);
      const result = await runtime.host.invoke(name ?? '', {});
      expect(result).toEqual({ ok: true, payload: { message: 'after' } });
    } finally {
      await runtime.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('applies a function’s new environment and timeout in place, and asks for a restart for other configuration', async () => {
    // GIVEN a running function that answers with its STAGE and NOTE variables and its time left
    const root = mkdtempSync(path.join(tmpdir(), 'conflux-hot-config-'));
    writeFileSync(path.join(root, 'stack.ts'), '// the app\n');
    mkdirSync(path.join(root, 'fn'));
    writeFileSync(
      path.join(root, 'fn', 'handler.ts'),
      'export const handler = async (_e: unknown, c: { getRemainingTimeInMillis(): number }) => ' +
        '({ stage: process.env.STAGE, note: process.env.NOTE ?? null, left: c.getRemainingTimeInMillis() });\n',
    );
    const synth = (props: { stage: string; note?: string; timeout: number; description?: string }) => {
      const outdir = mkdtempSync(path.join(root, 'cdk.out-'));
      const app = new App({ outdir });
      const fn = greeter(new Stack(app, 'Hot'), root, props.timeout);
      fn.addEnvironment('STAGE', props.stage);
      if (props.note) fn.addEnvironment('NOTE', props.note);
      if (props.description) (fn.node.defaultChild as lambda.CfnFunction).description = props.description;
      app.synth();
      return outdir;
    };
    const before = synth({ stage: 'one', timeout: 3 });
    const { startRuntime } = await import('../../packages/local/src/core/runtime.js');
    const runtime = await startRuntime({ cdkOut: before, stateDir: path.join(root, '.conflux'), port: 0 });
    const name =
      runtime.resources[Object.keys(runtime.resources).find((k) => /^Greeter[0-9A-F]{8}$/.test(k)) ?? ''] ??
      '';
    let next = synth({ stage: 'two', note: 'new', timeout: 20 });
    const reloader = new HotReloader({
      root,
      host: runtime.host,
      bundleLog: path.join(root, 'bundles'),
      hotDir: path.join(root, 'hot'),
      stacks: readCloudAssembly(before),
      resources: runtime.resources,
      isSource: (file) => file.endsWith('.ts'),
      resynth: () => Promise.resolve(readCloudAssembly(next)),
      log: () => undefined,
    });
    try {
      expect(await runtime.host.invoke(name, {})).toMatchObject({ payload: { stage: 'one', note: null } });

      // WHEN the template changes STAGE, adds NOTE and raises the timeout
      const outcome = await reloader.reload(['stack.ts']);

      // THEN the function runs with them, and nothing needs a restart
      expect(outcome.reconfigured).toEqual([`${name} (environment STAGE, environment NOTE, timeout 20 s)`]);
      expect(outcome.needsRestart).toEqual([]);
      const result = await runtime.host.invoke(name, {});
      expect(result).toMatchObject({ ok: true, payload: { stage: 'two', note: 'new' } });
      expect((result as { payload: { left: number } }).payload.left).toBeGreaterThan(10_000);

      // WHEN another property of the function changes too
      next = synth({ stage: 'three', note: 'new', timeout: 20, description: 'described' });
      const other = await reloader.reload(['stack.ts']);

      // THEN it is said to need a restart, and the running configuration stays as it was
      expect(other.reconfigured).toEqual([]);
      expect(other.needsRestart).toEqual([
        expect.stringMatching(/^Hot\/Greeter[0-9A-F]{8} \(configuration\)$/),
      ]);
      expect(await runtime.host.invoke(name, {})).toMatchObject({ payload: { stage: 'two' } });
    } finally {
      await reloader.stop();
      await runtime.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
