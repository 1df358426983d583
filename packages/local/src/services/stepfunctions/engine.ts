import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as ddb from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { closeServer, listenLocal } from '../../core/http-server.js';
import type { LambdaHost } from '../lambda/host.js';

// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const { StateMachine } = await import('aws-local-stepfunctions');

/** A state machine of the application. */
export interface StateMachineSpec {
  readonly arn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly definition: { States: Record<string, unknown> } & Record<string, unknown>;
}

/** An execution and what happened in it. */
export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** The history in the API's shape: `type`, `id`, and the `…EventDetails` of the type. */
  readonly events: ({ timestamp: Date; type: string; id: number } & Record<string, unknown>)[];
  readonly done: Promise<void>;
}

/** An SDK response as a task result: the output without the SDK's own `$metadata`. */
function withoutMetadata(response: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(response).filter(([key]) => key !== '$metadata'));
}

interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null));

/**
 * An aws-local-stepfunctions event as the Step Functions history names it (`TaskStateEntered`,
 * `TaskFailed`, `ExecutionSucceeded`, …), or undefined for events the API has no type for.
 */
function historyEvent(e: LibraryEvent): ({ type: string } & Record<string, unknown>) | undefined {
  const state = e.state;
  switch (e.type) {
    case 'ExecutionStarted':
      return { type: 'ExecutionStarted', executionStartedEventDetails: { input: text(e.input) } };
    case 'ExecutionSucceeded':
      return { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: text(e.output) } };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: e.Error, cause: text(e.Cause) },
      };
    case 'ExecutionTerminated':
      return { type: 'ExecutionAborted' };
    case 'StateEntered':
      return (
        state && {
          type: `${state.type}StateEntered`,
          stateEnteredEventDetails: { name: state.name, input: text(state.input) },
        }
      );
    case 'StateExited':
      return (
        state && {
          type: `${state.type}StateExited`,
          stateExitedEventDetails: { name: state.name, output: text(state.output) },
        }
      );
    case 'StateFailed':
      return state?.type === 'Task'
        ? { type: 'TaskFailed', taskFailedEventDetails: { error: e.Error, cause: text(e.Cause) } }
        : undefined;
    default:
      return undefined;
  }
}

/** A date as the Step Functions API sends it: epoch seconds. */
export const epochSeconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

/** An execution as `DescribeExecution` and `StartSyncExecution` answer it (dates in epoch seconds). */
export function describeExecution(e: Execution) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    stopDate: epochSeconds(e.stopDate),
    input: e.input,
    output: e.output,
    error: e.error,
    cause: e.cause,
  };
}

/** Error a task handler throws: its `name` is what `Retry` and `Catch` match on. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The engines task states may call. */
export interface TaskTargets {
  readonly host: LambdaHost;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
}

type DynamoAction = (client: DynamoDBClient, input: never) => Promise<{ $metadata: unknown }>;
const DYNAMODB_ACTIONS: Record<string, DynamoAction> = {
  getItem: (c, i) => c.send(new ddb.GetItemCommand(i)),
  putItem: (c, i) => c.send(new ddb.PutItemCommand(i)),
  updateItem: (c, i) => c.send(new ddb.UpdateItemCommand(i)),
  deleteItem: (c, i) => c.send(new ddb.DeleteItemCommand(i)),
  query: (c, i) => c.send(new ddb.QueryCommand(i)),
  transactWriteItems: (c, i) => c.send(new ddb.TransactWriteItemsCommand(i)),
};

/** The task resources the runtime can execute, for start-up checks. */
export function supportedTaskResource(resource: string): boolean {
  return (
    /^arn:aws:lambda:[^:]+:\d+:function:/.test(resource) ||
    resource === 'arn:aws:states:::lambda:invoke' ||
    resource === 'arn:aws:states:::sqs:sendMessage' ||
    resource === 'arn:aws:states:::sns:publish' ||
    new RegExp(`^arn:aws:states:::(aws-sdk:)?dynamodb:(${Object.keys(DYNAMODB_ACTIONS).join('|')})$`).test(
      resource,
    )
  );
}

/** Every task state of a definition, in Parallel branches and Map iterators too. */
export function taskStates(definition: {
  States?: Record<string, unknown>;
}): [string, { Resource: string }][] {
  const found: [string, { Resource: string }][] = [];
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    const s = state as {
      Type?: string;
      Resource?: string;
      Branches?: unknown[];
      Iterator?: unknown;
      ItemProcessor?: unknown;
    };
    if (s.Type === 'Task' && typeof s.Resource === 'string') found.push([name, { Resource: s.Resource }]);
    for (const branch of s.Branches ?? [])
      found.push(...taskStates(branch as { States?: Record<string, unknown> }));
    for (const nested of [s.Iterator, s.ItemProcessor]) {
      if (nested) found.push(...taskStates(nested));
    }
  }
  return found;
}

/**
 * Runs the application's state machines with aws-local-stepfunctions, executing every Task state against
 * the local engines: Lambda through the Lambda host (with the `{StatusCode, Payload}` envelope of
 * `lambda:invoke`, or the bare payload for a function ARN), DynamoDB, SQS and SNS integrations through
 * their SDK clients. A Lambda error surfaces with its `errorType` as the error name, as Step Functions
 * reports it, so `Retry` and `Catch` route on it. Serves the Step Functions API for SDK clients.
 */
export class StepFunctionsEngine {
  /** Each machine with its validated instance and task handlers, built once at registration. */
  private readonly machines = new Map<
    string,
    {
      spec: StateMachineSpec;
      machine: InstanceType<typeof StateMachine>;
      overrides: Record<string, (input: unknown) => Promise<unknown>>;
    }
  >();
  private readonly executions = new Map<string, Execution>();
  private server?: Server;

  constructor(private readonly targets: TaskTargets) {}

  /** Registers a state machine; fails if its definition is not valid ASL. */
  public register(spec: StateMachineSpec): void {
    // Constructing validates the definition; runs of one instance are independent, so it is built once.
    const machine = new StateMachine(spec.definition as never, { validationOptions: { checkArn: false } });
    const overrides = Object.fromEntries(
      taskStates(spec.definition).map(([state, { Resource }]) => [
        state,
        (taskInput: unknown) => this.runTask(Resource, taskInput),
      ]),
    );
    this.machines.set(spec.arn, { spec, machine, overrides });
  }

  /** Starts an execution; resolves at once with it (its `done` settles at the end). */
  public start(stateMachineArn: string, input: string, name: string = randomUUID()): Execution {
    const registered = this.machines.get(stateMachineArn);
    if (!registered)
      throw Object.assign(new Error(`State Machine Does Not Exist: '${stateMachineArn}'`), {
        code: 'StateMachineDoesNotExist',
      });
    const { spec, machine, overrides } = registered;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', spec.type === 'EXPRESS' ? ':express:' : ':execution:')}:${name}`;
    if (this.executions.has(executionArn)) {
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), {
        code: 'ExecutionAlreadyExists',
      });
    }
    const parsedInput = JSON.parse(input) as unknown;
    const run = machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: overrides as never },
      context: {
        Execution: { Id: executionArn, Input: parsedInput, Name: name, StartTime: new Date().toISOString() },
        StateMachine: { Id: stateMachineArn, Name: spec.name },
      } as never,
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      events: [],
      done: Promise.resolve(),
    };
    const record = (async () => {
      let id = 0;
      for await (const event of run.eventLogs) {
        const mapped = historyEvent(event);
        if (!mapped) continue;
        id += 1;
        execution.events.push({
          id,
          timestamp: new Date((event as unknown as LibraryEvent).timestamp),
          ...mapped,
        });
      }
    })();
    (execution as { done: Promise<void> }).done = run.result.then(
      async (output: unknown) => {
        await record.catch(() => undefined);
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
        execution.stopDate = new Date();
      },
      async (error: unknown) => {
        await record.catch(() => undefined);
        execution.status = 'FAILED';
        // The library wraps the failure in an ExecutionError; the execution's error is the one inside.
        const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        execution.error = failure instanceof Error ? failure.name : 'States.Runtime';
        execution.cause = failure instanceof Error ? failure.message : String(failure);
        execution.stopDate = new Date();
      },
    );
    this.executions.set(executionArn, execution);
    return execution;
  }

  /** Runs an EXPRESS machine to its end (`StartSyncExecution`); a STANDARD machine is refused, as on AWS. */
  public async runSync(stateMachineArn: string, input: string, name?: string): Promise<Execution> {
    if (this.machines.get(stateMachineArn)?.spec.type !== 'EXPRESS') {
      throw Object.assign(new Error('StartSyncExecution is only for EXPRESS state machines'), {
        code: 'StateMachineTypeNotSupported',
      });
    }
    const execution = this.start(stateMachineArn, input, name);
    await execution.done;
    return execution;
  }

  /** An execution by ARN. */
  public describe(executionArn: string): Execution | undefined {
    return this.executions.get(executionArn);
  }

  /** Serves `StartExecution`, `StartSyncExecution`, `DescribeExecution`, `GetExecutionHistory`; resolves with the endpoint. */
  public async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const action = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(body));
        };
        let params: Record<string, string>;
        try {
          params = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, string>;
        } catch {
          send(400, { __type: 'SerializationException', message: 'body is not JSON' });
          return;
        }
        this.api(action, params).then(
          (body) => {
            send(200, body);
          },
          (error: unknown) => {
            const e = error as { code?: string; message?: string };
            send(400, { __type: e.code ?? 'InvalidParameterValue', message: e.message ?? String(error) });
          },
        );
      });
    });
    this.server = server;
    return listenLocal(server);
  }

  /** Stops the API server; running executions are left to end. */
  public async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async api(action: string, p: Record<string, string>): Promise<unknown> {
    switch (action) {
      case 'StartExecution': {
        const execution = this.start(p.stateMachineArn ?? '', p.input ?? '{}', p.name);
        return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
      }
      case 'StartSyncExecution':
        return describeExecution(await this.runSync(p.stateMachineArn ?? '', p.input ?? '{}', p.name));
      case 'DescribeExecution': {
        const execution = this.executions.get(p.executionArn ?? '');
        if (!execution)
          throw Object.assign(new Error(`Execution Does Not Exist: '${p.executionArn ?? ''}'`), {
            code: 'ExecutionDoesNotExist',
          });
        return describeExecution(execution);
      }
      case 'GetExecutionHistory': {
        const execution = this.executions.get(p.executionArn ?? '');
        if (!execution)
          throw Object.assign(new Error(`Execution Does Not Exist: '${p.executionArn ?? ''}'`), {
            code: 'ExecutionDoesNotExist',
          });
        return { events: execution.events.map((e) => ({ ...e, timestamp: epochSeconds(e.timestamp) })) };
      }
      default:
        throw Object.assign(new Error(`${action} is not supported by the offline runtime`), {
          code: 'UnknownOperationException',
        });
    }
  }

  private async runTask(resource: string, input: unknown): Promise<unknown> {
    const p = (input ?? {}) as Record<string, unknown>;
    if (resource === 'arn:aws:states:::lambda:invoke' || resource.startsWith('arn:aws:lambda:')) {
      const envelope = resource === 'arn:aws:states:::lambda:invoke';
      const functionName = envelope ? String(p.FunctionName) : resource;
      const result = await this.targets.host.invoke(functionName, envelope ? p.Payload : input);
      if (!result.ok) throw new TaskError(result.error.errorType, JSON.stringify(result.error));
      return envelope
        ? {
            ExecutedVersion: '$LATEST',
            Payload: result.payload,
            StatusCode: 200,
            SdkHttpMetadata: { HttpStatusCode: 200 },
          }
        : result.payload;
    }
    const dynamo = /^arn:aws:states:::(aws-sdk:)?dynamodb:(\w+)$/.exec(resource);
    if (dynamo) {
      const action = DYNAMODB_ACTIONS[dynamo[2] ?? ''];
      if (!action)
        throw new TaskError('States.Runtime', `dynamodb:${dynamo[2] ?? ''} is not supported offline`);
      try {
        return withoutMetadata(await action(this.targets.dynamodb, p as never));
      } catch (error: unknown) {
        const name = error instanceof Error ? error.name : 'ServiceException';
        throw new TaskError(`DynamoDB.${name}`, error instanceof Error ? error.message : String(error));
      }
    }
    if (resource === 'arn:aws:states:::sqs:sendMessage') {
      return withoutMetadata(await this.targets.sqs.send(new SendMessageCommand(p as never)));
    }
    if (resource === 'arn:aws:states:::sns:publish') {
      return withoutMetadata(await this.targets.sns.send(new PublishCommand(p as never)));
    }
    throw new TaskError('States.Runtime', `task resource ${resource} is not supported offline`);
  }
}
