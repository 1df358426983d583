import { createTransformHandler } from '@conflux/handler-kit/lake';
import { cleanseCustomers, type CuratedCustomer, type CustomerItem } from './domain';

/**
 * customers-nightly's transform: each staged customer cleansed (`cleanseCustomer`), older versions of a
 * customer dropped; the handler kit stages the accepted rows and quarantines the rejected ones with their
 * reasons.
 */
export const handler = createTransformHandler<CustomerItem, CuratedCustomer>({
  transform: (rows) => cleanseCustomers(rows),
});
