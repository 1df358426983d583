import { accountsProjection } from '../../lambdas/accounts-projector/spec';
import type { ProjectionSpec } from '../../lambdas/shared/projection';

/** The reference application's projections by name, for the rebuild command. */
export const PROJECTIONS: Readonly<Record<string, ProjectionSpec<Record<string, unknown>>>> = {
  accounts: accountsProjection as unknown as ProjectionSpec<Record<string, unknown>>,
};
