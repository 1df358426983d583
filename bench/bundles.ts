/**
 * What each deployed handler costs at a cold start: its code asset's bytes (what Lambda downloads and
 * unpacks) and the time to load the bundle and run its module scope in a fresh Node process, each against an
 * empty handler built the same way (the floor). Then what the two opt-ins of `createServiceFunction` cost on
 * the largest handler: a bundled AWS SDK (`bundleAwsSdk`) and source maps (`sourceMaps`, which ships the map
 * and starts Node with `--enable-source-maps`).
 *
 * The functions are the app as `cdk synth` makes it, read from the cloud assembly. The AWS SDK is resolved
 * the way Lambda resolves it (`NODE_PATH` to the runtime's copy; here the project's installed SDK). The Node
 * binary is this process's, or `BENCH_NODE` (e.g. a Node 22 to match the `nodejs22.x` runtime).
 *
 *   npx tsx bench/bundles.ts        (BUNDLE_RUNS=7)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { bundlingFor, esbuildOptions, type BundleChoices } from '@conflux/constructs';
import { deployedFunctions, providedSdkDir, synthesize, type DeployedFunction } from './support/assembly';
import { exact, figure, formatFigure, stats, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BUNDLE_RUNS ?? 7);
const NODE = process.env.BENCH_NODE ?? process.execPath;
/** The handler the opt-in costs are measured on: the largest one (it validates events with avsc). */
const LARGEST_ENTRY = 'app/functions/inventory/restock.handler.ts';

/** Loads `file` in a fresh Node process the way the Lambda runtime does (CommonJS) and times its module scope. */
function initMs(
  file: string,
  exportName: string,
  environment: Readonly<Record<string, string>>,
  sdkDir: string,
  nodeOptions: string[] = [],
): number {
  const script = `const t0 = performance.now();
const mod = require(${JSON.stringify(file)});
const ms = performance.now() - t0;
if (typeof mod[${JSON.stringify(exportName)}] !== 'function') throw new Error('no handler export');
process.stdout.write(String(ms));`;
  const out = execFileSync(NODE, [...nodeOptions, '--no-warnings', '-e', script], {
    env: {
      PATH: process.env.PATH,
      NODE_PATH: sdkDir,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      ...environment,
    },
    encoding: 'utf8',
  });
  return Number(out);
}

/** The esbuild options `createServiceFunction` bundles with, for these choices. */
function esbuildFor(choices: BundleChoices): BuildOptions {
  return { ...esbuildOptions(bundlingFor(choices)), logLevel: 'silent' };
}

async function buildInto(dir: string, entry: string, options: BuildOptions): Promise<string> {
  const outfile = path.join(dir, 'index.js');
  await build({ ...options, entryPoints: [entry], outfile });
  return outfile;
}

const bytesOf = (...files: string[]) =>
  files.reduce((sum, f) => {
    try {
      return sum + statSync(f).size;
    } catch {
      return sum;
    }
  }, 0);

export const benchmark: Benchmark = {
  group: 'bundles',
  async run() {
    const work = mkdtempSync(path.join(tmpdir(), 'conflux-bench-bundles-'));
    try {
      const outdir = path.join(work, 'cdk.out');
      process.stderr.write('bundles: synthesizing the app…\n');
      synthesize(root, outdir, { CDK_VALIDATION: 'false' });
      const functions = deployedFunctions(outdir);
      const sdkDir = providedSdkDir(root);

      // The floor: an empty handler, bundled the same way.
      const emptyDir = path.join(work, 'empty');
      const emptySource = path.join(work, 'empty.ts');
      writeFileSync(emptySource, 'export const handler = async () => ({ statusCode: 200 });\n');
      const emptyFile = await buildInto(emptyDir, emptySource, esbuildFor({}));
      const empty = { file: emptyFile, bytes: bytesOf(emptyFile) };
      // What the runtime's SDK costs by itself: a handler that only creates a DynamoDB client.
      const sdkSource = path.join(work, 'sdk-floor.ts');
      writeFileSync(
        sdkSource,
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nconst client = new DynamoDBClient({});\nexport const handler = async () => ({ statusCode: client ? 200 : 500 });\n",
      );
      const sdkFloorFile = await buildInto(path.join(work, 'sdk-floor'), sdkSource, esbuildFor({}));

      // The opt-ins, on the largest handler.
      const entry = path.join(root, LARGEST_ENTRY);
      const variants = {
        plain: await buildInto(path.join(work, 'plain'), entry, esbuildFor({})),
        sdk: await buildInto(path.join(work, 'sdk'), entry, esbuildFor({ bundleAwsSdk: true })),
        maps: await buildInto(path.join(work, 'maps'), entry, esbuildFor({ sourceMaps: true })),
      };
      const largest = functions.reduce<DeployedFunction | undefined>(
        (best, f) => (best && best.assetBytes >= f.assetBytes ? best : f),
        undefined,
      );
      const variantEnv = largest?.environment ?? {};

      // Interleaved rounds: every subject and the floor once per round, so drift hits all of them.
      const samples = new Map<string, number[]>();
      const sample = (key: string, ms: number) => samples.set(key, [...(samples.get(key) ?? []), ms]);
      for (let round = 0; round < RUNS; round += 1) {
        process.stderr.write(`bundles: init round ${round + 1}/${RUNS}\n`);
        sample('empty', initMs(empty.file, 'handler', {}, sdkDir));
        sample('sdk-floor', initMs(sdkFloorFile, 'handler', {}, sdkDir));
        for (const f of functions) sample(f.path, initMs(f.entryFile, f.exportName, f.environment, sdkDir));
        sample('variant:plain', initMs(variants.plain, 'handler', variantEnv, sdkDir));
        sample('variant:sdk', initMs(variants.sdk, 'handler', variantEnv, sdkDir));
        sample(
          'variant:maps',
          initMs(variants.maps, 'handler', variantEnv, sdkDir, ['--enable-source-maps']),
        );
      }
      const emptyInit = stats(samples.get('empty') ?? []);
      const floorBytes = { label: 'empty handler', stats: exact(empty.bytes) };
      const floorInit = { label: 'empty handler', stats: emptyInit };

      const figures: Figure[] = [
        figure({
          id: 'bundle.floor.runtime-sdk.init-ms',
          group: 'bundles',
          title: 'a handler that only creates a DynamoDB client (the runtime SDK)',
          unit: 'ms',
          better: 'lower',
          subject: stats(samples.get('sdk-floor') ?? []),
          baseline: floorInit,
          withDelta: true,
          note: "The part of every SDK-using handler's init that no bundle choice of Conflux removes.",
        }),
      ];
      for (const f of functions) {
        figures.push(
          figure({
            id: `bundle.${f.path}.asset-bytes`,
            group: 'bundles',
            title: `${f.path}: deployed asset`,
            unit: 'bytes',
            better: 'lower',
            subject: exact(f.assetBytes),
            baseline: floorBytes,
            note: `files: ${f.files.join(', ')}`,
          }),
          figure({
            id: `bundle.${f.path}.init-ms`,
            group: 'bundles',
            title: `${f.path}: load + module scope`,
            unit: 'ms',
            better: 'lower',
            subject: stats(samples.get(f.path) ?? []),
            baseline: floorInit,
            withDelta: true,
          }),
        );
      }
      const plainInit = {
        label: 'SDK from the runtime, no maps',
        stats: stats(samples.get('variant:plain') ?? []),
      };
      const plainBytes = { label: 'SDK from the runtime, no maps', stats: exact(bytesOf(variants.plain)) };
      figures.push(
        figure({
          id: 'bundle.opt-in.bundled-sdk.asset-bytes',
          group: 'bundles',
          title: `${LARGEST_ENTRY} with bundleAwsSdk`,
          unit: 'bytes',
          better: 'lower',
          subject: exact(bytesOf(variants.sdk)),
          baseline: plainBytes,
        }),
        figure({
          id: 'bundle.opt-in.bundled-sdk.init-ms',
          group: 'bundles',
          title: `${LARGEST_ENTRY} with bundleAwsSdk`,
          unit: 'ms',
          better: 'lower',
          subject: stats(samples.get('variant:sdk') ?? []),
          baseline: plainInit,
          withDelta: true,
        }),
        figure({
          id: 'bundle.opt-in.source-maps.asset-bytes',
          group: 'bundles',
          title: `${LARGEST_ENTRY} with sourceMaps (index.js + index.js.map)`,
          unit: 'bytes',
          better: 'lower',
          subject: exact(bytesOf(variants.maps, `${variants.maps}.map`)),
          baseline: plainBytes,
        }),
        figure({
          id: 'bundle.opt-in.source-maps.init-ms',
          group: 'bundles',
          title: `${LARGEST_ENTRY} with sourceMaps and --enable-source-maps`,
          unit: 'ms',
          better: 'lower',
          subject: stats(samples.get('variant:maps') ?? []),
          baseline: plainInit,
          withDelta: true,
        }),
      );
      return figures;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
