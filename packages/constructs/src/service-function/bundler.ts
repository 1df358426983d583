import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AssetHashType, DockerImage, type BundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as Esbuild from 'esbuild';
import type { BuildOptions } from 'esbuild';

/** How a Conflux function's entry is bundled. */
export interface ServiceBundling {
  readonly minify: boolean;
  readonly sourceMap: boolean;
  readonly target: string;
  /** package.json fields esbuild resolves a package by, in order. */
  readonly mainFields: readonly string[];
  /** Packages left out of the bundle, to be resolved at run time. */
  readonly externalModules: readonly string[];
  readonly loader: Readonly<Record<string, 'json' | 'text'>>;
}

/**
 * Bundling shared by Conflux's functions: minified, tree-shaken from the packages' ES module builds
 * (`mainFields`), no source map and no metafile in the asset (both would ship to Lambda with the code), and
 * the AWS SDK for JavaScript v3 left to the one the Node.js runtime provides — what keeps a handler's asset
 * near 100 KB instead of 1 MB. `bundleAwsSdk` and `sourceMaps` of `createServiceFunction` turn either back
 * on for one function.
 */
export const serviceBundling: ServiceBundling = {
  minify: true,
  sourceMap: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  // Avro schemas (`*.avsc`) a handler imports are bundled as JSON, for validation at publish.
  loader: { '.avsc': 'json' },
};

/** A function's own choices about its bundle. */
export interface BundleChoices {
  readonly bundleAwsSdk?: boolean;
  readonly sourceMaps?: boolean;
}

/** The bundling of one function: {@link serviceBundling} with the function's own choices applied. */
export function bundlingFor(choices: BundleChoices): ServiceBundling {
  return {
    ...serviceBundling,
    ...(choices.bundleAwsSdk ? { externalModules: [] } : {}),
    ...(choices.sourceMaps ? { sourceMap: true } : {}),
  };
}

/** The esbuild options of a bundling: one CommonJS `index.js` for Lambda's Node.js runtime. */
export function esbuildOptions(bundling: ServiceBundling): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    mainFields: [...bundling.mainFields],
    external: [...bundling.externalModules],
    loader: { ...bundling.loader },
    legalComments: 'none',
    logLevel: 'warning',
  };
}

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
    const result = esbuild.buildSync({
      ...esbuildOptions(this.bundling),
      entryPoints: [this.entry],
      outfile: path.join(outputDir, 'index.js'),
    });
    if (result.errors.length > 0) throw new Error(`esbuild failed for ${this.entry}`);
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
