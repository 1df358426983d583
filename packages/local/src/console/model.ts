import type { ServiceRuntime } from '../core/services.js';
import { buildGraph } from '../graph/model.js';
import { usageOf, type PlanUsage } from '../services/apigateway/request/api-key.js';
import { ApiGatewayService } from '../services/apigateway/service.js';
import { EventsService, RuleFireError } from '../services/events/service.js';
import type { LambdaHost } from '../services/lambda/host.js';
import { StreamPoller } from '../services/lambda/event-source-mapping/stream-poller.js';
import { LambdaService } from '../services/lambda/service.js';
import { ScheduleFireError } from '../services/scheduler/schedule.js';
import { SchedulerService } from '../services/scheduler/service.js';
import type { StepFunctionsEngine } from '../services/stepfunctions/engine.js';
import { StepFunctionsService } from '../services/stepfunctions/service.js';
import {
  bucketObjects,
  countItems,
  functionState,
  streamState,
  tableItems,
  tableState,
  topicSubscriptions,
} from './details.js';
import { detail, stateGraph, summarize, type ExecutionDetail, type ExecutionSummary } from './executions.js';
import { layoutFlow, layoutStateGraph, type ConsoleGraph, type StateGraphLayout } from './layout.js';
import { peek, queueState, redrive, sourcesOf, type PeekedMessage, type QueueState } from './queues.js';
import {
  consoleResources,
  ConsoleRequestError,
  type ConsoleKind,
  type ConsoleResource,
} from './resources.js';

/** A node's live numbers, as the graph's badges show them. */
export type Badge = Readonly<Record<string, number | string | undefined>>;

/** Executions of one state machine the console lists, newest first. */
const EXECUTIONS_LISTED = 50;
/** The most messages one peek shows. */
export const PEEK_LIMIT = 50;

/**
 * What the console knows of one running application: its resources, their live state, and the actions it
 * takes (redrive, fire). Everything is read on request from the engines and the services' state; only the
 * laid-out graphs are kept, keyed by what they are made from.
 */
export class ConsoleModel {
  public readonly host: LambdaHost;
  private readonly stepFunctions: StepFunctionsEngine;
  /** The laid-out graph of the application, for the stacks it was made from. */
  private graphCache?: { stacks: unknown; graph: Promise<ConsoleGraph> };
  /** The laid-out graph of each state machine, by its definition (a reload that changes it lays out anew). */
  private readonly stateGraphs = new WeakMap<object, Promise<StateGraphLayout>>();
  private resourceCache?: { count: number; stacks: unknown; resources: ConsoleResource[] };

  constructor(private readonly runtime: ServiceRuntime) {
    this.host = runtime.service(LambdaService).host;
    this.stepFunctions = runtime.service(StepFunctionsService).engine;
  }

  /** The application's resources the console shows (made again when resources are added). */
  public resources(): ConsoleResource[] {
    const { application } = this.runtime;
    const count = Object.keys(application.resources).length;
    const cached = this.resourceCache;
    if (cached?.count === count && cached.stacks === application.stacks) return cached.resources;
    const resources = consoleResources(application);
    this.resourceCache = { count, stacks: application.stacks, resources };
    return resources;
  }

  /** A resource by node id (`<stack>/<logicalId>`), of one of `kinds` when given. */
  public resource(id: string, ...kinds: ConsoleKind[]): ConsoleResource {
    const found = this.resources().find((r) => r.id === id);
    if (!found) throw new ConsoleRequestError(`no resource ${id} in the running application`, 404);
    if (kinds.length > 0 && !kinds.includes(found.kind)) {
      throw new ConsoleRequestError(`${id} is a ${found.kind}, not a ${kinds.join(' or ')}`, 400);
    }
    return found;
  }

  /** The application's data-flow graph, laid out. */
  public async graph(): Promise<ConsoleGraph> {
    const { stacks } = this.runtime.application;
    if (this.graphCache?.stacks !== stacks) {
      const graph = layoutFlow(buildGraph(stacks));
      this.graphCache = { stacks, graph };
      // A failed layout is not kept: the next request tries again.
      graph.catch(() => {
        if (this.graphCache?.graph === graph) this.graphCache = undefined;
      });
    }
    return this.graphCache.graph;
  }

  /** Every queue's live state, by node id. */
  public async queueStates(): Promise<Map<string, QueueState>> {
    const queues = this.resources().filter((r) => r.kind === 'queue');
    const states = await Promise.all(
      queues.map(async (q) => [q.id, await queueState(this.runtime.engines.sqs, q.physical)] as const),
    );
    return new Map(states);
  }

  /**
   * The badges of every resource: queue depth and in-flight (and its DLQ's depth), a function's invocations
   * and errors, a state machine's executions by status, a table's items.
   */
  public async badges(): Promise<Record<string, Badge>> {
    const badges: Record<string, Badge> = {};
    const resources = this.resources();
    const queues = await this.queueStates();
    const byArn = new Map([...queues].map(([id, s]) => [s.arn, { id, state: s }]));
    const dlqArns = new Set([...queues.values()].flatMap((s) => s.redrivePolicy?.deadLetterTargetArn ?? []));
    await Promise.all(
      resources.map(async (r) => {
        switch (r.kind) {
          case 'queue': {
            const s = queues.get(r.id);
            if (!s) return;
            const dlq = s.redrivePolicy && byArn.get(s.redrivePolicy.deadLetterTargetArn);
            badges[r.id] = {
              depth: s.depth,
              inFlight: s.inFlight,
              ...(dlq ? { dlqDepth: dlq.state.depth } : {}),
              ...(dlqArns.has(s.arn) ? { dlq: 1 } : {}),
            };
            return;
          }
          case 'function': {
            const records = this.host.invocations(r.physical);
            const last = records[records.length - 1];
            badges[r.id] = {
              invocations: this.host.stats(r.physical).invocations,
              errors: records.filter((i) => i.outcome !== 'ok').length,
              ...(last ? { lastMs: last.durationMs } : {}),
            };
            return;
          }
          case 'state-machine': {
            const executions = this.stepFunctions.list(r.physical);
            const count = (status: string) => executions.filter((e) => e.status === status).length;
            badges[r.id] = {
              running: count('RUNNING'),
              succeeded: count('SUCCEEDED'),
              failed: count('FAILED'),
            };
            return;
          }
          case 'table':
            badges[r.id] = { items: await countItems(this.runtime.engines.dynamodb, r.physical) };
            return;
          case 'schedule': {
            const s = this.schedule(r);
            badges[r.id] = { next: s?.nextFireTime };
            return;
          }
          case 'rule': {
            const rule = this.rule(r);
            badges[r.id] = { next: rule?.nextFireTime };
            return;
          }
          default:
            return;
        }
      }),
    );
    return badges;
  }

  /** Everything the console shows of one resource. */
  public async detail(id: string): Promise<Record<string, unknown>> {
    const r = this.resource(id);
    const base = { id: r.id, kind: r.kind, type: r.type, physical: r.physical };
    const { engines, application } = this.runtime;
    switch (r.kind) {
      case 'queue': {
        const states = await this.queueStates();
        const state = states.get(r.id);
        const queues = this.resources().filter((q) => q.kind === 'queue');
        const dlqArn = state?.redrivePolicy?.deadLetterTargetArn;
        const dlq = dlqArn ? queues.find((q) => states.get(q.id)?.arn === dlqArn) : undefined;
        const sources = state ? sourcesOf(state.arn, states, queues) : [];
        return {
          ...base,
          ...state,
          ...(dlq ? { deadLetterQueue: { id: dlq.id, depth: states.get(dlq.id)?.depth ?? 0 } } : {}),
          sources: sources.map((s) => s.id),
          consumers: this.resources()
            .filter((f) => f.kind === 'function')
            .filter((f) => this.mapsFrom(f, r))
            .map((f) => f.id),
        };
      }
      case 'topic':
        return { ...base, subscriptions: topicSubscriptions(application, r) };
      case 'stream': {
        const readers = StreamPoller.runningOn(this.host)
          .map((p) => p.position())
          .filter((p) => p.sourceArn.endsWith(`:stream/${r.physical}`));
        return { ...base, ...(await streamState(engines.kinesis, r.physical, readers)) };
      }
      case 'table':
        return {
          ...base,
          ...(await tableState(engines.dynamodb, r.physical)),
          itemCount: await countItems(engines.dynamodb, r.physical),
        };
      case 'state-machine': {
        const spec = this.stateMachine(r);
        return {
          ...base,
          name: spec.name,
          machineType: spec.type,
          graph: await this.stateGraphLayout(r),
          executions: this.executions(r),
        };
      }
      case 'function':
        return { ...base, ...functionState(this.host, r.physical) };
      case 'schedule':
        return { ...base, schedule: this.schedule(r) };
      case 'rule':
        return { ...base, rule: this.rule(r) };
      case 'api':
      case 'usage-plan':
        return { ...base, usagePlans: this.usagePlans(r) };
      case 'bucket':
        return { ...base, ...(await bucketObjects(engines.s3, r.physical)) };
    }
  }

  /** Up to `limit` messages of a queue, left on it. */
  public async peek(id: string, limit: number): Promise<PeekedMessage[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > PEEK_LIMIT) {
      throw new ConsoleRequestError(
        `limit must be a whole number from 1 to ${PEEK_LIMIT}, not ${limit}`,
        400,
      );
    }
    const { engines } = this.runtime;
    return peek(engines.endpoints.sqs, this.resource(id, 'queue').physical, limit);
  }

  /** Moves a DLQ's messages back to the queue whose redrive policy names it (or to `to`, one of them). */
  public async redrive(id: string, to: string | undefined) {
    const dlq = this.resource(id, 'queue');
    const states = await this.queueStates();
    const arn = states.get(dlq.id)?.arn ?? '';
    const queues = this.resources().filter((q) => q.kind === 'queue');
    return redrive(this.runtime.engines.sqs, dlq, sourcesOf(arn, states, queues), to);
  }

  /** A page of a table's items. */
  public async items(id: string, cursor: string | null) {
    return tableItems(this.runtime.engines.dynamodb, this.resource(id, 'table').physical, cursor);
  }

  /** The executions of a state machine, newest first. */
  public executions(r: ConsoleResource): ExecutionSummary[] {
    return this.stepFunctions.list(r.physical).slice(0, EXECUTIONS_LISTED).map(summarize);
  }

  /** Every execution of every state machine, newest first. */
  public allExecutions(): ExecutionSummary[] {
    return this.resources()
      .filter((r) => r.kind === 'state-machine')
      .flatMap((r) => this.stepFunctions.list(r.physical).map(summarize))
      .sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  /** An execution by ARN, with its path and the state machine's graph. */
  public async execution(
    arn: string,
  ): Promise<ExecutionDetail & { machine: string; graph: StateGraphLayout }> {
    const execution = this.stepFunctions.describe(arn);
    if (!execution) throw new ConsoleRequestError(`no execution ${arn}`, 404);
    const machine = this.resources().find(
      (r) => r.kind === 'state-machine' && r.physical === execution.stateMachineArn,
    );
    if (!machine)
      throw new ConsoleRequestError(`execution ${arn} is of no state machine of the application`, 404);
    const spec = this.stateMachine(machine);
    return {
      ...detail(execution, stateGraph(spec)),
      machine: machine.id,
      graph: await this.stateGraphLayout(machine),
    };
  }

  /** Fires a schedule or a scheduled rule now. */
  public fire(id: string): unknown {
    const r = this.resource(id, 'schedule', 'rule');
    try {
      if (r.kind === 'schedule') {
        const s = this.schedule(r);
        return this.runtime.service(SchedulerService).fire(s ? s.arn : r.physical);
      }
      return this.runtime.service(EventsService).fire(this.rule(r)?.arn ?? r.physical);
    } catch (error: unknown) {
      if (error instanceof ScheduleFireError || error instanceof RuleFireError) {
        throw new ConsoleRequestError(error.message, error.status === 404 ? 404 : 409);
      }
      throw error;
    }
  }

  /** A schedule's listing (with its next fire time), by its resource. */
  private schedule(r: ConsoleResource) {
    const group = typeof r.properties.GroupName === 'string' ? r.properties.GroupName : undefined;
    return this.runtime
      .service(SchedulerService)
      .schedules()
      .find((s) => s.name === r.physical && (group === undefined || s.groupName === group));
  }

  private rule(r: ConsoleResource) {
    const [bus, name] = r.physical.includes('|') ? r.physical.split('|') : ['default', r.physical];
    return this.runtime
      .service(EventsService)
      .rules()
      .find((rule) => rule.name === name && rule.eventBusName === bus);
  }

  private stateMachine(r: ConsoleResource) {
    const spec = this.stepFunctions.stateMachines().find((s) => s.arn === r.physical);
    if (!spec) throw new ConsoleRequestError(`state machine ${r.id} is not registered with the engine`, 404);
    return spec;
  }

  private async stateGraphLayout(r: ConsoleResource): Promise<StateGraphLayout> {
    const spec = this.stateMachine(r);
    let layout = this.stateGraphs.get(spec.definition);
    if (!layout) {
      layout = layoutStateGraph(stateGraph(spec));
      this.stateGraphs.set(spec.definition, layout);
    }
    return layout;
  }

  /** The usage plans of the application (for an API: those covering it), with their keys' names and state. */
  private usagePlans(r: ConsoleResource) {
    const apigateway = this.runtime.service(ApiGatewayService);
    const counted = usageOf(apigateway.usagePlans);
    const keyName = (id: string) => apigateway.apiKeys.get(id)?.name ?? id;
    return apigateway.usagePlans
      .filter((p) =>
        r.kind === 'usage-plan' ? p.id === r.physical : p.stages.some((s) => s.apiId === r.physical),
      )
      .map((p) => ({
        id: p.id,
        name: p.name,
        throttle: p.throttle,
        quota: p.quota,
        stages: p.stages,
        usage: usageView(counted.get(p.id), keyName),
        keys: p.keyIds.map((id) => {
          const key = apigateway.apiKeys.get(id);
          return { id, name: key?.name ?? id, enabled: key?.enabled ?? false };
        }),
      }));
  }

  /** Whether a function has an event source mapping from a queue, by the templates. */
  private mapsFrom(fn: ConsoleResource, queue: ConsoleResource): boolean {
    const stack = this.runtime.application.stacks.find((s) => s.stackName === fn.stackName);
    return Object.values(stack?.template.Resources ?? {}).some((res) => {
      if (res.Type !== 'AWS::Lambda::EventSourceMapping') return false;
      const p = res.Properties ?? {};
      const source = p.EventSourceArn as { 'Fn::GetAtt'?: unknown[] } | undefined;
      const target = p.FunctionName as { Ref?: string } | undefined;
      return source?.['Fn::GetAtt']?.[0] === queue.logicalId && target?.Ref === fn.logicalId;
    });
  }
}

/** A plan's counts as the console shows them: quota use by key name. */
function usageView(usage: Readonly<PlanUsage> | undefined, keyName: (id: string) => string) {
  return {
    requests: usage?.requests ?? 0,
    throttled: usage?.throttled ?? 0,
    overQuota: usage?.overQuota ?? 0,
    quotaUsed: Object.fromEntries(
      [...(usage?.quotaUsed ?? new Map<string, number>())].map(([id, n]) => [keyName(id), n]),
    ),
  };
}
