import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { JWK } from 'jose';
import { readCloudAssembly, type AssemblyStack, type CfnResource } from './cloud-assembly.js';
import { startEngines, type Engines } from './engines.js';
import { attachPersistentState } from './persistence.js';
import { IntrinsicResolver, type LocalEnvironment, type ResourceOutputs } from './intrinsics.js';
import {
  SERVICES,
  provisionerOf,
  UnsupportedResourceError,
  unsupported,
  type ProvisionContext,
} from './registry.js';
import { ServiceSet } from './services.js';
import { Supervisor, type EngineExit } from './supervisor.js';
import type { BatchOutcome } from '../services/lambda/event-source-mapping/sqs-poller.js';
import type { StreamBatchOutcome } from '../services/lambda/event-source-mapping/stream-poller.js';
import type { LambdaHost } from '../services/lambda/host.js';
import { LambdaService } from '../services/lambda/service.js';
import type { StepFunctionsEngine } from '../services/stepfunctions/engine.js';
import { StepFunctionsService } from '../services/stepfunctions/service.js';
import { ApiGatewayService } from '../services/apigateway/service.js';
import { ApiGatewayV2Service } from '../services/apigatewayv2/service.js';
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
  /**
   * Delays before the retries of a failed EventBridge target delivery; the last one repeats.
   * @default exponential back-off with jitter from about 1 s up to 5 min, as on AWS
   */
  readonly eventsRetryDelaysMs?: readonly number[];
  /** Told every batch a stream event source mapping handles. */
  readonly onStreamBatch?: (outcome: StreamBatchOutcome) => void;
  /** Told each line the runtime reports about itself (an engine that exited). @default writes it to stderr */
  readonly log?: (line: string) => void;
  /**
   * Keys trusted for every JWT authorizer of an HTTP API in place of its issuer's discovery
   * (`<issuer>/.well-known/openid-configuration`); `iss`, `aud` and the scopes are still checked.
   * @default each issuer's own keys, when it can be reached
   */
  readonly jwks?: { keys: JWK[] };
  /**
   * Delay before a write to a global table with multi-Region eventual consistency reaches its other
   * replicas; changeable at run time (`PUT /_conflux/replication`).
   * @default `CONFLUX_REPLICATION_LAG_MS`, else 500
   */
  readonly replicationLagMs?: number;
  /**
   * Round trip a write to a global table with multi-Region strong consistency waits for before it is
   * acknowledged; changeable at run time.
   * @default `CONFLUX_REPLICATION_RTT_MS`, else 30
   */
  readonly replicationRoundTripMs?: number;
  /**
   * Folder the engines keep their state in across runs (`conflux local --persist`: `.conflux/state`); each
   * engine that can persist writes under it, and what it cannot keep is lost at stop as without it.
   * @default none: every engine runs in memory
   */
  readonly persistDir?: string;
  /**
   * Told how the start goes, for a progress display: `engines` once the engines and services listen, then
   * `resources` after each resource is created (`done` of `total`), then `started` once the pollers run.
   */
  readonly onProgress?: (event: StartEvent) => void;
}

/** A step of {@link startRuntime}, for {@link RuntimeOptions.onProgress}. */
export type StartEvent =
  | { readonly phase: 'engines' }
  | { readonly phase: 'resources'; readonly done: number; readonly total: number }
  | { readonly phase: 'started' };

/** The running application. */
export interface RunningRuntime {
  /** The REST API's base URL or, when the application has none, its first HTTP API's. */
  readonly baseUrl?: string;
  /** The base URL of every REST and HTTP API, by logical id (`<stack>/<logicalId>` when ids repeat). */
  readonly apis: Readonly<Record<string, string>>;
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
   * With `persistDir`: the folder, and whether it held the state of an earlier run (`restored`), whose
   * tables, streams, messages, objects and API keys this run took over. A seed is for a fresh folder only.
   */
  readonly persisted?: { readonly dir: string; readonly restored: boolean };
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
 * run, starts the engines and every service ({@link SERVICES}), creates every resource in dependency order
 * with its intrinsics resolved, then starts what the services run once everything exists (event source
 * mappings, SNS → Lambda bridges, the gateway).
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const stacks = readCloudAssembly(options.cdkOut);
  const problems = stacks.flatMap((stack) => unsupported(stack, LOCAL_ENV));
  if (problems.length > 0) {
    throw new UnsupportedResourceError(
      `the offline runtime cannot run this application as synthesized:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const stateDir = options.stateDir ?? path.join(path.dirname(path.resolve(options.cdkOut)), '.conflux');
  mkdirSync(stateDir, { recursive: true });

  const engines = await startEngines(LOCAL_ENV.region, {
    replicationLagMs: options.replicationLagMs ?? envMs('CONFLUX_REPLICATION_LAG_MS'),
    replicationRoundTripMs: options.replicationRoundTripMs ?? envMs('CONFLUX_REPLICATION_RTT_MS'),
    persistDir: options.persistDir,
  });
  const log =
    options.log ??
    ((line: string) => {
      process.stderr.write(`${line}\n`);
    });
  const supervisor = new Supervisor(log);
  supervisor.watch('dynamodb', {
    label: 'DynamoDB Local',
    loses: "the runtime's tables",
    pid: engines.javaPid,
    exited: engines.javaExited,
  });
  for (const engine of ['fauxqs', 'kinesalite']) supervisor.inProcess(engine);
  for (const service of SERVICES) if (service.inProcessEngine) supervisor.inProcess(service.name);
  const resources: Record<string, string> = {};
  const services = new ServiceSet(SERVICES, {
    env: LOCAL_ENV,
    engines,
    options,
    health: supervisor,
    application: { stacks, resources },
  });
  // Pollers of an engine that is gone would fail every poll: they stop, and the gateway answers 503.
  const engineExit = new Promise<EngineExit>((resolve) => {
    supervisor.onExit(resolve);
  }).then(async (exit) => {
    await services.halt();
    return exit;
  });
  const stop = async () => {
    supervisor.stop();
    await services.stop();
    await engines.stop();
  };
  try {
    services.create();
    if (engines.persistence) {
      attachPersistentState(services.get(ApiGatewayService), engines.persistence);
      attachPersistentState(services.get(LambdaService), engines.persistence);
    }
    const endpoints = Object.fromEntries((await services.listen()).map((e) => [e.name, e.url]));
    options.onProgress?.({ phase: 'engines' });
    const total = stacks.reduce((n, s) => n + Object.keys(s.template.Resources).length, 0);
    let done = 0;
    const created = () => {
      done += 1;
      options.onProgress?.({ phase: 'resources', done, total });
    };
    const exports = new Map<string, string>();
    const stackOutputs = new Map<string, Map<string, string>>();
    for (const stack of stacks) {
      const ctx: ProvisionContext = {
        env: LOCAL_ENV,
        stack,
        workDir: stateDir,
        service: (state) => services.get(state),
      };
      const outputs = await provisionStack(ctx, exports, stackOutputs, created);
      for (const [logicalId, out] of outputs) {
        const key = logicalId in resources ? `${stack.id}/${logicalId}` : logicalId;
        resources[key] = out.ref;
      }
    }
    // What fauxqs cannot keep comes back now that its queues and buckets exist, before pollers read them.
    for (const line of engines.restore()) log(line);
    await services.start();
    engines.persistence?.markStarted();
    options.onProgress?.({ phase: 'started' });
    const gateway = services.get(ApiGatewayService);
    const httpApis = services.get(ApiGatewayV2Service);
    const apiUrls: Record<string, string> = { ...gateway.urls(), ...httpApis.urls() };
    return {
      baseUrl: gateway.baseUrl ?? httpApis.baseUrl,
      apis: Object.fromEntries(
        Object.entries(resources).flatMap(([id, ref]) => {
          const url = apiUrls[ref];
          return url === undefined ? [] : [[id, url]];
        }),
      ),
      endpoints,
      apiKeys: gateway.keysByPlan(),
      resources,
      host: services.get(LambdaService).host,
      engines,
      stepFunctions: services.get(StepFunctionsService).engine,
      health: supervisor,
      ...(engines.persistence
        ? { persisted: { dir: engines.persistence.dir, restored: engines.persistence.restored } }
        : {}),
      engineExit,
      stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

/** A non-negative whole number of ms from the environment; undefined when unset, an error when not one. */
function envMs(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 600_000) {
    throw new Error(`${name}=${text} must be a whole number of milliseconds from 0 to 600000`);
  }
  return value;
}

async function provisionStack(
  ctx: ProvisionContext,
  exports: Map<string, string>,
  stackOutputs: Map<string, Map<string, string>>,
  created: () => void = () => undefined,
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
    if (resource.Condition && !resolver.condition(resource.Condition)) {
      created();
      continue;
    }
    const provisioner = provisionerOf(resource.Type);
    if (!provisioner)
      throw new UnsupportedResourceError(
        `${stack.stackName}/${logicalId}: ${resource.Type} is not supported`,
      );
    const where = `${stack.stackName}/${logicalId}.Properties`;
    const props = (resolver.resolve(resource.Properties ?? {}, where) ?? {}) as Record<string, unknown>;
    try {
      outputs.set(logicalId, await provisioner.create(ctx, logicalId, props));
      created();
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
