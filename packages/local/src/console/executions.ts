import type { Execution, StateMachineSpec } from '../services/stepfunctions/engine.js';

/** How a state of an execution ended, as the console colours it. */
export type StateOutcome = 'running' | 'succeeded' | 'failed' | 'caught';

/** One state the execution went through, in the order it was entered. */
export interface PathStep {
  readonly state: string;
  readonly type: string;
  readonly outcome: StateOutcome;
  /** Entered after a failure was caught: part of the compensation. */
  readonly compensation: boolean;
  readonly enteredAt: string;
  readonly exitedAt?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** An edge of the state machine's graph the execution took. */
export interface TakenEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: StateEdgeKind;
}

/** A state machine execution, summed up for a list. */
export interface ExecutionSummary {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: Execution['status'];
  readonly startDate: string;
  readonly stopDate?: string;
  readonly error?: string;
  /** Whether a failure was caught and the execution went on (a compensation path). */
  readonly compensated: boolean;
  /** Events in its history so far: changes when the execution moves on. */
  readonly events: number;
}

/** An execution with its path through the state machine's graph. */
export interface ExecutionDetail extends ExecutionSummary {
  readonly input: string;
  readonly output?: string;
  readonly cause?: string;
  readonly path: readonly PathStep[];
  readonly taken: readonly TakenEdge[];
  readonly history: readonly { id: number; type: string; timestamp: string; detail: unknown }[];
}

/** How one state leads to another. */
export type StateEdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'branch';

/** A state machine's definition as a graph: states (flattened from Parallel branches and Map processors). */
export interface StateGraph {
  readonly states: readonly { name: string; type: string; parent?: string; end: boolean }[];
  readonly edges: readonly { from: string; to: string; kind: StateEdgeKind; label?: string }[];
  readonly startAt: string;
}

interface AslStates {
  StartAt?: string;
  States?: Record<string, AslState>;
}
interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string; ErrorEquals?: string[] }[];
  Branches?: AslStates[];
  Iterator?: AslStates;
  ItemProcessor?: AslStates;
}

/** The graph of a state machine's definition: every state (nested ones too) and how they lead to each other. */
export function stateGraph(spec: StateMachineSpec): StateGraph {
  const states: { name: string; type: string; parent?: string; end: boolean }[] = [];
  const edges: { from: string; to: string; kind: StateEdgeKind; label?: string }[] = [];
  const walk = (machine: AslStates, parent?: string) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      const type = state.Type ?? 'Task';
      const end = state.End === true || type === 'Succeed' || type === 'Fail';
      states.push({ name, type, ...(parent ? { parent } : {}), end });
      if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
      for (const choice of state.Choices ?? []) {
        if (choice.Next) edges.push({ from: name, to: choice.Next, kind: 'choice' });
      }
      if (state.Default) edges.push({ from: name, to: state.Default, kind: 'default' });
      for (const c of state.Catch ?? []) {
        if (c.Next) {
          edges.push({ from: name, to: c.Next, kind: 'catch', label: (c.ErrorEquals ?? []).join(', ') });
        }
      }
      const nested = [...(state.Branches ?? []), state.ItemProcessor ?? state.Iterator].filter(
        (b): b is AslStates => b !== undefined,
      );
      for (const branch of nested) {
        if (branch.StartAt) edges.push({ from: name, to: branch.StartAt, kind: 'branch' });
        walk(branch, name);
      }
    }
  };
  const definition = spec.definition as AslStates;
  walk(definition);
  // Keep edges between states that exist: a definition names only its own states, but be safe.
  const names = new Set(states.map((s) => s.name));
  return {
    states,
    edges: edges.filter((e) => names.has(e.from) && names.has(e.to)),
    startAt: definition.StartAt ?? '',
  };
}

/** An execution summed up for a list. */
export function summarize(e: Execution): ExecutionSummary {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate.toISOString(),
    ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    compensated: walkPath(e).some((s) => s.compensation),
    events: e.events.length,
  };
}

const detailOf = (event: Record<string, unknown>): unknown =>
  Object.entries(event).find(([k]) => k.endsWith('EventDetails'))?.[1];

/**
 * The states an execution went through, from its history: each entered state, how it ended (a Task with
 * `TaskFailed` before it exited failed; one that exited after failing was caught), and whether it ran after
 * a caught failure (compensation). A state still open when the execution failed failed with it.
 */
function walkPath(e: Execution): PathStep[] {
  const steps: {
    state: string;
    type: string;
    outcome: StateOutcome;
    compensation: boolean;
    enteredAt: string;
    exitedAt?: string;
    error?: string;
    cause?: string;
  }[] = [];
  const open: number[] = [];
  let compensating = false;
  for (const event of e.events) {
    const type = event.type;
    if (type.endsWith('StateEntered')) {
      const details = event.stateEnteredEventDetails as { name?: string } | undefined;
      const previous = steps[steps.length - 1];
      if (previous?.outcome === 'failed' || previous?.outcome === 'caught') compensating = true;
      steps.push({
        state: details?.name ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        outcome: 'running',
        compensation: compensating,
        enteredAt: event.timestamp.toISOString(),
      });
      open.push(steps.length - 1);
    } else if (type === 'TaskFailed') {
      const details = event.taskFailedEventDetails as { error?: string; cause?: string } | undefined;
      const index = [...open].reverse().find((i) => steps[i]?.type === 'Task');
      const step = index === undefined ? undefined : steps[index];
      if (step) {
        step.outcome = 'failed';
        step.error = details?.error;
        step.cause = details?.cause;
      }
    } else if (type.endsWith('StateExited')) {
      const details = event.stateExitedEventDetails as { name?: string } | undefined;
      const at = [...open].reverse().find((i) => steps[i]?.state === details?.name);
      const step = at === undefined ? undefined : steps[at];
      if (step && at !== undefined) {
        step.outcome = step.outcome === 'failed' ? 'caught' : 'succeeded';
        step.exitedAt = event.timestamp.toISOString();
        open.splice(open.indexOf(at), 1);
      }
    }
  }
  if (e.status !== 'RUNNING') {
    for (const i of open) {
      const step = steps[i];
      if (step && step.outcome === 'running')
        step.outcome = e.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
    }
  }
  // A failed state followed by another entered state was caught (its exit is not always in the history).
  for (let i = 0; i < steps.length - 1; i += 1) {
    const step = steps[i];
    if (step?.outcome === 'failed' && steps.slice(i + 1).some((s) => s.compensation)) step.outcome = 'caught';
  }
  return steps;
}

/** The edges of the state graph an execution took: from each state to the next one entered after it. */
function takenEdges(path: readonly PathStep[], graph: StateGraph): TakenEdge[] {
  const taken = new Map<string, TakenEdge>();
  for (let i = 0; i < path.length; i += 1) {
    const to = path[i];
    if (!to) continue;
    // The nearest earlier step with an edge to this state: in a Parallel, branches interleave.
    for (let j = i - 1; j >= 0; j -= 1) {
      const from = path[j];
      const edge =
        from &&
        graph.edges.find(
          (e) =>
            e.from === from.state &&
            e.to === to.state &&
            (e.kind === 'catch') === (from.outcome === 'caught' || from.outcome === 'failed'),
        );
      if (edge) {
        taken.set(`${edge.from}>${edge.to}`, { from: edge.from, to: edge.to, kind: edge.kind });
        break;
      }
    }
  }
  return [...taken.values()];
}

/** An execution with its path, the edges it took, and its history. */
export function detail(e: Execution, graph: StateGraph): ExecutionDetail {
  const path = walkPath(e);
  return {
    ...summarize(e),
    input: e.input,
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    path,
    taken: takenEdges(path, graph),
    history: e.events.map((event) => ({
      id: event.id,
      type: event.type,
      timestamp: event.timestamp.toISOString(),
      detail: detailOf(event),
    })),
  };
}
