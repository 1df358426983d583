import { documents } from './clients.js';
import { createEventStore, type Upcasters } from './event-store/index.js';
import { requireEnv } from './env.js';
import {
  EVENT_STORE_SNAPSHOT_EVERY,
  EVENT_STORE_SNAPSHOT_TABLE_NAME,
  EVENT_STORE_TABLE_NAME,
} from '@conflux/constructs/contracts';

/** The store the `EventStore` construct's grants configure: `EVENT_STORE_TABLE_NAME`, snapshots optional. */
export function eventStoreFromEnv(upcasters: Upcasters = {}) {
  return createEventStore({
    documents,
    tableName: requireEnv(EVENT_STORE_TABLE_NAME),
    snapshotTableName: process.env[EVENT_STORE_SNAPSHOT_TABLE_NAME],
    snapshotEvery: Number(process.env[EVENT_STORE_SNAPSHOT_EVERY] ?? 100),
    upcasters,
  });
}
