import type { FlowEdgeKind } from '../model.js';
import type { GraphBuilder } from './builder.js';
import { isObject } from './references.js';

/** IAM actions that start or call something. */
const INVOKE = ['lambda:InvokeFunction', 'states:StartExecution', 'states:StartSyncExecution'];
/** IAM actions that put data somewhere. */
const WRITES = [
  'sqs:SendMessage',
  'sns:Publish',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'firehose:PutRecord',
  'firehose:PutRecordBatch',
  's3:PutObject',
  's3:DeleteObject',
  'events:PutEvents',
  'scheduler:CreateSchedule',
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
];
/** IAM actions that take data from somewhere. */
const READS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:GetRecords',
  'sqs:ReceiveMessage',
  's3:GetObject',
  'kinesis:GetRecords',
  'kinesis:SubscribeToShard',
  'states:DescribeExecution',
];
/** Reads that an event source mapping does for the function: no edge of their own next to the `event-source`. */
const POLLING = new Set([
  'sqs:ReceiveMessage',
  'dynamodb:GetRecords',
  'kinesis:GetRecords',
  'kinesis:SubscribeToShard',
]);

/**
 * `invoke`, `writes` and `reads` edges from each function to the resources its role's policies allow it
 * to call, write or read (`AWS::IAM::Policy` and `ManagedPolicy` attached to the role, and the role's
 * inline policies). One edge per pair and kind, labelled with the actions; the polling an event source
 * mapping does for the function is left out.
 */
export function addIamFlows(builder: GraphBuilder): void {
  const functionsByRole = new Map<string, string[]>();
  for (const { stack, logicalId, properties } of builder.resources('AWS::Lambda::Function')) {
    const fn = `${stack}/${logicalId}`;
    if (!builder.node(fn)) continue;
    for (const role of builder.index.refs(stack, properties.Role)) {
      const key = `${role.stack}/${role.logicalId}`;
      functionsByRole.set(key, [...(functionsByRole.get(key) ?? []), fn]);
    }
  }
  const documents: { stack: string; roles: string[]; document: unknown }[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const { stack, properties } of builder.resources(type)) {
      const roles = builder.index.refs(stack, properties.Roles).map((r) => `${r.stack}/${r.logicalId}`);
      documents.push({ stack, roles, document: properties.PolicyDocument });
    }
  }
  for (const { stack, logicalId, properties } of builder.resources('AWS::IAM::Role')) {
    for (const policy of Array.isArray(properties.Policies) ? (properties.Policies as unknown[]) : [])
      if (isObject(policy))
        documents.push({ stack, roles: [`${stack}/${logicalId}`], document: policy.PolicyDocument });
  }
  for (const { stack, roles, document } of documents) {
    const functions = roles.flatMap((role) => functionsByRole.get(role) ?? []);
    if (functions.length === 0 || !isObject(document)) continue;
    for (const statement of [document.Statement].flat()) {
      if (!isObject(statement) || statement.Effect !== 'Allow') continue;
      const actions = [statement.Action].flat().filter((a): a is string => typeof a === 'string');
      const targets = builder.nodesIn(stack, statement.Resource);
      for (const fn of functions) {
        for (const target of targets) addStatementEdges(builder, fn, target, actions);
      }
    }
  }
}

function addStatementEdges(
  builder: GraphBuilder,
  fn: string,
  target: string,
  actions: readonly string[],
): void {
  const polled = builder.hasEdge(target, fn, 'event-source');
  // The grant that lets a failure or dead-letter destination receive: already drawn as such.
  const failure = builder.hasEdge(fn, target, 'on-failure') || builder.hasEdge(fn, target, 'dead-letter');
  for (const [kind, known] of [
    ['invoke', INVOKE],
    ['writes', WRITES],
    ['reads', READS],
  ] as const satisfies readonly (readonly [FlowEdgeKind, readonly string[]])[]) {
    if (kind === 'writes' && failure) continue;
    const matched = actions.filter((action) =>
      known.some((k) => (!polled || !POLLING.has(k)) && matches(action, k)),
    );
    for (const action of matched) builder.addEdge(fn, target, kind, action.replace(/^[^:]+:/, ''));
  }
}

/** Whether the IAM action pattern `pattern` (with `*` and `?`) allows `action`. */
function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}
