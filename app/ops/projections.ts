import { accountsProjection } from '../functions/accounts/projection';
import type { ProjectionSpec } from '@conflux/handler-kit';

/** The reference application's projections by name, for the rebuild command. */
export const PROJECTIONS: Readonly<Record<string, ProjectionSpec<Record<string, unknown>>>> = {
  accounts: accountsProjection as unknown as ProjectionSpec<Record<string, unknown>>,
};
