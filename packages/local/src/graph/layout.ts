/**
 * Lays a {@link FlowGraph} out with ELK (elkjs): the layered algorithm, left to right, each stack a
 * compound group, edges routed orthogonally between and across groups. Deterministic for a given graph.
 */
import elkModule, { type ELK, type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import type { FlowEdge, FlowGraph, FlowNode } from './model.js';
import { FONT_SIZE, LINE_HEIGHT, NODE_WIDTH, nodeHeight, shownLabel, textWidth } from './private/text.js';

/** A point of an edge's route. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A rectangle: position of its top-left corner and size. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A laid-out graph; every coordinate is absolute, in px, from the top-left corner. */
export interface LaidOutGraph {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly (FlowNode & { x: number; y: number; width: number; height: number })[];
  /** `points` run from the source to the target; `labelBox` is where the drawn label goes, if any. */
  readonly edges: readonly (FlowEdge & { points: readonly Point[]; labelBox?: Box; shownLabel?: string })[];
  /** One per stack, around its nodes. */
  readonly groups: readonly { stack: string; x: number; y: number; width: number; height: number }[];
}

const GROUP_PREFIX = 'stack:';

// The bundle is CommonJS: the default import is `module.exports`, the class itself, which typings see
// differently by module resolution (a namespace under NodeNext).

/** How {@link layoutGraph} sizes what it lays out. */
export interface LayoutOptions {
  /**
   * A node's box.
   * @default {@link NODE_WIDTH} wide, as tall as its label's lines (the SVG's boxes)
   */
  readonly nodeSize?: (node: FlowNode) => { readonly width: number; readonly height: number };
}

const svgNodeSize = (node: FlowNode) => ({ width: NODE_WIDTH, height: nodeHeight(node) });

/** Lays out `graph` with ELK's layered algorithm, left to right, stacks as groups. */
export async function layoutGraph(graph: FlowGraph, options: LayoutOptions = {}): Promise<LaidOutGraph> {
  const nodeSize = options.nodeSize ?? svgNodeSize;
  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));
  const stacks = [...new Set(graph.nodes.map((n) => n.stack))];
  const edges: ElkExtendedEdge[] = graph.edges.map((edge) => {
    const label = shownLabel(edge, nodesById.get(edge.from));
    return {
      id: edge.id,
      sources: [edge.from],
      targets: [edge.to],
      ...(label
        ? { labels: [{ text: label, width: textWidth(label, FONT_SIZE - 2) + 6, height: LINE_HEIGHT }] }
        : {}),
    };
  });
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '18',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.spacing.edgeEdge': '6',
      'elk.spacing.edgeLabel': '2',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
    children: stacks.map((stack) => ({
      id: `${GROUP_PREFIX}${stack}`,
      layoutOptions: { 'elk.padding': '[top=38,left=16,bottom=16,right=16]' },
      children: graph.nodes.filter((n) => n.stack === stack).map((n) => ({ id: n.id, ...nodeSize(n) })),
    })),
    edges,
  };
  const laid = await new (elkModule as unknown as new () => ELK)().layout(root);
  const boxes = new Map<string, Box>();
  const groups: LaidOutGraph['groups'][number][] = [];
  for (const group of laid.children ?? []) {
    groups.push({ stack: group.id.slice(GROUP_PREFIX.length), ...box(group) });
    for (const child of group.children ?? []) boxes.set(child.id, box(child));
  }
  const laidEdges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  return {
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    groups,
    nodes: graph.nodes.map((n) => {
      const b = boxes.get(n.id) ?? { x: 0, y: 0, ...nodeSize(n) };
      return { ...n, ...b };
    }),
    edges: graph.edges.map((edge) => {
      const out = laidEdges.get(edge.id);
      const points = (out?.sections ?? []).flatMap((s) => [
        s.startPoint,
        ...(s.bendPoints ?? []),
        s.endPoint,
      ]);
      const label = out?.labels?.[0];
      return {
        ...edge,
        points: dedupe(points.map((p) => ({ x: round(p.x), y: round(p.y) }))),
        ...(label?.text ? { shownLabel: label.text, labelBox: box(label) } : {}),
      };
    }),
  };
}

function box(shape: { x?: number; y?: number; width?: number; height?: number }): Box {
  return {
    x: round(shape.x ?? 0),
    y: round(shape.y ?? 0),
    width: round(shape.width ?? 0),
    height: round(shape.height ?? 0),
  };
}

/** Half-pixel precision keeps the SVG short and stable. */
function round(n: number): number {
  return Math.round(n * 2) / 2;
}

function dedupe(points: Point[]): Point[] {
  return points.filter((p, i) => i === 0 || p.x !== points[i - 1]?.x || p.y !== points[i - 1]?.y);
}
