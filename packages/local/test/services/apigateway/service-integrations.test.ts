import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp, type RunningApp } from '../../../../../test/support/runtime.js';

/** AWS service integrations (no Lambda in the path), with VTL mapping templates, on the offline gateway. */
describe('gateway service integrations, offline', () => {
  let running: RunningApp;
  const fx: { queue?: sqs.Queue; stream?: kinesis.Stream } = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Direct');
      const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'v' } });
      const role = new iam.Role(stack, 'ApiRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      });
      fx.queue = new sqs.Queue(stack, 'Webhooks');
      api.root
        .addResource('webhooks')
        .addResource('{provider}')
        .addMethod(
          'POST',
          new apigw.AwsIntegration({
            service: 'sqs',
            path: `${stack.account}/${fx.queue.queueName}`,
            options: {
              credentialsRole: role,
              passthroughBehavior: apigw.PassthroughBehavior.NEVER,
              requestParameters: {
                'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
              },
              requestTemplates: {
                'application/json':
                  "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=provider&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($input.params('provider'))",
              },
              integrationResponses: [
                {
                  statusCode: '202',
                  responseTemplates: {
                    'application/json':
                      '{"accepted":true,"messageId":"$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')","requestId":"$context.requestId"}',
                  },
                },
                {
                  statusCode: '400',
                  selectionPattern: '4\\d{2}',
                  responseTemplates: { 'application/json': '{"error":"rejected"}' },
                },
              ],
            },
          }),
          { methodResponses: [{ statusCode: '202' }, { statusCode: '400' }] },
        );
      fx.stream = new kinesis.Stream(stack, 'Telemetry', { shardCount: 1 });
      api.root.addResource('telemetry').addMethod(
        'POST',
        new apigw.AwsIntegration({
          service: 'kinesis',
          action: 'PutRecord',
          options: {
            credentialsRole: role,
            requestTemplates: {
              'application/json': `{"StreamName":"${fx.stream.streamName}","Data":"$util.base64Encode($input.body)","PartitionKey":"$input.path('$.deviceId')"}`,
            },
            integrationResponses: [
              {
                statusCode: '200',
                responseTemplates: { 'application/json': '{"shard":"$input.path(\'$.ShardId\')"}' },
              },
            ],
          },
        }),
        { methodResponses: [{ statusCode: '200' }] },
      );
      const machine = new sfn.StateMachine(stack, 'Echo', {
        stateMachineType: sfn.StateMachineType.EXPRESS,
        definitionBody: sfn.DefinitionBody.fromChainable(
          new sfn.Pass(stack, 'Done', { parameters: { 'got.$': '$.body.order' } }),
        ),
      });
      api.root.addResource('run').addMethod('POST', apigw.StepFunctionsIntegration.startExecution(machine));
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  const post = (path: string, body: string) =>
    fetch(`${running.runtime.baseUrl ?? ''}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });

  it('sends a webhook body to SQS with the provider as a message attribute, answering from the response template', async () => {
    const body = '{"event":"paid","note":"a&b=c + d%"}';
    const response = await post('/webhooks/stripe', body);
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { accepted: boolean; messageId: string; requestId: string };
    expect(answer.accepted).toBe(true);
    expect(answer.messageId).toMatch(/\S+/);
    const { Messages = [] } = await running.runtime.engines.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: running.physical(fx.queue as sqs.Queue),
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages[0]?.Body).toBe(body);
    expect(Messages[0]?.MessageId).toBe(answer.messageId);
    expect(Messages[0]?.MessageAttributes?.provider?.StringValue).toBe('stripe');
  });

  it('refuses a content type with no template when passthrough is NEVER', async () => {
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/webhooks/stripe`, {
      method: 'POST',
      body: 'x=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(415);
  });

  it('puts telemetry on Kinesis with the partition key from the body', async () => {
    const response = await post('/telemetry', '{"deviceId":"d-7","t":21.5}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ shard: 'shardId-000000000000' });
    const { kinesis: client } = running.runtime.engines;
    const StreamName = running.physical(fx.stream as kinesis.Stream);
    const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }));
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: Shards[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records.map((r) => [r.PartitionKey, Buffer.from(r.Data ?? new Uint8Array()).toString()])).toEqual([
      ['d-7', '{"deviceId":"d-7","t":21.5}'],
    ]);
  });

  it('runs an EXPRESS state machine through CDK’s StepFunctionsIntegration and returns its output', async () => {
    const response = await post('/run', '{"order":{"sku":"tea"}}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ got: { sku: 'tea' } });
  });
});
