// The lake's tables and named queries: the stack declares them in the Glue catalog and Athena, the
// `lake:query` command and the tests run them. Column names are lower case (Glue keeps them so, and
// JsonSerDe matches the JSON keys case-insensitively: `deviceId` is read as `deviceid`).

/** A Glue column: a name and a Hive type. */
export interface LakeColumn {
  readonly name: string;
  readonly type: string;
}

/** The Glue database of a stage: `conflux_<stage>_lake`, `-` as `_` (Glue and Athena names take no `-`). */
export const lakeDatabaseName = (stage: string): string => `conflux_${stage.replace(/-/g, '_')}_lake`;

/** The raw zone's sources: the folder under `raw/` and the table over it. */
export const LAKE_SOURCES = { telemetry: 'telemetry', customerChanges: 'customer_changes' } as const;

/** The curated table of the customers-nightly pipeline. */
export const CUSTOMERS_CURATED_TABLE = 'customers_curated';

/** `TelemetryReading` (webhooks/contract.ts), as the lake holds it. */
export const TELEMETRY_COLUMNS: readonly LakeColumn[] = [
  { name: 'deviceid', type: 'string' },
  { name: 'metric', type: 'string' },
  { name: 'value', type: 'double' },
  { name: 'recordedat', type: 'string' },
];

/** A customers-table item as the CDC images carry it. */
const CUSTOMER_IMAGE =
  'struct<customerid:string,name:string,email:string,phone:string,createdat:string,updatedat:string>';

/** The Debezium envelope our change capture writes (`@conflux/handler-kit/cdc` `ChangeEvent`). */
export const CUSTOMER_CHANGE_COLUMNS: readonly LakeColumn[] = [
  { name: 'before', type: CUSTOMER_IMAGE },
  { name: 'after', type: CUSTOMER_IMAGE },
  {
    name: 'source',
    type: 'struct<version:string,connector:string,name:string,ts_ms:bigint,snapshot:string,db:string,sequence:string,ts_us:bigint,ts_ns:bigint,table:string>',
  },
  { name: 'transaction', type: 'struct<id:string,total_order:bigint,data_collection_order:bigint>' },
  { name: 'op', type: 'string' },
  { name: 'ts_ms', type: 'bigint' },
  { name: 'ts_us', type: 'bigint' },
  { name: 'ts_ns', type: 'bigint' },
];

/** `CuratedCustomer` (lake/domain.ts), as the curated zone holds it. */
export const CUSTOMERS_CURATED_COLUMNS: readonly LakeColumn[] = [
  { name: 'customerid', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'email', type: 'string' },
  { name: 'phone', type: 'string' },
  { name: 'createdat', type: 'string' },
  { name: 'updatedat', type: 'string' },
];

/** A named query of the lake's workgroup. */
export interface LakeQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/**
 * Per device, metric and day: how many readings, and their minimum, maximum and mean. The day is the `dt`
 * partition, the day the lake received the reading (UTC), so a query for some days reads only their
 * folders; a reading's own `recordedAt` may carry any offset and lie on another day near midnight.
 */
export const DAILY_DEVICE_AGGREGATES: LakeQuery = {
  name: 'daily_device_aggregates',
  description: 'Telemetry per device, metric and day received: count, min, max, avg of the values.',
  sql: [
    'SELECT deviceid, metric, CAST(dt AS varchar) AS day, count(*) AS readings,',
    '  min(value) AS min_value, max(value) AS max_value, avg(value) AS avg_value',
    'FROM telemetry',
    'GROUP BY deviceid, metric, CAST(dt AS varchar)',
    'ORDER BY deviceid, metric, day',
  ].join('\n'),
};

/**
 * Every customer as the change log says they are now: the latest change of each customer by source
 * position (`source.sequence`, 40 digits, so text order is log order; a snapshot read has none and loses to
 * any logged change, as the sinks decide), customers whose latest change is a delete left out.
 */
export const CURRENT_CUSTOMERS: LakeQuery = {
  name: 'current_customers',
  description: 'The latest change of each customer by source position, deletes excluded.',
  sql: [
    'WITH ranked AS (',
    '  SELECT coalesce(c."after".customerid, c."before".customerid) AS customerid, c.op, c."after" AS image,',
    '    c.source.sequence AS source_position,',
    '    row_number() OVER (',
    '      PARTITION BY coalesce(c."after".customerid, c."before".customerid)',
    '      ORDER BY c.source.sequence DESC NULLS LAST, c.source.ts_ms DESC',
    '    ) AS latest',
    '  FROM customer_changes c',
    ')',
    'SELECT customerid, image.name AS name, image.email AS email, image.phone AS phone, source_position',
    'FROM ranked',
    "WHERE latest = 1 AND op <> 'd'",
    'ORDER BY customerid',
  ].join('\n'),
};

/** The named queries, by name. */
export const LAKE_QUERIES: readonly LakeQuery[] = [DAILY_DEVICE_AGGREGATES, CURRENT_CUSTOMERS];
