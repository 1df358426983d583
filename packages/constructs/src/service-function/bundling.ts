// What a Conflux function's bundle is, with no CDK in it: the package's build script bundles the constructs'
// own handlers with the same options.
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
