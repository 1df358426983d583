import { RemovalPolicy, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_ZONES } from '../contracts/index.js';
import { PropsValidator } from '../private/validation.js';
import { nagResource } from '../private/nag.js';
import { partitionType, projectionParameters, validateTable, type LakeTableProps } from './lake-table.js';

/** Properties of a {@link LakeCatalog}. */
export interface LakeCatalogProps {
  /** The Glue database (a lower-case letter, then up to 254 lower-case letters, digits or `_`). */
  readonly databaseName: string;

  /** The lake bucket (a RawZone's `bucket`): tables' locations and `athena-results/` are in it. */
  readonly bucket: s3.IBucket;

  /**
   * The Athena workgroup's name (1 to 128 letters, digits, `.`, `_`, `-`).
   * @default - the database name
   */
  readonly workGroupName?: string;

  /**
   * The most a query of the workgroup may scan before Athena cancels it (at least 10 MB).
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoffPerQuery?: Size;

  /** @default - none */
  readonly description?: string;

  /**
   * What happens to the workgroup (with its saved queries and history: `RecursiveDeleteOption` when
   * DESTROY) and the database when they leave the stack. The data stays in the bucket either way.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of a saved query of a {@link LakeCatalog} (`addNamedQuery`). */
export interface LakeNamedQueryProps {
  /** The name a client finds it by (1 to 128 characters). */
  readonly name: string;
  /** The SQL (Athena's Trino dialect), run in the catalog's database. */
  readonly sql: string;
  /** @default - none */
  readonly description?: string;
}

const DATABASE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
const MIN_CUTOFF = 10_000_000;

/**
 * The lake's catalog: a Glue database of external JSON tables over the lake bucket, with partition
 * projection (no crawler, no `MSCK REPAIR`: a new `dt=…/hour=…/` folder is queryable at once), and an
 * Athena workgroup that enforces its settings: results to `athena-results/` (SSE-S3, or the bucket's KMS
 * key), CloudWatch metrics, a bytes-scanned cutoff per query, the automatic engine version.
 */
export class LakeCatalog extends Construct {
  /** The Glue database. */
  public readonly database: glue.CfnDatabase;
  /** The database's name. */
  public readonly databaseName: string;
  /** The Athena workgroup. */
  public readonly workGroup: athena.CfnWorkGroup;
  /** The workgroup's name. */
  public readonly workGroupName: string;
  /**
   * `athena-results/<workGroupName>/`: where the workgroup's results go. Results copy table data, so each
   * workgroup has its own folder and only its queriers read it.
   */
  public readonly resultsFolder: string;
  /** The tables added so far, by name. */
  public readonly tables = new Map<string, glue.CfnTable>();
  /** The saved queries added so far, by name. */
  public readonly namedQueries = new Map<string, athena.CfnNamedQuery>();

  private readonly bucket: s3.IBucket;
  private readonly locations: string[] = [];
  private readonly queriers: iam.IGrantable[] = [];

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    validate(this, props);
    this.bucket = props.bucket;
    this.databaseName = props.databaseName;
    this.workGroupName = props.workGroupName ?? props.databaseName;
    this.resultsFolder = `${LAKE_ZONES.athenaResults}${this.workGroupName}/`;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const stack = Stack.of(this);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: props.description },
    });
    this.database.applyRemovalPolicy(removalPolicy);

    const key = props.bucket.encryptionKey;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: props.description,
      state: 'ENABLED',
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: (props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10)).toBytes(),
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${props.bucket.bucketName}/${this.resultsFolder}`,
          encryptionConfiguration: key
            ? { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(removalPolicy);
  }

  /**
   * Adds an external table of gzip (or plain) JSON lines under `location`, read by the OpenX JSON SerDe
   * with malformed lines skipped, its partitions projected from the path.
   *
   * @param id construct id of the table
   */
  public addTable(id: string, props: LakeTableProps): glue.CfnTable {
    const v = new PropsValidator('LakeCatalog table', this);
    validateTable(v, props, [...this.tables.keys()]);
    v.throwIfInvalid();

    const url = `s3://${this.bucket.bucketName}/${props.location}`;
    const partitions = props.partitions ?? [];
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name: props.name,
        description: props.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          compressionType: 'gzip',
          ...projectionParameters(partitions, url),
        },
        partitionKeys: partitions.map((p) => ({ name: p.name, type: partitionType(p) })),
        storageDescriptor: {
          location: url,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          columns: props.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'true' },
          },
        },
      },
    });
    table.addResourceDependency(this.database);
    this.tables.set(props.name, table);
    this.locations.push(props.location);
    for (const grantee of this.queriers) {
      this.bucket.grantRead(grantee, `${props.location}*`);
      this.acknowledgeFolders(grantee, [props.location]);
    }
    return table;
  }

  /**
   * Adds a saved query of the workgroup, run in the catalog's database.
   *
   * @param id construct id of the query
   */
  public addNamedQuery(id: string, props: LakeNamedQueryProps): athena.CfnNamedQuery {
    const v = new PropsValidator('LakeCatalog named query', this);
    v.require(
      props.name.length >= 1 && props.name.length <= 128,
      `named query name "${props.name}" must be 1 to 128 characters.`,
    );
    v.require(!this.namedQueries.has(props.name), `a named query "${props.name}" exists already.`);
    v.require(
      props.sql.trim().length > 0 && props.sql.length <= 262_144,
      `named query ${props.name}: sql must be 1 to 262,144 characters.`,
    );
    v.throwIfInvalid();
    const query = new athena.CfnNamedQuery(this, id, {
      name: props.name,
      description: props.description,
      database: this.databaseName,
      workGroup: this.workGroupName,
      queryString: props.sql,
    });
    query.addResourceDependency(this.workGroup);
    query.addResourceDependency(this.database);
    this.namedQueries.set(props.name, query);
    return query;
  }

  /**
   * Grants `grantee` running queries in the workgroup (start, get, stop; its saved queries), reading the
   * catalog's database and tables in Glue, reading the tables' locations (those added later too), and
   * reading and writing `athena-results/`.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const athenaGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'athena:GetWorkGroup',
        'athena:ListNamedQueries',
        'athena:GetNamedQuery',
        'athena:BatchGetNamedQuery',
      ],
      resourceArns: [
        stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName }),
      ],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:GetPartition',
        'glue:GetPartitions',
      ],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
      ],
    });
    for (const location of this.locations) this.bucket.grantRead(grantee, `${location}*`);
    // Athena writes the results as the caller and GetQueryResults reads them back: read and put, no delete.
    this.bucket.grantRead(grantee, `${this.resultsFolder}*`);
    this.bucket.grantPut(grantee, `${this.resultsFolder}*`);
    this.queriers.push(grantee);
    this.acknowledgeQueryFindings(grantee);
    return athenaGrant;
  }

  /** The wildcards of {@link grantQuery}: the catalog's tables and folders, and S3's action families. */
  private acknowledgeQueryFindings(grantee: iam.IGrantable): void {
    const principal = grantee.grantPrincipal;
    if (!(principal instanceof iam.Role)) return;
    const stack = Stack.of(this);
    const tables = nagResource(
      stack,
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
    );
    const families =
      'The bucket grants (grantRead, grantPut) use S3’s action families on the tables’ folders and the workgroup’s athena-results/ folder only, which Athena reads and writes for a query.';
    Validations.of(principal).acknowledge(
      ...['s3:Abort*', 's3:GetObject*', 's3:GetBucket*', 's3:List*'].map((action) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason: families,
      })),
      ...(tables
        ? [
            {
              id: `AwsSolutions::AwsSolutions-IAM5[Resource::${tables}]`,
              reason: `Queries read the Glue definitions of any table of the ${this.databaseName} database, and of that database only.`,
            },
          ]
        : []),
    );
    this.acknowledgeFolders(grantee, [...this.locations, this.resultsFolder]);
  }

  private acknowledgeFolders(grantee: iam.IGrantable, folders: readonly string[]): void {
    const principal = grantee.grantPrincipal;
    const bucketArn = nagResource(Stack.of(this), this.bucket.bucketArn);
    if (!(principal instanceof iam.Role) || !bucketArn) return;
    Validations.of(principal).acknowledge(
      ...folders.map((folder) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${bucketArn}/${folder}*]`,
        reason: `Athena reads (and writes results to) the objects under ${folder} of the lake bucket, whose names are Firehose- or query-generated.`,
      })),
    );
  }
}

function validate(scope: Construct, props: LakeCatalogProps): void {
  const v = new PropsValidator('LakeCatalog', scope);
  if (!Token.isUnresolved(props.databaseName)) {
    v.require(
      DATABASE_NAME.test(props.databaseName),
      `databaseName "${props.databaseName}" must be a lower-case letter, then up to 254 lower-case letters, digits or "_" (Glue keeps names in lower case; Athena cannot quote "-" in every place): e.g. "${props.databaseName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}".`,
    );
  }
  if (props.workGroupName !== undefined && !Token.isUnresolved(props.workGroupName)) {
    v.require(
      WORKGROUP_NAME.test(props.workGroupName),
      `workGroupName "${props.workGroupName}" must be 1 to 128 letters, digits, ".", "_" or "-".`,
    );
  }
  const cutoff = props.bytesScannedCutoffPerQuery?.toBytes();
  if (cutoff !== undefined && !Token.isUnresolved(cutoff)) {
    v.require(
      cutoff >= MIN_CUTOFF,
      `bytesScannedCutoffPerQuery must be at least 10 MB (Athena's minimum); received ${cutoff} bytes.`,
    );
  }
  v.throwIfInvalid();
}
