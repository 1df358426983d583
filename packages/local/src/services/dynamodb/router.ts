import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { closeServer, listenLocal } from '../../core/http-server.js';
import {
  EngineLink,
  endToEnd,
  readAll,
  rewriteAccessKey,
  signedRegion,
  type EngineAnswer,
} from './engine-link.js';
import { inspect, partiqlTables, processed, type Inspection } from './router-inspect.js';
import { handleControl } from './router-controls.js';
import type { RegionAction } from './regions.js';
import { Replicator } from './replication.js';
import type { GlobalTableRegistration, RegionState, ReplicationDocument } from './replication-types.js';

/** Options of {@link DynamoDbRouter.start}. */
export interface DynamoDbRouterOptions {
  /** The Region handlers are served in. */
  readonly homeRegion: string;
  /** Delay before an MREC write reaches the other replicas. */
  readonly lagMs: number;
  /** Round trip an MRSC write waits for before it is acknowledged. */
  readonly roundTripMs: number;
}

export type { RegionAction };

/** The control document with the deliveries a stopped or partitioned Region holds. */
export type SettledDocument = ReplicationDocument & { readonly blocked: number };

/** `settle` ran out of time with deliveries still to apply. */
export class SettleTimeoutError extends Error {
  public override readonly name = 'SettleTimeoutError';
  constructor(
    message: string,
    public readonly pending: number,
  ) {
    super(message);
  }
}

/** The router is closing: `settle` cannot finish. */
export class RouterClosedError extends Error {
  public override readonly name = 'RouterClosedError';
}

/** A Region that no registered table names. */
export class UnknownRegionError extends Error {
  public override readonly name = 'UnknownRegionError';
}

/** Counts of what the router passed on. */
export interface RouterStats {
  /** Requests passed on to DynamoDB Local. */
  readonly requests: number;
  /** Of those, the ones whose body the router read (a registered table may be named). */
  readonly inspected: number;
}

const OPERATION_PREFIX = 'DynamoDB_20120810.';
/** The operations whose body may name a registered table in a way the router acts on. */
const INSPECTED = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
]);
/** PartiQL: refused when a statement names a registered table (its writes would not replicate). */
const PARTIQL = new Set(['ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction']);

/**
 * DynamoDB as the runtime serves it: one DynamoDB Local without `-sharedDb` behind this in-process router.
 * Every request reaches the engine under one access key, so a Region's database (its table set) is the same
 * whatever key the caller signs with; writes to registered global tables are replicated to their other
 * Regions (MREC after a lag, last writer wins; MRSC synchronously, with a quorum); `/_conflux/replication`
 * and `/_conflux/regions/…` control the replication on the same port.
 */
export class DynamoDbRouter {
  private readonly replicator: Replicator;
  private readonly strongInFlight = new Map<string, { region: string; count: number }>();
  private counts = { requests: 0, inspected: 0 };

  private constructor(
    private readonly engine: EngineLink,
    private readonly server: Server,
    /** The router's endpoint, e.g. `http://127.0.0.1:8124`. */
    public readonly url: string,
    /** DynamoDB Local's own endpoint, for benchmarks (callers there see the database of their access key). */
    public readonly engineEndpoint: string,
    options: DynamoDbRouterOptions,
  ) {
    this.replicator = new Replicator(engine, options.homeRegion, options.lagMs, options.roundTripMs);
  }

  /** Starts a router on a free loopback port in front of DynamoDB Local at `engineEndpoint`. */
  public static async start(engineEndpoint: string, options: DynamoDbRouterOptions): Promise<DynamoDbRouter> {
    const engine = new EngineLink(engineEndpoint);
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    const url = await listenLocal(server);
    const router = new DynamoDbRouter(engine, server, url, engineEndpoint, options);
    // Nobody knows the address before this returns: no request comes before the listener.
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      router.handle(req, res).catch(() => {
        // A fault of the runtime's, not of the request: no engine message goes out.
        if (!res.headersSent) awsError(res, 500, 'InternalServerError', 'the offline DynamoDB router failed');
        else res.destroy();
      });
    });
    return router;
  }

  /** Registers a global table whose writes replicate between its Regions. */
  public register(registration: GlobalTableRegistration): void {
    this.replicator.register(registration);
  }

  /** Lag, round trip, Regions and every table's replication figures. */
  public replication(): ReplicationDocument {
    return this.replicator.document();
  }

  /** Changes the MREC lag and the MRSC round trip from now on. */
  public configure(settings: { lagMs?: number; roundTripMs?: number }): ReplicationDocument {
    if (settings.lagMs !== undefined) this.replicator.lagMs = settings.lagMs;
    if (settings.roundTripMs !== undefined) this.replicator.roundTripMs = settings.roundTripMs;
    return this.replication();
  }

  /**
   * Resolves once every deliverable delivery is applied (those a stopped or partitioned Region holds are
   * counted as `blocked`); rejects with a {@link SettleTimeoutError} after `timeoutMs`.
   */
  public async settle(timeoutMs = 10_000): Promise<SettledDocument> {
    const outcome = await this.replicator.settle(timeoutMs);
    if (outcome.closed) throw new RouterClosedError('the offline DynamoDB router is closing');
    if (!outcome.settled) {
      throw new SettleTimeoutError(
        `${outcome.pending} deliveries were still pending after ${timeoutMs} ms`,
        outcome.pending,
      );
    }
    return { ...this.replication(), blocked: outcome.blocked };
  }

  /** Stops, starts, partitions or heals a Region. */
  public region(region: string, action: RegionAction): RegionState {
    if (!this.replicator.knownRegion(region)) {
      throw new UnknownRegionError(
        `no global table has a replica or witness in ${region}; the Regions are ${this.replication()
          .regions.map((r) => r.region)
          .join(', ')}`,
      );
    }
    return this.replicator.setRegion(region, action);
  }

  /**
   * {@link region}, and after a start or heal, applies the deliveries of MRSC tables that Region is owed
   * before resolving: its strongly consistent reads then see every acknowledged write.
   */
  public async changeRegion(region: string, action: RegionAction): Promise<RegionState> {
    this.region(region, action);
    if (action === 'start' || action === 'heal') await this.replicator.drainStrong(region);
    return this.replicator.regionState(region);
  }

  /** Makes Regions known (each keeps its own database) before the replicas of a table are created there. */
  public addRegions(regions: readonly string[]): void {
    this.replicator.addRegions(regions);
  }

  /** What the router passed on so far. */
  public stats(): RouterStats {
    return { ...this.counts };
  }

  /** Stops listening and closes the engine's sockets. */
  public async close(): Promise<void> {
    this.replicator.close();
    await closeServer(this.server);
    this.engine.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (path.startsWith('/_conflux/')) {
      await handleControl(this, req, res, await readAll(req));
      return;
    }
    const authorization = req.headers.authorization;
    const signed = signedRegion(authorization);
    // Only the Regions of registered tables keep their own databases: any other (NoSQL Workbench's
    // "localhost", a tool's --region) is served the home Region's tables, as with -sharedDb before.
    const region =
      signed === undefined || this.replicator.knownRegion(signed) ? signed : this.replicator.home;
    const headers = { ...req.headers };
    if (authorization) headers.authorization = rewriteAccessKey(authorization, region);
    if (region !== undefined && this.replicator.stopped(region)) {
      req.resume();
      regionStopped(res, region);
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(OPERATION_PREFIX) ? target.slice(OPERATION_PREFIX.length) : '';
    this.counts.requests += 1;
    if (region !== undefined && this.replicator.active && PARTIQL.has(operation)) {
      const body = await readAll(req);
      const named = partiqlTables(body).filter((t) => this.replicator.table(t, region) !== undefined);
      if (named.length > 0) {
        awsError(
          res,
          400,
          'ValidationException',
          `PartiQL on a global table (${named.join(', ')}) is not emulated offline: use PutItem/UpdateItem/DeleteItem`,
        );
        return;
      }
      send(res, await this.engine.exchange(req.method ?? 'POST', path, headers, body));
      return;
    }
    if (region === undefined || !this.replicator.active || !INSPECTED.has(operation)) {
      await this.stream(req, res, path, headers);
      return;
    }
    this.counts.inspected += 1;
    const body = await readAll(req);
    let inspection: Inspection;
    try {
      inspection = inspect(this.replicator, region, operation, body);
    } catch {
      // Not JSON: DynamoDB Local answers it as it would.
      inspection = { writes: [], strong: [], consistentStrongRead: [], strongTransaction: false };
    }
    const pass = () => this.engine.exchange(req.method ?? 'POST', path, headers, body);
    if (inspection.strongTransaction) {
      awsError(
        res,
        400,
        'ValidationException',
        'tables with multi-Region strong consistency (MRSC) do not support transactions',
      );
      return;
    }
    if (inspection.consistentStrongRead.some((t) => !this.replicator.quorum(t, region))) {
      awsError(
        res,
        500,
        'InternalServerError',
        `no quorum: ${region} reaches no other replica or witness of the table`,
      );
      return;
    }
    if (inspection.writes.length === 0) {
      send(res, await pass());
      return;
    }
    await this.write(region, operation, inspection, pass, res);
  }

  /**
   * Passes a request on as it streams in and streams the answer back. A caller that goes away aborts the
   * engine's request and answer (their socket is not left paused in the pool); an engine that dies
   * mid-answer ends the caller's connection.
   */
  private async stream(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    headers: IncomingMessage['headers'],
  ): Promise<void> {
    const abort = new AbortController();
    const gone = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', gone);
    let answer: IncomingMessage;
    try {
      answer = await this.engine.send(req.method ?? 'POST', path, headers, req, { signal: abort.signal });
    } catch (error: unknown) {
      res.off('close', gone);
      if (abort.signal.aborted) return;
      throw error;
    }
    res.off('close', gone);
    res.writeHead(answer.statusCode ?? 500, endToEnd(answer.headers));
    pipeline(answer, res, (error) => {
      if (error) {
        answer.destroy();
        res.destroy();
      }
    });
  }

  /** A write naming registered tables: passed on under the items' locks, then replicated. */
  private async write(
    region: string,
    operation: string,
    inspection: Inspection,
    pass: () => Promise<EngineAnswer>,
    res: ServerResponse,
  ): Promise<void> {
    if (!this.quorate(region, inspection, res)) return;
    const strongIds = inspection.writes
      .filter((w) => this.replicator.table(w.tableName, region)?.mode === 'strong')
      .map((w) => `${w.tableName}\u0000${this.replicator.keyId(w.tableName, w.key)}`);
    if (
      strongIds.some(
        (id) =>
          this.strongInFlight.get(id)?.region !== undefined && this.strongInFlight.get(id)?.region !== region,
      )
    ) {
      awsError(
        res,
        400,
        'ReplicatedWriteConflictException',
        'another Region is writing this item at the same time; retry',
      );
      return;
    }
    for (const id of strongIds) {
      const held = this.strongInFlight.get(id) ?? { region, count: 0 };
      held.count += 1;
      this.strongInFlight.set(id, held);
    }
    try {
      await this.replicator.withLocks(region, inspection.writes, async () => {
        if (strongIds.length > 0) {
          await this.replicator.sleep(this.replicator.roundTripMs);
          // The Region may have stopped or lost its quorum during the round trip or the lock wait.
          if (this.replicator.isClosed) {
            awsError(res, 503, 'ServiceUnavailableException', 'the offline runtime is stopping');
            return;
          }
          if (this.replicator.stopped(region)) {
            regionStopped(res, region);
            return;
          }
          if (!this.quorate(region, inspection, res)) return;
        }
        const answer = await pass();
        if (answer.status !== 200) {
          send(res, answer);
          return;
        }
        const done = this.replicator.stamp(
          processed(operation, inspection.writes, answer.body, this.replicator),
        );
        const strong = done.filter((w) => this.replicator.table(w.tableName, region)?.mode === 'strong');
        const eventual = done.filter((w) => this.replicator.table(w.tableName, region)?.mode === 'eventual');
        if (strong.length > 0 && !(await this.replicator.replicateNow(region, strong).catch(() => false))) {
          // Durable here but in no other member: not acknowledged (deliveries that failed are retried).
          awsError(
            res,
            500,
            'InternalServerError',
            `the write reached no other replica or witness of the table from ${region}`,
          );
          return;
        }
        const queued = this.replicator.beginWrite();
        try {
          send(res, answer);
          // Acknowledged: a read-back the engine keeps failing (it exited; the supervisor says so) replicates
          // nothing and is counted as failed; the version is kept, so no older delivery overwrites the write.
          await this.replicator
            .replicate(region, eventual, Date.now(), this.replicator.lagMs)
            .catch(() => undefined);
        } finally {
          queued();
        }
      });
    } finally {
      for (const id of strongIds) {
        const held = this.strongInFlight.get(id);
        if (held && --held.count === 0) this.strongInFlight.delete(id);
      }
    }
  }

  /** Whether every MRSC table the request writes has a quorum in `region`; answers 500 when not. */
  private quorate(region: string, inspection: Inspection, res: ServerResponse): boolean {
    if (inspection.strong.every((t) => this.replicator.quorum(t, region))) return true;
    awsError(
      res,
      500,
      'InternalServerError',
      `no quorum: ${region} reaches no other replica or witness of the table`,
    );
    return false;
  }
}

/** Answers a buffered engine answer as it came. */
function send(res: ServerResponse, answer: EngineAnswer): void {
  res.writeHead(answer.status, { ...endToEnd(answer.headers), 'content-length': String(answer.body.length) });
  res.end(answer.body);
}

/** What a stopped Region answers every request signed for it: 503, as an unavailable service. */
function regionStopped(res: ServerResponse, region: string): void {
  awsError(res, 503, 'ServiceUnavailableException', `the Region ${region} is stopped (conflux region start)`);
}

/** An error in DynamoDB's JSON shape. */
export function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
