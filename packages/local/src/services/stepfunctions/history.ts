/** One event of an execution's history in the API's shape: `type`, `id`, and the `…EventDetails` of the type. */
export type HistoryEvent = { timestamp: Date; type: string; id: number } & Record<string, unknown>;

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
  readonly events: HistoryEvent[];
  readonly done: Promise<void>;
}

/** An event of aws-local-stepfunctions' event log. */
export interface LibraryEvent {
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
export function historyEvent(e: LibraryEvent): ({ type: string } & Record<string, unknown>) | undefined {
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

/** An execution's history as `GetExecutionHistory` answers it (timestamps in epoch seconds). */
export function executionHistory(e: Execution) {
  return { events: e.events.map((event) => ({ ...event, timestamp: epochSeconds(event.timestamp) })) };
}
