/** The shapes the DynamoDB router's replication registers, reports and passes around. */

/** A DynamoDB item or key as on the wire: attribute name → typed value (`{ "S": "…" }`). */
export type AttributeMap = Record<string, unknown>;

/** A global table the router replicates, as the provisioner registers it. */
export interface GlobalTableRegistration {
  readonly tableName: string;
  /** `eventual`: multi-Region eventual consistency (MREC); `strong`: multi-Region strong consistency (MRSC). */
  readonly mode: 'eventual' | 'strong';
  /** The replica Regions, the runtime's own among them. */
  readonly regions: readonly string[];
  /** The witness Region of an MRSC table of two replicas. */
  readonly witness?: string;
  readonly keySchema: readonly { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
}

/** One Region as the controls report it. */
export interface RegionState {
  readonly region: string;
  readonly state: 'up' | 'stopped';
  readonly partitioned: boolean;
}

/** One table's replication figures. */
export interface TableReplication {
  readonly tableName: string;
  readonly mode: 'eventual' | 'strong';
  readonly regions: readonly string[];
  readonly witness?: string;
  /** Deliveries not applied yet, held ones included. */
  readonly pending: number;
  readonly delivered: number;
  /** Pairs of concurrent writes of one item that last writer wins settled. */
  readonly conflicts: number;
  /** Deliveries given up after repeated engine failures (and read-backs that kept failing). */
  readonly failed: number;
  /** Write acknowledged in the source → applied in the target, in ms. */
  readonly lag: { count: number; p50: number; p95: number; max: number };
}

/** What `GET /_conflux/replication` answers. */
export interface ReplicationDocument {
  readonly lagMs: number;
  readonly roundTripMs: number;
  readonly regions: readonly RegionState[];
  readonly tables: readonly TableReplication[];
}

/** One written item of a request, in the Region it was written in. */
export interface WrittenItem {
  readonly tableName: string;
  readonly key: AttributeMap;
}

/** A written item with the version its write was given when the engine acknowledged it. */
export interface VersionedItem extends WrittenItem {
  readonly version: number;
}
