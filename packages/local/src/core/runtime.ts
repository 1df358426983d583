import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { readCloudAssembly, type AssemblyStack, type CfnResource } from './cloud-assembly.js';
import { LOCAL_CREDENTIALS, startEngines, type Engines } from './engines.js';
import { IntrinsicResolver, type LocalEnvironment, type ResourceOutputs } from './intrinsics.js';
import {
  Gateway,
  type ApiKeySpec,
  type GatewayApi,
  type UsagePlanSpec,
} from '../services/apigateway/gateway.js';
import { LambdaApi } from '../services/lambda/invoke-api.js';
import { LambdaHost } from '../services/lambda/host.js';
import { PROVISIONERS, UnsupportedResourceError, unsupported, type ProvisionContext } from './registry.js';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { AsyncInvoker, type Deliver } from '../services/lambda/async-invoker.js';
import { DynamoDbStreamSource } from '../services/lambda/event-source-mapping/dynamodb-stream-source.js';
import { KinesisStreamSource } from '../services/lambda/event-source-mapping/kinesis-stream-source.js';
import { SnsLambdaBridge } from '../services/sns/lambda-bridge.js';
import {
  SqsPoller,
  type BatchOutcome,
  type SqsMappingSpec,
} from '../services/lambda/event-source-mapping/sqs-poller.js';
import { StepFunctionsEngine } from '../services/stepfunctions/engine.js';
import {
  StreamPoller,
  type StreamBatchOutcome,
} from '../services/lambda/event-source-mapping/stream-poller.js';
import { Supervisor, type EngineExit } from './supervisor.js';
import type { RuntimeHealth } from '../services/apigateway/types.js';

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** The cloud assembly to run. */
  readonly cdkOut: string;
  /** Folder for the runtime's own files (inline code). @default `<cdkOut>/../.conflux` */
  readonly stateDir?: string;
  /** Port of the gateway; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Told every batch an SQS event source mapping handles. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Delays before the retries of a failed asynchronous invocation. @default [60000, 120000], as on AWS */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** Told every batch a stream event source mapping handles. */
  readonly onStreamBatch?: (outcome: StreamBatchOutcome) => void;
  /** Told each line the runtime reports about itself (an engine that exited). @default writes it to stderr */
  readonly log?: (line: string) => void;
}

/** The running application. */
export interface RunningRuntime {
  /** The gateway's base URL, when the application has a REST API. */
  readonly baseUrl?: string;
  readonly endpoints: Readonly<Record<string, string>>;
  /** An enabled API key of each usage plan, by plan name. */
  readonly apiKeys: Readonly<Record<string, string>>;
  /** Physical name, URL or ARN of every resource, by logical id (`<stack>/<logicalId>` when ids repeat). */
  readonly resources: Readonly<Record<string, string>>;
  readonly host: LambdaHost;
  readonly engines: Engines;
  readonly stepFunctions: StepFunctionsEngine;
  /** Each engine's state, as `GET /_conflux/health` reports it. */
  readonly health: RuntimeHealth;
  /**
   * Settles when an engine exits while the runtime runs, once the event source pollers are stopped; never
   * settles otherwise. The runtime then stays up and answers 503 until {@link RunningRuntime.stop}.
   */
  readonly engineExit: Promise<EngineExit>;
  stop(): Promise<void>;
}

/** The local account and region every template resolves against. */
export const LOCAL_ENV: LocalEnvironment = {
  accountId: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
};

/**
 * Brings a synthesized CDK application up on local engines: refuses any resource type or property it cannot
 * run, starts the engines, creates every resource in dependency order with its intrinsics resolved, and
 * starts the event source mappings.
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const stacks = readCloudAssembly(options.cdkOut);
  const problems = stacks.flatMap(unsupported);
  if (problems.length > 0) {
    throw new UnsupportedResourceError(
      `the offline runtime cannot run this application as synthesized:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const stateDir = options.stateDir ?? path.join(path.dirname(path.resolve(options.cdkOut)), '.conflux');
  mkdirSync(stateDir, { recursive: true });

  const engines = await startEngines(LOCAL_ENV.region);
  const supervisor = new Supervisor(
    options.log ??
      ((line) => {
        process.stderr.write(`${line}\n`);
      }),
  );
  supervisor.watch('dynamodb', {
    label: 'DynamoDB Local',
    loses: "the runtime's tables",
    pid: engines.javaPid,
    exited: engines.javaExited,
  });
  for (const engine of ['fauxqs', 'kinesalite', 'stepfunctions', 'lambda']) supervisor.inProcess(engine);
  const host = new LambdaHost();
  const stepFunctions = new StepFunctionsEngine({
    host,
    dynamodb: engines.dynamodb,
    sqs: engines.sqs,
    sns: engines.sns,
  });
  const queueUrls = new Map<string, string>();
  const toAttributes = (attributes: Record<string, { type: string; value: string }>) =>
    Object.fromEntries(
      Object.entries(attributes).map(([k, a]) => [k, { DataType: a.type, StringValue: a.value }]),
    );
  // The one way outcomes leave a function (async DLQ and destinations, stream on-failure records):
  // to an SQS queue of the application, or else to an SNS topic.
  const deliver: Deliver = async (arn, body, attributes = {}) => {
    const queueUrl = queueUrls.get(arn);
    if (queueUrl) {
      await engines.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: toAttributes(attributes),
        }),
      );
    } else {
      await engines.sns.send(
        new PublishCommand({ TopicArn: arn, Message: body, MessageAttributes: toAttributes(attributes) }),
      );
    }
  };
  const asyncInvoker = new AsyncInvoker(host, deliver, options.asyncRetryDelaysMs);
  const lambdaApi = new LambdaApi(host, asyncInvoker);
  const pollers: { stop(): Promise<void> }[] = [];
  const gateways: Gateway[] = [];
  // Pollers of an engine that is gone would fail every poll: they stop, and the gateway answers 503.
  const engineExit = new Promise<EngineExit>((resolve) => {
    supervisor.onExit(resolve);
  }).then(async (exit) => {
    await Promise.allSettled(pollers.map((p) => p.stop()));
    return exit;
  });
  const stop = async () => {
    supervisor.stop();
    await Promise.allSettled([...gateways.map((g) => g.close()), stepFunctions.close(), lambdaApi.close()]);
    await Promise.allSettled(pollers.map((p) => p.stop()));
    await asyncInvoker.stop();
    await host.stop();
    await engines.stop();
  };
  try {
    const resources: Record<string, string> = {};
    const exports = new Map<string, string>();
    const stackOutputs = new Map<string, Map<string, string>>();
    const sqsMappings: SqsMappingSpec[] = [];
    const streamMappings: ProvisionContext['streamMappings'] = [];
    const apis = new Map<string, GatewayApi>();
    const validators = new Map<string, { parameters: boolean; body: boolean }>();
    const apiKeys = new Map<string, ApiKeySpec>();
    const usagePlans: UsagePlanSpec[] = [];
    const sfnEndpoint = await stepFunctions.listen();
    const lambdaEndpoint = await lambdaApi.listen();
    const endpoints = { ...engines.endpoints, stepfunctions: sfnEndpoint, lambda: lambdaEndpoint };
    const snsLambdaBridges: ProvisionContext['snsLambdaBridges'] = [];
    const functionBaseEnvironment = {
      AWS_REGION: LOCAL_ENV.region,
      AWS_DEFAULT_REGION: LOCAL_ENV.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: engines.endpoints.sqs,
      AWS_ENDPOINT_URL_SNS: engines.endpoints.sns,
      AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
      AWS_ENDPOINT_URL_SFN: sfnEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      AWS_ENDPOINT_URL_KINESIS: engines.endpoints.kinesis,
      // X-Ray is not emulated: Powertools' tracer stays off unless a template asks otherwise.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    };
    for (const stack of stacks) {
      const ctx: ProvisionContext = {
        env: LOCAL_ENV,
        stack,
        dynamodb: engines.dynamodb,
        sqs: engines.sqs,
        sns: engines.sns,
        host,
        functionBaseEnvironment,
        workDir: stateDir,
        queueUrls,
        sqsMappings,
        streamMappings,
        apis,
        validators,
        apiKeys,
        usagePlans,
        stepFunctions,
        kinesis: engines.kinesis,
        s3: engines.s3,
        deliver,
        asyncInvoker,
        snsLambdaBridges,
      };
      const outputs = await provisionStack(ctx, exports, stackOutputs);
      for (const [logicalId, out] of outputs) {
        const key = logicalId in resources ? `${stack.id}/${logicalId}` : logicalId;
        resources[key] = out.attributes.QueueUrl ?? out.ref;
      }
    }
    for (const spec of sqsMappings) {
      const poller = new SqsPoller(engines.sqs, host, spec, options.onBatch);
      poller.start();
      pollers.push(poller);
    }
    for (const bridge of snsLambdaBridges) {
      const poller = new SnsLambdaBridge(engines.sqs, asyncInvoker, bridge);
      poller.start();
      pollers.push(poller);
    }
    for (const { sourceArn, kind, spec } of streamMappings) {
      const source =
        kind === 'kinesis'
          ? new KinesisStreamSource(engines.kinesis, sourceArn, LOCAL_ENV.region)
          : new DynamoDbStreamSource(engines.dynamodbStreams, sourceArn, LOCAL_ENV.region);
      const poller = new StreamPoller(host, source, spec, options.onStreamBatch);
      poller.start();
      pollers.push(poller);
    }
    if (apis.size > 1) {
      throw new UnsupportedResourceError(
        `the application has ${apis.size} REST APIs; the offline gateway serves one at its base URL`,
      );
    }
    const [api] = apis.values();
    let baseUrl: string | undefined;
    if (api) {
      const gateway = new Gateway(
        api,
        host,
        LOCAL_ENV.accountId,
        { usagePlans, apiKeys },
        LOCAL_ENV.region,
        {
          sqs: engines.sqs,
          kinesis: engines.kinesis,
          stepFunctions,
        },
        supervisor,
      );
      baseUrl = await gateway.listen(options.port ?? 3000);
      gateways.push(gateway);
    }
    const keysByPlan: Record<string, string> = {};
    for (const plan of usagePlans) {
      const key = plan.keyIds.map((id) => apiKeys.get(id)).find((k) => k?.enabled);
      if (key) keysByPlan[plan.name] = key.value;
    }
    return {
      baseUrl,
      endpoints,
      apiKeys: keysByPlan,
      resources,
      host,
      engines,
      stepFunctions,
      health: supervisor,
      engineExit,
      stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

async function provisionStack(
  ctx: ProvisionContext,
  exports: Map<string, string>,
  stackOutputs: Map<string, Map<string, string>>,
): Promise<Map<string, ResourceOutputs>> {
  const { stack } = ctx;
  const outputs = new Map<string, ResourceOutputs>();
  const resolver = new IntrinsicResolver(
    stack.stackName,
    stack.template,
    ctx.env,
    outputs,
    exports,
    stackOutputs,
  );
  for (const logicalId of creationOrder(stack)) {
    const resource = stack.template.Resources[logicalId] as CfnResource;
    if (resource.Condition && !resolver.condition(resource.Condition)) continue;
    const provisioner = PROVISIONERS[resource.Type];
    if (!provisioner)
      throw new UnsupportedResourceError(
        `${stack.stackName}/${logicalId}: ${resource.Type} is not supported`,
      );
    const where = `${stack.stackName}/${logicalId}.Properties`;
    const props = (resolver.resolve(resource.Properties ?? {}, where) ?? {}) as Record<string, unknown>;
    try {
      outputs.set(logicalId, await provisioner.create(ctx, logicalId, props));
    } catch (error: unknown) {
      if (error instanceof UnsupportedResourceError) throw error;
      throw new Error(
        `${stack.stackName}/${logicalId} (${resource.Type}) could not be created locally: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  const values = new Map<string, string>();
  for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
    const value = resolver.resolveString(output.Value, `${stack.stackName}/Outputs.${name}`);
    values.set(name, value);
    if (output.Export)
      exports.set(
        resolver.resolveString(output.Export.Name, `${stack.stackName}/Outputs.${name}.Export`),
        value,
      );
  }
  stackOutputs.set(stack.stackName, values);
  return outputs;
}

/** Logical ids ordered so that every resource comes after those it references or depends on. */
export function creationOrder(stack: AssemblyStack): string[] {
  const resources = stack.template.Resources;
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      throw new Error(`${stack.stackName}: circular reference ${[...trail, id].join(' → ')}`);
    }
    state.set(id, 'visiting');
    const resource = resources[id];
    if (resource) {
      const deps = IntrinsicResolver.references(resource.Properties ?? {});
      for (const d of [resource.DependsOn ?? []].flat()) deps.add(d);
      for (const dep of deps) if (dep in resources) visit(dep, [...trail, id]);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, []);
  return order;
}
