import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type CreateTableCommandOutput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { ResourceOutputs } from '../../core/intrinsics.js';
import { PersistedStateMismatchError, persistentStateOf, RESET_HINT } from '../../core/persistence.js';
import {
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  staticText,
  str,
  UNRESOLVED,
  TAGS,
  UnsupportedResourceError,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { CheckContext } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { KinesisService } from '../kinesis/service.js';
import type { StreamViewType } from '../lambda/event-source-mapping/stream-poller.js';
import type { CreationTimePrecision } from './kinesis-destination.js';
import { globalTableLayout, globalTableProblems } from './global-table.js';
import type { GlobalTableRegistration } from './replication-types.js';
import { DynamoDbService } from './service.js';

type KeySchema = { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
/** `KinesisStreamSpecification`: the table's Kinesis streaming destination. */
type KinesisSpec = { StreamArn?: unknown; ApproximateCreationDateTimePrecision?: unknown };
type Projection = { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };

const dynamoTableCommon = {
  applies: [
    'TableName',
    'KeySchema',
    'AttributeDefinitions',
    'GlobalSecondaryIndexes',
    'LocalSecondaryIndexes',
    'StreamSpecification',
    'TimeToLiveSpecification',
  ],
  accepts: {
    BillingMode: 'DynamoDB Local has no capacity limits',
    ProvisionedThroughput: 'DynamoDB Local has no capacity limits',
    WriteProvisionedThroughputSettings: 'DynamoDB Local has no capacity limits',
    WriteOnDemandThroughputSettings: 'DynamoDB Local has no capacity limits',
    OnDemandThroughput: 'DynamoDB Local has no capacity limits',
    SSESpecification: NOT_ENFORCED,
    PointInTimeRecoverySpecification: 'backups are not emulated',
    DeletionProtectionEnabled: 'the local tables live as long as the runtime',
    ContributorInsightsSpecification: NO_OBSERVABILITY,
    TableClass: 'storage classes are not emulated',
    Tags: TAGS,
  },
};

async function createTable(
  ctx: ProvisionContext,
  logicalId: string,
  p: Record<string, unknown>,
  stream: { StreamViewType?: string } | undefined,
  kinesis: KinesisSpec | undefined,
  replication?: Pick<GlobalTableRegistration, 'mode' | 'regions' | 'witness'>,
): Promise<ResourceOutputs> {
  const name = str(p.TableName) ?? physicalName(ctx.stack.stackName, logicalId, 255);
  const where = `${ctx.stack.stackName}/${logicalId}`;
  const declared = stream?.StreamViewType as StreamViewType | undefined;
  // The Kinesis destination is fed from DynamoDB Local's stream, which then needs both images.
  const localView = kinesis ? 'NEW_AND_OLD_IMAGES' : declared;
  const destination = kinesis ? await kinesisDestination(ctx, where, kinesis) : undefined;
  const index = (i: { IndexName: string; KeySchema: KeySchema; Projection: Projection }) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
  });
  const input: CreateTableCommandInput = {
    TableName: name,
    KeySchema: p.KeySchema as KeySchema,
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: (p.GlobalSecondaryIndexes as Parameters<typeof index>[0][] | undefined)?.map(
      index,
    ),
    LocalSecondaryIndexes: (p.LocalSecondaryIndexes as Parameters<typeof index>[0][] | undefined)?.map(index),
    StreamSpecification: localView ? { StreamEnabled: true, StreamViewType: localView } : undefined,
  };
  const dynamo = ctx.service(DynamoDbService);
  const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  const persisted = persistentStateOf(dynamo.client);
  const create = async (
    client: DynamoDBClient,
    tableInput: CreateTableCommandInput,
  ): Promise<Pick<CreateTableCommandOutput, 'TableDescription'>> => {
    try {
      const created = await client.send(new CreateTableCommand(tableInput));
      if (ttl?.Enabled && ttl.AttributeName) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
      }
      return created;
    } catch (error: unknown) {
      // With --persist the table may be there from an earlier run: it is taken over if it has the same shape.
      if (!persisted || !(error instanceof ResourceInUseException)) throw error;
      return { TableDescription: await adoptTable(client, tableInput, ttl, persisted.dir) };
    }
  };
  const { TableDescription } = await create(dynamo.client, input);
  // Each other replica is the same table in that Region's own database (its table set).
  const others = (replication?.regions ?? []).filter((r) => r !== ctx.env.region);
  // Known first: a Region no registered table names is served the home Region's tables.
  if (replication && others.length > 0) {
    dynamo.router.addRegions([...replication.regions, ...(replication.witness ? [replication.witness] : [])]);
  }
  for (const region of others) {
    await create(dynamo.clientFor(region), {
      ...input,
      StreamSpecification: declared ? { StreamEnabled: true, StreamViewType: declared } : undefined,
    });
  }
  if (replication && others.length > 0) {
    dynamo.router.register({ tableName: name, ...replication, keySchema: p.KeySchema as KeySchema });
  }
  const arn = `arn:${ctx.env.partition}:dynamodb:${ctx.env.region}:${ctx.env.accountId}:table/${name}`;
  const attributes: Record<string, string> = { Arn: arn };
  const streamArn = TableDescription?.LatestStreamArn;
  // A table whose template declares no stream has none to name, as on AWS, even when one feeds Kinesis.
  if (streamArn && declared) {
    attributes.StreamArn = streamArn;
    dynamo.declareStreamView(streamArn, declared);
  }
  if (streamArn && destination) {
    dynamo.addKinesisDestination({
      tableName: name,
      keyAttributes: sortedKeys(p.KeySchema as KeySchema),
      tableStreamArn: streamArn,
      streamName: destination.streamName,
      precision: destination.precision,
      region: ctx.env.region,
    });
  }
  return { ref: name, attributes };
}

/**
 * The table an earlier run left in the state folder, when it has the shape the template declares now (key
 * schema and key types, secondary indexes, stream); its TTL is set to the template's. Any other difference
 * fails the start with {@link RESET_HINT}: DynamoDB cannot change a key schema in place.
 */
async function adoptTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
  ttl: { AttributeName?: string; Enabled?: boolean } | undefined,
  dir: string,
): Promise<TableDescription | undefined> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  const was = tableShape(Table ?? {});
  const now = tableShape(input);
  if (was !== now) {
    throw new PersistedStateMismatchError(
      `table ${input.TableName ?? ''} in the persisted state (${dir}) was created as ${was}; the template now declares ${now}: ${RESET_HINT}`,
    );
  }
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: input.TableName }),
  );
  const enabled = TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED';
  const wanted = ttl?.Enabled === true && ttl.AttributeName !== undefined;
  if (enabled !== wanted || (wanted && TimeToLiveDescription?.AttributeName !== ttl.AttributeName)) {
    const attribute = wanted ? ttl.AttributeName : TimeToLiveDescription?.AttributeName;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: input.TableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: wanted },
      }),
    );
  }
  return Table;
}

type ShapeSource = Pick<
  TableDescription,
  'KeySchema' | 'AttributeDefinitions' | 'GlobalSecondaryIndexes' | 'LocalSecondaryIndexes'
> & { StreamSpecification?: { StreamEnabled?: boolean; StreamViewType?: string } };

/** What of a table cannot change without a new table, as one comparable line. */
function tableShape(table: ShapeSource): string {
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const keys = (schema: readonly { AttributeName?: string; KeyType?: string }[] | undefined) =>
    [...(schema ?? [])]
      .sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1))
      .map((k) => `${k.AttributeName ?? ''} ${k.KeyType ?? ''} ${types.get(k.AttributeName) ?? ''}`)
      .join(', ');
  const indexes = (
    kind: string,
    list:
      | readonly {
          IndexName?: string;
          KeySchema?: { AttributeName?: string; KeyType?: string }[];
          Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
        }[]
      | undefined,
  ) =>
    [...(list ?? [])]
      .sort((a, b) => (a.IndexName ?? '').localeCompare(b.IndexName ?? ''))
      .map(
        (i) =>
          `; ${kind} ${i.IndexName ?? ''} (${keys(i.KeySchema)}) ${i.Projection?.ProjectionType ?? 'ALL'}` +
          (i.Projection?.NonKeyAttributes
            ? ` [${[...i.Projection.NonKeyAttributes].sort().join(', ')}]`
            : ''),
      )
      .join('');
  const stream = table.StreamSpecification?.StreamEnabled
    ? `; stream ${table.StreamSpecification.StreamViewType ?? ''}`
    : '; no stream';
  return `key (${keys(table.KeySchema)})${indexes('GSI', table.GlobalSecondaryIndexes)}${indexes('LSI', table.LocalSecondaryIndexes)}${stream}`;
}

/** The key attributes, partition key first. */
function sortedKeys(schema: KeySchema): string[] {
  return [...schema]
    .sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1))
    .map((k) => k.AttributeName);
}

/** The Kinesis stream a `KinesisStreamSpecification` names; it must be a stream of the application. */
async function kinesisDestination(
  ctx: ProvisionContext,
  where: string,
  spec: KinesisSpec,
): Promise<{ streamName: string; precision: CreationTimePrecision }> {
  const arn = str(spec.StreamArn) ?? '';
  const streamName = /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(arn)?.[1];
  const exists =
    streamName !== undefined &&
    (await ctx
      .service(KinesisService)
      .client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))
      .then(() => true)
      .catch(() => false));
  if (streamName === undefined || !exists) {
    throw new UnsupportedResourceError(
      `${where}: KinesisStreamSpecification.StreamArn ${arn} must be a Kinesis stream of the application`,
    );
  }
  return {
    streamName,
    precision:
      str(spec.ApproximateCreationDateTimePrecision) === 'MICROSECOND' ? 'MICROSECOND' : 'MILLISECOND',
  };
}

/** A `KinesisStreamSpecification` whose stream is no Kinesis stream, or whose precision DynamoDB has not. */
function checkKinesisSpec(ctx: CheckContext, spec: KinesisSpec | undefined, field: string): string[] {
  if (spec === undefined) return [];
  const problems: string[] = [];
  const type = ctx.typeOf(spec.StreamArn);
  if (type !== undefined && type !== 'AWS::Kinesis::Stream') {
    problems.push(
      `${ctx.where}: ${field}.StreamArn names a resource of type ${type}; it must be a Kinesis stream`,
    );
  }
  const precision = spec.ApproximateCreationDateTimePrecision;
  if (precision !== undefined && precision !== 'MILLISECOND' && precision !== 'MICROSECOND') {
    problems.push(
      `${ctx.where}: ${field}.ApproximateCreationDateTimePrecision ${JSON.stringify(precision)} must be MILLISECOND or MICROSECOND`,
    );
  }
  return problems;
}

/** The replica in the runtime's Region of a global table: the one whose outputs the template sees. */
function localReplica(
  replicas: unknown,
  region: string,
): { KinesisStreamSpecification?: KinesisSpec } | undefined {
  if (!Array.isArray(replicas)) return undefined;
  const all = replicas as { Region?: unknown; KinesisStreamSpecification?: KinesisSpec }[];
  return (
    all.find((r) => staticText(r.Region) === region) ?? all.find((r) => staticText(r.Region) === UNRESOLVED)
  );
}

const dynamoTable: Provisioner = {
  ...dynamoTableCommon,
  applies: [...dynamoTableCommon.applies, 'KinesisStreamSpecification'],
  check(ctx, p) {
    return checkKinesisSpec(
      ctx,
      p.KinesisStreamSpecification as KinesisSpec | undefined,
      'KinesisStreamSpecification',
    );
  },
  async create(ctx, logicalId, p) {
    return createTable(
      ctx,
      logicalId,
      p,
      p.StreamSpecification as { StreamViewType?: string } | undefined,
      p.KinesisStreamSpecification as KinesisSpec | undefined,
    );
  },
};

const dynamoGlobalTable: Provisioner = {
  ...dynamoTableCommon,
  applies: [...dynamoTableCommon.applies, 'Replicas', 'MultiRegionConsistency', 'GlobalTableWitnesses'],
  check(ctx, p) {
    const local = localReplica(p.Replicas, ctx.env.region);
    return [
      ...globalTableProblems(ctx.where, p, ctx.env.region),
      ...checkKinesisSpec(ctx, local?.KinesisStreamSpecification, 'Replicas[].KinesisStreamSpecification'),
    ];
  },
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::DynamoDB::GlobalTable)`;
    const problems = globalTableProblems(where, p, ctx.env.region);
    if (problems.length > 0) throw new UnsupportedResourceError(problems.join('\n'));
    const { replicas, witnesses, consistency } = globalTableLayout(p);
    const regions = [...new Set(replicas)];
    return createTable(
      ctx,
      logicalId,
      p,
      p.StreamSpecification as { StreamViewType?: string } | undefined,
      localReplica(p.Replicas, ctx.env.region)?.KinesisStreamSpecification,
      regions.length > 1
        ? {
            mode: consistency === 'STRONG' ? 'strong' : 'eventual',
            regions,
            ...(witnesses[0] ? { witness: witnesses[0] } : {}),
          }
        : undefined,
    );
  },
};

/**
 * DynamoDB: tables on DynamoDB Local, their streams read by Lambda's event source mappings, their Kinesis
 * streaming destinations fed from those streams.
 */
export const dynamodb: ServiceModule = {
  name: 'dynamodb',
  state: DynamoDbService,
  provisioners: {
    'AWS::DynamoDB::Table': dynamoTable,
    'AWS::DynamoDB::GlobalTable': dynamoGlobalTable,
  },
};
