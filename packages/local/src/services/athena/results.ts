import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/** A result column as `ResultSetMetadata.ColumnInfo` describes it. */
export interface AthenaColumn {
  readonly Name: string;
  readonly Label: string;
  readonly Type: string;
  readonly Precision: number;
  readonly Scale: number;
  readonly Nullable: 'UNKNOWN';
  readonly CaseSensitive: boolean;
  readonly CatalogName: 'hive';
  readonly SchemaName: '';
  readonly TableName: '';
}

/** A query's result as Athena keeps it: every value as text (undefined for NULL). */
export interface QueryResult {
  readonly columns: readonly AthenaColumn[];
  readonly rows: readonly (readonly (string | undefined)[])[];
}

/** The Trino type name Athena reports for a DuckDB type, with its precision and scale. */
function athenaType(type: DuckDBType): { name: string; precision: number; scale: number } {
  const text = type.toString();
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { name: 'boolean', precision: 0, scale: 0 };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return { name: 'tinyint', precision: 3, scale: 0 };
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
      return { name: 'smallint', precision: 5, scale: 0 };
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UINTEGER:
      return { name: 'integer', precision: 10, scale: 0 };
    // DuckDB sums BIGINTs into HUGEINT; Trino keeps bigint.
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { name: 'bigint', precision: 19, scale: 0 };
    case DuckDBTypeId.FLOAT:
      return { name: 'float', precision: 17, scale: 0 };
    case DuckDBTypeId.DOUBLE:
      return { name: 'double', precision: 17, scale: 0 };
    case DuckDBTypeId.DECIMAL: {
      const [, p = '18', s = '3'] = /DECIMAL\((\d+),\s*(\d+)\)/.exec(text) ?? [];
      return { name: 'decimal', precision: Number(p), scale: Number(s) };
    }
    case DuckDBTypeId.DATE:
      return { name: 'date', precision: 0, scale: 0 };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { name: 'timestamp', precision: 3, scale: 0 };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { name: 'timestamp with time zone', precision: 3, scale: 0 };
    case DuckDBTypeId.TIME:
      return { name: 'time', precision: 3, scale: 0 };
    case DuckDBTypeId.INTERVAL:
      return { name: 'interval day to second', precision: 0, scale: 0 };
    case DuckDBTypeId.BLOB:
      return { name: 'varbinary', precision: 2147483647, scale: 0 };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { name: 'array', precision: 0, scale: 0 };
    case DuckDBTypeId.MAP:
      return { name: 'map', precision: 0, scale: 0 };
    case DuckDBTypeId.STRUCT:
      return { name: 'row', precision: 0, scale: 0 };
    default:
      return text === 'JSON'
        ? { name: 'json', precision: 0, scale: 0 }
        : { name: 'varchar', precision: 2147483647, scale: 0 };
  }
}

/** The `ColumnInfo` of each result column. */
export function athenaColumns(names: readonly string[], types: readonly DuckDBType[]): AthenaColumn[] {
  return names.map((name, i) => {
    const type = types[i];
    const t = type ? athenaType(type) : { name: 'varchar', precision: 2147483647, scale: 0 };
    return {
      CatalogName: 'hive',
      SchemaName: '',
      TableName: '',
      Name: name,
      Label: name,
      Type: t.name,
      Precision: t.precision,
      Scale: t.scale,
      Nullable: 'UNKNOWN',
      CaseSensitive: t.name === 'varchar',
    };
  });
}

/** A double as Java (and so Trino) prints it: `21.5`, `100.0`, `1.0E7`, `1.0E-4`. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(n);
    return text.includes('.') || text.includes('e') ? text : `${text}.0`;
  }
  const [mantissa = '0', exponent = '0'] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A timestamp's text with Trino's millisecond precision: `2026-01-01 05:00:00.000`. */
function millis(text: string): string {
  const match = /^(\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  if (!match) return text;
  return `${match[1] ?? ''}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}`;
}

/** One value as Athena prints it in a result: Trino's text forms for arrays, maps and rows. */
export function formatValue(value: DuckDBValue, double = false): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return double ? javaDouble(value) : String(value);
  if (typeof value === 'bigint' || typeof value === 'string') return String(value);
  const nested = (v: DuckDBValue) => formatValue(v, typeof v === 'number' && !Number.isInteger(v)) ?? 'null';
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return `[${value.items.map(nested).join(', ')}]`;
  }
  if (value instanceof DuckDBMapValue) {
    return `{${value.entries.map((e) => `${nested(e.key)}=${nested(e.value)}`).join(', ')}}`;
  }
  if (value instanceof DuckDBStructValue) {
    return `{${Object.entries(value.entries)
      .map(([k, v]) => `${k}=${nested(v)}`)
      .join(', ')}}`;
  }
  if (value instanceof DuckDBTimestampTZValue) return `${millis(value.toString())} UTC`;
  if (value instanceof DuckDBTimestampValue) return millis(value.toString());
  return value.toString();
}

/** Whether a column's values print as Java doubles. */
export function isDouble(type: DuckDBType | undefined): boolean {
  return type?.typeId === DuckDBTypeId.DOUBLE || type?.typeId === DuckDBTypeId.FLOAT;
}

/** The result as Athena writes it to `<OutputLocation>/<id>.csv`: every value quoted, NULL as nothing. */
export function resultCsv(result: QueryResult): string {
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = [result.columns.map((c) => quote(c.Name)).join(',')];
  for (const row of result.rows) lines.push(row.map((v) => (v === undefined ? '' : quote(v))).join(','));
  return `${lines.join('\n')}\n`;
}
