import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CreateStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AssemblyStack } from './cloud-assembly';
import { APIGATEWAY_PROVISIONERS } from './provisioners-apigateway';
import { asText, type LocalEnvironment, type ResourceOutputs } from './intrinsics';
import type { AsyncInvoker } from './async-invoker';
import type { ApiKeySpec, GatewayApi, UsagePlanSpec } from './gateway';
import type { LambdaHost } from './lambda-host';
import { matches, parsePatterns, type Pattern } from './event-filter';
import type { SqsMappingSpec } from './sqs-poller';
import { supportedTaskResource, taskStates, type StepFunctionsEngine } from './step-functions';
import type { StreamMappingSpec } from './stream-poller';

/** What provisioners share while one stack comes up. */
export interface ProvisionContext {
  readonly env: LocalEnvironment;
  readonly stack: AssemblyStack;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly host: LambdaHost;
  /** Environment every function gets: engine endpoints, region, dummy credentials. */
  readonly functionBaseEnvironment: Readonly<Record<string, string>>;
  /** Where inline function code is written. */
  readonly workDir: string;
  /** SQS queue URL by ARN, filled as queues are created. */
  readonly queueUrls: Map<string, string>;
  /** Event source mappings to start once everything exists. */
  readonly sqsMappings: SqsMappingSpec[];
  /** Stream event source mappings to start once everything exists. */
  readonly streamMappings: { sourceArn: string; kind: 'dynamodb' | 'kinesis'; spec: StreamMappingSpec }[];
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  /** REST APIs by id, filled as their resources and methods are created. */
  readonly apis: Map<string, GatewayApi>;
  /** Request validators by id. */
  readonly validators: Map<string, { parameters: boolean; body: boolean }>;
  /** Lambda's asynchronous invocation (retries, DLQ, destinations). */
  readonly asyncInvoker: AsyncInvoker;
  /** SNS → Lambda subscriptions: an internal queue subscribed to the topic, drained into async invokes. */
  readonly snsLambdaBridges: { queueUrl: string; functionName: string; subscriptionArn: string }[];
  /** Runs the state machines. */
  readonly stepFunctions: StepFunctionsEngine;
  /** API keys by id. */
  readonly apiKeys: Map<string, ApiKeySpec>;
  /** Usage plans, with the keys added to them. */
  readonly usagePlans: UsagePlanSpec[];
}

/** A resource type the runtime brings up, with the properties it applies and those it accepts without effect. */
export interface Provisioner {
  /** Properties that change what the local resource does. */
  readonly applies: readonly string[];
  /** Properties accepted with no local effect, each with the reason (documented in the README). */
  readonly accepts: Readonly<Record<string, string>>;
  create(ctx: ProvisionContext, logicalId: string, props: Record<string, unknown>): Promise<ResourceOutputs>;
}

/** A template the runtime cannot run faithfully; start-up stops with this message. */
export class UnsupportedResourceError extends Error {
  public override readonly name = 'UnsupportedResourceError';
}

const NOT_ENFORCED = 'the offline runtime does not enforce IAM, encryption or resource policies';
const NO_OBSERVABILITY = 'CloudWatch, X-Ray and log delivery are not emulated; functions log to the terminal';
const TAGS = 'tags have no local effect';

/** A physical name the way CloudFormation makes one, minus the random suffix, so restarts find the same names. */
export function physicalName(stackName: string, logicalId: string, max = 80, suffix = ''): string {
  const base = `${stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${base.slice(0, max - suffix.length)}${suffix}`;
}

function str(value: unknown): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
}

const sqsQueue: Provisioner = {
  applies: [
    'QueueName',
    'FifoQueue',
    'ContentBasedDeduplication',
    'DeduplicationScope',
    'FifoThroughputLimit',
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'DelaySeconds',
    'MaximumMessageSize',
    'ReceiveMessageWaitTimeSeconds',
    'RedrivePolicy',
  ],
  accepts: {
    SqsManagedSseEnabled: NOT_ENFORCED,
    KmsMasterKeyId: NOT_ENFORCED,
    KmsDataKeyReusePeriodSeconds: NOT_ENFORCED,
    RedriveAllowPolicy: NOT_ENFORCED,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
    const name = str(p.QueueName) ?? physicalName(ctx.stack.stackName, logicalId, 80, fifo ? '.fifo' : '');
    const attributes: Record<string, string> = {};
    for (const key of this.applies) {
      if (key === 'QueueName' || p[key] === undefined) continue;
      if (key === 'RedrivePolicy') {
        const redrive = p.RedrivePolicy as { deadLetterTargetArn: string; maxReceiveCount: number | string };
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: redrive.deadLetterTargetArn,
          maxReceiveCount: Number(redrive.maxReceiveCount),
        });
      } else {
        attributes[key] = asText(p[key]);
      }
    }
    const { QueueUrl } = await ctx.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await ctx.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = QueueUrl ?? '';
    const arn = Attributes?.QueueArn ?? '';
    ctx.queueUrls.set(arn, url);
    return { ref: url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
  },
};

const snsTopic: Provisioner = {
  applies: ['TopicName', 'FifoTopic', 'ContentBasedDeduplication'],
  accepts: { KmsMasterKeyId: NOT_ENFORCED, DisplayName: 'used by SMS and email only', Tags: TAGS },
  async create(ctx, logicalId, p) {
    const fifo = p.FifoTopic === true || p.FifoTopic === 'true';
    const name = str(p.TopicName) ?? physicalName(ctx.stack.stackName, logicalId, 256, fifo ? '.fifo' : '');
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoTopic = 'true';
    if (p.ContentBasedDeduplication !== undefined)
      attributes.ContentBasedDeduplication = asText(p.ContentBasedDeduplication);
    const { TopicArn } = await ctx.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    return { ref: TopicArn ?? '', attributes: { TopicArn: TopicArn ?? '', TopicName: name } };
  },
};

const snsSubscription: Provisioner = {
  applies: [
    'TopicArn',
    'Protocol',
    'Endpoint',
    'FilterPolicy',
    'FilterPolicyScope',
    'RawMessageDelivery',
    'RedrivePolicy',
  ],
  accepts: { Region: 'everything runs in the one local region' },
  async create(ctx, logicalId, p) {
    if (p.Protocol !== 'sqs' && p.Protocol !== 'lambda') {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Protocol "${asText(p.Protocol)}" is not supported offline; "sqs" and "lambda" are`,
      );
    }
    let endpoint = str(p.Endpoint);
    let bridgeFunction: string | undefined;
    if (p.Protocol === 'lambda') {
      // SNS invokes Lambda asynchronously; an internal queue takes the deliveries (filter policy applied by the engine).
      bridgeFunction = endpoint ?? '';
      if (!ctx.host.get(bridgeFunction)) {
        throw new UnsupportedResourceError(
          `${ctx.stack.stackName}/${logicalId} (AWS::SNS::Subscription): Endpoint ${bridgeFunction} names no Lambda function of the application`,
        );
      }
      const { QueueUrl } = await ctx.sqs.send(
        new CreateQueueCommand({
          QueueName: physicalName(ctx.stack.stackName, `${logicalId}-to-lambda`, 80),
        }),
      );
      const { Attributes } = await ctx.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      endpoint = Attributes?.QueueArn;
      ctx.snsLambdaBridges.push({
        queueUrl: QueueUrl ?? '',
        functionName: bridgeFunction,
        subscriptionArn: '',
      });
    }
    const attributes: Record<string, string> = {};
    for (const key of ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy']) {
      const value = str(p[key]);
      if (value !== undefined) attributes[key] = value;
    }
    if (bridgeFunction) delete attributes.RawMessageDelivery;
    const { SubscriptionArn } = await ctx.sns.send(
      new SubscribeCommand({
        TopicArn: str(p.TopicArn),
        Protocol: 'sqs',
        Endpoint: endpoint,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    const bridge = ctx.snsLambdaBridges.at(-1);
    if (bridgeFunction && bridge) bridge.subscriptionArn = SubscriptionArn ?? '';
    return { ref: SubscriptionArn ?? '', attributes: {} };
  },
};

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
  const { TableDescription } = await ctx.dynamodb.send(new CreateTableCommand(input));
  const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  if (ttl?.Enabled && ttl.AttributeName) {
    await ctx.dynamodb.send(
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

const lambdaFunction: Provisioner = {
  applies: [
    'Code',
    'Handler',
    'Runtime',
    'Timeout',
    'MemorySize',
    'Environment',
    'FunctionName',
    'ReservedConcurrentExecutions',
    'DeadLetterConfig',
  ],
  accepts: {
    Role: NOT_ENFORCED,
    Architectures: 'functions run on the local machine’s architecture',
    TracingConfig: NO_OBSERVABILITY,
    LoggingConfig: NO_OBSERVABILITY,
    Description: 'descriptive only',
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Lambda::Function)`;
    const runtime = str(p.Runtime) ?? '';
    if (!runtime.startsWith('nodejs')) {
      throw new UnsupportedResourceError(
        `${where}: Runtime "${runtime}" is not supported offline; only Node.js runtimes are`,
      );
    }
    const name = str(p.FunctionName) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    const arn = `arn:${ctx.env.partition}:lambda:${ctx.env.region}:${ctx.env.accountId}:function:${name}`;
    const codeDir = functionCode(ctx, logicalId, p.Code as Record<string, unknown>, where);
    const handler = str(p.Handler) ?? 'index.handler';
    const memorySize = Number(p.MemorySize ?? 128);
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment: Record<string, string> = {
      ...ctx.functionBaseEnvironment,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${logicalId}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      LAMBDA_TASK_ROOT: codeDir,
      _HANDLER: handler,
      TZ: 'UTC',
      ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
    };
    ctx.host.register({
      name,
      arn,
      codeDir,
      handler,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memorySize,
      reservedConcurrency:
        p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
      environment,
    });
    const deadLetterTarget = str((p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn);
    if (deadLetterTarget !== undefined) {
      checkDestination(ctx, deadLetterTarget, `${where}: DeadLetterConfig.TargetArn`);
      ctx.asyncInvoker.configure(name, { deadLetterTarget });
    }
    return { ref: name, attributes: { Arn: arn } };
  },
};

/** Fails unless `arn` is an SQS queue or SNS topic the application created before this resource. */
function checkDestination(ctx: ProvisionContext, arn: string, what: string): void {
  const isQueue = ctx.queueUrls.has(arn);
  const isTopic = arn.startsWith(`arn:${ctx.env.partition}:sns:`);
  if (!isQueue && !isTopic)
    throw new UnsupportedResourceError(`${what} ${arn} must be an SQS queue or SNS topic of the application`);
}

const eventInvokeConfig: Provisioner = {
  applies: [
    'FunctionName',
    'Qualifier',
    'MaximumRetryAttempts',
    'MaximumEventAgeInSeconds',
    'DestinationConfig',
  ],
  accepts: {},
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Lambda::EventInvokeConfig)`;
    const destinations = p.DestinationConfig as
      { OnSuccess?: { Destination?: unknown }; OnFailure?: { Destination?: unknown } } | undefined;
    const onSuccess = str(destinations?.OnSuccess?.Destination);
    const onFailure = str(destinations?.OnFailure?.Destination);
    for (const [arn, field] of [
      [onSuccess, 'OnSuccess'],
      [onFailure, 'OnFailure'],
    ] as const) {
      if (arn !== undefined) checkDestination(ctx, arn, `${where}: DestinationConfig.${field}.Destination`);
    }
    ctx.asyncInvoker.configure(str(p.FunctionName) ?? '', {
      maxRetryAttempts: p.MaximumRetryAttempts === undefined ? undefined : Number(p.MaximumRetryAttempts),
      maxEventAgeSeconds:
        p.MaximumEventAgeInSeconds === undefined ? undefined : Number(p.MaximumEventAgeInSeconds),
      onSuccess,
      onFailure,
    });
    return { ref: `${ctx.stack.stackName}/${logicalId}`, attributes: {} };
  },
};

function functionCode(
  ctx: ProvisionContext,
  logicalId: string,
  code: Record<string, unknown>,
  where: string,
): string {
  if (typeof code.ZipFile === 'string') {
    const dir = path.join(ctx.workDir, 'inline', ctx.stack.id, logicalId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.js'), code.ZipFile);
    return dir;
  }
  const key = str(code.S3Key);
  const dir = key === undefined ? undefined : ctx.stack.assetsByObjectKey.get(key);
  if (!dir)
    throw new UnsupportedResourceError(
      `${where}: Code must be a file asset of the cloud assembly or inline ZipFile`,
    );
  return dir;
}

const eventSourceMapping: Provisioner = {
  applies: [
    'EventSourceArn',
    'FunctionName',
    'BatchSize',
    'MaximumBatchingWindowInSeconds',
    'FunctionResponseTypes',
    'ScalingConfig',
    'Enabled',
    'StartingPosition',
    'BisectBatchOnFunctionError',
    'MaximumRetryAttempts',
    'MaximumRecordAgeInSeconds',
    'DestinationConfig',
    'FilterCriteria',
  ],
  accepts: {
    Tags: TAGS,
    MetricsConfig: NO_OBSERVABILITY,
    ParallelizationFactor:
      'each shard is processed by one batch at a time, which keeps the order a higher factor also keeps',
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Lambda::EventSourceMapping)`;
    const sourceArn = str(p.EventSourceArn) ?? '';
    const id = `${ctx.stack.stackName}/${logicalId}`;
    const outputs = {
      ref: id,
      attributes: {
        EventSourceMappingArn: `arn:aws:lambda:${ctx.env.region}:${ctx.env.accountId}:event-source-mapping:${logicalId}`,
      },
    };
    if (p.Enabled === false || p.Enabled === 'false') return outputs;
    const functionName = str(p.FunctionName) ?? '';
    let filters: Pattern[];
    try {
      filters = parsePatterns(
        (p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? [],
      );
      // Evaluate once against an empty record so an unsupported operator is refused at start, not at the first record.
      filters.forEach((f) => matches(f, {}));
    } catch (error: unknown) {
      throw new UnsupportedResourceError(
        `${where}: FilterCriteria: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const reportBatchItemFailures = ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes(
      'ReportBatchItemFailures',
    );
    const queueUrl = ctx.queueUrls.get(sourceArn);
    if (queueUrl) {
      ctx.sqsMappings.push({
        id,
        functionName,
        queueUrl,
        queueArn: sourceArn,
        region: ctx.env.region,
        batchSize: Number(p.BatchSize ?? 10),
        maxBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
        reportBatchItemFailures,
        maxConcurrency:
          (p.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 5,
        filters,
      });
      return outputs;
    }
    const kind = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\//.test(sourceArn)
      ? 'dynamodb'
      : /^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\//.test(sourceArn)
        ? 'kinesis'
        : undefined;
    if (kind) {
      if (p.StartingPosition === 'AT_TIMESTAMP') {
        throw new UnsupportedResourceError(
          `${where}: StartingPosition AT_TIMESTAMP is not supported offline`,
        );
      }
      const fn = ctx.host.get(functionName);
      const destination = str(
        (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
          ?.Destination,
      );
      ctx.streamMappings.push({
        sourceArn,
        kind,
        spec: {
          id,
          functionName,
          functionArn: fn?.arn ?? functionName,
          region: ctx.env.region,
          startingPosition: str(p.StartingPosition) === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
          batchSize: Number(p.BatchSize ?? 100),
          bisectOnError: p.BisectBatchOnFunctionError === true || p.BisectBatchOnFunctionError === 'true',
          maxRetryAttempts: Number(p.MaximumRetryAttempts ?? -1),
          maxRecordAgeSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
          reportBatchItemFailures,
          filters,
          onFailure: destination === undefined ? undefined : onFailureSender(ctx, destination, where),
        },
      });
      return outputs;
    }
    throw new UnsupportedResourceError(
      `${where}: EventSourceArn ${sourceArn}: only SQS queues, DynamoDB streams and Kinesis streams of the application are supported as event sources`,
    );
  },
};

/** Sends an on-failure record to an SQS queue (as the body) or an SNS topic (as the message). */
function onFailureSender(
  ctx: ProvisionContext,
  destination: string,
  where: string,
): (record: string) => Promise<void> {
  const queueUrl = ctx.queueUrls.get(destination);
  if (queueUrl) {
    return async (record) => {
      await ctx.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record }));
    };
  }
  if (destination.startsWith(`arn:${ctx.env.partition}:sns:`)) {
    return async (record) => {
      await ctx.sns.send(new PublishCommand({ TopicArn: destination, Message: record }));
    };
  }
  throw new UnsupportedResourceError(
    `${where}: DestinationConfig.OnFailure.Destination ${destination} must be an SQS queue or SNS topic of the application`,
  );
}

const kinesisStream: Provisioner = {
  applies: ['Name', 'ShardCount', 'StreamModeDetails'],
  accepts: {
    RetentionPeriodHours: 'records stay as long as the runtime runs',
    StreamEncryption: NOT_ENFORCED,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 128);
    const onDemand = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
    // On-demand streams start with four shards on AWS.
    const shards = onDemand ? 4 : Number(p.ShardCount ?? 1);
    await ctx.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    const arn = `arn:${ctx.env.partition}:kinesis:${ctx.env.region}:${ctx.env.accountId}:stream/${name}`;
    return { ref: name, attributes: { Arn: arn } };
  },
};

const s3Bucket: Provisioner = {
  applies: ['BucketName'],
  accepts: {
    BucketEncryption: NOT_ENFORCED,
    PublicAccessBlockConfiguration: NOT_ENFORCED,
    OwnershipControls: NOT_ENFORCED,
    VersioningConfiguration: 'object versions are not kept offline; the latest write wins',
    LifecycleConfiguration: 'objects are not expired or transitioned offline',
    LoggingConfiguration: NO_OBSERVABILITY,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    // S3 bucket names are lower case, 3 to 63 characters.
    const name =
      str(p.BucketName) ??
      physicalName(ctx.stack.stackName, logicalId, 63)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
    await ctx.s3.send(new CreateBucketCommand({ Bucket: name }));
    const arn = `arn:${ctx.env.partition}:s3:::${name}`;
    return {
      ref: name,
      attributes: {
        Arn: arn,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${ctx.env.region}.amazonaws.com`,
      },
    };
  },
};

const stateMachine: Provisioner = {
  applies: [
    'DefinitionString',
    'Definition',
    'DefinitionSubstitutions',
    'StateMachineName',
    'StateMachineType',
  ],
  accepts: {
    RoleArn: NOT_ENFORCED,
    LoggingConfiguration: NO_OBSERVABILITY,
    TracingConfiguration: NO_OBSERVABILITY,
    EncryptionConfiguration: NOT_ENFORCED,
    Tags: TAGS,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::StepFunctions::StateMachine)`;
    let text =
      typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
    for (const [key, value] of Object.entries(
      (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
    )) {
      text = text.split(`\${${key}}`).join(asText(value));
    }
    const definition = JSON.parse(text) as { States: Record<string, unknown>; QueryLanguage?: string };
    if (definition.QueryLanguage === 'JSONata' || text.includes('"QueryLanguage":"JSONata"')) {
      throw new UnsupportedResourceError(
        `${where}: JSONata state machines are not supported offline; use JSONPath`,
      );
    }
    for (const [state, { Resource }] of taskStates(definition)) {
      if (!supportedTaskResource(Resource)) {
        throw new UnsupportedResourceError(
          `${where}: state "${state}" uses task resource ${Resource}, which the offline runtime does not run`,
        );
      }
    }
    const name = str(p.StateMachineName) ?? physicalName(ctx.stack.stackName, logicalId, 80);
    const arn = `arn:${ctx.env.partition}:states:${ctx.env.region}:${ctx.env.accountId}:stateMachine:${name}`;
    ctx.stepFunctions.register({
      arn,
      name,
      type: str(p.StateMachineType) === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
    });
    return { ref: arn, attributes: { Arn: arn, Name: name } };
  },
};

/** A resource that has no behaviour to emulate offline; it answers `Ref` and `Arn` so others can name it. */
function accepted(reason: string, arnOf: (ctx: ProvisionContext, name: string) => string): Provisioner {
  return {
    applies: [],
    accepts: { '*': reason },
    // eslint-disable-next-line @typescript-eslint/require-await
    async create(ctx, logicalId) {
      const name = physicalName(ctx.stack.stackName, logicalId, 64);
      return { ref: name, attributes: { Arn: arnOf(ctx, name), KeyId: name, RoleId: name } };
    },
  };
}

const iamArn = (kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:${kind}/${name}`;
const regional = (service: string, kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:${service}:${ctx.env.region}:${ctx.env.accountId}:${kind}${name}`;

/** Every resource type the runtime supports, by CloudFormation type. */
export const PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  ...APIGATEWAY_PROVISIONERS,
  'AWS::SQS::Queue': sqsQueue,
  'AWS::SNS::Topic': snsTopic,
  'AWS::SNS::Subscription': snsSubscription,
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::DynamoDB::GlobalTable': dynamoGlobalTable,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::EventSourceMapping': eventSourceMapping,
  'AWS::Lambda::EventInvokeConfig': eventInvokeConfig,
  'AWS::StepFunctions::StateMachine': stateMachine,
  'AWS::Kinesis::Stream': kinesisStream,
  'AWS::S3::Bucket': s3Bucket,
  'AWS::S3::BucketPolicy': accepted(NOT_ENFORCED, regional('s3', '')),
  'AWS::IAM::Role': accepted(NOT_ENFORCED, iamArn('role')),
  'AWS::IAM::Policy': accepted(NOT_ENFORCED, iamArn('policy')),
  'AWS::IAM::ManagedPolicy': accepted(NOT_ENFORCED, iamArn('policy')),
  'AWS::KMS::Key': accepted(NOT_ENFORCED, regional('kms', 'key/')),
  'AWS::KMS::Alias': accepted(NOT_ENFORCED, regional('kms', 'alias/')),
  'AWS::SQS::QueuePolicy': accepted(NOT_ENFORCED, regional('sqs', '')),
  'AWS::SNS::TopicPolicy': accepted(NOT_ENFORCED, regional('sns', '')),
  'AWS::Lambda::Permission': accepted(NOT_ENFORCED, regional('lambda', 'permission:')),
  'AWS::Logs::LogGroup': accepted(NO_OBSERVABILITY, regional('logs', 'log-group:')),
  'AWS::CloudWatch::Alarm': accepted(NO_OBSERVABILITY, regional('cloudwatch', 'alarm:')),
  'AWS::CDK::Metadata': accepted('CDK metadata has no runtime meaning', regional('cloudformation', '')),
};

/**
 * Every problem that would stop the template from running faithfully: unsupported types and properties,
 * each named with its stack, logical id and property.
 */
export function unsupported(stack: AssemblyStack): string[] {
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    const provisioner = PROVISIONERS[resource.Type];
    const where = `${stack.stackName}/${logicalId} (${resource.Type})`;
    if (!provisioner) {
      problems.push(`${where}: resource type ${resource.Type} is not supported by the offline runtime`);
      continue;
    }
    if ('*' in provisioner.accepts) continue;
    for (const property of Object.keys(resource.Properties ?? {})) {
      if (!provisioner.applies.includes(property) && !(property in provisioner.accepts)) {
        problems.push(`${where}: property ${property} is not supported by the offline runtime`);
      }
    }
  }
  return problems;
}
