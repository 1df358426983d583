import { isObject } from './references.js';

const MAX = 80;

/**
 * A one-line summary of an SNS filter policy or an EventBridge event pattern, e.g.
 * `eventType: OrderConfirmed|OrderCancelled`; `undefined` when there is none.
 */
export function summarizePattern(pattern: unknown, onBody = false): string | undefined {
  const parsed = typeof pattern === 'string' ? parseJson(pattern) : pattern;
  if (!isObject(parsed)) return undefined;
  const parts: string[] = [];
  flatten(parsed, '', parts);
  if (parts.length === 0) return undefined;
  const text = (onBody ? 'body ' : '') + parts.join('; ');
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

function flatten(value: Record<string, unknown>, prefix: string, parts: string[]): void {
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (key === '$or' && Array.isArray(child)) {
      parts.push(`any of ${String(child.length)}`);
      continue;
    }
    const name = prefix ? `${prefix}.${key}` : key;
    if (isObject(child)) flatten(child, name, parts);
    else parts.push(`${name}: ${[child].flat().map(matcher).join('|')}`);
  }
}

function matcher(value: unknown): string {
  if (!isObject(value)) return typeof value === 'string' ? value : JSON.stringify(value);
  const [key, arg] = Object.entries(value)[0] ?? [];
  switch (key) {
    case 'prefix':
      return `${String(arg)}*`;
    case 'suffix':
      return `*${String(arg)}`;
    case 'anything-but':
      return `not ${[arg].flat().map(matcher).join('|')}`;
    case 'exists':
      return arg ? 'exists' : 'absent';
    case 'numeric':
      return Array.isArray(arg) ? arg.map(String).join(' ') : String(arg);
    default:
      return JSON.stringify(value);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
