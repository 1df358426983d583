// Builds the constructs' own Lambda handlers into assets/<name>/index.js, so that a user synthesizes them
// with no bundler: the way aws-cdk-lib ships its custom resource handlers.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const HANDLERS = ['jwt-authorizer'];

for (const name of HANDLERS) {
  const outdir = path.join(root, 'assets', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(root, 'handlers', name, 'handler.ts')],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}
