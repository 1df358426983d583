/**
 * `conflux diagram [--cdk-out <dir>] [--out <file.svg>] [--png <file.png>] [--title <text>]`: draws the
 * architecture and data-flow diagram of a synthesized CDK app (any app: it reads only the cloud assembly).
 * Exits 0 when written, 1 on bad arguments or a folder that holds no cloud assembly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo } from '../cli/cli.js';
import { CloudAssemblyError, readCloudAssembly } from '../core/cloud-assembly.js';
import { layoutGraph } from './layout.js';
import { buildGraph } from './model.js';
import { renderPng, renderSvg } from './svg.js';

const USAGE =
  'usage: conflux diagram [--cdk-out <dir>] [--out <file.svg>] [--png <file.png>] [--title <text>]';

/**
 * Runs `conflux diagram`: reads the assembly in `--cdk-out` (default `cdk.out`), writes the SVG to
 * `--out` (default `architecture.svg`) and, with `--png`, the PNG; paths are relative to `io.cwd`.
 */
export async function diagram(argv: readonly string[], io: CliIo): Promise<number> {
  let values: { 'cdk-out'?: string; out?: string; png?: string; title?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'cdk-out': { type: 'string' },
        out: { type: 'string' },
        png: { type: 'string' },
        title: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 1;
  }
  const cdkOut = path.resolve(io.cwd, values['cdk-out'] ?? 'cdk.out');
  let stacks;
  try {
    stacks = readCloudAssembly(cdkOut);
  } catch (error) {
    if (!(error instanceof CloudAssemblyError)) throw error;
    io.stderr(`${error.message}\n${USAGE}\n`);
    return 1;
  }
  const graph = buildGraph(stacks);
  const svg = renderSvg(await layoutGraph(graph), values.title ? { title: values.title } : {});
  const written = [write(path.resolve(io.cwd, values.out ?? 'architecture.svg'), svg)];
  if (values.png) written.push(write(path.resolve(io.cwd, values.png), renderPng(svg)));
  const crossStack = graph.edges.filter((e) => e.crossStack).length;
  io.stdout(
    `diagram: ${String(graph.nodes.length)} nodes, ${String(graph.edges.length)} edges (${String(crossStack)} across stacks) from ${String(stacks.length)} stacks\n` +
      written.map((file) => `  wrote ${path.relative(io.cwd, file) || file}\n`).join(''),
  );
  return 0;
}

function write(file: string, content: string | Buffer): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}
