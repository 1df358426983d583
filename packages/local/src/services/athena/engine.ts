import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { GlueTable } from '../glue/service.js';
import { duckDbType } from '../glue/types.js';
import {
  athenaReason,
  namesIn,
  rewriteDateFormats,
  statementKind,
  TRINO_MACROS,
  TRINO_SETTINGS,
  type StatementKind,
} from './dialect.js';
import { TableMirror, type ObjectSource } from './mirror.js';
import { tableLayout } from './partitions.js';
import { athenaColumns, formatValue, isDouble, type QueryResult } from './results.js';

/** The catalog the engine reads tables from (the Glue service's). */
export interface EngineCatalog {
  databaseNames(): string[];
  tables(database: string): GlueTable[];
}

/** What a query that ran answers. */
export interface RunOutcome {
  readonly kind: StatementKind;
  readonly result: QueryResult;
  /** The stored bytes of every object of the tables the query read. */
  readonly scannedBytes: number;
  /** Lines of those tables' objects skipped as malformed. */
  readonly malformedLines: number;
}

/** A query Athena would answer FAILED; the message is the reason, as Athena states it. */
export class QueryFailedError extends Error {
  public override readonly name = 'QueryFailedError';
}

/** The DuckDB catalog holding one schema per Glue database, named as Athena's catalog is. */
const CATALOG = 'awsdatacatalog';
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

interface KeptTable {
  readonly mirror: TableMirror;
  /** The table definition the view was made from; a new definition makes a new mirror. */
  readonly table: GlueTable;
  viewMade: boolean;
}

/**
 * Athena's engine offline: one in-memory DuckDB per runtime with a schema per Glue database. Before a query
 * runs, every table it names is made current — its location mirrored from local S3 ({@link TableMirror}) and
 * exposed as a view over the mirrored files with the Glue columns and the partition columns from the keys.
 * Queries run one at a time; DuckDB reads only the mirror's folder (external access is disabled).
 */
export class AthenaEngine {
  private connection?: Promise<DuckDBConnection>;
  private instance?: DuckDBInstance;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly kept = new Map<string, KeptTable>();

  constructor(
    private readonly catalog: EngineCatalog,
    private readonly source: ObjectSource,
    /** The folder mirrored tables go in; the engine owns it. */
    private readonly cacheDir: string,
  ) {}

  /**
   * Runs one statement against a database, after the queries before it; `cancelled` is asked before the
   * statement starts, so that a query stopped while it waited or mirrored never runs.
   */
  public async run(sql: string, database: string, cancelled = () => false): Promise<RunOutcome> {
    const run = this.tail.then(async () => this.runNow(sql, database, cancelled));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Interrupts the statement running now, if any. */
  public async interrupt(): Promise<void> {
    if (this.connection) (await this.connection).interrupt();
  }

  /** Closes DuckDB and removes the mirror. */
  public async close(): Promise<void> {
    await this.tail;
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.closeSync();
    this.instance?.closeSync();
    this.instance = undefined;
    rmSync(this.cacheDir, { recursive: true, force: true });
  }

  private async open(): Promise<DuckDBConnection> {
    const instance = await DuckDBInstance.create(':memory:');
    this.instance = instance;
    const c = await instance.connect();
    await c.run(`ATTACH ':memory:' AS ${CATALOG}`);
    await c.run(`USE ${CATALOG}`);
    for (const macro of TRINO_MACROS) await c.run(`CREATE OR REPLACE MACRO ${CATALOG}.main.${macro}`);
    for (const setting of TRINO_SETTINGS) await c.run(setting);
    // Queries read the catalog's tables only: no other file, no network.
    await c.run(`SET allowed_directories = [${literal(`${this.cacheDir}${path.sep}`)}]`);
    await c.run(`SET enable_external_access = false`);
    return c;
  }

  private async runNow(athenaSql: string, database: string, cancelled: () => boolean): Promise<RunOutcome> {
    const sql = rewriteDateFormats(athenaSql);
    this.connection ??= this.open();
    const c = await this.connection;
    const hidden = [this.cacheDir];
    let count: number;
    try {
      count = (await c.extractStatements(sql)).count;
    } catch (error: unknown) {
      throw new QueryFailedError(athenaReason(messageOf(error), hidden));
    }
    if (count === 0) throw new QueryFailedError('SYNTAX_ERROR: the query is empty');
    if (count > 1) throw new QueryFailedError('Only one sql statement is allowed.');
    const kind = statementKind(sql);
    if (kind === 'UNSUPPORTED') {
      throw new QueryFailedError(
        'NOT_SUPPORTED: offline, Athena runs queries only (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN, MSCK REPAIR TABLE); tables come from the templates',
      );
    }
    const { scannedBytes, malformedLines } = await this.makeCurrent(c, sql);
    if (kind === 'REPAIR') {
      // Partitions are found from the keys on every query: there is nothing to add.
      return { kind, result: { columns: [], rows: [] }, scannedBytes: 0, malformedLines };
    }
    if (cancelled()) throw new QueryFailedError('Query cancelled by user');
    try {
      await c.run(
        `SET search_path = ${literal(`${CATALOG}.${ident(database.toLowerCase())},${CATALOG}.main`)}`,
      );
      // What DuckDB parsed, not the first word: a query reads, and `EXPLAIN ANALYZE` (which runs what it
      // wraps) may wrap a read only, so no statement can replace a view, a macro or a mirrored file.
      const prepared = await c.prepare(sql);
      if (!(await readsOnly(c, sql, prepared.statementType))) {
        throw new QueryFailedError(
          'NOT_SUPPORTED: offline, Athena runs queries only (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN of a query)',
        );
      }
      const reader = await prepared.runAndReadAll();
      const types = reader.columnTypes();
      const doubles = types.map(isDouble);
      const rows = reader.getRows().map((row) => row.map((v, i) => formatValue(v, doubles[i])));
      return {
        kind,
        result: { columns: athenaColumns(reader.columnNames(), types), rows },
        scannedBytes,
        malformedLines,
      };
    } catch (error: unknown) {
      if (error instanceof QueryFailedError) throw error;
      throw new QueryFailedError(athenaReason(messageOf(error), hidden));
    }
  }

  /** Mirrors every table the query names and (re)makes its view; resolves with what they hold. */
  private async makeCurrent(
    c: DuckDBConnection,
    sql: string,
  ): Promise<{ scannedBytes: number; malformedLines: number }> {
    const names = namesIn(sql);
    let scannedBytes = 0;
    let malformedLines = 0;
    for (const db of [...new Set(['default', ...this.catalog.databaseNames()])]) {
      await c.run(`CREATE SCHEMA IF NOT EXISTS ${CATALOG}.${ident(db)}`);
      for (const table of this.catalog.tables(db)) {
        if (!names.has(table.Name)) continue;
        const id = `${db}.${table.Name}`;
        let kept = this.kept.get(id);
        if (kept?.table !== table) {
          const dir = path.join(this.cacheDir, String(this.kept.size), table.Name);
          const serde = table.StorageDescriptor.SerdeInfo.Parameters;
          const mirror = new TableMirror(tableLayout(table), dir, {
            caseInsensitive: (serde['case.insensitive'] ?? 'true').toLowerCase() !== 'false',
            dotsInKeys: (serde['dots.in.keys'] ?? '').toLowerCase() === 'true',
          });
          kept = { mirror, table, viewMade: false };
          this.kept.set(id, kept);
        }
        const report = await kept.mirror.sync(this.source);
        scannedBytes += report.bytes;
        malformedLines += report.malformed;
        if (report.malformedKey !== undefined && !serdeFlag(table, 'ignore.malformed.json')) {
          const { bucket } = tableLayout(table);
          throw new QueryFailedError(
            `HIVE_CURSOR_ERROR: Row is not a valid JSON Object in s3://${bucket}/${report.malformedKey}; set the SerDe property ignore.malformed.json to true to skip such lines`,
          );
        }
        if (report.changed || !kept.viewMade) {
          await c.run(
            `CREATE OR REPLACE VIEW ${CATALOG}.${ident(db)}.${ident(table.Name)} AS ${viewSql(table, kept.mirror)}`,
          );
          kept.viewMade = true;
        }
      }
    }
    return { scannedBytes, malformedLines };
  }
}

/** The SELECT a table's view is: the Glue columns, then the partition columns, over the mirrored files. */
function viewSql(table: GlueTable, mirror: TableMirror): string {
  const columns = table.StorageDescriptor.Columns.map((c) => [c.Name, duckDbType(c.Type)] as const);
  const partitions = table.PartitionKeys.map((k) => [k.Name, duckDbType(k.Type)] as const);
  const all = [...columns, ...partitions];
  if (mirror.empty) {
    const typed = all.map(([name, type]) => `CAST(NULL AS ${type}) AS ${ident(name)}`);
    return `SELECT ${typed.join(', ')} WHERE false`;
  }
  const struct = (pairs: readonly (readonly [string, string])[]) =>
    `{${pairs.map(([name, type]) => `${literal(name)}: ${literal(type)}`).join(', ')}}`;
  const options = [
    `format = 'newline_delimited'`,
    `columns = ${struct(columns)}`,
    // A value that does not convert to its column's type fails the query, or reads as NULL when the SerDe
    // says so (OpenX's use.null.for.invalid.data).
    `ignore_errors = ${serdeFlag(table, 'use.null.for.invalid.data')}`,
    partitions.length > 0
      ? `hive_partitioning = true, hive_types = ${struct(partitions)}`
      : `hive_partitioning = false`,
  ];
  const glob = path.join(mirror.dir, '**', '*.json');
  return `SELECT ${all.map(([name]) => ident(name)).join(', ')} FROM read_json(${literal(glob)}, ${options.join(', ')})`;
}

/** A SerDe property that is true. */
function serdeFlag(table: GlueTable, name: string): boolean {
  return (table.StorageDescriptor.SerdeInfo.Parameters[name] ?? '').toLowerCase() === 'true';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for a statement that only reads: a query, or an `EXPLAIN` (an `EXPLAIN ANALYZE` of a query only). */
async function readsOnly(c: DuckDBConnection, sql: string, type: StatementType): Promise<boolean> {
  if (type === StatementType.SELECT) return true;
  if (type !== StatementType.EXPLAIN) return false;
  const analyzed = /^\s*EXPLAIN\s+(\(\s*)?ANALY[SZ]E\b\s*\)?/i.exec(
    sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' '),
  );
  if (!analyzed) return true;
  const inner = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').slice(analyzed[0].length);
  try {
    return (await c.prepare(inner)).statementType === StatementType.SELECT;
  } catch {
    return false;
  }
}
