import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as ddb from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LambdaHost } from '../lambda/host.js';

/** The engines task states may call. */
export interface TaskTargets {
  readonly host: LambdaHost;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
}

/** Error a task handler throws: its `name` is what `Retry` and `Catch` match on. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** An SDK response as a task result: the output without the SDK's own `$metadata`. */
function withoutMetadata(response: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(response).filter(([key]) => key !== '$metadata'));
}

type DynamoAction = (client: DynamoDBClient, input: never) => Promise<{ $metadata: unknown }>;
const DYNAMODB_ACTIONS: Record<string, DynamoAction> = {
  getItem: (c, i) => c.send(new ddb.GetItemCommand(i)),
  putItem: (c, i) => c.send(new ddb.PutItemCommand(i)),
  updateItem: (c, i) => c.send(new ddb.UpdateItemCommand(i)),
  deleteItem: (c, i) => c.send(new ddb.DeleteItemCommand(i)),
  query: (c, i) => c.send(new ddb.QueryCommand(i)),
  transactWriteItems: (c, i) => c.send(new ddb.TransactWriteItemsCommand(i)),
};

/** The task resources the runtime can execute, for start-up checks. */
export function supportedTaskResource(resource: string): boolean {
  return (
    /^arn:aws:lambda:[^:]+:\d+:function:/.test(resource) ||
    resource === 'arn:aws:states:::lambda:invoke' ||
    resource === 'arn:aws:states:::sqs:sendMessage' ||
    resource === 'arn:aws:states:::sns:publish' ||
    new RegExp(`^arn:aws:states:::(aws-sdk:)?dynamodb:(${Object.keys(DYNAMODB_ACTIONS).join('|')})$`).test(
      resource,
    )
  );
}

/** Every task state of a definition, in Parallel branches and Map iterators too. */
export function taskStates(definition: {
  States?: Record<string, unknown>;
}): [string, { Resource: string }][] {
  const found: [string, { Resource: string }][] = [];
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    const s = state as {
      Type?: string;
      Resource?: string;
      Branches?: unknown[];
      Iterator?: unknown;
      ItemProcessor?: unknown;
    };
    if (s.Type === 'Task' && typeof s.Resource === 'string') found.push([name, { Resource: s.Resource }]);
    for (const branch of s.Branches ?? [])
      found.push(...taskStates(branch as { States?: Record<string, unknown> }));
    for (const nested of [s.Iterator, s.ItemProcessor]) {
      if (nested) found.push(...taskStates(nested));
    }
  }
  return found;
}

/**
 * Runs one Task state against the local engines: Lambda through the Lambda host (with the
 * `{StatusCode, Payload}` envelope of `lambda:invoke`, or the bare payload for a function ARN), DynamoDB,
 * SQS and SNS integrations through their SDK clients. A Lambda error surfaces with its `errorType` as the
 * error name, as Step Functions reports it, so `Retry` and `Catch` route on it.
 */
export async function runTask(targets: TaskTargets, resource: string, input: unknown): Promise<unknown> {
  const p = (input ?? {}) as Record<string, unknown>;
  if (resource === 'arn:aws:states:::lambda:invoke' || resource.startsWith('arn:aws:lambda:')) {
    const envelope = resource === 'arn:aws:states:::lambda:invoke';
    const functionName = envelope ? String(p.FunctionName) : resource;
    const result = await targets.host.invoke(functionName, envelope ? p.Payload : input);
    if (!result.ok) throw new TaskError(result.error.errorType, JSON.stringify(result.error));
    return envelope
      ? {
          ExecutedVersion: '$LATEST',
          Payload: result.payload,
          StatusCode: 200,
          SdkHttpMetadata: { HttpStatusCode: 200 },
        }
      : result.payload;
  }
  const dynamo = /^arn:aws:states:::(aws-sdk:)?dynamodb:(\w+)$/.exec(resource);
  if (dynamo) {
    const action = DYNAMODB_ACTIONS[dynamo[2] ?? ''];
    if (!action)
      throw new TaskError('States.Runtime', `dynamodb:${dynamo[2] ?? ''} is not supported offline`);
    try {
      return withoutMetadata(await action(targets.dynamodb, p as never));
    } catch (error: unknown) {
      const name = error instanceof Error ? error.name : 'ServiceException';
      throw new TaskError(`DynamoDB.${name}`, error instanceof Error ? error.message : String(error));
    }
  }
  // As Step Functions does, a JSON value given as the message is sent as its JSON text.
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  if (resource === 'arn:aws:states:::sqs:sendMessage') {
    const input = { ...p };
    if ('MessageBody' in input) input.MessageBody = asText(input.MessageBody);
    return withoutMetadata(await targets.sqs.send(new SendMessageCommand(input as never)));
  }
  if (resource === 'arn:aws:states:::sns:publish') {
    const input = { ...p };
    if ('Message' in input) input.Message = asText(input.Message);
    return withoutMetadata(await targets.sns.send(new PublishCommand(input as never)));
  }
  throw new TaskError('States.Runtime', `task resource ${resource} is not supported offline`);
}
