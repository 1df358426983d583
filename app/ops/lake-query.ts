/**
 * Runs one of the lake's named Athena queries and reads its rows: the `lake:query` command's work, and the
 * tests'. The named query is found by name in every workgroup (Athena lists a workgroup's named queries
 * only when asked for that workgroup), run in its own database and workgroup, waited for, and read page by
 * page.
 */
import {
  BatchGetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  ListNamedQueriesCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type NamedQuery,
} from '@aws-sdk/client-athena';

/** The query is unknown, ambiguous, failed, was cancelled or took too long; the message says which and why. */
export class LakeQueryError extends Error {
  public override readonly name = 'LakeQueryError';
}

/** Options of {@link runNamedQuery}. */
export interface LakeQueryOptions {
  readonly athena: AthenaClient;
  /** The named query's name, e.g. `daily_device_aggregates`. */
  readonly query: string;
  /** Only this workgroup's named queries. @default every workgroup's; a name found in two is an error */
  readonly workGroup?: string;
  /** How often the execution is polled, in ms. @default 250 */
  readonly pollMs?: number;
  /** How long to wait for the query, in ms. @default 300000 (five minutes) */
  readonly timeoutMs?: number;
  /** Told each state the execution reports. */
  readonly onState?: (state: string) => void;
}

/** A query's answer: the column names and every row, as Athena gives values (text, null for NULL). */
export interface LakeQueryResult {
  readonly queryExecutionId: string;
  readonly namedQuery: { readonly name: string; readonly database: string; readonly workGroup: string };
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
  /** What Athena says it read, in bytes. */
  readonly dataScannedBytes?: number;
  readonly engineMs?: number;
}

/** Finds the named query by name; throws {@link LakeQueryError} when no workgroup or more than one has it. */
export async function findNamedQuery(
  athena: AthenaClient,
  name: string,
  workGroup?: string,
): Promise<NamedQuery & { WorkGroup: string }> {
  const groups = workGroup ? [workGroup] : await listWorkGroups(athena);
  const found: Array<NamedQuery & { WorkGroup: string }> = [];
  const names: string[] = [];
  for (const group of groups) {
    let token: string | undefined;
    do {
      const page = await athena.send(new ListNamedQueriesCommand({ WorkGroup: group, NextToken: token }));
      token = page.NextToken;
      const ids = page.NamedQueryIds ?? [];
      // BatchGetNamedQuery takes at most 50 ids.
      for (let i = 0; i < ids.length; i += 50) {
        const batch = await athena.send(
          new BatchGetNamedQueryCommand({ NamedQueryIds: ids.slice(i, i + 50) }),
        );
        for (const q of batch.NamedQueries ?? []) {
          names.push(q.Name ?? '');
          if (q.Name === name) found.push({ ...q, WorkGroup: q.WorkGroup ?? group });
        }
      }
    } while (token);
  }
  if (found.length === 0) {
    const known = [...new Set(names)].sort();
    throw new LakeQueryError(
      `no named query "${name}"${workGroup ? ` in workgroup ${workGroup}` : ''}; the named queries are: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  if (found.length > 1) {
    throw new LakeQueryError(
      `named query "${name}" exists in workgroups ${found.map((q) => q.WorkGroup).join(', ')}: pass --workgroup to choose one`,
    );
  }
  return found[0] as NamedQuery & { WorkGroup: string };
}

async function listWorkGroups(athena: AthenaClient): Promise<string[]> {
  const groups: string[] = [];
  let token: string | undefined;
  do {
    const page = await athena.send(new ListWorkGroupsCommand({ NextToken: token }));
    token = page.NextToken;
    for (const g of page.WorkGroups ?? []) if (g.Name && g.State !== 'DISABLED') groups.push(g.Name);
  } while (token);
  return groups;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the named query and returns its rows. Throws {@link LakeQueryError} with Athena's reason when the
 * query fails or is cancelled, and when it does not finish within `timeoutMs`.
 */
export async function runNamedQuery(options: LakeQueryOptions): Promise<LakeQueryResult> {
  const { athena } = options;
  const named = await findNamedQuery(athena, options.query, options.workGroup);
  const database = named.Database ?? '';
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: named.QueryString,
      QueryExecutionContext: { Database: database },
      WorkGroup: named.WorkGroup,
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new LakeQueryError(`Athena started "${options.query}" without a query execution id`);
  const execution = await waitForQuery(options, id);
  const columns: string[] = [];
  const rows: Array<Array<string | null>> = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }),
    );
    token = page.NextToken;
    if (columns.length === 0) {
      for (const c of page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []) columns.push(c.Name ?? '');
    }
    const data = page.ResultSet?.Rows ?? [];
    // A SELECT's first row of the first page holds the column names.
    for (const [i, row] of data.entries()) {
      if (first && i === 0) continue;
      rows.push((row.Data ?? []).map((d) => d.VarCharValue ?? null));
    }
    first = false;
  } while (token);
  return {
    queryExecutionId: id,
    namedQuery: { name: options.query, database, workGroup: named.WorkGroup },
    columns,
    rows,
    dataScannedBytes: execution.dataScannedBytes,
    engineMs: execution.engineMs,
  };
}

async function waitForQuery(
  options: LakeQueryOptions,
  id: string,
): Promise<{ dataScannedBytes?: number; engineMs?: number }> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let last = '';
  for (;;) {
    const { QueryExecution } = await options.athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = QueryExecution?.Status?.State ?? 'UNKNOWN';
    if (state !== last) options.onState?.(state);
    last = state;
    if (state === 'SUCCEEDED') {
      return {
        dataScannedBytes: QueryExecution?.Statistics?.DataScannedInBytes,
        engineMs: QueryExecution?.Statistics?.EngineExecutionTimeInMillis,
      };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = QueryExecution?.Status?.StateChangeReason ?? 'no reason given';
      throw new LakeQueryError(`query "${options.query}" (${id}) ${state.toLowerCase()}: ${reason}`);
    }
    if (Date.now() > deadline) {
      throw new LakeQueryError(`query "${options.query}" (${id}) is still ${state} after the time allowed`);
    }
    await sleep(options.pollMs ?? 250);
  }
}

/** How `lake:query` prints rows. */
export type RowFormat = 'table' | 'json' | 'csv';

/** The rows as text in `format`: an aligned table, a JSON array of objects, or RFC 4180 CSV with a header. */
export function formatRows(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  format: RowFormat,
): string {
  if (format === 'json') {
    const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null])));
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  if (format === 'csv') {
    const cell = (v: string | null) =>
      v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    return [columns, ...rows].map((r) => `${r.map(cell).join(',')}\r\n`).join('');
  }
  const text = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : v);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells: ReadonlyArray<string | null | undefined>) =>
    cells
      .map((v, i) => text(v).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const ruler = widths.map((w) => '-'.repeat(w)).join('  ');
  const footer = `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return `${[line(columns), ruler, ...rows.map((r) => line(columns.map((_, i) => r[i])))].join('\n')}\n${footer}\n`;
}
