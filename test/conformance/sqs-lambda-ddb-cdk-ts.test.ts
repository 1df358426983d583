import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RunningApp } from '../support/runtime';
import { SqsLambdaDynamoStack } from './apps/sqs-lambda-ddb-cdk-ts/lib/sqs-lambda-dynamo-stack';
import { receiveOne, runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns sqs-lambda-ddb-cdk-ts: SQS → Lambda (batch of 1) → DynamoDB, with a DLQ. */
describe('sqs-lambda-ddb-cdk-ts', () => {
  let running: RunningApp;
  let stack: SqsLambdaDynamoStack;
  const child = (id: string) => stack.node.findChild(id);

  beforeAll(async () => {
    running = await runThirdPartyApp('sqs-lambda-ddb-cdk-ts', (app) => {
      stack = new SqsLambdaDynamoStack(app, 'SqsLambdaDynamoStack', {});
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('writes each message of the queue into the table', async () => {
    // README: "A new Amazon SQS queue will be created and configured to invoke an AWS Lambda function that will
    // write the received messages into an Amazon DynamoDB table."
    const { sqs, dynamodb } = running.runtime.engines;
    const id = `order-${Date.now()}`;
    // WHEN a message whose body is an item is sent to the queue
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: running.physical(child('SampleTable1-Queue')),
        MessageBody: JSON.stringify({ id, qty: 3, note: 'from the queue' }),
      }),
    );
    // THEN the item is in the table
    const item = await eventually(async () => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: running.physical(child('SampleTable1')), Key: { id: { S: id } } }),
      );
      return Item;
    });
    expect(item).toEqual({ id: { S: id }, qty: { N: '3' }, note: { S: 'from the queue' } });
  });

  it('moves a message that cannot be written to the dead-letter queue after maxReceiveCount attempts', async () => {
    // README: "The SQS queue redrive policy will be configured to send undeliverable messages to an Amazon SQS
    // Dead-Letter Queue. Undeliverable messages are the ones that couldn't be written to the DynamoDB table with a
    // maximum of `maxReceiveCount` number of attempts." (maxReceiveCount: 1; the queue's visibility timeout is 30 s)
    const { sqs } = running.runtime.engines;
    const body = `not json ${Date.now()}`;
    // WHEN a message the function cannot parse is sent
    await sqs.send(
      new SendMessageCommand({ QueueUrl: running.physical(child('SampleTable1-Queue')), MessageBody: body }),
    );
    // THEN, once its visibility timeout has passed, it is in the DLQ
    const dead = await receiveOne(sqs, running.physical(child('SampleTable1-DLQ')), 50_000);
    expect(dead.Body).toBe(body);
  }, 60_000);
});
