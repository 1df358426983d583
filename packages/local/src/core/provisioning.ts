import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AsyncInvoker, Deliver } from '../services/lambda/async-invoker.js';
import type { AssemblyStack } from './cloud-assembly.js';
import type { ApiKeySpec, GatewayApi, UsagePlanSpec } from '../services/apigateway/gateway.js';
import type { LocalEnvironment, ResourceOutputs } from './intrinsics.js';
import type { LambdaHost } from '../services/lambda/host.js';
import type { SqsMappingSpec } from '../services/lambda/event-source-mapping/sqs-poller.js';
import type { StepFunctionsEngine } from '../services/stepfunctions/engine.js';
import type { StreamMappingSpec } from '../services/lambda/event-source-mapping/stream-poller.js';

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
  /** Sends a body (with optional attributes) to an SQS queue or SNS topic of the application, by ARN. */
  readonly deliver: Deliver;
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

export const NOT_ENFORCED = 'the offline runtime does not enforce IAM, encryption or resource policies';
export const NO_OBSERVABILITY =
  'CloudWatch, X-Ray and log delivery are not emulated; functions log to the terminal';
export const TAGS = 'tags have no local effect';

/** A physical name the way CloudFormation makes one, minus the random suffix, so restarts find the same names. */
export function physicalName(stackName: string, logicalId: string, max = 80, suffix = ''): string {
  const base = `${stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return `${base.slice(0, max - suffix.length)}${suffix}`;
}

export function str(value: unknown): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fails unless `arn` is an SQS queue or SNS topic the application created before this resource. */
export function checkDestination(ctx: ProvisionContext, arn: string, what: string): void {
  const isQueue = ctx.queueUrls.has(arn);
  const isTopic = arn.startsWith(`arn:${ctx.env.partition}:sns:`);
  if (!isQueue && !isTopic)
    throw new UnsupportedResourceError(`${what} ${arn} must be an SQS queue or SNS topic of the application`);
}

/** A resource that has no behaviour to emulate offline; it answers `Ref` and `Arn` so others can name it. */
export function accepted(
  reason: string,
  arnOf: (ctx: ProvisionContext, name: string) => string,
): Provisioner {
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

export const iamArn = (kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:${kind}/${name}`;
export const regional = (service: string, kind: string) => (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:${service}:${ctx.env.region}:${ctx.env.accountId}:${kind}${name}`;
