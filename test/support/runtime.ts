import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  startRuntime,
  type RunningRuntime,
  type RuntimeOptions,
} from '../../packages/local/src/core/runtime';
import { cdkJsonContext } from './cdk';

/** A synthesized app running on the offline runtime, with a way to find its resources by construct. */
export interface RunningApp {
  readonly runtime: RunningRuntime;
  /** Physical name, URL or ARN of the CloudFormation resource behind `construct`. */
  physical(construct: IConstruct): string;
  stop(): Promise<void>;
}

/**
 * Synthesizes `build`'s app (with bundling, as `cdk synth` does) into a temporary cloud assembly and runs it
 * offline with the gateway on a free port.
 */
export async function runApp(
  build: (app: App) => void,
  options: Partial<RuntimeOptions> & { context?: Record<string, unknown> } = {},
): Promise<RunningApp> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-app-'));
  const { context, ...runtimeOptions } = options;
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  build(app);
  app.synth();
  const runtime = await startRuntime({
    cdkOut: outdir,
    stateDir: path.join(outdir, '.conflux'),
    port: 0,
    ...runtimeOptions,
  });
  return {
    runtime,
    physical(construct) {
      const element = construct.node.defaultChild ?? construct;
      if (!CfnElement.isCfnElement(element))
        throw new Error(`${construct.node.path} is not a CloudFormation resource`);
      const stack = Stack.of(element);
      const id = stack.getLogicalId(element);
      const value = runtime.resources[id] ?? runtime.resources[`${stack.artifactId}/${id}`];
      if (value === undefined) throw new Error(`no running resource for ${construct.node.path} (${id})`);
      return value;
    },
    async stop() {
      await runtime.stop();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
