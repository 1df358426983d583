// Builds the constructs' own Lambda handlers into assets/<name>/index.js, so that a user synthesizes them
// with no bundler: the way aws-cdk-lib ships its custom resource handlers.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
// The bundling every Conflux function gets (tsc has built it when this runs), so the constructs' own
// handlers cannot drift from the app's.
import { esbuildOptions, serviceBundling } from '../dist/service-function/bundling.js';

const root = path.resolve(import.meta.dirname, '..');
const HANDLERS = ['jwt-authorizer', 'cdc-processor', 'lake-json-lines'];

for (const name of HANDLERS) {
  const outdir = path.join(root, 'assets', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...esbuildOptions(serviceBundling),
    entryPoints: [path.join(root, 'handlers', name, 'handler.ts')],
    outfile: path.join(outdir, 'index.js'),
    // From sources, so the package builds alone (the handler kit need not be built first, and the kit's own
    // dependency on this package's contracts is no cycle at build time).
    alias: {
      '@conflux/handler-kit/cdc': path.join(root, '..', 'handler-kit', 'src', 'cdc', 'index.ts'),
      '@conflux/handler-kit/lake': path.join(root, '..', 'handler-kit', 'src', 'lake', 'index.ts'),
      '@conflux/handler-kit': path.join(root, '..', 'handler-kit', 'src', 'index.ts'),
      '@conflux/constructs/contracts': path.join(root, 'src', 'contracts', 'index.ts'),
    },
  });
}
