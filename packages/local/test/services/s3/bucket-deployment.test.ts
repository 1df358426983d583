import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

describe('BucketDeployment and autoDeleteObjects, offline', () => {
  const assetDir = mkdtempSync(path.join(tmpdir(), 'conflux-site-'));
  writeFileSync(path.join(assetDir, 'app.js'), 'console.log("hi");');
  writeFileSync(path.join(assetDir, 'debug.log'), 'not deployed');
  let running: RunningApp | undefined;
  const fx: Partial<Record<'site', s3.Bucket> & Record<'queue', sqs.Queue>> = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Site');
      fx.site = new s3.Bucket(stack, 'Site', {
        autoDeleteObjects: true,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      fx.queue = new sqs.Queue(stack, 'Jobs');
      new s3deploy.BucketDeployment(stack, 'Deploy', {
        destinationBucket: fx.site,
        destinationKeyPrefix: 'web/',
        exclude: ['*.log'],
        sources: [
          s3deploy.Source.asset(assetDir),
          s3deploy.Source.data('index.html', `<p>${fx.site.bucketName}</p>`),
          s3deploy.Source.jsonData('config.json', { queueUrl: fx.queue.queueUrl }),
        ],
      });
    });
  });
  afterAll(async () => {
    await running?.stop();
  });

  const get = async (key: string) => {
    const app = running as RunningApp;
    const object = await app.runtime.engines.s3.send(
      new GetObjectCommand({ Bucket: app.physical(fx.site as s3.Bucket), Key: key }),
    );
    return { type: object.ContentType, body: await object.Body?.transformToString() };
  };

  it('copies the folder asset and the data sources under the prefix, minus the excluded files', async () => {
    // GIVEN the running app, deployed at start

    // WHEN the destination bucket is listed
    const app = running as RunningApp;
    const { Contents = [] } = await app.runtime.engines.s3.send(
      new ListObjectsV2Command({ Bucket: app.physical(fx.site as s3.Bucket) }),
    );

    // THEN it holds every source's files under web/, and not the excluded log
    expect(Contents.map((o) => o.Key).sort()).toEqual(['web/app.js', 'web/config.json', 'web/index.html']);
    expect(await get('web/app.js')).toEqual({ type: 'text/javascript', body: 'console.log("hi");' });
  });

  it('substitutes the deploy-time values of the sources, as the handler does', async () => {
    // GIVEN sources naming the bucket and the queue URL
    const app = running as RunningApp;

    // WHEN the deployed files are read
    const html = await get('web/index.html');
    const config = await get('web/config.json');

    // THEN they hold the local values
    expect(html).toEqual({ type: 'text/html', body: `<p>${app.physical(fx.site as s3.Bucket)}</p>` });
    expect(JSON.parse(config.body ?? '')).toEqual({ queueUrl: app.physical(fx.queue as sqs.Queue) });
  });

  it("accepts autoDeleteObjects without running CDK's auto-delete function", () => {
    // GIVEN the running app, whose bucket has autoDeleteObjects
    const app = running as RunningApp;

    // WHEN the auto-delete provider's function is looked up
    const handler = Object.entries(app.runtime.resources).find(([id]) =>
      id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderHandler'),
    )?.[1];

    // THEN it exists and was never invoked
    expect(handler).toBeDefined();
    expect(app.runtime.host.stats(handler ?? '').invocations).toBe(0);
  });
});
