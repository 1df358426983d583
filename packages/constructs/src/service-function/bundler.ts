import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AssetHashType, DockerImage, type BundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as Esbuild from 'esbuild';
import { esbuildOptions, type ServiceBundling } from './bundling.js';

/**
 * Bundles in this process with esbuild's API. `NodejsFunction` starts a shell and `npx esbuild` for every
 * function (about 0.4 s each, most of a whole-app synth); this takes esbuild's own time (tens of ms).
 */
class EsbuildInProcess implements ILocalBundling {
  // Fields, not closures: CDK's asset cache key is computed from them, so two entries never share a bundle.
  constructor(
    readonly entry: string,
    readonly bundling: ServiceBundling,
  ) {}

  tryBundle(outputDir: string): boolean {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
    const options = { ...esbuildOptions(this.bundling), entryPoints: [this.entry] };
    const outfile = path.join(outputDir, 'index.js');
    // buildSync throws on any error, with esbuild's messages: the synth fails naming the file and line.
    const result = esbuild.buildSync({ ...options, outfile, metafile: true });
    const log = process.env[BUNDLE_LOG_ENV];
    if (log) recordBundle(log, { options, inputs: Object.keys(result.metafile.inputs), outfile });
    return true;
  }
}

/**
 * The environment variable naming a folder where each bundling writes a {@link BundleRecord}: set by
 * `conflux local --watch`, which rebuilds a function from it when one of its inputs changes.
 */
export const BUNDLE_LOG_ENV = 'CONFLUX_BUNDLE_LOG';

/** How one bundle was built: enough to build it again without a synth. */
export interface BundleRecord {
  /** esbuild's options, `entryPoints` included, without the output file. */
  readonly options: Esbuild.BuildOptions;
  /** The files the bundle was built from, absolute. */
  readonly inputs: readonly string[];
  /** sha256 (hex) of the bundle's `index.js`, which tells which function assets it became. */
  readonly outputSha256: string;
}

function recordBundle(
  dir: string,
  built: { options: Esbuild.BuildOptions; inputs: readonly string[]; outfile: string },
): void {
  const code = readFileSync(built.outfile);
  const outputSha256 = createHash('sha256').update(code).digest('hex');
  // esbuild's metafile paths are relative to its working folder, the process's.
  const record: BundleRecord = {
    options: built.options,
    inputs: built.inputs.filter((i) => !i.includes(':')).map((i) => path.resolve(i)),
    outputSha256,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${outputSha256}.json`), JSON.stringify(record));
}

/** The code of a function bundled from `entry`: `index.js` (and `index.js.map` with source maps). */
export function bundledCode(entry: string, bundling: ServiceBundling): lambda.Code {
  const options: BundlingOptions = {
    local: new EsbuildInProcess(path.resolve(entry), bundling),
    // Used only where local bundling cannot run, which with esbuild installed is nowhere.
    image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
  };
  return lambda.Code.fromAsset(path.dirname(path.resolve(entry)), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: options,
  });
}
