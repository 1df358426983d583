import elkModule, { type ELK, type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk.bundled.js';
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

type ElkEdgeOut = ElkExtendedEdge & { container?: string };

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

/** What {@link layoutFlow} lays out: the data-flow graph's nodes and edges. */
export interface FlowInput {
  readonly nodes: readonly {
    id: string;
    kind: string;
    label: string;
    stack: string;
    logicalId: string;
    type: string;
  }[];
  readonly edges: readonly {
    id: string;
    from: string;
    to: string;
    kind: string;
    crossStack: boolean;
    label?: string;
  }[];
}

const nodeWidth = (label: string) => Math.max(120, Math.min(240, label.length * 7 + 44));

/**
 * Lays the data-flow graph out left to right with ELK's layered algorithm, one box per stack (edges between
 * stacks are laid out across them), edges routed orthogonally; coordinates are absolute.
 */
export async function layoutFlow(graph: FlowInput): Promise<ConsoleGraph> {
  const stacks = [...new Set(graph.nodes.map((n) => n.stack))];
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.nodeNode': '22',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: stacks.map((stack) => ({
      id: `stack:${stack}`,
      layoutOptions: { 'elk.padding': '[top=34,left=16,bottom=16,right=16]' },
      children: graph.nodes
        .filter((n) => n.stack === stack)
        .map((n) => ({ id: n.id, width: nodeWidth(n.label), height: 44 })),
    })),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const laid: ElkNode = await elk.layout(input);
  const positions = new Map<string, PlacedNode>();
  const groups: (PlacedNode & { label: string })[] = [];
  const origins = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const edges: { edge: ElkEdgeOut; definedIn: string }[] = [];
  const visit = (node: ElkNode, dx: number, dy: number) => {
    for (const edge of node.edges ?? []) edges.push({ edge, definedIn: node.id });
    for (const child of node.children ?? []) {
      const x = dx + (child.x ?? 0);
      const y = dy + (child.y ?? 0);
      origins.set(child.id, { x, y });
      const placed = { id: child.id, x, y, width: child.width ?? 0, height: child.height ?? 0 };
      if (child.id.startsWith('stack:')) groups.push({ ...placed, label: child.id.slice('stack:'.length) });
      else positions.set(child.id, placed);
      visit(child, x, y);
    }
  };
  visit(laid, 0, 0);
  // An edge's coordinates are relative to its container (ELK names it; else the node it is defined in).
  const edgeSections = new Map<string, { x: number; y: number }[]>();
  for (const { edge, definedIn } of edges) {
    const section = edge.sections?.[0];
    if (!section) continue;
    const o = origins.get(edge.container ?? definedIn) ?? { x: 0, y: 0 };
    edgeSections.set(
      edge.id,
      [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({
        x: p.x + o.x,
        y: p.y + o.y,
      })),
    );
  }
  return {
    width: laid.width ?? 0,
    height: laid.height ?? 0,
    groups,
    nodes: graph.nodes.map((n) => ({
      ...n,
      ...(positions.get(n.id) ?? { x: 0, y: 0, width: nodeWidth(n.label), height: 44 }),
    })),
    edges: graph.edges.map((e) => ({ ...e, points: edgeSections.get(e.id) ?? [] })),
  };
}
