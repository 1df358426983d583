import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartEvent } from '../../src/core/runtime.js';
import { runApp, type RunningApp } from '../../../../test/support/runtime.js';

describe('startRuntime onProgress', () => {
  const events: StartEvent[] = [];
  let running: RunningApp;
  beforeAll(async () => {
    // GIVEN an app of three queues, each with a DLQ (six resources)
    running = await runApp(
      (app) => {
        const stack = new Stack(app, 'Progress');
        for (const name of ['A', 'B', 'C']) {
          const dlq = new sqs.Queue(stack, `${name}Dlq`);
          new sqs.Queue(stack, name, { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
        }
      },
      { onProgress: (event) => events.push(event) },
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it('says when the engines listen, counts each resource created, then says it started', () => {
    // THEN engines comes first, then one resources event per resource in order, then started
    expect(events[0]).toEqual({ phase: 'engines' });
    expect(events.at(-1)).toEqual({ phase: 'started' });
    const resources = events.slice(1, -1);
    expect(resources.map((e) => e.phase === 'resources' && e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(resources.map((e) => e.phase === 'resources' && e.total))).toEqual(new Set([6]));
  });
});
