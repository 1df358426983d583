import type { GraphBuilder } from './builder.js';
import { isObject, type ResourceRef } from './references.js';

/** Values passed as data to a task, not the resource it calls. */
const DATA_KEYS = new Set([
  'Payload',
  'Input',
  'MessageBody',
  'Message',
  'Item',
  'Key',
  'Detail',
  'ExpressionAttributeValues',
  'Body',
]);

/**
 * `task` edges from each state machine to what its Task states call: a function by ARN, or the resource
 * of an optimized or SDK integration (`lambda:invoke`'s `FunctionName`, `sqs:sendMessage`'s `QueueUrl`,
 * `sns:publish`, `dynamodb:*`, `events:putEvents`, `states:startExecution`…). The definition is rendered
 * from its `Fn::Join` / `Fn::Sub` with a placeholder per reference, parsed, and walked through Parallel
 * branches and Map processors; the label lists the states.
 */
export function addStateMachineFlows(builder: GraphBuilder): void {
  for (const { stack, logicalId, properties } of builder.resources('AWS::StepFunctions::StateMachine')) {
    const id = `${stack}/${logicalId}`;
    const refs: ResourceRef[][] = [];
    const placeholder = (found: ResourceRef[]) => `@@ref${String(refs.push(found) - 1)}@@`;
    let definition: unknown = properties.Definition;
    if (definition === undefined) {
      const text = builder.index.render(stack, properties.DefinitionString, placeholder);
      const substitutions = isObject(properties.DefinitionSubstitutions)
        ? properties.DefinitionSubstitutions
        : {};
      const substituted = text?.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
        name in substitutions
          ? (builder.index.render(stack, substitutions[name], placeholder) ?? whole)
          : whole,
      );
      definition = substituted === undefined ? undefined : parse(substituted);
    }
    if (!isObject(definition)) continue;
    const nodesOf = (value: unknown): string[] => {
      const found: string[] = [];
      collectStrings(value, (text) => {
        for (const match of text.matchAll(/@@ref(\d+)@@/g))
          for (const ref of refs[Number(match[1])] ?? []) {
            const node = builder.nodeOf(ref);
            if (node && !found.includes(node)) found.push(node);
          }
      });
      // a `Definition` object holds intrinsics instead of placeholders
      for (const node of builder.nodesIn(stack, value)) if (!found.includes(node)) found.push(node);
      return found;
    };
    walkStates(definition, (name, state) => {
      // A state that says it dead-letters (`Dead-letter compensation`, `SendToDlq`) hands over a failure.
      const kind = /dead.?letter|dlq/i.test(name) ? 'dead-letter' : 'task';
      for (const target of taskTargets(state, nodesOf)) builder.addEdge(id, target, kind, name);
    });
  }
}

function taskTargets(state: Record<string, unknown>, nodesOf: (value: unknown) => string[]): string[] {
  const resource = state.Resource;
  const parameters = isObject(state.Parameters)
    ? state.Parameters
    : isObject(state.Arguments)
      ? state.Arguments
      : {};
  if (typeof resource !== 'string') return nodesOf(resource);
  const integration = /^arn:[^:]+:states:::([^:]+):([^.]+)/.exec(resource);
  if (!integration) return nodesOf(resource);
  if (integration[1] === 'lambda') return nodesOf(parameters.FunctionName ?? parameters['FunctionName.$']);
  const named = Object.entries(parameters)
    .filter(([key]) => !DATA_KEYS.has(key.replace(/\.\$$/, '')))
    .map(([, value]) => value);
  return nodesOf(named);
}

/** Calls `visit` for each state of the definition, in Parallel branches and Map processors too. */
function walkStates(
  definition: Record<string, unknown>,
  visit: (name: string, state: Record<string, unknown>) => void,
  depth = 0,
): void {
  if (depth > 16 || !isObject(definition.States)) return;
  for (const [name, state] of Object.entries(definition.States)) {
    if (!isObject(state)) continue;
    if (state.Type === 'Task') visit(name, state);
    for (const branch of Array.isArray(state.Branches) ? (state.Branches as unknown[]) : [])
      if (isObject(branch)) walkStates(branch, visit, depth + 1);
    for (const inner of [state.Iterator, state.ItemProcessor])
      if (isObject(inner)) walkStates(inner, visit, depth + 1);
  }
}

function collectStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, visit);
  else if (isObject(value)) for (const item of Object.values(value)) collectStrings(item, visit);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
