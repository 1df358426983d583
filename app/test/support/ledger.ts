import { randomUUID } from 'node:crypto';
import type { LedgerPosting } from '../../functions/ledger/domain';

/** A valid ledger posting; `overrides` replace fields. */
export function ledgerPosting(overrides: Partial<LedgerPosting> = {}): LedgerPosting {
  return {
    postingId: randomUUID(),
    accountId: 'account-1',
    direction: 'credit',
    amount: 100,
    currency: 'EUR',
    occurredAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}
