import { beforeAll, describe, expect, it } from 'vitest';
import { balanceChangeFor } from '../../../functions/ledger/domain';
import type { handler as Handler } from '../../../functions/ledger/postings.handler';
import { useDynamoDbLocal } from '../../../../test/support/dynamodb';
import { lambdaContext, sqsEvent, sqsRecord } from '../../../../test/support/fixtures';
import { ledgerPosting } from '../../support/ledger';

describe('balanceChangeFor', () => {
  it('adds credits and subtracts debits, which need funds', () => {
    expect(balanceChangeFor(ledgerPosting({ direction: 'credit', amount: 250 }))).toMatchObject({
      delta: 250,
      requiresFunds: false,
    });
    expect(balanceChangeFor(ledgerPosting({ direction: 'debit', amount: 250 }))).toMatchObject({
      delta: -250,
      requiresFunds: true,
    });
  });
});

describe('ledger consumer (FIFO)', () => {
  const ddb = useDynamoDbLocal();
  let table: string;
  let handler: typeof Handler;

  beforeAll(async () => {
    table = await ddb.createTable('balances', 'accountId');
    process.env.BALANCES_TABLE_NAME = table;
    process.env.IDEMPOTENCY_TABLE_NAME = await ddb.createTable('idempotency', 'id');
    ({ handler } = await import('../../../functions/ledger/postings.handler'));
  });

  const balance = async (accountId: string) => (await ddb.get(table, { accountId }))?.balance;
  const posting = (accountId: string, direction: 'credit' | 'debit', amount: number) =>
    sqsRecord(ledgerPosting({ accountId, direction, amount }), { messageGroupId: accountId });

  it('fails the rest of a message group after a failure, and no other group', async () => {
    // GIVEN account A whose second posting overdraws, interleaved with account B
    const a1 = posting('A', 'credit', 100);
    const a2 = posting('A', 'debit', 500);
    const b1 = posting('B', 'credit', 10);
    const a3 = posting('A', 'credit', 50);
    const b2 = posting('B', 'credit', 20);
    // WHEN
    const response = await handler(sqsEvent(a1, a2, b1, a3, b2), lambdaContext());
    // THEN A's overdraft and the posting after it come back, in order; B is untouched by A's failure
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([a2.messageId, a3.messageId]);
    expect(await balance('A')).toBe(100);
    expect(await balance('B')).toBe(30);
  });

  it('applies a redelivered batch once', async () => {
    const batch = sqsEvent(posting('C', 'credit', 70), posting('C', 'debit', 20));
    await handler(batch, lambdaContext());
    const again = await handler(batch, lambdaContext());
    expect(again.batchItemFailures).toEqual([]);
    expect(await balance('C')).toBe(50);
  });

  it('refuses a posting in another currency than the account, writing nothing', async () => {
    await handler(sqsEvent(posting('D', 'credit', 10)), lambdaContext());
    const dollars = sqsRecord(ledgerPosting({ accountId: 'D', currency: 'USD' }), { messageGroupId: 'D' });
    const response = await handler(sqsEvent(dollars), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: dollars.messageId }]);
    expect(await balance('D')).toBe(10);
  });
});
