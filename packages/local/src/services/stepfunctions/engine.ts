import { randomUUID } from 'node:crypto';
// First: aws-local-stepfunctions needs Promise.withResolvers as it loads, and imports evaluate in order.
import './polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { historyEvent, type Execution, type LibraryEvent } from './history.js';
import { runTask, taskStates, type TaskTargets } from './tasks.js';
import { withAbsentRulesNegated } from './choice-rules.js';

export { describeExecution, epochSeconds, type Execution } from './history.js';
export type { TaskTargets } from './tasks.js';

/** A state machine of the application. */
export interface StateMachineSpec {
  readonly arn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly definition: { States: Record<string, unknown> } & Record<string, unknown>;
}

/**
 * Runs the application's state machines with aws-local-stepfunctions, every Task state against the local
 * engines ({@link runTask}), and records each execution's history. `api.ts` serves it to SDK clients.
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

  constructor(private readonly targets: TaskTargets) {}

  /** Registers a state machine; fails if its definition is not valid ASL. */
  public register(spec: StateMachineSpec): void {
    // Constructing validates the definition; runs of one instance are independent, so it is built once.
    const machine = new StateMachine(withAbsentRulesNegated(spec.definition) as never, {
      validationOptions: { checkArn: false },
    });
    const overrides = Object.fromEntries(
      taskStates(spec.definition).map(([state, { Resource }]) => [
        state,
        (taskInput: unknown) => runTask(this.targets, Resource, taskInput),
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

  /** The state machines registered, in registration order (read-only: for the local console). */
  public stateMachines(): StateMachineSpec[] {
    return [...this.machines.values()].map((m) => m.spec);
  }

  /** The executions of a state machine, newest first. */
  public list(stateMachineArn: string): Execution[] {
    return [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** An execution by ARN. */
  public describe(executionArn: string): Execution | undefined {
    return this.executions.get(executionArn);
  }
}
