import * as z from 'zod/mini';

/** A movement of money on an account, published to the FIFO `ledger` topic with the account as message group. */
export const LedgerPosting = z.object({
  postingId: z.uuid(),
  accountId: z.string().check(z.minLength(1), z.maxLength(64)),
  direction: z.enum(['credit', 'debit']),
  /** Minor units (cents): whole numbers, so sums are exact. */
  amount: z.number().check(z.int(), z.positive(), z.maximum(1_000_000_000)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')),
  occurredAt: z.iso.datetime({ offset: true }),
});
/** A parsed ledger posting. */
export type LedgerPosting = z.infer<typeof LedgerPosting>;

/** The change a posting makes to its account's balance. */
export interface BalanceChange {
  readonly accountId: string;
  readonly currency: string;
  /** Signed minor units: credits add, debits subtract. */
  readonly delta: number;
  /** A debit may not take the balance below zero. */
  readonly requiresFunds: boolean;
  readonly postingId: string;
}

/** Decides how a posting changes its account. */
export function balanceChangeFor(posting: LedgerPosting): BalanceChange {
  const debit = posting.direction === 'debit';
  return {
    accountId: posting.accountId,
    currency: posting.currency,
    delta: debit ? -posting.amount : posting.amount,
    requiresFunds: debit,
    postingId: posting.postingId,
  };
}

/** A debit larger than the account's balance. */
export class InsufficientFundsError extends Error {
  public override readonly name = 'InsufficientFundsError';
}
