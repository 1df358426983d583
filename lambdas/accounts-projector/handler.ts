import { accountUpcasters, AccountAggregate, type Account } from '../accounts-api/domain';
import { requireEnv } from '../shared/env';
import { createProjector } from '../shared/projection';

const table = requireEnv('READ_MODEL_TABLE_NAME');

/** The `accounts` read model: one row per account with its balance, kept by the store's stream. */
export const handler = createProjector<Account & Record<string, unknown>>(() => table, {
  streamPrefix: 'account-',
  keyName: 'accountId',
  keyOf: (event) => event.streamId.slice('account-'.length),
  upcasters: accountUpcasters,
  evolve: (row, event) => ({ ...AccountAggregate.evolve(row ?? AccountAggregate.initial, event) }),
});
