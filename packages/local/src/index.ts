/**
 * `@conflux/local`: runs a synthesized CDK application offline, on real engines (DynamoDB Local, fauxqs,
 * kinesalite, aws-local-stepfunctions) and an API Gateway and Lambda of its own. The `conflux` command is
 * the usual way in; this module is for tests and tools that start the runtime themselves.
 */
export {
  startRuntime,
  LOCAL_ENV,
  type RuntimeOptions,
  type RunningRuntime,
  type StartEvent,
} from './core/runtime.js';
export {
  LOCAL_CREDENTIALS,
  startFauxqs,
  type EngineOptions,
  type Engines,
  type FauxqsEngine,
} from './core/engines.js';
export { UnsupportedResourceError } from './core/provisioning.js';
export { startDynamoDbLocal, type DynamoDbLocal } from './services/dynamodb/engine.js';
export { ENGINE_ACCESS_KEY } from './services/dynamodb/engine-link.js';
export { MRSC_REGION_SETS } from './services/dynamodb/global-table.js';
export {
  DynamoDbRouter,
  SettleTimeoutError,
  UnknownRegionError,
  type DynamoDbRouterOptions,
  type RegionAction,
  type RouterStats,
  type SettledDocument,
} from './services/dynamodb/router.js';
export type {
  GlobalTableRegistration,
  RegionState,
  ReplicationDocument,
  TableReplication,
} from './services/dynamodb/replication-types.js';
export { applySeed, SeedError, type SeedFile } from './services/dynamodb/seed.js';
export {
  DEV_ISSUER,
  devAuthConfig,
  devIssuerKeys,
  issueDevToken,
  parseTtl,
  type DevTokenOptions,
  type Jwks,
} from './cli/dev-issuer.js';
export {
  buildGraph,
  layoutGraph,
  renderPng,
  renderSvg,
  type Box,
  type FlowEdge,
  type FlowEdgeKind,
  type FlowGraph,
  type FlowNode,
  type FlowNodeKind,
  type LaidOutGraph,
  type Point,
  type SvgOptions,
} from './graph/index.js';
export {
  BUNDLE_LOG_ENV,
  HotReloader,
  type BundleRecord,
  type HotReloadOptions,
  type ReloadOutcome,
} from './cli/watch.js';
