import type { PropsValidator } from '../private/validation.js';

/** A column of a lake table: a lower-case name and a Hive/Glue type (`string`, `double`, `struct<a:int>`…). */
export interface LakeColumn {
  readonly name: string;
  readonly type: string;
  /** @default - none */
  readonly comment?: string;
}

/**
 * A partition by date from the path (`dt=2026-12-03/`), projected by Athena: no partition is ever added to
 * the catalog.
 */
export interface LakeDatePartition {
  readonly name: string;
  readonly type: 'date';
  /** Java date format of the path's value. @default 'yyyy-MM-dd' */
  readonly format?: string;
  /** The dates queries may reach, `<from>,<to>` (absolute or `NOW-1YEARS` style). @default 'NOW-1YEARS,NOW' */
  readonly range?: string;
}

/** A partition by a whole number from the path (`hour=07/`), projected by Athena. */
export interface LakeIntegerPartition {
  readonly name: string;
  readonly type: 'integer';
  /** `<min>,<max>`, e.g. `'0,23'`. */
  readonly range: string;
  /** Zero-padded to this many digits in the path (`07`). @default - not padded */
  readonly digits?: number;
}

/** A partition by one of known values from the path, projected by Athena. */
export interface LakeEnumPartition {
  readonly name: string;
  readonly type: 'enum';
  readonly values: readonly string[];
}

/** A partition key of a lake table, projected from the object's path. */
export type LakePartition = LakeDatePartition | LakeIntegerPartition | LakeEnumPartition;

/** Properties of a table of a {@link LakeCatalog} (`addTable`). */
export interface LakeTableProps {
  /** The table's name (a lower-case letter, then lower-case letters, digits or `_`; at most 255). */
  readonly name: string;
  /** The table's folder in the lake bucket, ending in `/`: `raw/telemetry/`, `curated/customers-nightly/`. */
  readonly location: string;
  /** The table's columns, matched to the JSON objects' keys case-insensitively. */
  readonly columns: readonly LakeColumn[];
  /**
   * The partition keys, in path order (`dt=…/hour=…/`).
   * @default - none: every object under the location is read
   */
  readonly partitions?: readonly LakePartition[];
  /**
   * The objects' format: newline-delimited JSON, gzip or not, read by the OpenX JSON SerDe (a malformed
   * line is skipped, not a failed query).
   * @default 'json'
   */
  readonly format?: 'json';
  /** @default - none */
  readonly description?: string;
}

const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
const CASE_FIX =
  'Glue keeps column names in lower case, and the JSON SerDe matches JSON keys case-insensitively, so a lower-case name reads a camelCase key';

/** Records the problems of a table's props. */
export function validateTable(v: PropsValidator, props: LakeTableProps, taken: readonly string[]): void {
  v.require(
    TABLE_NAME.test(props.name),
    `table name "${props.name}" must be a lower-case letter, then up to 254 lower-case letters, digits or "_".`,
  );
  v.require(!taken.includes(props.name), `a table named "${props.name}" exists already in this catalog.`);
  v.require(
    /^[^/][^\s]*\/$/.test(props.location) && !props.location.startsWith('s3://'),
    `location "${props.location}" must be a folder of the lake bucket ending in "/", without the bucket: e.g. "raw/telemetry/".`,
  );
  v.require(props.columns.length > 0, `table ${props.name} needs at least one column.`);
  const format: unknown = props.format ?? 'json';
  v.require(format === 'json', `format must be 'json'; received ${String(format)}.`);
  const names = [...props.columns.map((c) => c.name), ...(props.partitions ?? []).map((p) => p.name)];
  for (const name of names) {
    v.require(
      COLUMN_NAME.test(name),
      `column "${name}" of ${props.name} must be lower case (letters, digits, "_"): ${CASE_FIX}. Write "${name.toLowerCase()}".`,
    );
  }
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  v.require(dupes.length === 0, `columns and partitions of ${props.name} repeat ${dupes.join(', ')}.`);
  for (const column of props.columns) {
    v.require(
      !/[A-Z]/.test(column.type),
      `the type of column ${column.name} of ${props.name} names struct fields in upper case (${column.type}): ${CASE_FIX}. Write "${column.type.toLowerCase()}".`,
    );
    v.require(
      balanced(column.type),
      `the type of column ${column.name} (${column.type}) has unbalanced < >.`,
    );
  }
  for (const p of props.partitions ?? []) validatePartition(v, props.name, p);
}

function balanced(type: string): boolean {
  let depth = 0;
  for (const ch of type) {
    if (ch === '<') depth += 1;
    if (ch === '>') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0 && type.trim() !== '';
}

function validatePartition(v: PropsValidator, table: string, p: LakePartition): void {
  // Typed, but JavaScript callers can pass anything.
  const type: string = (p as { type: string }).type;
  switch (p.type) {
    case 'date':
      return;
    case 'integer': {
      const m = /^(-?\d+),(-?\d+)$/.exec(p.range);
      v.require(
        m !== null && Number(m[1]) <= Number(m[2]),
        `partition ${p.name} of ${table}: range "${p.range}" must be "<min>,<max>" whole numbers, min <= max (e.g. "0,23").`,
      );
      if (p.digits !== undefined) v.integerInRange(`partition ${p.name}.digits`, p.digits, 1, 20);
      return;
    }
    case 'enum':
      v.require(
        p.values.length > 0 && p.values.every((x) => x !== '' && !x.includes(',')),
        `partition ${p.name} of ${table}: values must be one or more non-empty strings without ",".`,
      );
      return;
    default:
      v.require(
        false,
        `partition ${(p as LakePartition).name} of ${table}: type ${type} must be 'date', 'integer' or 'enum'.`,
      );
  }
}

/** The Glue type of a partition key: its value as the path spells it. */
export function partitionType(p: LakePartition): string {
  return p.type === 'integer' ? 'int' : 'string';
}

/** Athena partition projection's table parameters for these partitions. */
export function projectionParameters(
  partitions: readonly LakePartition[],
  locationUrl: string,
): Record<string, string> {
  if (partitions.length === 0) return {};
  const params: Record<string, string> = { 'projection.enabled': 'true' };
  for (const p of partitions) {
    const k = `projection.${p.name}`;
    if (p.type === 'date') {
      params[`${k}.type`] = 'date';
      const format = p.format ?? 'yyyy-MM-dd';
      params[`${k}.format`] = format;
      params[`${k}.range`] = p.range ?? 'NOW-1YEARS,NOW';
      // Athena infers the step of other formats from their finest field.
      if (format === 'yyyy-MM-dd') {
        params[`${k}.interval`] = '1';
        params[`${k}.interval.unit`] = 'DAYS';
      }
    } else if (p.type === 'integer') {
      params[`${k}.type`] = 'integer';
      params[`${k}.range`] = p.range;
      if (p.digits !== undefined) params[`${k}.digits`] = String(p.digits);
    } else {
      params[`${k}.type`] = 'enum';
      params[`${k}.values`] = p.values.join(',');
    }
  }
  params['storage.location.template'] =
    locationUrl + partitions.map((p) => `${p.name}=\${${p.name}}/`).join('');
  return params;
}
