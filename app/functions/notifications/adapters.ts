import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import type { Notification } from './domain';

const tableName = requireEnv('NOTIFICATIONS_TABLE_NAME');

/**
 * Records a notification for delivery. A second write of the same notification changes nothing, so the
 * effect stays single even if the idempotency record has expired.
 */
export async function saveNotification(notification: Notification): Promise<'created' | 'existing'> {
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...notification, status: 'PENDING' },
        ConditionExpression: 'attribute_not_exists(notificationId)',
      }),
    );
    return 'created';
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return 'existing';
    throw error;
  }
}
