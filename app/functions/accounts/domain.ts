import type { Aggregate, NewEvent, StoredEvent, Upcasters } from '@conflux/handler-kit/event-store';

/** An account as its events make it. */
export interface Account {
  readonly exists: boolean;
  readonly owner: string;
  readonly currency: string;
  readonly balanceMinor: number;
  readonly openedAt: string;
}

/** A withdrawal larger than the balance: the client's request cannot be met. */
export class InsufficientFundsError extends Error {
  public override readonly name = 'InsufficientFundsError';
}
/** A command for an account that does not exist. */
export class AccountNotFoundError extends Error {
  public override readonly name = 'AccountNotFoundError';
}

const amountOf = (event: StoredEvent) => Number(event.data.amountMinor);

/** Folds account events; shared by the command side and the read-model projector. */
export const AccountAggregate: Aggregate<Account> = {
  name: 'account',
  revision: 1,
  initial: { exists: false, owner: '', currency: '', balanceMinor: 0, openedAt: '' },
  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened':
        return {
          exists: true,
          owner: String(event.data.owner),
          currency: String(event.data.currency),
          balanceMinor: 0,
          openedAt: event.occurredAt,
        };
      case 'MoneyDeposited':
        return { ...state, balanceMinor: state.balanceMinor + amountOf(event) };
      case 'MoneyWithdrawn':
        return { ...state, balanceMinor: state.balanceMinor - amountOf(event) };
      default:
        return state;
    }
  },
};

/**
 * `MoneyDeposited` v1 carried `amount` in whole units; v2 carries `amountMinor`. Old events are upgraded
 * on read, never rewritten.
 */
export const accountUpcasters: Upcasters = {
  MoneyDeposited: { 1: (data) => ({ amountMinor: Math.round(Number(data.amount) * 100) }) },
};

type Meta = NewEvent['metadata'];

export function open(state: Account, owner: string, currency: string, metadata: Meta): NewEvent[] {
  if (state.exists) throw new Error('account already exists');
  return [{ type: 'AccountOpened', schemaVersion: 1, data: { owner, currency }, metadata }];
}

export function deposit(state: Account, amountMinor: number, metadata: Meta): NewEvent[] {
  if (!state.exists) throw new AccountNotFoundError('no such account');
  return [{ type: 'MoneyDeposited', schemaVersion: 2, data: { amountMinor }, metadata }];
}

export function withdraw(state: Account, amountMinor: number, metadata: Meta): NewEvent[] {
  if (!state.exists) throw new AccountNotFoundError('no such account');
  if (amountMinor > state.balanceMinor) {
    throw new InsufficientFundsError(
      `the balance is ${state.balanceMinor}; a withdrawal of ${amountMinor} would overdraw it`,
    );
  }
  return [{ type: 'MoneyWithdrawn', schemaVersion: 1, data: { amountMinor }, metadata }];
}

/** The account as the API shows it. */
export function accountView(accountId: string, account: Account, version: number) {
  return {
    accountId,
    currency: account.currency,
    balanceMinor: account.balanceMinor,
    openedAt: account.openedAt,
    version,
  };
}
