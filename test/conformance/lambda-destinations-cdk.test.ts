import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { AsyncFunctionsStack } from './apps/lambda-destinations-cdk/lib/async-functions';
import { clients, invocations, invokedAfter, receiveOne, runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns lambda-destinations-cdk: onSuccess → a Lambda, onFailure → an SQS queue. */
describe('lambda-destinations-cdk', () => {
  let running: RunningApp;
  let stack: AsyncFunctionsStack;
  let sdk: ReturnType<typeof clients>;
  const child = (id: string) => stack.node.findChild(id);
  const invokeAsync = (payload: unknown) =>
    sdk.lambda.send(
      new InvokeCommand({
        FunctionName: running.physical(child('SenderFunction')),
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );

  beforeAll(async () => {
    running = await runThirdPartyApp('lambda-destinations-cdk', (app) => {
      stack = new AsyncFunctionsStack(app, 'AsyncFunctionStack', {});
    });
    sdk = clients(running);
  });
  afterAll(async () => {
    sdk.destroy();
    await running.stop();
  });

  it('sends a successful asynchronous invocation on to the reciever function', async () => {
    // README: "If the sender function succeeds it execution it will send a message to the onSuccess destination
    // configured, in this case the reciever function." Testing: "aws lambda invoke --function-name NAME
    // --invocation-type Event response.json"
    const reciever = child('RecieverFunction');
    const before = invocations(running, reciever);
    const accepted = await invokeAsync({});
    expect(accepted.StatusCode).toBe(202);
    expect(await invokedAfter(running, reciever, before)).toBe(before + 1);
  });

  it('sends a failed asynchronous invocation to the SQS queue', async () => {
    // README: "If the sender function fails it sends a message to the onFailure destination configured, in this
    // case a AWS SQS queue." (retryAttempts: 0, so the first failure is final)
    const before = invocations(running, child('RecieverFunction'));
    await invokeAsync({ test: 'fail' });
    const message = await receiveOne(running.runtime.engines.sqs, running.physical(child('MyDLQQueue')));
    // The destination gets Lambda's invocation record.
    expect(JSON.parse(message.Body ?? '{}')).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: { test: 'fail' },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'ERROR!' },
    });
    expect(invocations(running, child('RecieverFunction'))).toBe(before);
  });
});
