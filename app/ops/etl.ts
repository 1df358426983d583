/**
 * Runs an ETL pipeline's state machine by hand (`npm run etl`): finds the pipeline's state machine, starts
 * it with `{"since": …, "until"?: …}` (the ETL contract's manual input), follows the execution's history
 * through its steps and reports the counts each step returned, or why the execution failed.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type {
  EtlExecutionInput,
  EtlExtractResult,
  EtlLoadResult,
  EtlTransformResult,
} from '@conflux/constructs/contracts';

/** The pipeline or its state machine cannot be found, the input is wrong, or the execution failed. */
export class EtlRunError extends Error {
  public override readonly name = 'EtlRunError';
}

/** The states of an ETL pipeline's state machine, in the order a run passes them. */
export const ETL_STEPS = ['ReadWatermark', 'Extract', 'Transform', 'Load', 'AdvanceWatermark'] as const;

/** `customers-nightly` → `customersnightly`: how a pipeline's name appears in a CDK-made id or name. */
const squashed = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The ARN of the pipeline's state machine. `resources` (offline: `.conflux/local.json`'s logical id →
 * physical id) is searched first; otherwise `ListStateMachines`. Either way it is the one state machine
 * whose id or name holds the pipeline's name (dashes aside); none or several is an {@link EtlRunError}.
 */
export async function findPipelineStateMachine(
  pipeline: string,
  from: { readonly sfn: SFNClient; readonly resources?: Readonly<Record<string, string>> },
): Promise<string> {
  const wanted = squashed(pipeline);
  let candidates: string[];
  if (from.resources) {
    candidates = Object.entries(from.resources)
      .filter(
        ([id, arn]) =>
          /^arn:aws[\w-]*:states:[^:]*:\d*:stateMachine:/.test(arn) && squashed(id).includes(wanted),
      )
      .map(([, arn]) => arn);
  } else {
    candidates = [];
    let token: string | undefined;
    do {
      const page = await from.sfn.send(new ListStateMachinesCommand({ nextToken: token }));
      token = page.nextToken;
      for (const m of page.stateMachines ?? []) {
        if (m.stateMachineArn && squashed(m.name ?? '').includes(wanted)) candidates.push(m.stateMachineArn);
      }
    } while (token);
  }
  if (candidates.length === 0)
    throw new EtlRunError(
      `no state machine of pipeline "${pipeline}" found: is the app deployed (or running offline)?`,
    );
  if (candidates.length > 1)
    throw new EtlRunError(
      `several state machines match pipeline "${pipeline}": ${candidates.join(', ')}; pass --state-machine <arn>`,
    );
  return candidates[0] as string;
}

/** The manual input of a run; throws {@link EtlRunError} when an instant is not ISO 8601 or `until <= since`. */
export function manualInput(since: string, until?: string): EtlExecutionInput {
  const iso = (name: string, value: string) => {
    const ms = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
      throw new EtlRunError(
        `--${name} must be an ISO 8601 instant such as 2026-12-01T00:00:00Z; received "${value}"`,
      );
    return new Date(ms).toISOString();
  };
  const from = iso('since', since);
  const to = until === undefined ? undefined : iso('until', until);
  if (to !== undefined && to <= from)
    throw new EtlRunError(`--until (${to}) must come after --since (${from})`);
  return to === undefined ? { since: from } : { since: from, until: to };
}

/** What a run did: its window and each step's counts, as the steps returned them. */
export interface EtlRunSummary {
  readonly executionArn: string;
  readonly status: 'SUCCEEDED';
  readonly extract?: EtlExtractResult;
  readonly transform?: EtlTransformResult;
  readonly load?: EtlLoadResult;
  /** The watermark was already at or past the window's end: it was not moved. */
  readonly watermarkKept: boolean;
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  readonly input: EtlExecutionInput;
  /** Told each step of {@link ETL_STEPS} as the execution enters it (its index, from 0). */
  readonly onStep?: (step: string, index: number) => void;
  /** How often the history is polled, in ms. @default 250 */
  readonly pollMs?: number;
  /** How long to wait, in ms. @default 3600000 (the state machine's own default timeout) */
  readonly timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the execution and follows it to its end; an execution that fails is an {@link EtlRunError} with its error and cause. */
export async function runPipeline(options: RunPipelineOptions): Promise<EtlRunSummary> {
  const { sfn, stateMachineArn } = options;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(options.input) }),
  );
  if (!executionArn)
    throw new EtlRunError(`Step Functions started ${stateMachineArn} without an execution ARN`);
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  const seen = new Set<string>();
  for (;;) {
    // The status first, then the history: read after an ended status, the history holds every state the
    // execution entered (read before it, it can miss the last ones, such as WatermarkKept).
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events = await history(sfn, executionArn);
    const entered = enteredStates(events);
    for (const name of entered) {
      const index = (ETL_STEPS as readonly string[]).indexOf(name);
      if (index >= 0 && !seen.has(name)) {
        seen.add(name);
        options.onStep?.(name, index);
      }
    }
    if (execution.status === 'SUCCEEDED') {
      const output = JSON.parse(execution.output ?? '{}') as {
        extract?: { result?: EtlExtractResult };
        transform?: { result?: EtlTransformResult };
        load?: { result?: EtlLoadResult };
      };
      return {
        executionArn,
        status: 'SUCCEEDED',
        extract: output.extract?.result,
        transform: output.transform?.result,
        load: output.load?.result,
        watermarkKept: entered.includes('WatermarkKept'),
      };
    }
    if (execution.status && execution.status !== 'RUNNING') {
      throw new EtlRunError(
        `execution ${executionArn} ${execution.status.toLowerCase()}${failedStep(entered)}: ${execution.error ?? 'no error'}${execution.cause ? ` — ${execution.cause}` : ''}`,
      );
    }
    if (Date.now() > deadline)
      throw new EtlRunError(`execution ${executionArn} is still running after the time allowed`);
    await sleep(options.pollMs ?? 250);
  }
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: token }));
    token = page.nextToken;
    events.push(...(page.events ?? []));
  } while (token);
  return events;
}

const enteredStates = (events: readonly HistoryEvent[]) =>
  events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));

/** ` in <state>`: the last state entered before the failure. */
function failedStep(entered: readonly string[]): string {
  const last = entered.at(-1);
  return last ? ` in ${last}` : '';
}

/** The summary as the command prints it: one line per step. */
export function describeRun(summary: EtlRunSummary): string[] {
  const lines = [`execution ${summary.executionArn} succeeded`];
  const { extract, transform, load } = summary;
  if (extract)
    lines.push(
      `window ${extract.window.from} < changedAt <= ${extract.window.to}`,
      `extracted ${extract.rows} row(s)`,
    );
  if (transform) {
    lines.push(
      `transformed: ${transform.accepted} accepted, ${transform.rejected} rejected${transform.quarantined ? ` (s3://${transform.quarantined.bucket}/${transform.quarantined.key})` : ''}, ${transform.duplicates} duplicate(s) dropped`,
    );
  }
  if (load)
    lines.push(
      `loaded ${load.loaded} row(s): ${load.written.length} object(s) written, ${load.unchanged.length} unchanged`,
    );
  lines.push(
    summary.watermarkKept
      ? 'watermark not moved: it is at or past this window’s end, or before its start (the next scheduled run covers the rows between)'
      : 'watermark advanced',
  );
  return lines;
}
