import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { ResourceOutputs } from '../../core/intrinsics.js';
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
import type { ServiceModule } from '../../core/services.js';
import { DynamoDbService } from './service.js';

type KeySchema = { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
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
): Promise<ResourceOutputs> {
  const name = str(p.TableName) ?? physicalName(ctx.stack.stackName, logicalId, 255);
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
    StreamSpecification: stream?.StreamViewType
      ? { StreamEnabled: true, StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES' }
      : undefined,
  };
  const client = ctx.service(DynamoDbService).client;
  const { TableDescription } = await client.send(new CreateTableCommand(input));
  const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.Enabled && ttl.AttributeName) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
      }),
    );
  }
  const arn = `arn:${ctx.env.partition}:dynamodb:${ctx.env.region}:${ctx.env.accountId}:table/${name}`;
  const attributes: Record<string, string> = { Arn: arn };
  if (TableDescription?.LatestStreamArn) attributes.StreamArn = TableDescription.LatestStreamArn;
  return { ref: name, attributes };
}

const dynamoTable: Provisioner = {
  ...dynamoTableCommon,
  async create(ctx, logicalId, p) {
    return createTable(ctx, logicalId, p, p.StreamSpecification as { StreamViewType?: string } | undefined);
  },
};

const dynamoGlobalTable: Provisioner = {
  ...dynamoTableCommon,
  applies: [...dynamoTableCommon.applies, 'Replicas'],
  check(ctx, p) {
    const regions = Array.isArray(p.Replicas)
      ? (p.Replicas as { Region?: unknown }[]).map((r) => staticText(r.Region))
      : [];
    const elsewhere = regions.filter((r) => r !== undefined && r !== UNRESOLVED && r !== ctx.env.region);
    return elsewhere.length === 0
      ? []
      : [
          `${ctx.where}: Replicas in ${elsewhere.join(', ')}: the offline runtime has one region (${ctx.env.region}); configure no replica regions for local runs`,
        ];
  },
  async create(ctx, logicalId, p) {
    const replicas = (p.Replicas as { Region: string }[] | undefined) ?? [];
    const elsewhere = replicas.filter((r) => r.Region !== ctx.env.region);
    if (elsewhere.length > 0) {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::DynamoDB::GlobalTable): Replicas in ${elsewhere.map((r) => r.Region).join(', ')}: the offline runtime has one region (${ctx.env.region}); configure no replica regions for local runs`,
      );
    }
    return createTable(ctx, logicalId, p, p.StreamSpecification as { StreamViewType?: string } | undefined);
  },
};

/** DynamoDB: tables on DynamoDB Local, their streams read by Lambda's event source mappings. */
export const dynamodb: ServiceModule = {
  name: 'dynamodb',
  state: DynamoDbService,
  provisioners: {
    'AWS::DynamoDB::Table': dynamoTable,
    'AWS::DynamoDB::GlobalTable': dynamoGlobalTable,
  },
};
