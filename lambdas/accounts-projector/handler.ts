import { createProjector } from '../shared/projection';
import { accountsProjection } from './spec';

/** The `accounts` read model: one row per account with its balance, kept by the store's stream. */
export const handler = createProjector('accounts', accountsProjection);
