import type { AssemblyStack, CfnResource } from '../../core/cloud-assembly.js';
import type { FlowEdge, FlowEdgeKind, FlowGraph, FlowNode, FlowNodeKind } from '../model.js';
import { AssemblyIndex, type ResourceRef } from './references.js';

/** One resource of the assembly, with the stack it is in. */
export interface StackResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly properties: Readonly<Record<string, unknown>>;
}

interface PendingEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: FlowEdgeKind;
  readonly labels: Set<string>;
}

/** Collects nodes and edges; every extractor writes into one. */
export class GraphBuilder {
  public readonly index: AssemblyIndex;
  private readonly nodes = new Map<string, FlowNode>();
  /** `${stack}/${logicalId}` of a resource → the node that stands for it (itself, or e.g. a stream for its consumer). */
  private readonly aliases = new Map<string, string>();
  private readonly edges = new Map<string, PendingEdge>();
  private readonly droppedWhenAlone = new Set<string>();

  public constructor(stacks: readonly AssemblyStack[]) {
    this.index = new AssemblyIndex(stacks);
  }

  /** Every resource of the assembly, by stack (deployment order) then logical id. */
  public *resources(type?: string | ((type: string) => boolean)): Iterable<StackResource> {
    for (const stack of this.index.stacks) {
      for (const logicalId of Object.keys(stack.template.Resources).sort()) {
        const resource = stack.template.Resources[logicalId];
        if (!resource) continue;
        if (typeof type === 'string' && resource.Type !== type) continue;
        if (typeof type === 'function' && !type(resource.Type)) continue;
        yield { stack: stack.stackName, logicalId, resource, properties: resource.Properties ?? {} };
      }
    }
  }

  /** Adds a node; the resource `stack/logicalId` then stands for it. */
  public addNode(node: FlowNode, options: { dropWhenAlone?: boolean } = {}): void {
    this.nodes.set(node.id, node);
    if (!node.id.includes(' ')) this.aliases.set(node.id, node.id);
    if (options.dropWhenAlone) this.droppedWhenAlone.add(node.id);
  }

  /** Makes references to `stack/logicalId` mean the node `nodeId`. */
  public alias(stack: string, logicalId: string, nodeId: string): void {
    this.aliases.set(`${stack}/${logicalId}`, nodeId);
  }

  public node(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }

  /** Replaces the kind of a node. */
  public setKind(id: string, kind: FlowNodeKind): void {
    const node = this.nodes.get(id);
    if (node) this.nodes.set(id, { ...node, kind });
  }

  /** The node a reference stands for, if any. */
  public nodeOf(ref: ResourceRef): string | undefined {
    return this.aliases.get(`${ref.stack}/${ref.logicalId}`);
  }

  /** The nodes that `value` (in a template of `stack`) names, without repeats, in order of appearance. */
  public nodesIn(stack: string, value: unknown): string[] {
    const ids: string[] = [];
    for (const ref of this.index.refs(stack, value)) {
      const id = this.nodeOf(ref);
      if (id && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  /** Adds an edge, or adds `label` to the labels of the edge of that pair and kind. */
  public addEdge(from: string, to: string, kind: FlowEdgeKind, label?: string): void {
    if (!this.nodes.has(from) || !this.nodes.has(to) || from === to) return;
    const id = `${from} ${kind} ${to}`;
    const edge = this.edges.get(id) ?? { from, to, kind, labels: new Set<string>() };
    if (label) edge.labels.add(label);
    this.edges.set(id, edge);
  }

  /** Whether an edge of that pair and kind exists. */
  public hasEdge(from: string, to: string, kind: FlowEdgeKind): boolean {
    return this.edges.has(`${from} ${kind} ${to}`);
  }

  /** The graph: queues that receive dead letters or failures become `dlq`; sorted by id. */
  public build(): FlowGraph {
    for (const edge of this.edges.values()) {
      if (edge.kind !== 'dead-letter' && edge.kind !== 'on-failure') continue;
      if (this.nodes.get(edge.to)?.kind === 'queue') this.setKind(edge.to, 'dlq');
    }
    const connected = new Set<string>();
    for (const edge of this.edges.values()) connected.add(edge.from).add(edge.to);
    const nodes = [...this.nodes.values()]
      .filter((n) => connected.has(n.id) || !this.droppedWhenAlone.has(n.id))
      .sort((a, b) => compare(a.id, b.id));
    const edges: FlowEdge[] = [...this.edges.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([id, e]) => {
        const label = [...e.labels].sort(compare).join('; ');
        return {
          id,
          from: e.from,
          to: e.to,
          kind: e.kind,
          crossStack: this.nodes.get(e.from)?.stack !== this.nodes.get(e.to)?.stack,
          ...(label ? { label } : {}),
        };
      });
    return { nodes, edges };
  }
}

/** Locale-independent string order. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
