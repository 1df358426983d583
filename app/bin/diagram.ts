#!/usr/bin/env -S npx tsx
/**
 * npm run diagram
 *
 * Synthesizes the reference application in-process (the context of `cdk.json`, no bundling, no
 * CloudFormation validation) into a temporary folder, builds its data-flow graph and writes
 * `docs/architecture.svg` and `docs/architecture.png`. `app/test/diagram.test.ts` regenerates the SVG and
 * fails when the committed one differs. Any other app: `conflux diagram --cdk-out <dir>`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildGraph, layoutGraph, renderPng, renderSvg, type FlowGraph } from '@conflux/local';
import { buildConfluxApp } from '../app';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the diagram is committed, relative to the repository root. */
export const DIAGRAM_FILES = { svg: 'docs/architecture.svg', png: 'docs/architecture.png' } as const;

/** The reference application's graph and its SVG. */
export interface ReferenceDiagram {
  readonly graph: FlowGraph;
  readonly svg: string;
}

/** Synthesizes the reference application and draws it. */
export async function referenceDiagram(): Promise<ReferenceDiagram> {
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const outdir = mkdtempSync(path.join(tmpdir(), 'conflux-diagram-'));
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    // No bundling: the graph reads templates, and skipped bundles keep the synth to a few seconds.
    const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    buildConfluxApp(app);
    const assembly = app.synth();
    const graph = buildGraph(
      assembly.stacks.map((stack) => ({
        id: stack.id,
        stackName: stack.stackName,
        template: stack.template as Parameters<typeof buildGraph>[0][number]['template'],
        assetsByObjectKey: new Map<string, string>(),
        dependencies: stack.dependencies.map((d) => d.id),
      })),
    );
    const svg = renderSvg(await layoutGraph(graph), {
      title: 'Conflux reference application: architecture and data flow',
    });
    return { graph, svg };
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const { graph, svg } = await referenceDiagram();
  const svgFile = path.join(root, DIAGRAM_FILES.svg);
  mkdirSync(path.dirname(svgFile), { recursive: true });
  writeFileSync(svgFile, svg);
  writeFileSync(path.join(root, DIAGRAM_FILES.png), renderPng(svg));
  const crossStack = graph.edges.filter((e) => e.crossStack).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `diagram: ${String(graph.nodes.length)} nodes, ${String(graph.edges.length)} edges (${String(crossStack)} across stacks) in ${seconds} s\n` +
      `  wrote ${DIAGRAM_FILES.svg} and ${DIAGRAM_FILES.png}\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main();
}
