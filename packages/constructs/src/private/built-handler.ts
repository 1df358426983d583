import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The folder of one of the package's own handlers, built by `npm run build` into `assets/<name>/index.js`. */
export function builtHandlerDir(name: string): string {
  // From `src/private` (tests) and `dist/private` (the published package) alike, `../../assets` is the package's.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets', name);
}

/**
 * The code of a handler that ships built with the package (`assets/<name>/index.js`), so synth needs no
 * bundler: the way aws-cdk-lib ships its custom resource handlers. Fails with the fix when it was not built.
 */
export function builtHandler(dir: string): lambda.Code {
  if (!existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `@conflux/constructs: the built handler ${path.basename(dir)} is missing (${path.join(path.basename(path.dirname(dir)), path.basename(dir), 'index.js')}); build the package with npm run build.`,
    );
  }
  return lambda.Code.fromAsset(dir);
}
