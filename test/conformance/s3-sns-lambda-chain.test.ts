import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RunningApp } from '../support/runtime';
import S3SnsSqsLambdaChainStack from './apps/s3-sns-lambda-chain/lib/s3-sns-sqs-lambda-chain-stack';
import { invocations, invokedAfter, runThirdPartyApp, settle } from './support';

/** aws-samples/aws-cdk-examples typescript/s3-sns-lambda-chain: S3 (.csv PUT) → SNS → SQS (raw) → Lambda. */
describe('s3-sns-lambda-chain', () => {
  let running: RunningApp;
  let stack: S3SnsSqsLambdaChainStack;
  const child = (id: string) => stack.node.findChild(id);
  const upload = (key: string, body: string) =>
    running.runtime.engines.s3.send(
      new PutObjectCommand({ Bucket: running.physical(child('CsvBucket')), Key: key, Body: body }),
    );
  const visible = async (queue: IConstruct) => {
    const { Attributes } = await running.runtime.engines.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: running.physical(queue),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };

  beforeAll(async () => {
    running = await runThirdPartyApp('s3-sns-lambda-chain', (app) => {
      stack = new S3SnsSqsLambdaChainStack(app, 'S3SnsSqsLambdaChain');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('runs the Lambda function when a .csv file is uploaded to the bucket', async () => {
    // README: "1. A user uploads a specific file type (in our case .csv) to an S3 Bucket. 2. The upload triggers an
    // event that is automatically sent to an SNS Topic. 3. The SNS Topic notifies a SQS queue, the SQS queue adds a
    // message to it's queue. 4. When the SQS queue adds new messages a Lambda is triggered to process the message."
    const fn = child('CsvUploadEventLambda');
    const before = invocations(running, fn);
    // WHEN the example.csv of the app is uploaded
    const csv = readFileSync(path.join(import.meta.dirname, 'apps/s3-sns-lambda-chain/example.csv'), 'utf8');
    await upload('example.csv', csv);
    // THEN the function is invoked, and the message it processed leaves the queue without reaching the DLQ
    await invokedAfter(running, fn, before);
    await eventually(async () => ((await visible(child('CsvUploadQueue'))) === 0 ? true : undefined));
    expect(await visible(child('CsvUploadDeadLetterQueue'))).toBe(0);
  });

  it('does not run it for a file that does not end in .csv', async () => {
    // Stack: "The trigger will only fire on files with the .csv extension." (suffix: '.csv')
    const fn = child('CsvUploadEventLambda');
    const before = invocations(running, fn);
    await upload('notes.txt', 'not a csv');
    await settle(3000);
    expect(invocations(running, fn)).toBe(before);
  });
});
