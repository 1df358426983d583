import type { AssemblyStack } from './cloud-assembly.js';
import type { Engines } from './engines.js';
import type { LocalEnvironment } from './intrinsics.js';
import type { Provisioner } from './provisioning.js';
import type { RuntimeOptions } from './runtime.js';
import type { RuntimeHealth } from '../services/apigateway/types.js';

/**
 * One AWS service of the runtime, as `services/<service>/provisioners.ts` exports it: the CloudFormation
 * resource types it brings up and, when it keeps anything while the runtime runs, the class of that state.
 * `core/registry.ts` lists every module; nothing else in core names a resource type.
 */
export interface ServiceModule {
  /** The service's folder under `services/`, e.g. `sqs`. */
  readonly name: string;
  /** The resource types the service brings up, by CloudFormation type (`AWS::SQS::Queue`). */
  readonly provisioners: Readonly<Record<string, Provisioner>>;
  /** The class of the state one runtime keeps for the service; also the key others reach it by. */
  readonly state?: ServiceClass<ServiceState>;
  /** The service is an engine of its own running in this process (health reports it by {@link name}). */
  readonly inProcessEngine?: boolean;
}

/** A service's state class: made once per runtime, from what the runtime has. */
export type ServiceClass<S> = new (runtime: ServiceRuntime) => S;

/** An endpoint a service serves SDK clients on. */
export interface ServiceEndpoint {
  /** Its name in `RunningRuntime.endpoints` and `.conflux/local.json`, e.g. `stepfunctions`. */
  readonly name: string;
  /** The SDK's service id in `AWS_ENDPOINT_URL_<ID>`, e.g. `SFN`. */
  readonly sdkId: string;
  readonly url: string;
}

/**
 * What a service's state may do while the runtime runs; every hook is optional. The runtime calls `listen`
 * on every service before it creates the first resource, `start` once every stack's resources exist; to
 * stop, `close` on all, then `halt` on all, then `stop` in reverse registry order. `halt` alone is called
 * when an engine exits unexpectedly.
 */
export interface ServiceState {
  /** Starts what SDK clients call (servers, or the engine core started); resolves with its endpoints. */
  listen?(): Promise<readonly ServiceEndpoint[]>;
  /** Starts what runs once the application exists: pollers, bridges, the gateway. */
  start?(): Promise<void>;
  /** Stops serving requests. */
  close?(): Promise<void>;
  /** Stops reading from the engines (pollers, bridges). */
  halt?(): Promise<void>;
  /** Releases the rest (workers, timers). */
  stop?(): Promise<void>;
}

/** What a service's state is made from. */
export interface ServiceRuntime {
  readonly env: LocalEnvironment;
  /** The engines core started, and SDK clients pointed at them. */
  readonly engines: Engines;
  readonly options: RuntimeOptions;
  /** Every engine's state, for the gateway's health route. */
  readonly health: RuntimeHealth;
  /**
   * The application the runtime runs: its stacks, and the physical name, URL or ARN of every resource by
   * logical id (`<stack>/<logicalId>` when ids repeat), filled in as resources are created; complete by
   * `start`.
   */
  readonly application: RunningApplication;
  /** Another service's state, made on first use: `runtime.service(LambdaService).host`. */
  service<S>(state: ServiceClass<S>): S;
  /** Every service's endpoints; complete once all have listened, before the first resource is created. */
  endpoints(): readonly ServiceEndpoint[];
}

/** The stacks a runtime runs and what their resources became; see {@link ServiceRuntime.application}. */
export interface RunningApplication {
  readonly stacks: readonly AssemblyStack[];
  readonly resources: Readonly<Record<string, string>>;
}

/**
 * The states of one runtime's services, by class. Each is made on first use, so a service may reach the
 * services it needs from its constructor, in any registry order; a cycle is an error.
 */
export class ServiceSet {
  private readonly states = new Map<ServiceClass<unknown>, unknown>();
  private readonly making = new Set<ServiceClass<unknown>>();
  private readonly registered: ReadonlySet<ServiceClass<unknown>>;
  private readonly listened: ServiceEndpoint[] = [];

  constructor(
    private readonly modules: readonly ServiceModule[],
    private readonly runtime: Omit<ServiceRuntime, 'service' | 'endpoints'>,
  ) {
    this.registered = new Set(modules.flatMap((m) => (m.state ? [m.state] : [])));
  }

  /** Makes every registered service's state, in registry order. */
  public create(): void {
    for (const m of this.modules) if (m.state) this.get(m.state);
  }

  /** A service's state by class; made now if it was not yet. */
  public get<S>(state: ServiceClass<S>): S {
    if (this.states.has(state)) return this.states.get(state) as S;
    if (!this.registered.has(state))
      throw new Error(`${state.name} is not the state of a registered service`);
    if (this.making.has(state)) {
      throw new Error(
        `services reach each other in a cycle: ${[...this.making, state].map((s) => s.name).join(' → ')}`,
      );
    }
    this.making.add(state);
    try {
      const made = new state({
        ...this.runtime,
        service: (other) => this.get(other),
        endpoints: () => this.listened,
      });
      this.states.set(state, made);
      return made;
    } finally {
      this.making.delete(state);
    }
  }

  /** Calls `listen` on every service; resolves with every endpoint, in registry order. */
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    for (const state of this.inRegistryOrder()) this.listened.push(...((await state.listen?.()) ?? []));
    return this.listened;
  }

  /** Calls `start` on every service, in registry order. */
  public async start(): Promise<void> {
    for (const state of this.inRegistryOrder()) await state.start?.();
  }

  /** Stops reading from the engines: `halt` on every service at once. */
  public async halt(): Promise<void> {
    await Promise.allSettled(this.inRegistryOrder().map(async (s) => s.halt?.()));
  }

  /** `close` on all, `halt` on all, then `stop` one by one in reverse registry order. */
  public async stop(): Promise<void> {
    await Promise.allSettled(this.inRegistryOrder().map(async (s) => s.close?.()));
    await this.halt();
    for (const state of this.inRegistryOrder().reverse()) await state.stop?.();
  }

  private inRegistryOrder(): ServiceState[] {
    return this.modules.flatMap((m) =>
      m.state && this.states.has(m.state) ? [this.states.get(m.state) as ServiceState] : [],
    );
  }
}
