import { createLoadHandler } from '@conflux/handler-kit/lake';
import { curatedKeyOf, type CuratedCustomer } from './domain';

/**
 * customers-nightly's load: the window's cleansed customers into
 * `curated/customers-nightly/dt=<day of the window's end>/<window id>.json.gz`, sorted by customer id,
 * written only when the bytes differ (a rerun of the window changes nothing).
 */
export const handler = createLoadHandler<CuratedCustomer>({ keyOf: curatedKeyOf });
