import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { matches, parsePatterns, type Pattern } from './event-source-mapping/event-filter.js';
import {
  accepted,
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  regional,
  str,
  TAGS,
  UnsupportedResourceError,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { onlyServesHandledCustomResources } from '../cloudformation/handlers.js';
import { DynamoDbService } from '../dynamodb/service.js';
import { secondsToMs } from '../kinesis/at-timestamp.js';
import { KinesisService } from '../kinesis/service.js';
import { SqsService } from '../sqs/service.js';
import { checkEventSourceMapping, checkFunction } from './checks.js';
import { isConsumerArn } from './event-source-mapping/kinesis-stream-source.js';
import { LambdaService } from './service.js';

/** How often a mapping on an enhanced fan-out consumer reads a shard that had nothing. */
const ENHANCED_FAN_OUT_POLL_MS = 50;

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
    KmsKeyArn: 'environment variables are kept in memory, not encrypted; the key has no local effect',
    Layers: "only on functions the runtime never runs (CDK's BucketDeployment handler); refused on any other",
    Tags: TAGS,
  },
  check: checkFunction,
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Lambda::Function)`;
    const runtime = str(p.Runtime) ?? '';
    const name = str(p.FunctionName) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    const arn = `arn:${ctx.env.partition}:lambda:${ctx.env.region}:${ctx.env.accountId}:function:${name}`;
    // CDK's Python handlers of custom resources the runtime provisions itself are never invoked.
    if (!runtime.startsWith('nodejs') && onlyServesHandledCustomResources(ctx.stack, logicalId)) {
      return { ref: name, attributes: { Arn: arn } };
    }
    if (!runtime.startsWith('nodejs')) {
      throw new UnsupportedResourceError(
        `${where}: Runtime "${runtime}" is not supported offline; only Node.js runtimes are`,
      );
    }
    const codeDir = functionCode(ctx, logicalId, p.Code as Record<string, unknown>, where);
    const handler = str(p.Handler) ?? 'index.handler';
    const memorySize = Number(p.MemorySize ?? 128);
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const lambda = ctx.service(LambdaService);
    const environment: Record<string, string> = {
      ...lambda.functionBaseEnvironment(),
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
    lambda.host.register({
      name,
      arn,
      codeDir,
      handler,
      runtime,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memorySize,
      reservedConcurrency:
        p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
      environment,
    });
    const deadLetterTarget = str((p.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn);
    if (deadLetterTarget !== undefined) {
      checkDestination(ctx, deadLetterTarget, `${where}: DeadLetterConfig.TargetArn`);
      lambda.asyncInvoker.configure(name, { deadLetterTarget });
    }
    return { ref: name, attributes: { Arn: arn } };
  },
};

const eventInvokeConfig: Provisioner = {
  applies: [
    'FunctionName',
    'Qualifier',
    'MaximumRetryAttempts',
    'MaximumEventAgeInSeconds',
    'DestinationConfig',
  ],
  accepts: {},
  check(ctx, p) {
    const kinds = ['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::Lambda::Function', 'AWS::Events::EventBus'];
    const config = (p.DestinationConfig ?? {}) as Record<string, { Destination?: unknown } | undefined>;
    return ['OnSuccess', 'OnFailure'].flatMap((field) => {
      const type = ctx.typeOf(config[field]?.Destination);
      return type === undefined || kinds.includes(type)
        ? []
        : [
            `${ctx.where}: DestinationConfig.${field}.Destination is a ${type}; destinations are SQS queues, SNS topics, Lambda functions and event buses`,
          ];
    });
  },
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
      const destination = `${where}: DestinationConfig.${field}.Destination ${arn}`;
      if (
        arn !== undefined &&
        !ctx.service(LambdaService).asyncInvoker.deliversTo(arn) && // a function, or an event bus
        ctx.service(SqsService).queueUrl(arn) === undefined &&
        !arn.startsWith(`arn:${ctx.env.partition}:sns:`)
      ) {
        throw new UnsupportedResourceError(
          `${destination} must be an SQS queue, SNS topic, Lambda function or event bus of the application`,
        );
      }
    }
    ctx.service(LambdaService).asyncInvoker.configure(str(p.FunctionName) ?? '', {
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
    'StartingPositionTimestamp',
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
  check: checkEventSourceMapping,
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
    const lambda = ctx.service(LambdaService);
    const queueUrl = ctx.service(SqsService).queueUrl(sourceArn);
    if (queueUrl) {
      lambda.addSqsMapping({
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
      const position = str(p.StartingPosition);
      let startingPositionTimestampMs: number | undefined;
      if (position === 'AT_TIMESTAMP') {
        const seconds = Number(p.StartingPositionTimestamp);
        if (kind === 'dynamodb' || !Number.isFinite(seconds)) {
          throw new UnsupportedResourceError(
            `${where}: StartingPosition AT_TIMESTAMP is for Kinesis streams only, with StartingPositionTimestamp (epoch seconds)`,
          );
        }
        startingPositionTimestampMs = secondsToMs(seconds);
      }
      const consumer = kind === 'kinesis' && isConsumerArn(sourceArn);
      if (consumer && ctx.service(KinesisService).consumer(sourceArn) === undefined) {
        throw new UnsupportedResourceError(
          `${where}: EventSourceArn ${sourceArn} names no AWS::Kinesis::StreamConsumer of the application`,
        );
      }
      const fn = lambda.host.get(functionName);
      const destination = str(
        (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
          ?.Destination,
      );
      lambda.addStreamMapping({
        sourceArn,
        kind,
        spec: {
          id,
          functionName,
          functionArn: fn?.arn ?? functionName,
          region: ctx.env.region,
          startingPosition: position === 'LATEST' || position === 'AT_TIMESTAMP' ? position : 'TRIM_HORIZON',
          startingPositionTimestampMs,
          // Enhanced fan-out pushes records within about 70 ms; shared throughput is polled.
          pollIntervalMs: consumer ? ENHANCED_FAN_OUT_POLL_MS : undefined,
          streamViewType:
            kind === 'dynamodb' ? ctx.service(DynamoDbService).declaredStreamView(sourceArn) : undefined,
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
  checkDestination(ctx, destination, `${where}: DestinationConfig.OnFailure.Destination`);
  return (record) => ctx.service(LambdaService).deliver(destination, record);
}

/** Fails unless `arn` is an SQS queue or SNS topic the application created before this resource. */
function checkDestination(ctx: ProvisionContext, arn: string, what: string): void {
  const isQueue = ctx.service(SqsService).queueUrl(arn) !== undefined;
  const isTopic = arn.startsWith(`arn:${ctx.env.partition}:sns:`);
  if (!isQueue && !isTopic)
    throw new UnsupportedResourceError(`${what} ${arn} must be an SQS queue or SNS topic of the application`);
}

/** Lambda functions on the local host, their asynchronous invocation and their event source mappings. */
export const lambda: ServiceModule = {
  name: 'lambda',
  state: LambdaService,
  inProcessEngine: true,
  provisioners: {
    'AWS::Lambda::Function': lambdaFunction,
    'AWS::Lambda::EventSourceMapping': eventSourceMapping,
    'AWS::Lambda::EventInvokeConfig': eventInvokeConfig,
    'AWS::Lambda::Permission': accepted(NOT_ENFORCED, regional('lambda', 'permission:')),
    'AWS::Lambda::LayerVersion': accepted(
      "a layer is only accepted for functions the runtime never runs (CDK's BucketDeployment handler)",
      regional('lambda', 'layer:'),
    ),
  },
};
