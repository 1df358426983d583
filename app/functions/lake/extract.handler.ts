import { documents, requireEnv } from '@conflux/handler-kit';
import { createExtractHandler } from '@conflux/handler-kit/lake';
import { scanChangedCustomers } from './adapters';
import { scanSegments } from './domain';

const scan = {
  documents,
  tableName: requireEnv('CUSTOMERS_TABLE_NAME'),
  segments: scanSegments(process.env.SCAN_SEGMENTS),
};

/**
 * customers-nightly's extract: the customers changed in the run's window (a parallel, strongly consistent
 * scan, see `scanChangedCustomers`), staged by the handler kit as `staging/customers-nightly/<window>/extracted.json.gz`.
 */
export const handler = createExtractHandler({
  extract: (window) => scanChangedCustomers(scan, window),
});
