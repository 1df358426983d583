import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

describe('Firehose into the raw zone, queried through Athena', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Lake');
      const lake = new s3.Bucket(stack, 'Lake');
      const role = new iam.Role(stack, 'Delivery', {
        assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      });
      new firehose.CfnDeliveryStream(stack, 'Telemetry', {
        deliveryStreamName: 'lake-telemetry',
        deliveryStreamType: 'DirectPut',
        extendedS3DestinationConfiguration: {
          bucketArn: lake.bucketArn,
          roleArn: role.roleArn,
          prefix: 'raw/telemetry/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
          errorOutputPrefix: 'errors/telemetry/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
          bufferingHints: { intervalInSeconds: 0, sizeInMBs: 1 },
          compressionFormat: 'GZIP',
        },
      });
      const db = new glue.CfnDatabase(stack, 'Db', {
        catalogId: stack.account,
        databaseInput: { name: 'lake' },
      });
      const table = new glue.CfnTable(stack, 'Table', {
        catalogId: stack.account,
        databaseName: db.ref,
        tableInput: {
          name: 'telemetry',
          partitionKeys: [
            { name: 'dt', type: 'string' },
            { name: 'hour', type: 'string' },
          ],
          storageDescriptor: {
            location: `s3://${lake.bucketName}/raw/telemetry/`,
            serdeInfo: {
              serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              parameters: { 'ignore.malformed.json': 'true' },
            },
            columns: [
              { name: 'deviceid', type: 'string' },
              { name: 'value', type: 'double' },
            ],
          },
        },
      });
      const group = new athena.CfnWorkGroup(stack, 'Queries', {
        name: 'lake',
        workGroupConfiguration: {
          resultConfiguration: { outputLocation: `s3://${lake.bucketName}/athena-results/` },
        },
      });
      group.addResourceDependency(table);
    });
  });

  afterAll(async () => {
    await running.stop();
  });

  it('reads what the delivery stream wrote, in the partition of its arrival', async () => {
    // GIVEN records put through Firehose, each a JSON line
    const fh = new FirehoseClient({
      endpoint: running.runtime.endpoints.firehose,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const client = new AthenaClient({
      endpoint: running.runtime.endpoints.athena,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const records = Array.from({ length: 50 }, (_, i) => ({
      Data: Buffer.from(`${JSON.stringify({ deviceId: `d${i % 5}`, value: i })}\n`),
    }));
    const arrival = new Date().toISOString();
    await fh.send(new PutRecordBatchCommand({ DeliveryStreamName: 'lake-telemetry', Records: records }));

    // WHEN the table is counted until the delivery shows
    const rows = await eventually(async () => {
      const { QueryExecutionId } = await client.send(
        new StartQueryExecutionCommand({
          QueryString: 'SELECT count(*), count(DISTINCT deviceid), sum(value), min(dt) FROM telemetry',
          QueryExecutionContext: { Database: 'lake' },
          WorkGroup: 'lake',
        }),
      );
      const done = await eventually(async () => {
        const { QueryExecution: e } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
        return e?.Status?.State === 'QUEUED' || e?.Status?.State === 'RUNNING' ? undefined : e;
      });
      if (done.Status?.State !== 'SUCCEEDED') return done.Status?.StateChangeReason;
      const { ResultSet } = await client.send(new GetQueryResultsCommand({ QueryExecutionId }));
      const row = ResultSet?.Rows?.[1]?.Data?.map((d) => d.VarCharValue);
      return row?.[0] === '50' ? row : undefined;
    });

    // THEN every record is a row, in the day it arrived
    expect(rows.slice(0, 3)).toEqual(['50', '5', '1225.0']);
    expect([arrival.slice(0, 10), new Date().toISOString().slice(0, 10)]).toContain(rows[3]);
    fh.destroy();
    client.destroy();
  });
});
