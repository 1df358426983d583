import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { DynamoToLambdaCdkStack } from './apps/dynamodb-lambda-cdk/lib/dynamo-to-lambda-cdk-stack';
import { invocations, invokedAfter, runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns dynamodb-lambda-cdk: a table's stream (NEW_IMAGE) polled by a Lambda. */
describe('dynamodb-lambda-cdk', () => {
  let running: RunningApp;
  let stack: DynamoToLambdaCdkStack;
  const fn = () => stack.node.findChild('readStream');
  const table = () => running.physical(stack.node.findChild('DynamoTable'));

  beforeAll(async () => {
    running = await runThirdPartyApp('dynamodb-lambda-cdk', (app) => {
      stack = new DynamoToLambdaCdkStack(app, 'DynamoToLambdaCdkStack');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('invokes the function when an item is written, then again when it is updated', async () => {
    // README: "When items are written or updated in the DynamoDB table, the changes are sent to a stream. This
    // pattern configures a Lambda function to poll this stream." Testing: "Add an item to the DynamoDB table and
    // confirm the resulting Lambda invocation in CloudWatch Logs."
    const { dynamodb } = running.runtime.engines;
    const before = invocations(running, fn());
    // WHEN an item is written
    await dynamodb.send(
      new PutItemCommand({ TableName: table(), Item: { pk: { S: 'item-1' }, n: { N: '1' } } }),
    );
    // THEN the function is invoked
    const afterPut = await invokedAfter(running, fn(), before);
    expect(afterPut).toBeGreaterThan(before);
    // WHEN it is updated THEN the function is invoked again
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table(),
        Key: { pk: { S: 'item-1' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    expect(await invokedAfter(running, fn(), afterPut)).toBeGreaterThan(afterPut);
  });
});
