import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { invalid, renderReplication, replicationProblems } from './private/rules.js';

/**
 * How a table keeps its copies in other Regions.
 *
 * - `'eventual'` - multi-Region eventual consistency (MREC): each Region writes locally and replicates in the
 *   background, typically within a second; concurrent writes to one item in two Regions are resolved last writer
 *   wins, and writes not yet replicated when a Region fails are lost to readers elsewhere until it recovers.
 * - `'strong'` - multi-Region strong consistency (MRSC): a write succeeds only once it is durable in two Regions,
 *   so a strongly consistent read in any Region sees it; writes take longer, the Regions must come from one
 *   `MRSC_REGION_SETS` set, and transactions, TTL and local secondary indexes are not supported.
 */
export type ReplicationMode = 'eventual' | 'strong';

/** Where and how a table is replicated (a DynamoDB global table, version 2019.11.21). */
export interface TableReplication {
  /**
   * The consistency mode, fixed when the table is created (DynamoDB cannot change it afterwards).
   *
   * `'eventual'` (MREC) gives the lowest write latency in every Region and accepts any Region, at the price of
   * last-writer-wins conflicts, replication lag with no SLA and, on failover, the loss of writes not yet
   * replicated. `'strong'` (MRSC) makes a write durable in two Regions before it succeeds (a recovery point of
   * zero) at the price of higher write latency, three Regions of one Region set, and no transactions, TTL or
   * local secondary indexes.
   */
  readonly mode: ReplicationMode;

  /**
   * The Regions that hold a replica besides the stack's own Region, which always holds one.
   * With `'strong'`: two Regions, or one together with {@link TableReplication.witnessRegion}.
   * An empty list leaves the table in the stack's Region only.
   */
  readonly replicaRegions: readonly string[];

  /**
   * `'strong'` only: a Region that takes part in the quorum of writes without holding a readable replica,
   * so an MRSC table needs replicas in two Regions rather than three (cheaper, one fewer Region to read from).
   * It must be in the stack's Region set and be neither the stack's Region nor a replica Region.
   * @default - no witness: `'strong'` then needs two replica Regions
   */
  readonly witnessRegion?: string;

  /**
   * How far behind a replica may fall, on average over each minute, before the replication-latency alarm
   * of its Region goes off (after 15 minutes in a row above it).
   * @default Duration.minutes(3)
   */
  readonly latencyAlarmThreshold?: Duration;
}

/** Default of {@link TableReplication.latencyAlarmThreshold}. */
export const DEFAULT_LATENCY_ALARM_THRESHOLD = Duration.minutes(3);

/**
 * The `TableV2` props that replicate a table as `replication` says: `replicas`, `multiRegionConsistency` and
 * `witnessRegion`; nothing when `replication` is undefined or names no replica Region. Throws a
 * `PropsValidationError` listing every problem of `replication` (see {@link replicatedTable} for the rules
 * that also depend on the rest of the table).
 */
export function replicationProps(
  scope: Construct,
  replication?: TableReplication,
): Partial<dynamodb.TablePropsV2> {
  if (!replication) return {};
  const problems = replicationProblems(Stack.of(scope).region, replication);
  if (problems.length > 0) throw invalid(scope.node.path, problems);
  return renderReplication(replication);
}
