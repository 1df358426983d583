import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import type { inboxEntry } from './domain';

const tableName = requireEnv('WEBHOOK_INBOX_TABLE_NAME');

/** Records a webhook once; a provider's redelivery of the same event id is a no-op. Returns whether it was new. */
export async function recordOnce(entry: ReturnType<typeof inboxEntry>): Promise<boolean> {
  try {
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: entry,
        ConditionExpression: 'attribute_not_exists(webhookId)',
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
