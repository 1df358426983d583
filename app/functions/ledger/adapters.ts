import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { InvalidMessageError } from '@conflux/handler-kit';
import { InsufficientFundsError, type BalanceChange } from './domain';

const tableName = requireEnv('BALANCES_TABLE_NAME');

/**
 * Applies a balance change atomically. A debit that would overdraw the account, or a posting in another
 * currency than the account's, writes nothing and raises a named error.
 */
export async function applyBalanceChange(change: BalanceChange): Promise<number> {
  const conditions = ['(attribute_not_exists(currency) OR currency = :currency)'];
  if (change.requiresFunds) conditions.push('balance >= :needed');
  try {
    const result = await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { accountId: change.accountId },
        UpdateExpression:
          'ADD balance :delta, postings :one SET currency = :currency, lastPostingId = :posting',
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeValues: {
          ':delta': change.delta,
          ':one': 1,
          ':currency': change.currency,
          ':posting': change.postingId,
          ...(change.requiresFunds ? { ':needed': -change.delta } : {}),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return Number(result.Attributes?.balance ?? 0);
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = error.Item;
    const currency = current?.currency?.S;
    if (currency !== undefined && currency !== change.currency) {
      throw new InvalidMessageError(
        `posting ${change.postingId} is in ${change.currency} but account ${change.accountId} is in ${currency}`,
      );
    }
    throw new InsufficientFundsError(
      `debit of ${-change.delta} on account ${change.accountId} exceeds its balance of ${current?.balance?.N ?? '0'}`,
    );
  }
}
