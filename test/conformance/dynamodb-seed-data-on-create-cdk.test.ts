import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { DynamodbSeedDataOnCreateCdkStack } from './apps/dynamodb-seed-data-on-create-cdk/lib/dynamodb-seed-data-on-create-cdk-stack';
import { runThirdPartyApp } from './support';

/** aws-samples/serverless-patterns dynamodb-seed-data-on-create-cdk: an AwsCustomResource that puts an item on create. */
describe('dynamodb-seed-data-on-create-cdk', () => {
  let running: RunningApp;
  let stack: DynamodbSeedDataOnCreateCdkStack;

  beforeAll(async () => {
    running = await runThirdPartyApp('dynamodb-seed-data-on-create-cdk', (app) => {
      stack = new DynamodbSeedDataOnCreateCdkStack(app, 'DynamodbSeedDataOnCreateCdkStack');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('has the seed item in the table as soon as the stack is up', async () => {
    // README: "This pattern demonstrates how to create a DynamoDB table and insert data upon creation using custom
    // resource." Testing: "If you view the table items on AWS console, you can see the intial data loaded into the table."
    const TableName = running.physical(stack.node.findChild('MyDynamoDBTable'));
    const { dynamodb } = running.runtime.engines;
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName, Key: { pk: { S: 'DiscountCode_ABC' }, type: { S: 'DiscountCode' } } }),
    );
    expect(Item).toEqual({ pk: { S: 'DiscountCode_ABC' }, type: { S: 'DiscountCode' }, code: { S: 'ABCD' } });
    // onCreate ran once: the seed is the only item.
    expect((await dynamodb.send(new ScanCommand({ TableName }))).Count).toBe(1);
  });
});
