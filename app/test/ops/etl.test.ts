import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { describeRun, EtlRunError, findPipelineStateMachine, manualInput, runPipeline } from '../../ops/etl';

// Never called: the resources of a running app are searched first.
const sfn = new SFNClient({ region: 'us-east-1' });
const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

describe('the pipeline’s state machine', () => {
  it('is the one state machine whose logical id holds the pipeline’s name', async () => {
    // GIVEN the resources of a running app: the pipeline's functions and state machine, and another machine
    const resources = {
      LakeCustomersNightlyExtractFunctionA1B2: 'conflux-dev-api-LakeCustomersNightlyExtract',
      LakeCustomersNightly9F3A0C21: arn('conflux-dev-api-LakeCustomersNightly9F3A0C21'),
      FulfilmentPlaceOrderEBA11127: arn('conflux-dev-api-FulfilmentPlaceOrderEBA11127'),
    };
    // WHEN / THEN the pipeline's machine is found
    expect(await findPipelineStateMachine('customers-nightly', { sfn, resources })).toBe(
      arn('conflux-dev-api-LakeCustomersNightly9F3A0C21'),
    );
  });

  it('fails saying so when no state machine or several match', async () => {
    await expect(findPipelineStateMachine('customers-nightly', { sfn, resources: {} })).rejects.toThrow(
      EtlRunError,
    );
    const two = { ACustomersNightly1: arn('a'), BCustomersNightly2: arn('b') };
    await expect(findPipelineStateMachine('customers-nightly', { sfn, resources: two })).rejects.toThrow(
      /several state machines match .*pass --state-machine/,
    );
  });
});

describe('the manual input', () => {
  it('is since, and until when given, as UTC instants with milliseconds', () => {
    expect(manualInput('2026-12-01T00:00:00Z')).toEqual({ since: '2026-12-01T00:00:00.000Z' });
    expect(manualInput('2026-12-01T01:00:00+01:00', '2026-12-02T00:00:00Z')).toEqual({
      since: '2026-12-01T00:00:00.000Z',
      until: '2026-12-02T00:00:00.000Z',
    });
  });

  it('refuses what is not an instant, and an until not after since', () => {
    expect(() => manualInput('yesterday')).toThrow(/--since must be an ISO 8601 instant/);
    expect(() => manualInput('2026-12-02', '2026-12-01T00:00:00Z')).toThrow(
      /--since must be an ISO 8601 instant/,
    );
    expect(() => manualInput('2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z')).toThrow(
      /--until .* must come after --since/,
    );
  });
});

describe('the run’s summary', () => {
  it('says the window, each step’s counts and whether the watermark moved', () => {
    const window = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z', id: 'w' };
    const lines = describeRun({
      executionArn: 'arn:x',
      status: 'SUCCEEDED',
      extract: { window, staged: { bucket: 'b', key: 'k' }, rows: 5 },
      transform: {
        staged: { bucket: 'b', key: 't' },
        accepted: 3,
        rejected: 2,
        duplicates: 0,
        quarantined: { bucket: 'b', key: 'q' },
      },
      load: { loaded: 3, written: [], unchanged: [{ bucket: 'b', key: 'c' }] },
      watermarkKept: true,
    });
    expect(lines).toEqual([
      'execution arn:x succeeded',
      'window 2026-12-01T00:00:00.000Z < changedAt <= 2026-12-02T00:00:00.000Z',
      'extracted 5 row(s)',
      'transformed: 3 accepted, 2 rejected (s3://b/q), 0 duplicate(s) dropped',
      'loaded 3 row(s): 0 object(s) written, 1 unchanged',
      'watermark not moved: it is at or past this window’s end, or before its start (the next scheduled run covers the rows between)',
    ]);
  });
});

describe('following a run', () => {
  const entered = (name: string): HistoryEvent => ({
    id: 0,
    timestamp: new Date(),
    type: 'SucceedStateEntered',
    stateEnteredEventDetails: { name },
  });

  /**
   * A Step Functions client whose execution ends the moment a history is read while it runs: the history it
   * answers then lacks the final state, as a real one can when the execution ends between two calls.
   */
  function endingBetweenCalls(finalState: string) {
    const calls: string[] = [];
    let ended = false;
    const client = {
      send: (command: unknown) => {
        if (command instanceof StartExecutionCommand) return Promise.resolve({ executionArn: 'arn:exec' });
        if (command instanceof DescribeExecutionCommand) {
          calls.push('describe');
          return Promise.resolve(
            ended ? { status: 'SUCCEEDED', output: JSON.stringify({}) } : { status: 'RUNNING' },
          );
        }
        if (command instanceof GetExecutionHistoryCommand) {
          calls.push('history');
          const events = [entered('Prepare'), ...(ended ? [entered(finalState)] : [])];
          ended = true;
          return Promise.resolve({ events });
        }
        return Promise.reject(new Error(`unexpected ${String(command)}`));
      },
    };
    return { sfn: client as unknown as SFNClient, calls };
  }

  it('sees the last state of an execution that ended between reading its history and its status', async () => {
    // GIVEN an execution that ends, in WatermarkKept, right after a history is read
    const { sfn: racing, calls } = endingBetweenCalls('WatermarkKept');
    // WHEN the run is followed to its end
    const summary = await runPipeline({ sfn: racing, stateMachineArn: arn('m'), input: {}, pollMs: 1 });
    // THEN the summary holds WatermarkKept: the history it used was read after the ended status
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.watermarkKept).toBe(true);
    expect(calls.slice(-2)).toEqual(['describe', 'history']);
  });
});
