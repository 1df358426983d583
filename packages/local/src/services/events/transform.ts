import { JSONPath } from 'jsonpath-plus';
import type { EventEnvelope } from './envelope.js';

/** How a target's input is made from the matched event: at most one of these, as on AWS. */
export interface TargetInput {
  /** `Input`: this JSON text, the event ignored. */
  readonly input?: string;
  /** `InputPath`: the part of the event this JSON path selects. */
  readonly inputPath?: string;
  /** `InputTransformer`. */
  readonly transformer?: {
    readonly pathsMap: Readonly<Record<string, string>>;
    readonly template: string;
  };
}

/** What the predefined variables of an input template stand for. */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

/** The text a target receives for an event: the event itself unless the target says otherwise. */
export function targetInput(spec: TargetInput, event: EventEnvelope, rule: RuleContext): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) {
    const selected = select(event, spec.inputPath);
    return selected === undefined ? '' : JSON.stringify(selected);
  }
  if (spec.transformer) return transform(spec.transformer.pathsMap, spec.transformer.template, event, rule);
  return JSON.stringify(event);
}

/** The value a JSON path selects from the event; undefined when it selects nothing. */
export function select(event: unknown, path: string): unknown {
  const found = JSONPath<unknown[]>({ path, json: event as object, wrap: true });
  if (found.length === 0) return undefined;
  // A path with a wildcard selects a list, a plain path one value.
  return /\*|\.\.|\[[^\]]*[,:]/.test(path) ? found : found[0];
}

/**
 * Fills an input template. In a JSON template a variable outside quotes becomes its JSON value (a string
 * with its quotes), inside quotes its text, unescaped as EventBridge leaves it; a JSON result is passed on
 * minified. A variable whose path is not in the event is not created: outside quotes it is `null`, inside
 * quotes empty. `<aws.events.event>` is the event without `detail`, `<aws.events.event.json>` all of it.
 */
export function transform(
  pathsMap: Readonly<Record<string, string>>,
  template: string,
  event: EventEnvelope,
  rule: RuleContext,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(pathsMap)) {
    const value = select(event, path);
    if (value !== undefined) values.set(name, value);
  }
  const withoutDetail: Record<string, unknown> = { ...event };
  delete withoutDetail.detail;
  const predefined: Record<string, unknown> = {
    'aws.events.rule-arn': rule.ruleArn,
    'aws.events.rule-name': rule.ruleName,
    'aws.events.event.ingestion-time': rule.ingestionTime,
    'aws.events.event': withoutDetail,
    'aws.events.event.json': event,
  };
  for (const [name, value] of Object.entries(predefined)) values.set(name, value);

  const json = /^\s*[{[]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i] as string;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (c === '"') inString = !inString;
    const variable = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!variable) {
      out += c;
      continue;
    }
    const name = variable[1] as string;
    i += variable[0].length - 1;
    const value = values.get(name);
    const quoted = inString || !json;
    if (quoted) out += value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    else out += value === undefined ? 'null' : JSON.stringify(value);
  }
  if (!json && !/^\s*"/.test(template)) return out;
  try {
    return JSON.stringify(JSON.parse(out));
  } catch {
    return out;
  }
}
