import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';

/**
 * Moves an item's `status` from `from` to `to` (stamping `<at>` with the time when given), only if it is
 * `from`: true when it moved, false when the item is missing or in another status. The one way the saga
 * services and the orders API change a status, so a repeat is always a no-op.
 */
export async function transitionStatus(
  tableName: string,
  key: Record<string, string>,
  from: string,
  to: string,
  at?: string,
): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: at ? 'SET #s = :to, #at = :now' : 'SET #s = :to',
        ConditionExpression: '#s = :from',
        ExpressionAttributeNames: { '#s': 'status', ...(at ? { '#at': at } : {}) },
        ExpressionAttributeValues: {
          ':to': to,
          ':from': from,
          ...(at ? { ':now': new Date().toISOString() } : {}),
        },
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
