/**
 * Runs the benchmark suite (or the groups named as arguments), prints every figure, and writes
 * `bench/results.json` and the chart `bench/results.svg`. Figures of groups that did not run are kept from
 * the previous results, so a partial run updates only what it measured.
 *
 *   npm run bench                 every group
 *   npm run bench -- bundles synth
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatFigure, type Benchmark, type Figure } from './support/figures';
import { CHART, machine, readResults, RESULTS, writeChart, type Results } from './support/results';

/** The suite in the order it runs: the cheap, quiet measurements first, the ones that load the machine last. */
const SUITE: Record<string, () => Promise<Benchmark>> = {
  bundles: async () => (await import('./bundles')).benchmark,
  synth: async () => (await import('./synth')).benchmark,
  schemas: async () => (await import('./schemas')).benchmark,
  'event-store': async () => (await import('./event-store')).benchmark,
  consumers: async () => (await import('./consumers')).benchmark,
  runtime: async () => (await import('./runtime')).benchmark,
  cdc: async () => (await import('./cdc')).benchmark,
  'cdc-latency': async () => (await import('./cdc-latency')).benchmark,
  'dynamodb-router': async () => (await import('./dynamodb-router')).benchmark,
  lake: async () => (await import('./lake')).benchmark,
  'hot-reload': async () => (await import('./hot-reload')).benchmark,
};

async function main(groups: string[]): Promise<number> {
  const unknown = groups.filter((g) => !(g in SUITE));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark group(s): ${unknown.join(', ')}; the groups are ${Object.keys(SUITE).join(', ')}`,
    );
    return 2;
  }
  const selected = groups.length > 0 ? groups : Object.keys(SUITE);
  const previous = existsSync(RESULTS) ? readResults() : undefined;
  const fresh: Figure[] = [];
  for (const group of selected) {
    const load = SUITE[group];
    if (!load) continue;
    const t0 = performance.now();
    // Handlers running in process log and emit metrics to stdout; the figures alone go there.
    const stdout = process.stdout.write.bind(process.stdout);
    process.stdout.write = process.stderr.write.bind(process.stderr);
    let figures: Figure[];
    try {
      figures = await (await load()).run();
    } finally {
      process.stdout.write = stdout;
    }
    console.log(`\n## ${group} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    for (const f of figures) console.log(formatFigure(f));
    fresh.push(...figures);
  }
  const ran = new Set(fresh.map((f) => f.group));
  const order = Object.keys(SUITE);
  const figures = [...(previous?.figures ?? []).filter((f) => !ran.has(f.group)), ...fresh].sort(
    (a, b) => order.indexOf(a.group) - order.indexOf(b.group),
  );
  const results: Results = { generatedAt: new Date().toISOString(), machine: machine(), figures };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  writeChart(results);
  console.log(
    `\nwrote ${path.relative(process.cwd(), RESULTS)} and ${path.relative(process.cwd(), CHART)}; check them against the budgets with npm run bench:check`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
