import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RunningApp } from '../support/runtime';
import { EventBridgeCDKStateMachineStack } from './apps/cdk-eventbridge-stepfunction-sqs/lib/eventbridge-stepfunction-sqs-stack';
import { clients, receiveOne, runThirdPartyApp } from './support';

interface SampleEvent {
  source: string;
  'detail-type': string;
  detail: { failure: boolean };
}

/**
 * aws-samples/serverless-patterns cdk-eventbridge-stepfunction-sqs: a custom bus whose rule starts a state machine
 * (Lambda task with Retry and Catch, Choice, an SQS SendMessage task on failure).
 */
describe('cdk-eventbridge-stepfunction-sqs', () => {
  let running: RunningApp;
  let stack: EventBridgeCDKStateMachineStack;
  let sdk: ReturnType<typeof clients>;
  const child = (id: string) => stack.node.findChild(id);

  /** Sends the app's docs/events/<file> to its bus, as the README's "Send events" of the console does. */
  const send = async (file: string) => {
    const event = JSON.parse(
      readFileSync(
        path.join(import.meta.dirname, 'apps/cdk-eventbridge-stepfunction-sqs/docs/events', file),
        'utf8',
      ),
    ) as SampleEvent;
    const result = await sdk.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: running.physical(child('customEventBus')),
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
  };

  /** The one execution of the state machine whose input has `detail.failure === failure`, once it has ended. */
  const execution = (failure: boolean) =>
    eventually(async () => {
      const { executions } = await sdk.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: running.physical(child('EventBridgeCDKStateMachine')) }),
      );
      for (const { executionArn } of executions ?? []) {
        const described = await sdk.sfn.send(new DescribeExecutionCommand({ executionArn }));
        const input = JSON.parse(described.input ?? '{}') as Partial<SampleEvent>;
        if (input.detail?.failure === failure && described.status !== 'RUNNING') return described;
      }
      return undefined;
    });

  beforeAll(async () => {
    running = await runThirdPartyApp('cdk-eventbridge-stepfunction-sqs', (app) => {
      stack = new EventBridgeCDKStateMachineStack(app, 'EventBridgeCDKStateMachineStack', {});
    });
    sdk = clients(running);
  });
  afterAll(async () => {
    sdk.destroy();
    await running.stop();
  });

  it('runs the state machine to success for an event with failure: false', async () => {
    // README: "Successfull event invokes AWS Step Functions and executes lambda function successfully and completes
    // the step function state machine successfully"
    await send('successEvent.json');
    const done = await execution(false);
    expect(done.status).toBe('SUCCEEDED');
    // outputPath '$.Payload' of the Lambda task, then the Choice on $.processedInput.transactionStatus
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      statusCode: 200,
      processedInput: { transactionStatus: 'completed' },
      sourceEvent: { source: 'CustomEvent', 'detail-type': 'CREATE', detail: { failure: false } },
    });
  });

  it('writes the failed event to the failure queue and fails the execution for an event with failure: true', async () => {
    // README: "Failure event invokes AWS Step Functions and executes lambda function which throws custom exception …
    // Catch handler moves the state machine failure queue. AWS Step Functions writes failure message to the AWS SQS
    // using "SendMessage" task which can be handled for operational needs."
    await send('failureEvent.json');
    const message = await receiveOne(
      running.runtime.engines.sqs,
      running.physical(child('Step funtion Failure Queue')),
    );
    // The Catch keeps the input and puts the error at $.message.errorMessage; the SQS task sends all of $.
    const body = JSON.parse(message.Body ?? '{}') as {
      detail?: { failure?: boolean };
      message?: { errorMessage?: { Error?: string; Cause?: string } };
    };
    expect(body.detail).toEqual({ failure: true });
    expect(body.message?.errorMessage?.Cause).toContain('Failure Exception');
    const done = await execution(true);
    expect(done.status).toBe('FAILED');
  });
});
