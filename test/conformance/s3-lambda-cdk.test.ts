import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { S3ToLambdaCdkStack } from './apps/s3-lambda-cdk/lib/s3-to-lambda-cdk-stack';
import { invocations, invokedAfter, runThirdPartyApp, settle } from './support';

/** aws-samples/serverless-patterns s3-lambda-cdk: an S3 bucket whose OBJECT_CREATED_PUT events invoke a Lambda. */
describe('s3-lambda-cdk', () => {
  let running: RunningApp;
  let stack: S3ToLambdaCdkStack;
  const fn = () => stack.node.findChild('readStream');
  const bucket = () => running.physical(stack.node.findChild('demo-bucket-serverless-patterns'));

  beforeAll(async () => {
    running = await runThirdPartyApp('s3-lambda-cdk', (app) => {
      stack = new S3ToLambdaCdkStack(app, 'S3ToLambdaCdkStack');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('invokes the function when an object is put into the bucket', async () => {
    // README: "When items are written in the S3 bucket, … The function is invoked with a payload containing the
    // information of the event." Testing: "aws s3 cp './events/test.txt' s3://{SourceBucketName}"
    const before = invocations(running, fn());
    const body = readFileSync(path.join(import.meta.dirname, 'apps/s3-lambda-cdk/events/test.txt'));
    await running.runtime.engines.s3.send(
      new PutObjectCommand({ Bucket: bucket(), Key: 'test.txt', Body: body }),
    );
    expect(await invokedAfter(running, fn(), before)).toBe(before + 1);
  });

  it('does not invoke it for a copy, which is not an OBJECT_CREATED_PUT event', async () => {
    // Stack: new S3EventSource(bucket, { events: [s3.EventType.OBJECT_CREATED_PUT] })
    const { s3 } = running.runtime.engines;
    const beforePut = invocations(running, fn());
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'original.txt', Body: 'x' }));
    const before = await invokedAfter(running, fn(), beforePut);
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket(), Key: 'copy.txt', CopySource: `${bucket()}/original.txt` }),
    );
    await settle(3000);
    expect(invocations(running, fn())).toBe(before);
  });
});
