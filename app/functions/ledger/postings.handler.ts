import { createSqsConsumer } from '@conflux/handler-kit';
import { applyBalanceChange } from './adapters';
import { balanceChangeFor, LedgerPosting } from './domain';

/**
 * Applies ledger postings in order per account. A posting that cannot apply (an overdraft) holds back the
 * later postings of its account until it succeeds or reaches the DLQ; other accounts carry on.
 */
export const handler = createSqsConsumer({
  schema: LedgerPosting,
  what: 'ledger posting',
  idempotencyKey: 'postingId',
  fifo: true,
  handle: async (posting: LedgerPosting) => ({
    balance: await applyBalanceChange(balanceChangeFor(posting)),
  }),
});
