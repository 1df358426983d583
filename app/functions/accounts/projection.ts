import { accountUpcasters, AccountAggregate, type Account } from './domain';
import type { ProjectionSpec } from '@conflux/handler-kit';

/** The `accounts` projection: one row per account (key `accountId`) with owner, currency and balance. */
export const accountsProjection: ProjectionSpec<Account & Record<string, unknown>> = {
  streamPrefix: 'account-',
  keyName: 'accountId',
  keyOf: (event) => event.streamId.slice('account-'.length),
  upcasters: accountUpcasters,
  evolve: (row, event) => ({ ...AccountAggregate.evolve(row ?? AccountAggregate.initial, event) }),
};
