/**
 * Trino's functions that lake queries use, as DuckDB macros with Trino's names and argument order. They live
 * in the catalog's `main` schema, which every query's search path holds after its database; where DuckDB has
 * a function of the same name with other semantics (`date_diff`, `date_add`, `element_at`, `cardinality`),
 * the macro shadows it, as Trino's meaning is the one a query written for Athena expects.
 */
/** Each macro: Trino's signature → DuckDB's body. */
export const TRINO_MACROS: readonly string[] = [
  `from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `from_iso8601_date(s) AS CAST(s AS DATE)`,
  `to_iso8601(t) AS strftime(CAST(t AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`,
  `from_unixtime(n) AS to_timestamp(n)`,
  `to_unixtime(t) AS epoch(t)`,
  `approx_distinct(x) AS approx_count_distinct(x)`,
  `approx_percentile(x, p) AS approx_quantile(x, p)`,
  `json_extract_scalar(j, p) AS json_extract_string(j, p)`,
  `json_parse(s) AS CAST(s AS JSON)`,
  `json_format(j) AS CAST(j AS VARCHAR)`,
  `regexp_like(s, p) AS regexp_matches(s, p)`,
  `array_join(a, d) AS array_to_string(a, d)`,
  `element_at(x, i) AS x[i]`,
  `day_of_week(t) AS isodow(t)`,
  `day_of_year(t) AS dayofyear(t)`,
  `last_day_of_month(t) AS last_day(t)`,
  // One body for arrays and maps: both print as JSON, an array's length or an object's key count.
  `cardinality(x) AS CASE WHEN json_type(to_json(x)) = 'ARRAY' THEN json_array_length(to_json(x)) ELSE len(json_keys(to_json(x))) END`,
  // Trino counts whole units elapsed (DuckDB's date_sub), not boundaries crossed (DuckDB's date_diff).
  `date_diff(u, a, b) AS date_sub(u, a, b)`,
  `date_add(u, n, t) AS CASE lower(u)
     WHEN 'millisecond' THEN t + to_milliseconds(CAST(n AS BIGINT))
     WHEN 'second' THEN t + to_seconds(CAST(n AS BIGINT))
     WHEN 'minute' THEN t + to_minutes(CAST(n AS BIGINT))
     WHEN 'hour' THEN t + to_hours(CAST(n AS BIGINT))
     WHEN 'day' THEN t + to_days(CAST(n AS INTEGER))
     WHEN 'week' THEN t + to_weeks(CAST(n AS INTEGER))
     WHEN 'month' THEN t + to_months(CAST(n AS INTEGER))
     WHEN 'quarter' THEN t + to_months(3 * CAST(n AS INTEGER))
     WHEN 'year' THEN t + to_years(CAST(n AS INTEGER)) END`,
];

/** Session settings that make DuckDB answer as Trino does. */
export const TRINO_SETTINGS: readonly string[] = [
  // Trino divides integers as integers: 5 / 2 = 2.
  `SET integer_division = true`,
  `SET TimeZone = 'UTC'`,
];

/** What a statement is, for Athena's `StatementType` and what the engine runs. */
export type StatementKind = 'DML' | 'UTILITY' | 'REPAIR' | 'UNSUPPORTED';

/** The kind of one statement, from its first keyword (comments and parentheses skipped). */
export function statementKind(sql: string): StatementKind {
  const text = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/^[\s(]+/, '');
  const word = (/^[A-Za-z]+/.exec(text)?.[0] ?? '').toUpperCase();
  if (['SELECT', 'WITH', 'VALUES', 'TABLE'].includes(word)) return 'DML';
  if (['SHOW', 'DESCRIBE', 'EXPLAIN'].includes(word)) return 'UTILITY';
  if (word === 'MSCK' || /^ALTER\s+TABLE\s+\S+\s+ADD\s+(IF\s+NOT\s+EXISTS\s+)?PARTITION/i.test(text)) {
    return 'REPAIR';
  }
  return 'UNSUPPORTED';
}

/** The word-like names a query mentions, lower-cased: the tables it may read are among them. */
export function namesIn(sql: string): Set<string> {
  const names = new Set<string>();
  for (const match of sql.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add((match[1] ?? match[2] ?? '').replace(/""/g, '"').toLowerCase());
  }
  return names;
}

/**
 * A DuckDB error as Athena states a failed query's reason: Trino's error name first, the engine's first line
 * after it, with no file path or engine detail.
 */
export function athenaReason(message: string, hiddenPaths: readonly string[]): string {
  let line = (message.split('\n')[0] ?? '').trim().replace(/^Failed to extract statements: /, '');
  for (const p of hiddenPaths) line = line.split(p).join('');
  line = line.replace(/"(?:[A-Za-z]:)?\/[^"]*"/g, '"…"');
  const [, kind = '', rest = line] = /^([A-Za-z ]+ Error): (.*)$/.exec(line) ?? [];
  const table = /^Table with name (\S+) does not exist/.exec(rest);
  if (table) return `TABLE_NOT_FOUND: Table '${table[1] ?? ''}' does not exist`;
  const column = /^Referenced column "?([^"\s]+)"? not found/.exec(rest);
  if (column) return `COLUMN_NOT_FOUND: Column '${column[1] ?? ''}' cannot be resolved`;
  if (/^JSON transform error/.test(rest)) {
    return `HIVE_BAD_DATA: ${rest.replace(/ in file "[^"]*"/, '')}; set the SerDe property use.null.for.invalid.data to true to read such values as NULL`;
  }
  const fn = /^(?:Scalar |Aggregate |Table )?Function with name (\S+) does not exist/.exec(rest);
  if (fn) return `FUNCTION_NOT_FOUND: Function '${fn[1] ?? ''}' not registered`;
  const name =
    kind === 'Parser Error'
      ? 'SYNTAX_ERROR'
      : kind === 'Conversion Error'
        ? 'INVALID_CAST_ARGUMENT'
        : kind === 'Permission Error'
          ? 'PERMISSION_DENIED'
          : kind === 'Catalog Error' || kind === 'Binder Error'
            ? 'SEMANTIC_ERROR'
            : 'GENERIC_USER_ERROR';
  return `${name}: ${rest}`;
}

/** MySQL's date specifiers (Trino's `date_parse`/`date_format`) as C's (DuckDB's `strptime`/`strftime`). */
const MYSQL_TO_C: Readonly<Record<string, string>> = {
  '%M': '%B',
  '%i': '%M',
  '%s': '%S',
  '%h': '%I',
  '%T': '%H:%M:%S',
  '%W': '%A',
  '%c': '%-m',
  '%e': '%-d',
  '%k': '%-H',
  '%l': '%-I',
  '%r': '%I:%M:%S %p',
  '%v': '%V',
  '%x': '%G',
};

/**
 * Rewrites Trino's `date_parse(x, '<format>')` and `date_format(x, '<format>')` into DuckDB's `strptime` and
 * `strftime` with the format translated; DuckDB needs a constant format, so only a literal one is rewritten.
 */
export function rewriteDateFormats(sql: string): string {
  let out = '';
  let at = 0;
  const pattern = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\b(date_parse|date_format)\s*\(/gi;
  for (const match of sql.matchAll(pattern)) {
    const fn = match[1];
    if (fn === undefined || match.index < at) continue;
    const open = match.index + match[0].length;
    const call = callArguments(sql, open);
    if (!call) continue;
    const [first, second] = call.args;
    const format = /^\s*'((?:[^']|'')*)'\s*$/.exec(second ?? '');
    if (call.args.length !== 2 || first === undefined || !format) continue;
    const c = (format[1] ?? '').replace(/%[A-Za-z]/g, (spec) => MYSQL_TO_C[spec] ?? spec);
    const duck = fn.toLowerCase() === 'date_parse' ? 'strptime' : 'strftime';
    const value = duck === 'strftime' ? `CAST(${first} AS TIMESTAMP)` : first;
    out += `${sql.slice(at, match.index)}${duck}(${value}, '${c}')`;
    at = call.end;
  }
  return out + sql.slice(at);
}

/** The top-level arguments of a call whose `(` ends before `open`, and where its `)` ends. */
function callArguments(sql: string, open: number): { args: string[]; end: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let start = open;
  for (let i = open; i < sql.length; i += 1) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const close = sql.indexOf(ch, i + 1);
      if (close < 0) return undefined;
      i = close;
    } else if (ch === '(') depth += 1;
    else if (ch === ')') {
      if (depth === 0) {
        args.push(sql.slice(start, i));
        return { args, end: i + 1 };
      }
      depth -= 1;
    } else if (ch === ',' && depth === 0) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  return undefined;
}

/**
 * A query with each `?` outside literals replaced by the next of `ExecutionParameters` (each a SQL literal
 * such as `'abc'` or `1`, as Athena takes them); undefined when the counts differ.
 */
export function bindParameters(sql: string, parameters: readonly string[]): string | undefined {
  let next = 0;
  const bound = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\?/g, (token) => {
    if (token !== '?') return token;
    const value = parameters[next];
    next += 1;
    return value ?? '?';
  });
  return next !== parameters.length ? undefined : bound;
}
