/** A FilterCriteria pattern, parsed. */
export type Pattern = Record<string, unknown>;

/** Thrown for a pattern the runtime cannot evaluate; start-up reports it. */
export class PatternError extends Error {
  public override readonly name = 'PatternError';
}

/**
 * Parses the `Pattern` strings of `FilterCriteria.Filters`, failing on one that is not a JSON object or that
 * uses an operator the runtime cannot evaluate.
 */
export function parsePatterns(filters: readonly { Pattern?: unknown }[]): Pattern[] {
  return filters.map((f, i) => {
    let pattern: unknown;
    try {
      pattern = typeof f.Pattern === 'string' ? JSON.parse(f.Pattern) : f.Pattern;
    } catch {
      throw new PatternError(`Filters[${i}].Pattern is not JSON`);
    }
    if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
      throw new PatternError(`Filters[${i}].Pattern must be a JSON object`);
    }
    validate(pattern as Pattern);
    return pattern as Pattern;
  });
}

/** Throws {@link PatternError} for an operator anywhere in the pattern that the runtime cannot evaluate. */
function validate(pattern: Pattern): void {
  for (const rule of Object.values(pattern)) {
    if (Array.isArray(rule)) rule.forEach((alternative) => matchesValue(alternative, undefined, false));
    else if (rule !== null && typeof rule === 'object') validate(rule as Pattern);
  }
}

/** Whether a record matches any of the patterns (no patterns: every record matches). */
export function matchesAny(patterns: readonly Pattern[], record: Record<string, unknown>): boolean {
  return patterns.length === 0 || patterns.some((p) => matches(p, record));
}

/**
 * EventBridge-style matching as Lambda applies it to event source records: every key of the pattern must
 * match (AND), each key's array lists alternatives (OR); nested objects match nested fields, and an array
 * field matches when any of its elements does.
 *
 * `exists` is about leaves, as in EventBridge: `{"exists": true}` matches a field holding a value (a string,
 * number, boolean or null, or an array with one), `{"exists": false}` a field that holds none — absent, or
 * under a parent that is itself absent (a REMOVE record's missing `NewImage`). A nested pattern never
 * matches a field that is a plain value, so a JSON pattern drops a plain-string SQS body.
 */
export function matches(pattern: Pattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const field = isObject(value) ? (value as Record<string, unknown>)[key] : undefined;
    // JSON has no undefined: a key holding it is as absent as a missing one.
    const present = field !== undefined;
    if (Array.isArray(rule)) return rule.some((alternative) => matchesValue(alternative, field, present));
    if (rule !== null && typeof rule === 'object') {
      if (!present) return matches(rule as Pattern, undefined); // only `exists: false` below can match
      if (Array.isArray(field)) return field.some((element) => matches(rule as Pattern, element));
      return isObject(field) && matches(rule as Pattern, field);
    }
    return false;
  });
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';

function matchesValue(rule: unknown, field: unknown, present: boolean): boolean {
  const values = Array.isArray(field) ? field : [field];
  if (rule === null) return present && field === null;
  if (typeof rule !== 'object') return present && values.some((v) => v === rule);
  const [operator, operand] = Object.entries(rule as Record<string, unknown>)[0] ?? [];
  switch (operator) {
    case 'exists': {
      if (typeof operand !== 'boolean') throw new PatternError('exists takes true or false');
      const leaf = present && values.some((v) => !isObject(v));
      return operand === leaf;
    }
    case 'prefix':
      return present && values.some((v) => typeof v === 'string' && v.startsWith(String(operand)));
    case 'suffix':
      return present && values.some((v) => typeof v === 'string' && v.endsWith(String(operand)));
    case 'equals-ignore-case':
      return (
        present &&
        values.some((v) => typeof v === 'string' && v.toLowerCase() === String(operand).toLowerCase())
      );
    case 'anything-but': {
      if (isObject(operand) && !Array.isArray(operand)) {
        // `{"anything-but": {"prefix": …}}` and its kin: an operator inside, not a value to exclude.
        throw new PatternError(
          `anything-but with ${Object.keys(operand).join(', ')} is not supported offline`,
        );
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return present && values.every((v) => !excluded.includes(v));
    }
    case 'numeric':
      return present && values.some((v) => typeof v === 'number' && numeric(operand as unknown[], v));
    default:
      throw new PatternError(`filter operator ${String(operator)} is not supported offline`);
  }
}

function numeric(conditions: unknown[], v: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const n = Number(conditions[i + 1]);
    const ok =
      op === '='
        ? v === n
        : op === '<'
          ? v < n
          : op === '<='
            ? v <= n
            : op === '>'
              ? v > n
              : op === '>='
                ? v >= n
                : false;
    if (!ok) return false;
  }
  return true;
}

/** The record as filters see it: the data field (`body`, `data`) parsed from JSON when it is JSON. */
export function filterView(
  record: Record<string, unknown>,
  dataField: 'body' | 'data',
): Record<string, unknown> {
  const raw = record[dataField];
  if (typeof raw !== 'string') return record;
  const text = dataField === 'data' ? Buffer.from(raw, 'base64').toString() : raw;
  try {
    return { ...record, [dataField]: JSON.parse(text) as unknown };
  } catch {
    return { ...record, [dataField]: text };
  }
}
