import elkModule, { type ELK, type ElkNode } from 'elkjs/lib/elk.bundled.js';
import { layoutGraph } from '../graph/layout.js';
import type { FlowGraph } from '../graph/model.js';
import type { StateEdgeKind, StateGraph } from './executions.js';

/** A node placed on the page. */
export interface PlacedNode {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge routed on the page, as a polyline. */
export interface RoutedEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { x: number; y: number }[];
}

/** A state machine's graph, laid out top to bottom. */
export interface StateGraphLayout {
  readonly width: number;
  readonly height: number;
  readonly states: readonly (PlacedNode & { type: string; end: boolean; parent?: string })[];
  readonly edges: readonly (RoutedEdge & { kind: StateEdgeKind; label?: string })[];
  readonly startAt: string;
}

// The bundle is CommonJS: the default import is `module.exports`, the class itself, which typings see
// differently by module resolution (a namespace under NodeNext).
const elk = new (elkModule as unknown as new () => ELK)();

/** Width of a state's box, from its name (about 7 px a character at the page's font). */
const boxWidth = (name: string) => Math.max(110, Math.min(260, name.length * 7.2 + 28));

/** Lays a state machine's graph out with ELK's layered algorithm, top to bottom, edges routed orthogonally. */
export async function layoutStateGraph(graph: StateGraph): Promise<StateGraphLayout> {
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: graph.states.map((s) => ({ id: s.name, width: boxWidth(s.name), height: 34 })),
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const laid: ElkNode = await elk.layout(input);
  const placed = new Map((laid.children ?? []).map((c) => [c.id, c]));
  const routed = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  return {
    width: laid.width ?? 0,
    height: laid.height ?? 0,
    startAt: graph.startAt,
    states: graph.states.map((s) => {
      const c = placed.get(s.name);
      return {
        ...s,
        id: s.name,
        x: c?.x ?? 0,
        y: c?.y ?? 0,
        width: c?.width ?? boxWidth(s.name),
        height: c?.height ?? 34,
      };
    }),
    edges: graph.edges.map((e, i) => {
      const section = routed.get(`e${i}`)?.sections?.[0];
      const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
      return { ...e, points: points.map((p) => ({ x: p.x, y: p.y })) };
    }),
  };
}

/** The application's graph as the page draws it: nodes placed, edges routed, a box per stack. */
export interface ConsoleGraph {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly (PlacedNode & {
    kind: string;
    label: string;
    stack: string;
    logicalId: string;
    type: string;
  })[];
  readonly edges: readonly (RoutedEdge & { id: string; kind: string; crossStack: boolean; label?: string })[];
  readonly groups: readonly (PlacedNode & { label: string })[];
}

const nodeWidth = (label: string) => Math.max(120, Math.min(240, label.length * 7 + 44));

/**
 * Lays the data-flow graph out as the diagram does (`graph/layout.ts`: ELK, left to right, one box per
 * stack, edges routed orthogonally), in the page's box sizes: one line of kind and one of label each.
 */
export async function layoutFlow(graph: FlowGraph): Promise<ConsoleGraph> {
  const laid = await layoutGraph(graph, { nodeSize: (n) => ({ width: nodeWidth(n.label), height: 44 }) });
  return {
    width: laid.width,
    height: laid.height,
    groups: laid.groups.map(({ stack, x, y, width, height }) => ({
      id: `stack:${stack}`,
      label: stack,
      x,
      y,
      width,
      height,
    })),
    nodes: laid.nodes.map(({ id, kind, label, stack, logicalId, type, x, y, width, height }) => ({
      id,
      kind,
      label,
      stack,
      logicalId,
      type,
      x,
      y,
      width,
      height,
    })),
    edges: laid.edges.map(({ id, from, to, kind, crossStack, label, points }) => ({
      id,
      from,
      to,
      kind,
      crossStack,
      ...(label === undefined ? {} : { label }),
      points,
    })),
  };
}
