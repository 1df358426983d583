import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LakeCatalog, RawZone, type LakeCatalogProps, type LakeTableProps } from '../src/index.js';
import { cdkJsonContext, testStack } from '../../../test/support/cdk.js';

function catalog(props: Partial<LakeCatalogProps> = {}) {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Lake');
  const lake = new LakeCatalog(stack, 'Catalog', { databaseName: 'conflux_dev_lake', bucket, ...props });
  return { stack, bucket, lake, template: () => Template.fromStack(stack) };
}

const telemetry: LakeTableProps = {
  name: 'telemetry',
  location: 'raw/telemetry/',
  columns: [
    { name: 'deviceid', type: 'string' },
    { name: 'metric', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'recordedat', type: 'string' },
  ],
  partitions: [
    { name: 'dt', type: 'date', range: '2026-01-01,NOW' },
    { name: 'hour', type: 'integer', range: '0,23', digits: 2 },
  ],
};

const bucketUrl = (suffix: string) => ({
  'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^Lake') }, suffix]],
});

describe('LakeCatalog', () => {
  it('makes a Glue database and an Athena workgroup that enforces its settings', () => {
    // GIVEN / WHEN
    const { template, lake } = catalog();
    // THEN
    template().hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '111111111111',
      DatabaseInput: { Name: 'conflux_dev_lake' },
    });
    template().hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Delete',
      Properties: {
        Name: 'conflux_dev_lake',
        State: 'ENABLED',
        RecursiveDeleteOption: true,
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
          EngineVersion: { SelectedEngineVersion: 'AUTO' },
          ResultConfiguration: {
            OutputLocation: bucketUrl('/athena-results/conflux_dev_lake/'),
            EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          },
        },
      },
    });
    expect(lake.workGroupName).toBe('conflux_dev_lake');
  });

  it('takes a workgroup name, a cutoff, and keeps the workgroup with RETAIN', () => {
    // GIVEN / WHEN
    const { template } = catalog({
      workGroupName: 'lake-dev',
      bytesScannedCutoffPerQuery: Size.gibibytes(1),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // THEN
    template().hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        Name: 'lake-dev',
        RecursiveDeleteOption: false,
        WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1024 ** 3 }),
      }),
    });
  });

  it("encrypts results with the bucket's KMS key when it has one", () => {
    // GIVEN
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'Lake', { encryptionKey: key });
    // WHEN
    new LakeCatalog(stack, 'Catalog', { databaseName: 'lake', bucket });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
          },
        }),
      }),
    });
  });

  it('adds an external gzip JSON table read by the OpenX SerDe with malformed lines skipped', () => {
    // GIVEN
    const { template, lake } = catalog();
    // WHEN
    lake.addTable('Telemetry', telemetry);
    // THEN
    template().hasResourceProperties('AWS::Glue::Table', {
      CatalogId: '111111111111',
      DatabaseName: 'conflux_dev_lake',
      TableInput: {
        Name: 'telemetry',
        TableType: 'EXTERNAL_TABLE',
        Parameters: Match.objectLike({ EXTERNAL: 'TRUE', classification: 'json', compressionType: 'gzip' }),
        PartitionKeys: [
          { Name: 'dt', Type: 'string' },
          { Name: 'hour', Type: 'int' },
        ],
        StorageDescriptor: {
          Location: bucketUrl('/raw/telemetry/'),
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          Compressed: true,
          Columns: [
            { Name: 'deviceid', Type: 'string' },
            { Name: 'metric', Type: 'string' },
            { Name: 'value', Type: 'double' },
            { Name: 'recordedat', Type: 'string' },
          ],
          SerdeInfo: {
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            Parameters: { 'ignore.malformed.json': 'true' },
          },
        },
      },
    });
    const table = Object.values(template().findResources('AWS::Glue::Table'))[0] as { DependsOn: string[] };
    expect(table.DependsOn.some((d) => d.startsWith('CatalogDatabase'))).toBe(true);
  });

  it('projects the partitions from the path, with the location template of the layout', () => {
    // GIVEN
    const { template, lake } = catalog();
    // WHEN
    lake.addTable('Telemetry', telemetry);
    lake.addTable('Changes', {
      name: 'changes',
      location: 'raw/changes/',
      columns: [{ name: 'op', type: 'string' }],
      partitions: [
        { name: 'dt', type: 'date' },
        { name: 'kind', type: 'enum', values: ['c', 'u', 'd'] },
      ],
    });
    // THEN
    template().hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'telemetry',
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2026-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': bucketUrl('/raw/telemetry/dt=${dt}/hour=${hour}/'),
        }),
      }),
    });
    template().hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'changes',
        Parameters: Match.objectLike({
          'projection.dt.range': 'NOW-1YEARS,NOW',
          'projection.kind.type': 'enum',
          'projection.kind.values': 'c,u,d',
        }),
      }),
    });
  });

  it('adds no projection to a table without partitions', () => {
    // GIVEN
    const { template, lake } = catalog();
    // WHEN
    lake.addTable('Curated', {
      name: 'customers_curated',
      location: 'curated/customers-nightly/',
      columns: [{ name: 'customerid', type: 'string' }],
    });
    // THEN
    template().hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Parameters: Match.objectLike({ 'projection.enabled': Match.absent() }),
        PartitionKeys: [],
      }),
    });
  });

  it('saves named queries in the workgroup and database', () => {
    // GIVEN
    const { template, lake } = catalog();
    // WHEN
    lake.addNamedQuery('Daily', {
      name: 'daily_device_aggregates',
      sql: 'SELECT deviceid, count(*) FROM telemetry GROUP BY 1',
      description: 'per device',
    });
    // THEN
    template().hasResource('AWS::Athena::NamedQuery', {
      Properties: {
        Name: 'daily_device_aggregates',
        Database: 'conflux_dev_lake',
        WorkGroup: 'conflux_dev_lake',
        QueryString: 'SELECT deviceid, count(*) FROM telemetry GROUP BY 1',
        Description: 'per device',
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('CatalogWorkGroup')]),
    });
  });

  it("grants querying: Athena on the workgroup, Glue on the database and tables, reads of the tables' folders and its own athena-results/ folder", () => {
    // GIVEN
    const { stack, template, lake } = catalog();
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    lake.addTable('Telemetry', telemetry);
    // WHEN
    lake.grantQuery(analyst);
    lake.addTable('Later', {
      name: 'later',
      location: 'curated/later/',
      columns: [{ name: 'a', type: 'int' }],
    });
    // THEN
    const policy = JSON.stringify(
      template().findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Analyst') }] },
      }),
    );
    for (const text of [
      'athena:StartQueryExecution',
      'athena:GetQueryResults',
      'athena:StopQueryExecution',
      'athena:GetNamedQuery',
      ':workgroup/conflux_dev_lake',
      'glue:GetTable',
      'glue:GetPartitions',
      ':catalog"',
      ':database/conflux_dev_lake',
      ':table/conflux_dev_lake/*',
      '/raw/telemetry/*',
      '/curated/later/*',
      '/athena-results/conflux_dev_lake/*',
      's3:PutObject',
    ])
      expect(policy, text).toContain(text);
    expect(policy).not.toContain('athena:*');
    // AND no other workgroup's results, and no deletes
    expect(policy).not.toContain('/athena-results/*');
    expect(policy).not.toContain('s3:DeleteObject');
  });

  describe('validation', () => {
    it.each(['Conflux_lake', 'conflux-dev-lake', '1lake', ''])('fails if databaseName is "%s"', (name) => {
      expect(() => catalog({ databaseName: name })).toThrow(/databaseName ".*" must be a lower-case letter/);
    });

    it('fails if workGroupName has characters Athena refuses', () => {
      expect(() => catalog({ workGroupName: 'lake dev' })).toThrow(/workGroupName "lake dev" must be/);
    });

    it('fails if the bytes-scanned cutoff is below 10 MB', () => {
      expect(() => catalog({ bytesScannedCutoffPerQuery: Size.mebibytes(5) })).toThrow(/at least 10 MB/);
    });

    it('fails if a column is not lower case, naming the fix', () => {
      const { lake } = catalog();
      expect(() =>
        lake.addTable('T', {
          name: 't',
          location: 'raw/t/',
          columns: [{ name: 'deviceId', type: 'string' }],
        }),
      ).toThrow(
        /column "deviceId" of t must be lower case[\s\S]*Glue keeps column names in lower case[\s\S]*"deviceid"/,
      );
    });

    it('fails if a struct field is not lower case', () => {
      const { lake } = catalog();
      expect(() =>
        lake.addTable('T', {
          name: 't',
          location: 'raw/t/',
          columns: [{ name: 'after', type: 'struct<customerId:string>' }],
        }),
      ).toThrow(/names struct fields in upper case[\s\S]*struct<customerid:string>/);
    });

    it('fails if a type has unbalanced brackets', () => {
      const { lake } = catalog();
      expect(() =>
        lake.addTable('T', { name: 't', location: 'raw/t/', columns: [{ name: 'a', type: 'array<string' }] }),
      ).toThrow(/unbalanced/);
    });

    it.each(['raw/t', '/raw/t/', 's3://b/raw/t/'])('fails if the location is "%s"', (location) => {
      const { lake } = catalog();
      expect(() =>
        lake.addTable('T', { name: 't', location, columns: [{ name: 'a', type: 'int' }] }),
      ).toThrow(/must be a folder of the lake bucket ending in "\/"/);
    });

    it('fails if a table name is invalid or taken', () => {
      const { lake } = catalog();
      lake.addTable('A', { name: 'a', location: 'raw/a/', columns: [{ name: 'x', type: 'int' }] });
      expect(() =>
        lake.addTable('B', { name: 'a', location: 'raw/b/', columns: [{ name: 'x', type: 'int' }] }),
      ).toThrow(/exists already/);
      expect(() =>
        lake.addTable('C', { name: 'C-1', location: 'raw/c/', columns: [{ name: 'x', type: 'int' }] }),
      ).toThrow(/table name "C-1"/);
    });

    it('fails if a table has no columns, or a partition repeats a column', () => {
      const { lake } = catalog();
      expect(() => lake.addTable('A', { name: 'a', location: 'raw/a/', columns: [] })).toThrow(
        /at least one column/,
      );
      expect(() =>
        lake.addTable('B', {
          name: 'b',
          location: 'raw/b/',
          columns: [{ name: 'dt', type: 'string' }],
          partitions: [{ name: 'dt', type: 'date' }],
        }),
      ).toThrow(/repeat dt/);
    });

    it('fails if an integer partition range or an enum partition is malformed', () => {
      const { lake } = catalog();
      expect(() =>
        lake.addTable('A', {
          name: 'a',
          location: 'raw/a/',
          columns: [{ name: 'x', type: 'int' }],
          partitions: [{ name: 'hour', type: 'integer', range: '23,0' }],
        }),
      ).toThrow(/range "23,0" must be/);
      expect(() =>
        lake.addTable('B', {
          name: 'b',
          location: 'raw/b/',
          columns: [{ name: 'x', type: 'int' }],
          partitions: [{ name: 'kind', type: 'enum', values: [] }],
        }),
      ).toThrow(/values must be one or more/);
    });

    it('fails if a named query has no SQL or a taken name', () => {
      const { lake } = catalog();
      lake.addNamedQuery('A', { name: 'a', sql: 'SELECT 1' });
      expect(() => lake.addNamedQuery('B', { name: 'a', sql: 'SELECT 2' })).toThrow(/exists already/);
      expect(() => lake.addNamedQuery('C', { name: 'c', sql: '  ' })).toThrow(/sql must be 1 to 262,144/);
    });
  });

  it('passes cdk-nag AwsSolutions and Serverless with every finding acknowledged for a reason', () => {
    // GIVEN an app with the packs, a RawZone and its catalog with a table and a query
    const outdir = mkdtempSync(path.join(tmpdir(), 'lake-catalog-nag-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      const raw = new RawZone(stack, 'Lake');
      const lake = new LakeCatalog(stack, 'Catalog', { databaseName: 'lake', bucket: raw.bucket });
      lake.addTable('Telemetry', telemetry);
      lake.addNamedQuery('Count', { name: 'count', sql: 'SELECT count(*) FROM telemetry' });
      lake.grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }));
      lake.addTable('Later', {
        name: 'later',
        location: 'curated/later/',
        columns: [{ name: 'a', type: 'int' }],
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
      // WHEN / THEN synth fails on any unacknowledged finding
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: {
          violations: unknown[];
          suppressedViolations?: { ruleName: string; reason?: string }[];
        }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
      for (const finding of report.pluginReports.flatMap((r) => r.suppressedViolations ?? []))
        expect(finding.reason?.length ?? 0, finding.ruleName).toBeGreaterThan(60);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
