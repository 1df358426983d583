import * as z from 'zod/mini';
import type { TableReplication } from '@conflux/constructs';
import { parseContext } from './api-config';

/**
 * The table families replication is chosen for:
 * - `readModels`: the account view, the product view and the customer search view, rebuilt from their sources;
 * - `orders`: the orders table (order status, written by the API and the saga);
 * - `stock`: inventory and reservations, which the reservation step changes in one transaction.
 *
 * The event store is not a family: it always stays single-Region (its optimistic-concurrency transactions do not
 * replicate as a unit), with point-in-time recovery.
 */
export type TableFamily = 'readModels' | 'orders' | 'stock';

/** How a family's tables replicate: MREC, MRSC, or not at all. */
export type FamilyMode = 'eventual' | 'strong' | 'single-region';

/** Context `conflux:replication`: the replica Regions and each family's mode. */
export interface ReplicationConfig {
  /** Regions holding a replica besides the stack's own (`conflux:region`). None: every table is single-Region. */
  readonly replicaRegions: readonly string[];
  /** The MRSC witness Region, for `strong` families with one replica Region. */
  readonly witnessRegion?: string;
  readonly families: Readonly<Record<TableFamily, FamilyMode>>;
}

/** An AWS Region name, as every `conflux:` key that names one accepts it. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;
const region = z.string().check(z.regex(REGION_NAME, 'must be an AWS region name such as eu-west-1'));
const mode = z.enum(['eventual', 'strong', 'single-region']);
const Replication = z.strictObject({
  replicaRegions: z._default(z.array(region), []),
  witnessRegion: z.optional(region),
  families: z._default(
    z.strictObject({
      readModels: z._default(mode, 'single-region'),
      orders: z._default(mode, 'single-region'),
      stock: z._default(mode, 'single-region'),
    }),
    { readModels: 'single-region', orders: 'single-region', stock: 'single-region' },
  ),
});

const SINGLE_REGION: ReplicationConfig = {
  replicaRegions: [],
  families: { readModels: 'single-region', orders: 'single-region', stock: 'single-region' },
};

/**
 * Reads `conflux:replication` (a JSON object, or its text from `-c`). `homeRegion` is `conflux:region`: replicas
 * need a concrete stack Region. The rules of each mode (MRSC Region sets, witnesses, forbidden features) are checked
 * where the tables are made, by `replicatedTable`, and fail the synth naming the rule.
 */
export function loadReplicationConfig(
  raw: unknown,
  homeRegion: string | undefined,
  bad: (problem: string) => void,
): ReplicationConfig {
  if (raw === undefined) return SINGLE_REGION;
  const parsed = parseContext('replication', Replication, raw, bad);
  if (!parsed) return SINGLE_REGION;
  const replicated = (Object.entries(parsed.families) as [TableFamily, FamilyMode][]).filter(
    ([, m]) => m !== 'single-region',
  );
  if (parsed.families.stock === 'strong') {
    bad(
      'conflux:replication.families.stock is not valid: stock cannot be "strong": a reservation changes inventory and ' +
        'reservations in one TransactWriteItems, and MRSC tables support no transactions; use "eventual" or "single-region".',
    );
  }
  if (replicated.length > 0 && parsed.replicaRegions.length === 0) {
    bad(
      `conflux:replication.replicaRegions is not valid: ${replicated.map(([f]) => f).join(', ')} replicate, so name at least one replica Region.`,
    );
  }
  if (replicated.length > 0 && homeRegion === undefined) {
    bad(
      'conflux:replication is not valid without conflux:region: global table replicas need the stack in a concrete Region.',
    );
  }
  const all = [...parsed.replicaRegions, ...(parsed.witnessRegion ? [parsed.witnessRegion] : [])];
  if (homeRegion !== undefined && all.includes(homeRegion)) {
    bad(
      `conflux:replication is not valid: ${homeRegion} is the stack's own Region (conflux:region); name only the other Regions.`,
    );
  }
  if (new Set(all).size !== all.length) {
    bad('conflux:replication is not valid: a Region is named twice (replicaRegions and witnessRegion).');
  }
  return parsed;
}

/** A family's replication, or undefined when it stays single-Region. */
export function familyReplication(
  config: ReplicationConfig,
  family: TableFamily,
): TableReplication | undefined {
  const chosen = config.families[family];
  if (chosen === 'single-region' || config.replicaRegions.length === 0) return undefined;
  return {
    mode: chosen,
    replicaRegions: [...config.replicaRegions],
    // A witness only means something to MRSC.
    ...(chosen === 'strong' && config.witnessRegion ? { witnessRegion: config.witnessRegion } : {}),
  };
}
