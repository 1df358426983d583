import { createProjector } from '@conflux/handler-kit';
import { accountsProjection } from './projection';

/** The `accounts` read model: one row per account with its balance, kept by the store's stream. */
export const handler = createProjector('accounts', accountsProjection);
