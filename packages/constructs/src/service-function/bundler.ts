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
    // buildSync throws on any error, with esbuild's messages: the synth fails naming the file and line.
    esbuild.buildSync({
      ...esbuildOptions(this.bundling),
      entryPoints: [this.entry],
      outfile: path.join(outputDir, 'index.js'),
    });
    return true;
  }
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
