import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../../src/core/cloud-assembly.js';
import { unsupported } from '../../../src/core/registry.js';
import { LOCAL_ENV } from '../../../src/core/runtime.js';
import { GlueCatalogError, GlueService } from '../../../src/services/glue/service.js';
import { glueTable } from '../../../src/services/glue/table-input.js';
import { duckDbType, UnsupportedColumnTypeError } from '../../../src/services/glue/types.js';

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Lake',
  stackName: 'lake',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

/** A JSON table's properties as LakeCatalog synthesizes them, with `change` applied to its TableInput. */
const tableProps = (change: (input: Record<string, unknown>) => void = () => undefined) => {
  const input: Record<string, unknown> = {
    Name: 'telemetry',
    PartitionKeys: [{ Name: 'dt', Type: 'string' }],
    StorageDescriptor: {
      Location: { 'Fn::Join': ['', ['s3://', { Ref: 'Bucket' }, '/raw/telemetry/']] },
      Columns: [
        { Name: 'deviceid', Type: 'string' },
        { Name: 'value', Type: 'double' },
      ],
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    },
  };
  change(input);
  return { DatabaseName: 'lake', CatalogId: '000000000000', TableInput: input };
};

describe('Glue column types', () => {
  it('read as DuckDB types, nested ones included, struct fields lower-cased', () => {
    // WHEN Hive types are mapped
    const mapped = [
      'string',
      'varchar(20)',
      'char(2)',
      'int',
      'bigint',
      'decimal(12,2)',
      'decimal',
      'timestamp',
      'binary',
      'array<struct<Name:string,tags:map<string,int>>>',
    ].map(duckDbType);

    // THEN each is what DuckDB reads JSON values into
    expect(mapped).toEqual([
      'VARCHAR',
      'VARCHAR',
      'VARCHAR',
      'INTEGER',
      'BIGINT',
      'DECIMAL(12,2)',
      'DECIMAL(10,0)',
      'TIMESTAMP',
      'BLOB',
      'STRUCT("name" VARCHAR, "tags" MAP(VARCHAR, INTEGER))[]',
    ]);
  });

  it('refuse a type Glue does not have, naming it', () => {
    // THEN an unknown or malformed type throws with the type named
    expect(() => duckDbType('uniontype<int,string>')).toThrow(UnsupportedColumnTypeError);
    expect(() => duckDbType('array<string')).toThrow(/column type "array<string"/);
  });
});

describe('the Glue catalog', () => {
  it('keeps names in lower case and finds them in any case', () => {
    // GIVEN a database and a table declared with capitals
    const glue = new GlueService();
    glue.addDatabase({ Name: 'Lake', Parameters: {} });
    const resolved = glueTable({
      ...tableProps((input) => {
        input.Name = 'Telemetry';
        input.StorageDescriptor = {
          ...(input.StorageDescriptor as object),
          Location: 's3://b/raw/telemetry/',
          Columns: [{ Name: 'DeviceId', Type: 'string' }],
        };
      }),
    });

    // WHEN the table is recorded
    glue.addTable(resolved);

    // THEN Glue's lower-case names are what the catalog answers
    expect(glue.table('LAKE', 'TELEMETRY')).toMatchObject({
      DatabaseName: 'lake',
      Name: 'telemetry',
      StorageDescriptor: {
        Location: 's3://b/raw/telemetry/',
        Columns: [{ Name: 'deviceid', Type: 'string' }],
      },
      PartitionKeys: [{ Name: 'dt', Type: 'string' }],
    });
    expect(() => glue.addTable(resolved)).toThrow(GlueCatalogError);
  });
});

describe('Glue refusals', () => {
  it('accept a JSON table and a database', () => {
    // GIVEN a database and a JSON table as LakeCatalog makes them
    const stack = stackOf({
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Db: { Type: 'AWS::Glue::Database', Properties: { CatalogId: '0', DatabaseInput: { Name: 'lake' } } },
      Table: { Type: 'AWS::Glue::Table', Properties: tableProps() },
    });

    // THEN nothing is refused
    expect(unsupported(stack, LOCAL_ENV)).toEqual([]);
  });

  it('refuse what the offline engine cannot read, naming the property and the fix', () => {
    // GIVEN tables without a location, with a CSV SerDe, a bad column type, Iceberg, a view, and a projection type
    const where = (id: string) => `lake/${id} (AWS::Glue::Table)`;
    const stack = stackOf({
      NoLocation: {
        Type: 'AWS::Glue::Table',
        Properties: tableProps((i) => {
          i.StorageDescriptor = { ...(i.StorageDescriptor as object), Location: undefined };
        }),
      },
      Csv: {
        Type: 'AWS::Glue::Table',
        Properties: tableProps((i) => {
          i.StorageDescriptor = {
            ...(i.StorageDescriptor as object),
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
          };
        }),
      },
      BadType: {
        Type: 'AWS::Glue::Table',
        Properties: tableProps((i) => {
          i.PartitionKeys = [{ Name: 'dt', Type: 'datetime' }];
        }),
      },
      Iceberg: {
        Type: 'AWS::Glue::Table',
        Properties: {
          ...tableProps(),
          OpenTableFormatInput: { IcebergInput: { MetadataOperation: 'CREATE' } },
        },
      },
      View: { Type: 'AWS::Glue::Table', Properties: tableProps((i) => (i.TableType = 'VIRTUAL_VIEW')) },
      Projected: {
        Type: 'AWS::Glue::Table',
        Properties: tableProps((i) => {
          i.Parameters = { 'projection.enabled': 'true', 'projection.dt.type': 'timestamp' };
        }),
      },
    });

    // THEN each is refused with its reason
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      `${where('NoLocation')}: TableInput.StorageDescriptor.Location is missing: the offline engine reads the objects under it (s3://<bucket>/<prefix>/)`,
      `${where('Csv')}: TableInput.StorageDescriptor.SerdeInfo.SerializationLibrary org.apache.hadoop.hive.serde2.OpenCSVSerde is not read offline; use org.openx.data.jsonserde.JsonSerDe or org.apache.hive.hcatalog.data.JsonSerDe over newline-delimited JSON`,
      `${where('BadType')}: TableInput column dt: column type "datetime": "datetime" is not a Glue column type at position 9`,
      `${where('Iceberg')}: OpenTableFormatInput: Iceberg tables are not read offline; use a JSON table`,
      `${where('View')}: TableInput.TableType VIRTUAL_VIEW: views are not run offline; use a named query`,
      `${where('Projected')}: TableInput.Parameters projection.dt.type timestamp: Athena projects only date, integer, enum, injected`,
    ]);
  });
});
