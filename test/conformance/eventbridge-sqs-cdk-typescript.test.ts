import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { EventbridgeSqsCdkStack } from './apps/eventbridge-sqs-cdk-typescript/lib/eventbridge-sqs-cdk-stack';
import { clients, receiveAll, receiveOne, runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns eventbridge-sqs-cdk-typescript: a custom bus, a pattern rule, an SQS target. */
describe('eventbridge-sqs-cdk-typescript', () => {
  let running: RunningApp;
  let sdk: ReturnType<typeof clients>;
  let stack: EventbridgeSqsCdkStack;
  const queueUrl = () => running.physical(stack.node.findChild('eventbridgeSqs-queue'));

  beforeAll(async () => {
    running = await runThirdPartyApp('eventbridge-sqs-cdk-typescript', (app) => {
      stack = new EventbridgeSqsCdkStack(app, 'EventbridgeSqsCdkStack', {});
    });
    sdk = clients(running);
  });
  afterAll(async () => {
    sdk.destroy();
    await running.stop();
  });

  /** The app's event.json, aimed at its bus (MyCustomEventBus) instead of the placeholder. */
  const testEvent = (): PutEventsRequestEntry => {
    const file = path.join(import.meta.dirname, 'apps/eventbridge-sqs-cdk-typescript/event.json');
    const [entry] = JSON.parse(readFileSync(file, 'utf8')) as PutEventsRequestEntry[];
    return { ...entry, EventBusName: 'MyCustomEventBus' };
  };

  it('delivers an event matching the rule from the bus to the queue', async () => {
    // README: "In this example, messages sent to the event bus will be directed to the SQS queue." Testing:
    // "aws events put-events --entries file://event.json" then "aws sqs receive-message --queue-url …"
    const result = await sdk.eventBridge.send(new PutEventsCommand({ Entries: [testEvent()] }));
    expect(result.FailedEntryCount).toBe(0);
    const message = await receiveOne(running.runtime.engines.sqs, queueUrl());
    // The SQS target gets the whole event, as EventBridge sends it.
    expect(JSON.parse(message.Body ?? '{}')).toMatchObject({
      source: 'my-cdk-application',
      'detail-type': 'message-for-queue',
      detail: { msg: 'test' },
      id: result.Entries?.[0]?.EventId,
    });
  });

  it('does not deliver an event that the pattern does not match', async () => {
    // Rule: source ['my-cdk-application'], detailType ['message-for-queue']
    await sdk.eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...testEvent(), DetailType: 'something-else' }] }),
    );
    expect(await receiveAll(running.runtime.engines.sqs, queueUrl(), 3)).toEqual([]);
  });
});
