import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** The API of AWS's "API Gateway as an Amazon Kinesis proxy" tutorial, run offline against kinesalite. */
describe('gateway as a Kinesis proxy, offline', () => {
  let running: RunningApp;
  const fx: { stream?: kinesis.Stream } = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'KinesisProxy');
      const role = new iam.Role(stack, 'ApiRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      });
      fx.stream = new kinesis.Stream(stack, 'Stream', { shardCount: 1 });
      fx.stream.grantReadWrite(role);
      const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'test' } });
      // As the tutorial: the Kinesis action's JSON request is the request template, and 4xx answers are mapped.
      const kinesisAction = (action: string, template: string, responseTemplate?: string) =>
        new apigw.AwsIntegration({
          service: 'kinesis',
          action,
          options: {
            credentialsRole: role,
            passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_TEMPLATES,
            requestParameters: {
              'integration.request.header.Content-Type': "'application/x-amz-json-1.1'",
            },
            requestTemplates: { 'application/json': template },
            integrationResponses: [
              {
                statusCode: '200',
                ...(responseTemplate ? { responseTemplates: { 'application/json': responseTemplate } } : {}),
              },
              {
                statusCode: '400',
                selectionPattern: '4\\d{2}',
                responseTemplates: {
                  'application/json': '{"error":"$input.path(\'$.__type\')","action":"' + action + '"}',
                },
              },
            ],
          },
        });
      const responses = { methodResponses: [{ statusCode: '200' }, { statusCode: '400' }] };
      const streams = api.root.addResource('streams');
      streams.addMethod('GET', kinesisAction('ListStreams', '{}'), responses);
      const stream = streams.addResource('{stream-name}');
      stream.addMethod(
        'GET',
        kinesisAction('DescribeStream', '{"StreamName": "$input.params(\'stream-name\')"}'),
        responses,
      );
      stream
        .addResource('shards')
        .addMethod(
          'GET',
          kinesisAction('ListShards', '{"StreamName": "$input.params(\'stream-name\')"}'),
          responses,
        );
      stream
        .addResource('record')
        .addMethod(
          'PUT',
          kinesisAction(
            'PutRecord',
            '{"StreamName": "$input.params(\'stream-name\')", "Data": "$util.base64Encode($input.path(\'$.Data\'))", "PartitionKey": "$input.path(\'$.PartitionKey\')"}',
          ),
          responses,
        );
      stream
        .addResource('sharditerator')
        .addMethod(
          'GET',
          kinesisAction(
            'GetShardIterator',
            '{"ShardId": "$input.params(\'shard-id\')", "ShardIteratorType": "TRIM_HORIZON", "StreamName": "$input.params(\'stream-name\')"}',
          ),
          responses,
        );
      const records = stream.addResource('records');
      records.addMethod(
        'GET',
        kinesisAction('GetRecords', '{"ShardIterator": "$input.params(\'Shard-Iterator\')"}'),
        responses,
      );
      records
        .addResource('decoded')
        .addMethod(
          'GET',
          kinesisAction(
            'GetRecords',
            '{"ShardIterator": "$input.params(\'Shard-Iterator\')"}',
            '#set($inputRoot = $input.path(\'$\'))\n{"records": [#foreach($elem in $inputRoot.Records){"data": "$util.base64Decode($elem.Data)", "partitionKey": "$elem.PartitionKey"}#if($foreach.hasNext),#end#end]}',
          ),
          responses,
        );
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const url = (path: string) => `${running.runtime.baseUrl ?? ''}${path}`;
  const streamName = () => running.physical(fx.stream as kinesis.Stream);
  const getJson = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url(path), { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('lists the streams with ListStreams, the body passed through as Kinesis answers it', async () => {
    // GIVEN the app's stream

    // WHEN GET /streams
    const { status, body } = await getJson('/streams');

    // THEN Kinesis's ListStreams answer
    expect(status).toBe(200);
    expect(body.StreamNames).toContain(streamName());
  });

  it('describes a stream and lists its shards with the name from the path', async () => {
    // WHEN GET /streams/{name} and /streams/{name}/shards
    const described = await getJson(`/streams/${streamName()}`);
    const shards = await getJson(`/streams/${streamName()}/shards`);

    // THEN DescribeStream's and ListShards' answers for that stream
    expect(described.status).toBe(200);
    expect(described.body.StreamDescription).toMatchObject({
      StreamName: streamName(),
      StreamStatus: 'ACTIVE',
      Shards: [expect.objectContaining({ ShardId: 'shardId-000000000000' })],
    });
    expect(shards.body.Shards).toEqual([expect.objectContaining({ ShardId: 'shardId-000000000000' })]);
  });

  it('puts a record, then reads it back with GetShardIterator and GetRecords, Data in base64 as Kinesis returns it', async () => {
    // GIVEN a record put through the API
    const put = await fetch(url(`/streams/${streamName()}/record`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Data: 'temperature=21.5', PartitionKey: 'sensor-7' }),
    });
    expect(put.status).toBe(200);
    const { SequenceNumber } = (await put.json()) as { SequenceNumber: string };

    // WHEN a shard iterator is asked for, and the records read with it
    const iterator = await getJson(`/streams/${streamName()}/sharditerator?shard-id=shardId-000000000000`);
    const shardIterator = String(iterator.body.ShardIterator);
    const raw = await getJson(`/streams/${streamName()}/records`, { 'Shard-Iterator': shardIterator });
    const decoded = await getJson(`/streams/${streamName()}/records/decoded`, {
      'Shard-Iterator': shardIterator,
    });

    // THEN the passed-through answer holds the record as Kinesis sends it, and the template decodes it
    expect(iterator.status).toBe(200);
    expect(shardIterator).toMatch(/\S{20,}/);
    expect(raw.status).toBe(200);
    const records = raw.body.Records as Record<string, unknown>[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      Data: Buffer.from('temperature=21.5').toString('base64'),
      PartitionKey: 'sensor-7',
      SequenceNumber,
    });
    expect(typeof records[0]?.ApproximateArrivalTimestamp).toBe('number');
    expect(typeof raw.body.NextShardIterator).toBe('string');
    expect(decoded.body).toEqual({ records: [{ data: 'temperature=21.5', partitionKey: 'sensor-7' }] });
  });

  it('maps a Kinesis error through the 4xx integration response', async () => {
    // WHEN a shard iterator is asked for on a stream that does not exist
    const { status, body } = await getJson(
      '/streams/no-such-stream/sharditerator?shard-id=shardId-000000000000',
    );

    // THEN the 400 response's template renders Kinesis's error type
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'ResourceNotFoundException', action: 'GetShardIterator' });
  });
});
