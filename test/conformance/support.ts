import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { LOCAL_CREDENTIALS } from '../../packages/local/src/core/engines';
import { eventually, runApp, type RunningApp } from '../support/runtime';

const appsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'apps');

/**
 * Synthesizes and runs a third-party app the way `cdk synth` would from its own folder: with the `context` of
 * its `cdk.json` (over ours) and its folder as the working directory, since several apps name their assets
 * relative to it (`Code.fromAsset('lib/lambda')`, `entry: 'lambda-fns/…'`).
 */
export async function runThirdPartyApp(
  name: string,
  build: (app: App) => void,
  context: Record<string, unknown> = {},
): Promise<RunningApp> {
  const dir = path.join(appsDir, name);
  const cdkJson = JSON.parse(readFileSync(path.join(dir, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  // Only while the constructs are built: assets are staged then, and the runtime itself runs from the project.
  return runApp(
    (app) => {
      const previous = process.cwd();
      process.chdir(dir);
      try {
        build(app);
      } finally {
        process.chdir(previous);
      }
    },
    { context: { ...cdkJson.context, ...context } },
  );
}

/** SDK clients of the services the runtime serves itself, pointed at its endpoints. */
export function clients(running: RunningApp): {
  lambda: LambdaClient;
  eventBridge: EventBridgeClient;
  sfn: SFNClient;
  destroy(): void;
} {
  const config = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const { endpoints } = running.runtime;
  const lambda = new LambdaClient({ ...config, endpoint: endpoints.lambda });
  const eventBridge = new EventBridgeClient({ ...config, endpoint: endpoints.events });
  const sfn = new SFNClient({ ...config, endpoint: endpoints.stepfunctions });
  return {
    lambda,
    eventBridge,
    sfn,
    destroy() {
      lambda.destroy();
      eventBridge.destroy();
      sfn.destroy();
    },
  };
}

/** How many times the function behind `fn` has been invoked so far. */
export function invocations(running: RunningApp, fn: IConstruct): number {
  return running.runtime.host.stats(running.physical(fn)).invocations;
}

/** Waits until the function behind `fn` has been invoked more than `before` times. */
export async function invokedAfter(running: RunningApp, fn: IConstruct, before: number): Promise<number> {
  return eventually(async () => {
    const count = invocations(running, fn);
    return Promise.resolve(count > before ? count : undefined);
  });
}

/** Receives the first message of a queue, deleting nothing, or fails after `timeoutMs`. */
export async function receiveOne(sqs: SQSClient, queueUrl: string, timeoutMs = 20_000): Promise<Message> {
  return eventually(async () => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    return Messages?.[0];
  }, timeoutMs);
}

/** Receives what a queue holds now, waiting `seconds` for it: an empty list means nothing arrived. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, seconds = 2): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: seconds }),
  );
  return Messages ?? [];
}

/** Waits `ms`: only to give an event that must NOT happen the time it would take to happen. */
export async function settle(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
