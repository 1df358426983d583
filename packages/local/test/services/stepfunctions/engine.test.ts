import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/core/engines.js';
import { eventually, runApp, type RunningApp } from '../../../../../test/support/runtime.js';

const inline = (code: string) => ({
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(code),
});

describe('Step Functions, offline', () => {
  let running: RunningApp;
  let sfnClient: SFNClient;
  const fx: Partial<Record<'saga' | 'express', sfn.StateMachine>> & { table?: dynamodb.Table } = {};

  beforeAll(async () => {
    running = await runApp((app) => {
      const stack = new Stack(app, 'Sagas');
      const table = new dynamodb.Table(stack, 'Reservations', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      });
      fx.table = table;
      const reserve = new lambda.Function(
        stack,
        'Reserve',
        inline(`class OutOfStockError extends Error { name = 'OutOfStockError' };
          exports.handler = async (e) => { if (e.sku === 'none') throw new OutOfStockError(e.sku + ' is out of stock'); return { reservationId: 'r-' + e.orderId }; };`),
      );
      const release = new lambda.Function(
        stack,
        'Release',
        inline(`exports.handler = async (e) => ({ released: e.orderId });`),
      );
      const reserveStep = new tasks.LambdaInvoke(stack, 'ReserveInventory', {
        lambdaFunction: reserve,
        payloadResponseOnly: false,
        resultSelector: { 'reservationId.$': '$.Payload.reservationId' },
        resultPath: '$.reservation',
      });
      const record = new tasks.DynamoPutItem(stack, 'RecordReservation', {
        table,
        item: {
          id: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.orderId')),
          reservation: tasks.DynamoAttributeValue.fromString(
            sfn.JsonPath.stringAt('$.reservation.reservationId'),
          ),
        },
        resultPath: sfn.JsonPath.DISCARD,
      });
      const compensate = new tasks.LambdaInvoke(stack, 'ReleaseInventory', {
        lambdaFunction: release,
        payloadResponseOnly: true,
        resultPath: '$.compensation',
      }).next(
        new sfn.Fail(stack, 'Compensated', {
          error: 'OrderFailed',
          cause: 'inventory could not be reserved',
        }),
      );
      reserveStep.addCatch(compensate, { errors: ['OutOfStockError'], resultPath: '$.failure' });
      fx.saga = new sfn.StateMachine(stack, 'Saga', {
        definitionBody: sfn.DefinitionBody.fromChainable(
          reserveStep.next(record).next(new sfn.Succeed(stack, 'Confirmed')),
        ),
      });
      fx.express = new sfn.StateMachine(stack, 'Quick', {
        stateMachineType: sfn.StateMachineType.EXPRESS,
        definitionBody: sfn.DefinitionBody.fromChainable(
          new sfn.Pass(stack, 'Shape', { parameters: { 'greeting.$': "States.Format('hello {}', $.name)" } }),
        ),
      });
    });
    // Local endpoints have no `sync-` host name, so the host prefix of StartSyncExecution is switched off.
    sfnClient = new SFNClient({
      disableHostPrefix: true,
      endpoint: running.runtime.endpoints.stepfunctions,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    sfnClient.destroy();
    await running.stop();
  });

  const finished = (executionArn: string) =>
    eventually(async () => {
      const execution = await sfnClient.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    });

  it('runs the synthesized definition through Lambda and DynamoDB tasks to success', async () => {
    const { executionArn } = await sfnClient.send(
      new StartExecutionCommand({
        stateMachineArn: running.physical(fx.saga as sfn.StateMachine),
        input: '{"orderId":"o-1","sku":"tea"}',
      }),
    );
    const execution = await finished(executionArn ?? '');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ reservation: { reservationId: 'r-o-1' } });
    const { Item } = await running.runtime.engines.dynamodb.send(
      new GetItemCommand({
        TableName: running.physical(fx.table as dynamodb.Table),
        Key: { id: { S: 'o-1' } },
      }),
    );
    expect(Item?.reservation).toEqual({ S: 'r-o-1' });
  });

  it('routes a named Lambda error through Catch to compensation, and records the history', async () => {
    const { executionArn } = await sfnClient.send(
      new StartExecutionCommand({
        stateMachineArn: running.physical(fx.saga as sfn.StateMachine),
        input: '{"orderId":"o-2","sku":"none"}',
      }),
    );
    const execution = await finished(executionArn ?? '');
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'OrderFailed',
      cause: 'inventory could not be reserved',
    });
    const { events = [] } = await sfnClient.send(new GetExecutionHistoryCommand({ executionArn }));
    const entered = events
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => [e.type, e.stateEnteredEventDetails?.name]);
    expect(entered).toEqual([
      ['TaskStateEntered', 'ReserveInventory'],
      ['TaskStateEntered', 'ReleaseInventory'],
      ['FailStateEntered', 'Compensated'],
    ]);
    const failedTask = events.find((e) => e.type === 'TaskFailed');
    expect(failedTask?.taskFailedEventDetails?.error).toBe('OutOfStockError');
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({
      error: 'OrderFailed',
      cause: 'inventory could not be reserved',
    });
  });

  it('answers StartSyncExecution for an EXPRESS machine, intrinsics included', async () => {
    const result = await sfnClient.send(
      new StartSyncExecutionCommand({
        stateMachineArn: running.physical(fx.express as sfn.StateMachine),
        input: '{"name":"conflux"}',
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '{}')).toEqual({ greeting: 'hello conflux' });
  });

  it('refuses StartSyncExecution for a STANDARD machine', async () => {
    await expect(
      sfnClient.send(
        new StartSyncExecutionCommand({
          stateMachineArn: running.physical(fx.saga as sfn.StateMachine),
          input: '{}',
        }),
      ),
    ).rejects.toThrow(/only for EXPRESS/);
  });
});
