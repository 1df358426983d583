/**
 * Bundle sizes of the Lambda handlers, built with the bundling options QueueConsumer uses, against a
 * baseline built in the same run with the AWS SDK left external (what the Lambda runtime would provide).
 *
 *   npm run bench:bundles
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const functions = path.join(root, 'app', 'functions');
/** Every `<context>/<purpose>.handler.ts` of the reference application, as `<context>/<purpose>`. */
const handlers = readdirSync(functions, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(functions, d.name))
      .filter((f) => f.endsWith('.handler.ts'))
      .map((f) => `${d.name}/${f.replace(/\.handler\.ts$/, '')}`),
  );

async function bundle(
  entry: string,
  external: string[],
): Promise<{ bytes: number; metafile: Metafile; ms: number }> {
  const started = performance.now();
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    metafile: true,
    external,
    loader: { '.avsc': 'json' },
    logLevel: 'silent',
  });
  const ms = performance.now() - started;
  const bytes = result.outputFiles.reduce((sum, f) => sum + f.contents.byteLength, 0);
  return { bytes, metafile: result.metafile, ms };
}

function topPackages(metafile: Metafile, count: number): string {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match?.[1] ?? '(conflux)';
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${kib(bytes)}`)
    .join(', ');
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

console.log('handler                       bundled    sdk-external  ratio  build ms');
for (const handler of handlers) {
  const entry = path.join(functions, `${handler}.handler.ts`);
  const full = await bundle(entry, []);
  const baseline = await bundle(entry, ['@aws-sdk/*', '@smithy/*']);
  console.log(
    `${handler.padEnd(30)}${kib(full.bytes).padStart(8)}${kib(baseline.bytes).padStart(14)}${(full.bytes / baseline.bytes).toFixed(2).padStart(7)}${full.ms.toFixed(0).padStart(10)}`,
  );
  console.log(`  largest: ${topPackages(full.metafile, 5)}`);
}
