/**
 * What a synth costs, each figure with a baseline from the same run:
 *  1. `cdk synth` of the whole reference app against the smallest Conflux app (one stack, one function, the
 *     same cdk-nag packs), with aws-cdk-lib's built-in CloudFormation validation and without it;
 *  2. the validation itself: the whole app with it against without;
 *  3. bundling every handler of the app: in process, one after the other (what a synth does now), against
 *     `npx --no-install esbuild` per handler (what `NodejsFunction` does); and one esbuild call over every
 *     entry at once (esbuild bundles them in parallel) against the sequential in-process bundling.
 * Runs are interleaved (whole app, one function, whole app, …) so drift hits both sides.
 *
 *   npx tsx bench/synth.ts          (SYNTH_RUNS=3)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, buildSync } from 'esbuild';
import { esbuildOptions, serviceBundling } from '@conflux/constructs';
import { synthesize } from './support/assembly';
import { figure, formatFigure, stats, type Benchmark } from './support/figures';
import { isMain } from './support/main';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.SYNTH_RUNS ?? 3);
const ONE_FUNCTION_APP = 'npx tsx bench/fixtures/one-function/app.ts';

/** Every `app/functions/<context>/<purpose>.handler.ts`. */
function handlerEntries(): string[] {
  const functions = path.join(root, 'app', 'functions');
  return readdirSync(functions, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(functions, d.name))
        .filter((f) => f.endsWith('.handler.ts'))
        .map((f) => path.join(functions, d.name, f)),
    );
}

export const benchmark: Benchmark = {
  group: 'synth',
  async run() {
    const work = mkdtempSync(path.join(tmpdir(), 'conflux-bench-synth-'));
    try {
      let n = 0;
      const out = () => path.join(work, `out-${(n += 1)}`);
      const whole: number[] = [];
      const wholeUnvalidated: number[] = [];
      const one: number[] = [];
      const oneUnvalidated: number[] = [];
      for (let round = 0; round < RUNS; round += 1) {
        process.stderr.write(`synth: round ${round + 1}/${RUNS}\n`);
        whole.push(synthesize(root, out()));
        one.push(synthesize(root, out(), {}, ['--app', ONE_FUNCTION_APP]));
        wholeUnvalidated.push(synthesize(root, out(), { CDK_VALIDATION: 'false' }));
        oneUnvalidated.push(
          synthesize(root, out(), { CDK_VALIDATION: 'false' }, ['--app', ONE_FUNCTION_APP]),
        );
      }

      const entries = handlerEntries();
      const options = { ...esbuildOptions(serviceBundling), logLevel: 'silent' as const };
      const sequential: number[] = [];
      const parallel: number[] = [];
      const viaNpx: number[] = [];
      for (let round = 0; round < RUNS; round += 1) {
        process.stderr.write(`synth: bundling round ${round + 1}/${RUNS}\n`);
        let t0 = performance.now();
        for (const [i, entry] of entries.entries())
          buildSync({
            ...options,
            entryPoints: [entry],
            outfile: path.join(work, 'seq', String(i), 'index.js'),
          });
        sequential.push(performance.now() - t0);
        t0 = performance.now();
        await build({
          ...options,
          entryPoints: entries.map((entry, i) => ({ in: entry, out: `${i}/index` })),
          outdir: path.join(work, 'par'),
        });
        parallel.push(performance.now() - t0);
        t0 = performance.now();
        for (const [i, entry] of entries.entries())
          execFileSync(
            'npx',
            [
              '--no-install',
              'esbuild',
              '--bundle',
              entry,
              '--platform=node',
              '--format=cjs',
              '--target=node22',
              '--minify',
              '--main-fields=module,main',
              '--external:@aws-sdk/*',
              '--loader:.avsc=json',
              `--outfile=${path.join(work, 'npx', String(i), 'index.js')}`,
              '--log-level=error',
            ],
            { cwd: root, stdio: 'ignore' },
          );
        viaNpx.push(performance.now() - t0);
      }

      const oneFn = { label: 'one-function app', stats: stats(one) };
      return [
        figure({
          id: 'synth.whole-app.ms',
          group: 'synth',
          title: 'cdk synth of the reference app (validated, as npm run synth)',
          unit: 'ms',
          better: 'lower',
          subject: stats(whole),
          baseline: oneFn,
        }),
        figure({
          id: 'synth.whole-app.unvalidated.ms',
          group: 'synth',
          title: 'cdk synth of the reference app with CDK_VALIDATION=false',
          unit: 'ms',
          better: 'lower',
          subject: stats(wholeUnvalidated),
          baseline: { label: 'one-function app, CDK_VALIDATION=false', stats: stats(oneUnvalidated) },
        }),
        figure({
          id: 'synth.validation.ms',
          group: 'synth',
          title: "the reference app's synth with aws-cdk-lib's CloudFormation validation",
          unit: 'ms',
          better: 'lower',
          subject: stats(whole),
          baseline: { label: 'without it', stats: stats(wholeUnvalidated) },
          withDelta: true,
        }),
        figure({
          id: 'synth.bundling.in-process.ms',
          group: 'synth',
          title: `bundling the ${entries.length} app handlers in process, one after the other (as synth does)`,
          unit: 'ms',
          better: 'lower',
          subject: stats(sequential),
          baseline: { label: 'npx esbuild per handler (NodejsFunction)', stats: stats(viaNpx) },
        }),
        figure({
          id: 'synth.bundling.parallel.ms',
          group: 'synth',
          title: `one esbuild call over all ${entries.length} handlers (bundled in parallel)`,
          unit: 'ms',
          better: 'lower',
          subject: stats(parallel),
          baseline: { label: 'in process, one after the other', stats: stats(sequential) },
        }),
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
