import { isIP } from 'node:net';

/** An EventBridge event pattern, parsed: field names to alternatives (arrays) or nested patterns. */
export type EventPattern = Readonly<Record<string, unknown>>;

/** A pattern EventBridge would refuse (`InvalidEventPatternException`); start-up reports it. */
export class EventPatternError extends Error {
  public override readonly name = 'EventPatternError';
}

const STRING_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
const NUMERIC_OPERATORS = ['<', '<=', '=', '>', '>='] as const;

/**
 * Checks a pattern as `PutRule` does and returns it typed; throws an {@link EventPatternError} naming the
 * first field that is not valid. A JSON text is parsed first.
 */
export function parsePattern(value: unknown): EventPattern {
  let pattern = value;
  if (typeof value === 'string') {
    try {
      pattern = JSON.parse(value) as unknown;
    } catch {
      throw new EventPatternError('the event pattern is not JSON');
    }
  }
  if (!isObject(pattern)) throw new EventPatternError('the event pattern must be a JSON object');
  if (Object.keys(pattern).length === 0) throw new EventPatternError('the event pattern must not be empty');
  checkObject(pattern, '');
  return pattern;
}

/**
 * Whether an event matches a pattern, as EventBridge matches: every field of the pattern must match (AND),
 * a field's array lists alternatives (OR), `$or` lists alternative sub-patterns; a nested pattern matches a
 * nested object (for an array of objects, any one element); against an array value, an alternative
 * matches when it matches any element.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or' && Array.isArray(rule)) {
      return rule.some((sub) => matchesPattern(sub as EventPattern, event));
    }
    const present = isObject(event) && Object.hasOwn(event, key);
    const field = present ? event[key] : undefined;
    if (Array.isArray(rule)) return matchesLeaf(rule, field, present);
    const nested = rule as EventPattern;
    if (Array.isArray(field) && field.some(isObject)) {
      return field.some((element) => matchesPattern(nested, element));
    }
    // Below an absent or non-object field only `exists: false` can still match.
    return matchesPattern(nested, isObject(field) ? field : undefined);
  });
}

function matchesLeaf(alternatives: readonly unknown[], field: unknown, present: boolean): boolean {
  // An object is not a leaf: no value matcher matches it, and for `exists` it does not count as present.
  const leaf = present && !isObject(field);
  const values = !leaf ? [] : Array.isArray(field) ? field.filter((v) => !isObject(v)) : [field];
  return alternatives.some((alternative) => matchesValue(alternative, values));
}

function matchesValue(alternative: unknown, values: readonly unknown[]): boolean {
  if (!isObject(alternative)) return values.some((v) => v === alternative);
  const [operator, operand] = Object.entries(alternative)[0] as [string, unknown];
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (operator) {
    case 'exists':
      return operand === values.length > 0;
    case 'numeric':
      return values.some((v) => typeof v === 'number' && numericMatches(operand as unknown[], v));
    case 'cidr':
      return strings.some((v) => inCidr(v, operand as string));
    case 'anything-but':
      return values.some((v) => !excluded(operand, v));
    default:
      return strings.some((v) => stringMatches(operator, operand, v));
  }
}

/** Whether `anything-but`'s operand excludes a value. */
function excluded(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return operand.includes(value);
  if (isObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] as [string, unknown];
    if (typeof value !== 'string') return false;
    const list = Array.isArray(inner) ? (inner as unknown[]) : [inner];
    return list.some((one) => stringMatches(operator, one, value));
  }
  return operand === value;
}

function stringMatches(operator: string, operand: unknown, value: string): boolean {
  const ignoreCase = isObject(operand);
  const text = String(ignoreCase ? operand['equals-ignore-case'] : operand);
  const v = ignoreCase ? value.toLowerCase() : value;
  const t = ignoreCase ? text.toLowerCase() : text;
  switch (operator) {
    case 'prefix':
      return v.startsWith(t);
    case 'suffix':
      return v.endsWith(t);
    case 'equals-ignore-case':
      return value.toLowerCase() === text.toLowerCase();
    case 'wildcard':
      return wildcardRegExp(text).test(value);
    default:
      return false;
  }
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegExp(pattern[i] as string);
    } else source += c === '*' ? '.*' : escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function numericMatches(conditions: readonly unknown[], v: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const n = conditions[i + 1] as number;
    const ok =
      conditions[i] === '='
        ? v === n
        : conditions[i] === '<'
          ? v < n
          : conditions[i] === '<='
            ? v <= n
            : conditions[i] === '>'
              ? v > n
              : v >= n;
    if (!ok) return false;
  }
  return true;
}

/** Whether an IPv4 or IPv6 address lies in a CIDR block. */
function inCidr(address: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const family = isIP(base);
  if (family === 0 || isIP(address) !== family) return false;
  const bits = Number(bitsText);
  const a = ipBits(address, family);
  const b = ipBits(base, family);
  return a.slice(0, bits) === b.slice(0, bits);
}

function ipBits(address: string, family: number): string {
  if (family === 4)
    return address
      .split('.')
      .map((p) => Number(p).toString(2).padStart(8, '0'))
      .join('');
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkObject(pattern: Record<string, unknown>, path: string): void {
  for (const [key, rule] of Object.entries(pattern)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '$or' && Array.isArray(rule)) {
      if (rule.length < 2 || !rule.every(isObject)) {
        throw new EventPatternError(`${at} must be an array of at least two patterns`);
      }
      rule.forEach((sub, i) => {
        checkObject(sub, `${at}[${i}]`);
      });
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw new EventPatternError(`${at} must not be an empty array`);
      for (const alternative of rule) checkAlternative(alternative, at);
    } else if (isObject(rule)) {
      checkObject(rule, at);
    } else {
      throw new EventPatternError(`${at}: ${JSON.stringify(rule)} must be an object or an array`);
    }
  }
}

function checkAlternative(alternative: unknown, at: string): void {
  if (!isObject(alternative)) {
    if (Array.isArray(alternative)) throw new EventPatternError(`${at}: arrays cannot be nested`);
    return;
  }
  const entries = Object.entries(alternative);
  const [operator, operand] = entries[0] ?? [];
  const fail = (why: string) => new EventPatternError(`${at}: ${JSON.stringify(alternative)} ${why}`);
  if (entries.length !== 1) throw fail('must hold exactly one operator');
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw fail('needs true or false');
      return;
    case 'numeric':
      checkNumeric(operand, fail);
      return;
    case 'cidr': {
      const [base = '', bits] = String(operand).split('/');
      const family = isIP(base);
      if (typeof operand !== 'string' || family === 0 || !/^\d+$/.test(bits ?? '')) {
        throw fail('needs an IPv4 or IPv6 CIDR block');
      }
      if (Number(bits) > (family === 4 ? 32 : 128)) throw fail('has a prefix length out of range');
      return;
    }
    case 'anything-but':
      checkAnythingBut(operand, fail);
      return;
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string') return;
      if (
        isObject(operand) &&
        Object.keys(operand).length === 1 &&
        typeof operand['equals-ignore-case'] === 'string'
      ) {
        return;
      }
      throw fail('needs a string or { "equals-ignore-case": string }');
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw fail('needs a string');
      return;
    case 'wildcard':
      if (typeof operand !== 'string') throw fail('needs a string');
      if (/(?<!\\)\*\*/.test(operand)) throw fail('cannot hold consecutive wildcards');
      return;
    default:
      throw fail(`uses ${String(operator)}, which is not an event pattern operator`);
  }
}

function checkNumeric(operand: unknown, fail: (why: string) => Error): void {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length > 4 || operand.length % 2 !== 0) {
    throw fail('needs one or two [operator, number] pairs');
  }
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i] as string;
    if (!(NUMERIC_OPERATORS as readonly string[]).includes(op) || typeof operand[i + 1] !== 'number') {
      throw fail('needs one or two [operator, number] pairs');
    }
    if (op === '=' && operand.length > 2) throw fail('cannot combine "=" with a range');
  }
  if (operand.length === 4) {
    const [first, , second] = operand as string[];
    if (!first?.startsWith('>') || !second?.startsWith('<')) {
      throw fail('needs a lower bound (">", ">=") then an upper bound ("<", "<=")');
    }
  }
}

function checkAnythingBut(operand: unknown, fail: (why: string) => Error): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    const kinds = new Set(operand.map((v) => typeof v));
    if (operand.length === 0 || kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
      throw fail('needs a list of only strings or only numbers');
    }
    return;
  }
  if (isObject(operand)) {
    const entries = Object.entries(operand);
    const [inner, value] = entries[0] ?? [];
    const strings =
      typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (entries.length === 1 && (STRING_OPERATORS as readonly string[]).includes(inner ?? '') && strings)
      return;
  }
  throw fail(
    'needs a string, a number, a list of them, or one of prefix, suffix, equals-ignore-case, wildcard',
  );
}
