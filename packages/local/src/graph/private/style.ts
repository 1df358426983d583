import type { FlowEdgeKind, FlowNodeKind } from '../model.js';

/** How a node kind is drawn: outline and badge colour, badge text, and its name in the legend. */
export interface NodeStyle {
  readonly color: string;
  readonly badge: string;
  readonly name: string;
}

/** How an edge kind is drawn. */
export interface EdgeStyle {
  readonly color: string;
  readonly width: number;
  readonly dash?: string;
  readonly name: string;
}

/** One entry per node kind, in legend order. */
export const NODE_STYLES: Readonly<Record<FlowNodeKind, NodeStyle>> = {
  api: { color: '#6D28D9', badge: 'API', name: 'API' },
  route: { color: '#475569', badge: 'RT', name: 'route (method badge)' },
  function: { color: '#EA580C', badge: 'λ', name: 'Lambda function' },
  queue: { color: '#DB2777', badge: 'SQS', name: 'SQS queue' },
  dlq: { color: '#DC2626', badge: 'DLQ', name: 'dead-letter / failure queue' },
  topic: { color: '#A21CAF', badge: 'SNS', name: 'SNS topic' },
  stream: { color: '#4F46E5', badge: 'KDS', name: 'Kinesis stream' },
  'delivery-stream': { color: '#7C3AED', badge: 'KDF', name: 'Firehose delivery stream' },
  table: { color: '#2563EB', badge: 'DDB', name: 'DynamoDB table' },
  'state-machine': { color: '#0D9488', badge: 'SFN', name: 'state machine' },
  bucket: { color: '#16A34A', badge: 'S3', name: 'S3 bucket' },
  'event-bus': { color: '#BE123C', badge: 'EB', name: 'event bus' },
  rule: { color: '#9F1239', badge: 'RULE', name: 'EventBridge rule' },
  schedule: { color: '#CA8A04', badge: 'SCHD', name: 'schedule' },
};

/** One entry per edge kind, in legend order. */
export const EDGE_STYLES: Readonly<Record<FlowEdgeKind, EdgeStyle>> = {
  invoke: { color: '#334155', width: 1.4, name: 'invokes' },
  'event-source': { color: '#4F46E5', width: 1.6, name: 'event source (polled)' },
  subscription: { color: '#A21CAF', width: 1.6, name: 'subscription (filter)' },
  task: { color: '#0D9488', width: 1.6, name: 'state-machine task' },
  target: { color: '#BE123C', width: 1.6, name: 'rule / schedule target' },
  notification: { color: '#16A34A', width: 1.6, name: 'bucket notification' },
  delivery: { color: '#7C3AED', width: 1.6, name: 'delivery' },
  writes: { color: '#64748B', width: 1, name: 'writes (IAM)' },
  reads: { color: '#94A3B8', width: 1, dash: '2 3', name: 'reads (IAM)' },
  'dead-letter': { color: '#DC2626', width: 1.8, dash: '7 4', name: 'dead letters' },
  'on-failure': { color: '#DC2626', width: 1.8, dash: '2 3', name: 'on-failure destination' },
};

/** The underlay that marks an edge between stacks. */
export const CROSS_STACK = { color: '#FACC15', width: 7, opacity: 0.55 } as const;

/** The badge text of a route: its method. */
export function routeBadge(label: string): string {
  const method = label.split(' ')[0] ?? '';
  return SHORT_METHODS[method] ?? method.slice(0, 4);
}

const SHORT_METHODS: Readonly<Record<string, string>> = { DELETE: 'DEL', PATCH: 'PAT', OPTIONS: 'OPT' };

/** Badge colours of route methods (by badge text). */
export const METHOD_COLORS: Readonly<Record<string, string>> = {
  GET: '#2563EB',
  POST: '#16A34A',
  PUT: '#CA8A04',
  PAT: '#CA8A04',
  DEL: '#DC2626',
  ANY: '#475569',
};
