/** A FilterCriteria pattern, parsed. */
export type Pattern = Record<string, unknown>;

/** Thrown for a pattern the runtime cannot evaluate; start-up reports it. */
export class PatternError extends Error {
  public override readonly name = 'PatternError';
}

/** Parses the `Pattern` strings of `FilterCriteria.Filters`, failing on one that is not a JSON object. */
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
    return pattern as Pattern;
  });
}

/** Whether a record matches any of the patterns (no patterns: every record matches). */
export function matchesAny(patterns: readonly Pattern[], record: Record<string, unknown>): boolean {
  return patterns.length === 0 || patterns.some((p) => matches(p, record));
}

/**
 * EventBridge-style matching as Lambda applies it to event source records: every key of the pattern must
 * match (AND), each key's array lists alternatives (OR); nested objects match nested fields.
 */
export function matches(pattern: Pattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const present = value !== null && typeof value === 'object' && Object.hasOwn(value, key);
    const field = present ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) return rule.some((alternative) => matchesValue(alternative, field, present));
    if (rule !== null && typeof rule === 'object') return present && matches(rule as Pattern, field);
    return false;
  });
}

function matchesValue(rule: unknown, field: unknown, present: boolean): boolean {
  const values = Array.isArray(field) ? field : [field];
  if (rule === null) return present && field === null;
  if (typeof rule !== 'object') return present && values.some((v) => v === rule);
  const [operator, operand] = Object.entries(rule as Record<string, unknown>)[0] ?? [];
  switch (operator) {
    case 'exists':
      return operand === present;
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
