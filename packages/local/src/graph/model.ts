/**
 * The data-flow graph of a cloud assembly: what sends, delivers or hands work to what, read from the
 * synthesized templates alone, so it works for any CDK app. Nodes are the resources data flows through
 * (API routes, functions, queues, topics, streams, tables, state machines, buckets, buses, rules,
 * schedules, delivery streams); edges come from the properties that connect them (integrations, event
 * source mappings, subscriptions, redrive policies, destinations, targets, state-machine tasks, bucket
 * notifications) and from the IAM policies of each function's role (`writes` / `reads`).
 */
import type { AssemblyStack } from '../core/cloud-assembly.js';
import { GraphBuilder } from './private/builder.js';
import { addApiFlows } from './private/api.js';
import { addIamFlows } from './private/iam.js';
import { addMessagingFlows } from './private/messaging.js';
import { addNodes } from './private/nodes.js';
import { addStateMachineFlows } from './private/state-machines.js';

/** What a node of the graph is. */
export type FlowNodeKind =
  | 'api'
  | 'route'
  | 'function'
  | 'queue'
  | 'dlq'
  | 'topic'
  | 'stream'
  | 'table'
  | 'state-machine'
  | 'bucket'
  | 'event-bus'
  | 'rule'
  | 'schedule'
  | 'delivery-stream';

/** A resource data flows through. */
export interface FlowNode {
  /** `${stackName}/${logicalId}`; for an API route `${stackName}/${apiLogicalId} ${METHOD} ${path}` */
  readonly id: string;
  /** Stack name of the stack that holds it. */
  readonly stack: string;
  /** Logical id of the resource (for a route: of its method or route resource). */
  readonly logicalId: string;
  /** CloudFormation type */
  readonly type: string;
  readonly kind: FlowNodeKind;
  /** A short human name: the logical id without its hash, or `METHOD /path` for a route. */
  readonly label: string;
}

/** How data or control passes along an edge. */
export type FlowEdgeKind =
  | 'invoke'
  | 'event-source'
  | 'subscription'
  | 'dead-letter'
  | 'on-failure'
  | 'writes'
  | 'reads'
  | 'target'
  | 'task'
  | 'notification'
  | 'delivery';

/** A connection between two nodes. */
export interface FlowEdge {
  /** `${from} ${kind} ${to}`: one edge per pair and kind. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: FlowEdgeKind;
  /** Whether its ends are in different stacks. */
  readonly crossStack: boolean;
  /** E.g. a subscription's filter policy, the actions of a `writes`, the states of a `task`. */
  readonly label?: string;
}

/** Nodes and edges, sorted by id. */
export interface FlowGraph {
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
}

/**
 * Builds the data-flow graph of the stacks of a cloud assembly (see `readCloudAssembly`). References
 * between stacks (`Fn::ImportValue`, `Fn::GetStackOutput`) are followed to the exporting stack's resource.
 * The result is deterministic: nodes and edges sorted by id.
 */
export function buildGraph(stacks: readonly AssemblyStack[]): FlowGraph {
  const builder = new GraphBuilder(stacks);
  addNodes(builder);
  addApiFlows(builder);
  addMessagingFlows(builder);
  addStateMachineFlows(builder);
  addIamFlows(builder);
  return builder.build();
}
