import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import type { CounterIncrement } from './domain';

const tableName = requireEnv('ANALYTICS_TABLE_NAME');

/** Adds one to a counter. Not idempotent by itself: the caller guards it with an idempotency record. */
export async function increment(counter: CounterIncrement): Promise<number> {
  const result = await documents.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { counterId: counter.counterId },
      UpdateExpression: 'ADD #count :one SET eventType = :type, #day = :day',
      ExpressionAttributeNames: { '#count': 'count', '#day': 'day' },
      ExpressionAttributeValues: { ':one': 1, ':type': counter.eventType, ':day': counter.day },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(result.Attributes?.count ?? 0);
}
