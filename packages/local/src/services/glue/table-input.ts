import { staticText, str } from '../../core/provisioning.js';
import type { GlueColumn, GlueTable } from './service.js';
import { duckDbType, UnsupportedColumnTypeError } from './types.js';

type Props = Readonly<Record<string, unknown>>;

/** The SerDes whose data the offline engine reads: JSON, one object per line. */
export const JSON_SERDES = [
  'org.openx.data.jsonserde.JsonSerDe',
  'org.apache.hive.hcatalog.data.JsonSerDe',
] as const;

/** The partition projection types Athena has; values come from the object keys offline. */
const PROJECTION_TYPES = ['date', 'integer', 'enum', 'injected'];

const record = (value: unknown): Readonly<Record<string, string>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value as Props).map(([k, v]) => [k, str(v) ?? '']))
    : {};

const columns = (value: unknown): GlueColumn[] =>
  Array.isArray(value)
    ? (value as Props[]).map((c) => ({
        Name: str(c.Name) ?? '',
        Type: str(c.Type) ?? 'string',
        ...(c.Comment === undefined ? {} : { Comment: str(c.Comment) ?? '' }),
      }))
    : [];

/** The problems that stop an `AWS::Glue::Table` from being read faithfully offline (template values). */
export function tableProblems(props: Props): string[] {
  const problems: string[] = [];
  const input = (props.TableInput ?? {}) as Props;
  if (props.OpenTableFormatInput !== undefined) {
    problems.push('OpenTableFormatInput: Iceberg tables are not read offline; use a JSON table');
  }
  const type = staticText(input.TableType);
  if (type === 'VIRTUAL_VIEW') {
    problems.push('TableInput.TableType VIRTUAL_VIEW: views are not run offline; use a named query');
    return problems;
  }
  const params = record(input.Parameters);
  if ((params.table_type ?? '').toUpperCase() === 'ICEBERG') {
    problems.push('TableInput.Parameters.table_type ICEBERG is not read offline; use a JSON table');
  }
  const sd = (input.StorageDescriptor ?? {}) as Props;
  if (sd.Location === undefined || staticText(sd.Location) === '') {
    problems.push(
      'TableInput.StorageDescriptor.Location is missing: the offline engine reads the objects under it (s3://<bucket>/<prefix>/)',
    );
  } else {
    const location = staticText(sd.Location) ?? '';
    if (!location.startsWith('s3://') && !location.startsWith('«')) {
      problems.push(`TableInput.StorageDescriptor.Location ${location} is not an s3:// location`);
    }
  }
  const serde = staticText((sd.SerdeInfo as Props | undefined)?.SerializationLibrary);
  if (!JSON_SERDES.includes(serde as (typeof JSON_SERDES)[number])) {
    problems.push(
      `TableInput.StorageDescriptor.SerdeInfo.SerializationLibrary ${serde ?? '(none: Hive’s text SerDe)'} is not read offline; use ${JSON_SERDES.join(' or ')} over newline-delimited JSON`,
    );
  }
  const all = [...columns(sd.Columns), ...columns(input.PartitionKeys)];
  for (const column of all) {
    try {
      duckDbType(column.Type);
    } catch (error: unknown) {
      if (!(error instanceof UnsupportedColumnTypeError)) throw error;
      problems.push(`TableInput column ${column.Name}: ${error.message}`);
    }
  }
  const names = all.map((c) => c.Name.toLowerCase());
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    problems.push(`TableInput column ${name} is named twice (Glue compares names in lower case)`);
  }
  if ((params['projection.enabled'] ?? '').toLowerCase() === 'true') {
    for (const key of columns(input.PartitionKeys)) {
      const kind = params[`projection.${key.Name}.type`];
      if (kind === undefined || !PROJECTION_TYPES.includes(kind)) {
        problems.push(
          `TableInput.Parameters projection.${key.Name}.type ${kind ?? '(missing)'}: Athena projects only ${PROJECTION_TYPES.join(', ')}`,
        );
      }
    }
  }
  return problems;
}

/** A table's resolved properties as the catalog keeps them. */
export function glueTable(props: Props): GlueTable {
  const input = (props.TableInput ?? {}) as Props;
  const sd = (input.StorageDescriptor ?? {}) as Props;
  const serde = (sd.SerdeInfo ?? {}) as Props;
  const type = str(input.TableType);
  const description = str(input.Description);
  const inputFormat = str(sd.InputFormat);
  const outputFormat = str(sd.OutputFormat);
  const library = str(serde.SerializationLibrary);
  return {
    DatabaseName: str(props.DatabaseName) ?? '',
    Name: str(input.Name) ?? '',
    ...(type === undefined ? {} : { TableType: type }),
    ...(description === undefined ? {} : { Description: description }),
    Parameters: record(input.Parameters),
    PartitionKeys: columns(input.PartitionKeys),
    StorageDescriptor: {
      Location: str(sd.Location) ?? '',
      Columns: columns(sd.Columns),
      ...(inputFormat === undefined ? {} : { InputFormat: inputFormat }),
      ...(outputFormat === undefined ? {} : { OutputFormat: outputFormat }),
      SerdeInfo: {
        ...(library === undefined ? {} : { SerializationLibrary: library }),
        Parameters: record(serde.Parameters),
      },
    },
  };
}
