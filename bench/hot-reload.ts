/**
 * What `conflux local --watch` costs from a save to the new code serving, with a baseline from the same run:
 * the hot path (rebuild the one bundle whose source changed, swap the function, its first invocation on the
 * new code) against what a reload through a synth pays for the same change (`cdk synth` of the reference
 * app without validation, before any engine or resource starts).
 *
 *   npx tsx bench/hot-reload.ts          (HOT_RUNS=10, SYNTH_RUNS=3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundledCode, serviceBundling } from '@conflux/constructs';
import { BUNDLE_LOG_ENV, HotReloader, startRuntime } from '@conflux/local';
import { synthesize } from './support/assembly';
import { figure, formatFigure, stats, type Benchmark } from './support/figures';
import { isMain } from './support/main';

const root = path.resolve(import.meta.dirname, '..');
const HOT_RUNS = Number(process.env.HOT_RUNS ?? 10);
const SYNTH_RUNS = Number(process.env.SYNTH_RUNS ?? 3);
/** The reference app's health function and the file its domain is in. */
const ENTRY = path.join(root, 'app', 'functions', 'platform', 'health.handler.ts');
const CHANGED = 'app/functions/platform/domain.ts';

export const benchmark: Benchmark = {
  group: 'hot-reload',
  async run() {
    const work = mkdtempSync(path.join(tmpdir(), 'conflux-bench-hot-'));
    const bundleLog = path.join(work, 'bundles');
    const cdkOut = path.join(work, 'cdk.out');
    process.env[BUNDLE_LOG_ENV] = bundleLog;
    try {
      const app = new App({ outdir: cdkOut });
      new lambda.Function(new Stack(app, 'Hot'), 'Health', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: bundledCode(ENTRY, serviceBundling),
        timeout: Duration.seconds(3),
        environment: { SERVICE_VERSION: 'bench' },
      });
      app.synth();
    } finally {
      Reflect.deleteProperty(process.env, BUNDLE_LOG_ENV);
    }
    const runtime = await startRuntime({ cdkOut, stateDir: path.join(work, '.conflux'), port: 0 });
    try {
      const name = runtime.host.specs()[0]?.name ?? '';
      const reloader = new HotReloader({
        root,
        host: runtime.host,
        bundleLog,
        hotDir: path.join(work, 'hot'),
        stacks: [],
        resources: runtime.resources,
        isSource: () => false,
        resynth: () => Promise.reject(new Error('the benchmark reloads bundles only')),
        log: () => undefined,
      });
      if (reloader.tracked !== 1) throw new Error(`expected 1 tracked function, found ${reloader.tracked}`);
      await runtime.host.invoke(name, { requestContext: { requestId: 'bench' } });
      const hot: number[] = [];
      for (let i = 0; i < HOT_RUNS; i += 1) {
        const t0 = performance.now();
        const outcome = await reloader.reload([CHANGED], t0);
        const answer = await runtime.host.invoke(name, { requestContext: { requestId: 'bench' } });
        if (outcome.reloaded.length !== 1 || !answer.ok) throw new Error('the hot reload did not serve');
        hot.push(performance.now() - t0);
      }
      const synth: number[] = [];
      for (let i = 0; i < SYNTH_RUNS; i += 1) {
        process.stderr.write(`hot-reload: synth ${i + 1}/${SYNTH_RUNS}\n`);
        synth.push(synthesize(root, path.join(work, `synth-${i}`), { CDK_VALIDATION: 'false' }));
      }
      return [
        figure({
          id: 'hot-reload.function.ms',
          group: 'hot-reload',
          title: 'hot reload of one function: rebuild its bundle, swap it, first invocation on the new code',
          unit: 'ms',
          better: 'lower',
          subject: stats(hot),
          baseline: {
            label: 'a synth of the reference app (reload by synth, no validation)',
            stats: stats(synth),
          },
        }),
      ];
    } finally {
      await runtime.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
