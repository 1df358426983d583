import type { GlueTable } from '../glue/service.js';

/** Where a table's objects are, and how a key names its partition. */
export interface TableLayout {
  readonly bucket: string;
  /** The key prefix of `StorageDescriptor.Location`, with a trailing slash unless empty. */
  readonly prefix: string;
  /** The partition values an object key names, by partition key, or undefined when it is outside them. */
  partitionOf(key: string): Readonly<Record<string, string>> | undefined;
}

/** A table location that is not `s3://<bucket>/<prefix>`. */
export class TableLocationError extends Error {
  public override readonly name = 'TableLocationError';
}

/** Splits `s3://bucket/prefix` into its bucket and key prefix (with a trailing slash unless empty). */
export function s3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!match) throw new TableLocationError(`${location} is not an s3:// location`);
  const prefix = match[2] ?? '';
  return { bucket: match[1] ?? '', prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The layout of a table: with partition projection and a `storage.location.template`, the template's
 * `${key}` placeholders; otherwise Hive's `key=value/` folders under the location, in partition key order.
 * Values are checked against the projection when one is declared (`enum` values, `integer` range), as Athena
 * only reads the partitions it projects.
 */
export function tableLayout(table: GlueTable): TableLayout {
  const { bucket, prefix } = s3Location(table.StorageDescriptor.Location);
  const keys = table.PartitionKeys.map((k) => k.Name);
  const params = table.Parameters;
  const projected = (params['projection.enabled'] ?? '').toLowerCase() === 'true';
  const template = projected ? params['storage.location.template'] : undefined;
  let match: (key: string) => Record<string, string> | undefined;
  if (keys.length === 0) {
    match = () => ({});
  } else if (template !== undefined) {
    const names: string[] = [];
    const source = template
      .split(/(\$\{[^}]+\})/)
      .map((part) => {
        const name = /^\$\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return escapeRegExp(part);
        names.push(name.toLowerCase());
        return '([^/]+)';
      })
      .join('');
    const pattern = new RegExp(`^${source}${source.endsWith('/') ? '' : '/'}`);
    match = (key) => {
      const found = pattern.exec(`s3://${bucket}/${key}`);
      if (!found) return undefined;
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1] ?? '')]));
    };
  } else {
    match = (key) => {
      const segments = key.slice(prefix.length).split('/');
      const values: Record<string, string> = {};
      for (const [i, name] of keys.entries()) {
        const segment = segments[i];
        if (segment === undefined || i === segments.length - 1) return undefined;
        const eq = segment.indexOf('=');
        if (eq < 0 || segment.slice(0, eq).toLowerCase() !== name) return undefined;
        values[name] = decodeURIComponent(segment.slice(eq + 1));
      }
      return values;
    };
  }
  return {
    bucket,
    prefix,
    partitionOf(key) {
      const values = match(key);
      if (values === undefined) return undefined;
      for (const k of table.PartitionKeys) {
        const value = values[k.Name];
        if (value === undefined || !fitsType(value, k.Type)) return undefined;
        if (projected && !inProjection(value, params, k.Name)) return undefined;
      }
      return values;
    },
  };
}

/** A partition value the key's type can hold; any other is not a partition Athena would read. */
function fitsType(value: string, type: string): boolean {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return /^-?\d+$/.test(value);
  if (t === 'date') return /^\d{4}-\d{2}-\d{2}$/.test(value);
  return true;
}

function inProjection(value: string, params: Readonly<Record<string, string>>, key: string): boolean {
  const kind = params[`projection.${key}.type`];
  if (kind === 'enum') {
    return (params[`projection.${key}.values`] ?? '').split(',').some((v) => v.trim() === value);
  }
  if (kind === 'integer') {
    const [low, high] = (params[`projection.${key}.range`] ?? '').split(',').map((x) => Number(x.trim()));
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) return false;
    return (
      (low === undefined || Number.isNaN(low) || n >= low) &&
      (high === undefined || Number.isNaN(high) || n <= high)
    );
  }
  return true;
}
