import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { GlueService } from '../glue/service.js';
import { S3Service } from '../s3/service.js';
import { AthenaApi } from './api.js';
import { AthenaEngine, QueryFailedError } from './engine.js';
import type { ListedObject, ObjectSource } from './mirror.js';
import { s3Location } from './partitions.js';
import { resultCsv, type QueryResult } from './results.js';

/** An Athena workgroup as the runtime keeps it. */
export interface WorkGroup {
  readonly name: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description?: string;
  /** `ResultConfiguration.OutputLocation`, e.g. `s3://bucket/athena-results/`. */
  readonly outputLocation?: string;
  /** `EnforceWorkGroupConfiguration`: the workgroup's output location wins over the client's. */
  readonly enforce: boolean;
  /** `BytesScannedCutoffPerQuery`: a query that scans more is cancelled. */
  readonly bytesScannedCutoff?: number;
  readonly engineVersion: string;
  readonly createdAt: Date;
}

/** A named query, as `GetNamedQuery` answers it. */
export interface NamedQuery {
  readonly NamedQueryId: string;
  readonly Name: string;
  readonly Description?: string;
  readonly Database: string;
  readonly QueryString: string;
  readonly WorkGroup: string;
}

/** The states of a query execution. */
export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One query execution. */
export interface QueryExecution {
  readonly id: string;
  readonly query: string;
  readonly database: string;
  readonly workGroup: string;
  readonly outputLocation: string;
  readonly submittedAt: Date;
  readonly clientRequestToken?: string;
  state: QueryState;
  statementType: 'DML' | 'UTILITY' | 'DDL';
  reason?: string;
  startedAt?: Date;
  completedAt?: Date;
  scannedBytes: number;
  result?: QueryResult;
}

/** A request Athena refuses, as the API answers it (`InvalidRequestException` with `AthenaErrorCode`). */
export class AthenaRequestError extends Error {
  public override readonly name = 'AthenaRequestError';

  constructor(
    message: string,
    public readonly type = 'InvalidRequestException',
    public readonly code = 'INVALID_INPUT',
  ) {
    super(message);
  }
}

/** The engine version every workgroup runs offline, as Athena names it. */
export const EFFECTIVE_ENGINE = 'Athena engine version 3';

/**
 * Athena of one runtime: the workgroups and named queries of the templates, query executions run by DuckDB
 * over the Glue catalog's tables in local S3 ({@link AthenaEngine}), results kept for `GetQueryResults` and
 * written as CSV to the output location as Athena does, and the Athena API for SDK clients.
 */
export class AthenaService implements ServiceState {
  private readonly workGroups = new Map<string, WorkGroup>();
  private readonly named = new Map<string, NamedQuery>();
  private readonly executions = new Map<string, QueryExecution>();
  private readonly byToken = new Map<string, string>();
  private readonly api = new AthenaApi(this);
  private engineInstance?: AthenaEngine;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly runtime: ServiceRuntime) {
    this.workGroups.set('primary', {
      name: 'primary',
      state: 'ENABLED',
      enforce: false,
      engineVersion: 'AUTO',
      createdAt: new Date(),
    });
  }

  /** The engine, made on the first query. */
  private get engine(): AthenaEngine {
    if (!this.engineInstance) {
      const { options } = this.runtime;
      const stateDir = options.stateDir ?? path.join(path.dirname(path.resolve(options.cdkOut)), '.conflux');
      this.engineInstance = new AthenaEngine(
        this.runtime.service(GlueService),
        this.objectSource(),
        path.join(stateDir, 'athena', randomUUID()),
      );
    }
    return this.engineInstance;
  }

  /** Adds a workgroup (the `primary` one exists from the start and may be redefined). */
  public addWorkGroup(group: WorkGroup): void {
    if (this.workGroups.has(group.name) && group.name !== 'primary') {
      throw new AthenaRequestError(`WorkGroup ${group.name} is already created`);
    }
    this.workGroups.set(group.name, group);
  }

  /** Adds a named query; resolves with its id. */
  public addNamedQuery(query: Omit<NamedQuery, 'NamedQueryId'>): string {
    const id = randomUUID();
    this.named.set(id, { NamedQueryId: id, ...query });
    return id;
  }

  /** A workgroup by name. */
  public workGroup(name: string): WorkGroup | undefined {
    return this.workGroups.get(name);
  }

  /** Every workgroup, by name. */
  public workGroupList(): WorkGroup[] {
    return [...this.workGroups.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A named query by id. */
  public namedQuery(id: string): NamedQuery | undefined {
    return this.named.get(id);
  }

  /** The named queries of a workgroup, in the order they were made. */
  public namedQueries(workGroup = 'primary'): NamedQuery[] {
    return [...this.named.values()].filter((q) => q.WorkGroup === workGroup);
  }

  /** A query execution by id. */
  public execution(id: string): QueryExecution | undefined {
    return this.executions.get(id);
  }

  /** Every query execution of a workgroup, newest first. */
  public executionsOf(workGroup = 'primary'): QueryExecution[] {
    return [...this.executions.values()].filter((e) => e.workGroup === workGroup).reverse();
  }

  /**
   * Starts a query as `StartQueryExecution` does: queued now, run after the queries before it.
   * @throws AthenaRequestError for what Athena refuses before queueing (no output location, a disabled or
   *   missing workgroup)
   */
  public startQuery(input: {
    query: string;
    database?: string;
    workGroup?: string;
    outputLocation?: string;
    clientRequestToken?: string;
  }): string {
    if (input.clientRequestToken !== undefined) {
      const earlier = this.byToken.get(input.clientRequestToken);
      if (earlier !== undefined) return earlier;
    }
    const groupName = input.workGroup ?? 'primary';
    const group = this.workGroups.get(groupName);
    if (!group) throw new AthenaRequestError(`WorkGroup ${groupName} is not found.`);
    if (group.state === 'DISABLED') {
      throw new AthenaRequestError(`Unable to submit query: WorkGroup ${groupName} is disabled.`);
    }
    const base = group.enforce
      ? (group.outputLocation ?? input.outputLocation)
      : (input.outputLocation ?? group.outputLocation);
    if (base === undefined || base === '') {
      throw new AthenaRequestError(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    }
    const id = randomUUID();
    const execution: QueryExecution = {
      id,
      query: input.query,
      database: (input.database ?? 'default').toLowerCase(),
      workGroup: groupName,
      outputLocation: `${base.endsWith('/') ? base : `${base}/`}${id}.csv`,
      submittedAt: new Date(),
      ...(input.clientRequestToken === undefined ? {} : { clientRequestToken: input.clientRequestToken }),
      state: 'QUEUED',
      statementType: 'DML',
      scannedBytes: 0,
    };
    this.executions.set(id, execution);
    if (input.clientRequestToken !== undefined) this.byToken.set(input.clientRequestToken, id);
    const run = this.execute(execution, group).finally(() => this.running.delete(run));
    this.running.add(run);
    return id;
  }

  /** Cancels a query that has not finished. */
  public async stopExecution(id: string): Promise<void> {
    const execution = this.executions.get(id);
    if (!execution) throw new AthenaRequestError(`QueryExecution ${id} was not found`);
    const running = execution.state === 'RUNNING';
    if (execution.state === 'QUEUED' || running) {
      this.finish(execution, 'CANCELLED', 'Query cancelled by user');
    }
    if (running) await this.engine.interrupt();
  }

  /**
   * Runs a query to its end: for tests and `conflux` commands.
   * @throws AthenaRequestError when Athena would refuse to start it
   */
  public async run(
    sql: string,
    options: { database?: string; workGroup?: string; outputLocation?: string } = {},
  ): Promise<QueryExecution> {
    const id = this.startQuery({ query: sql, ...options });
    while (this.running.size > 0) await Promise.race([...this.running]);
    return this.executions.get(id) as QueryExecution;
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'athena', sdkId: 'ATHENA', url: await this.api.listen() }];
  }

  public async close(): Promise<void> {
    await this.api.close();
  }

  public async stop(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.engineInstance?.close();
  }

  private async execute(execution: QueryExecution, group: WorkGroup): Promise<void> {
    // Queued until the engine takes it; the engine runs one query at a time.
    await Promise.resolve();
    if (execution.state !== 'QUEUED') return;
    execution.state = 'RUNNING';
    execution.startedAt = new Date();
    try {
      const outcome = await this.engine.run(execution.query, execution.database, () => stopped(execution));
      if (stopped(execution)) return;
      execution.scannedBytes = outcome.scannedBytes;
      execution.statementType =
        outcome.kind === 'DML' ? 'DML' : outcome.kind === 'REPAIR' ? 'DDL' : 'UTILITY';
      if (group.bytesScannedCutoff !== undefined && outcome.scannedBytes > group.bytesScannedCutoff) {
        this.finish(execution, 'CANCELLED', 'Query cancelled! : Bytes scanned limit was exceeded');
        return;
      }
      execution.result = outcome.result;
      await this.writeResult(execution, outcome.result);
      this.finish(execution, 'SUCCEEDED');
    } catch (error: unknown) {
      if (stopped(execution)) return;
      if (error instanceof QueryFailedError) this.finish(execution, 'FAILED', error.message);
      else if (error instanceof ResultWriteError) this.finish(execution, 'FAILED', error.message);
      else {
        this.log(`[athena] query ${execution.id} failed in the runtime: ${String(error)}`);
        this.finish(execution, 'FAILED', 'INTERNAL_ERROR_QUERY_ENGINE: the offline engine failed');
      }
    }
  }

  private finish(execution: QueryExecution, state: QueryState, reason?: string): void {
    execution.state = state;
    execution.completedAt = new Date();
    if (reason !== undefined) execution.reason = reason;
  }

  private async writeResult(execution: QueryExecution, result: QueryResult): Promise<void> {
    const { bucket, prefix } = s3Location(execution.outputLocation);
    const key = prefix.replace(/\/$/, '');
    try {
      await this.runtime.service(S3Service).client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: resultCsv(result),
          ContentType: 'text/csv',
        }),
      );
    } catch (error: unknown) {
      throw new ResultWriteError(
        `Unable to write the query's results to ${execution.outputLocation}: ${error instanceof Error ? error.name : 'S3 failed'}`,
      );
    }
  }

  /** The local S3 engine, as the mirror reads it. */
  private objectSource(): ObjectSource {
    const client = () => this.runtime.service(S3Service).client;
    const failed = (what: string, error: unknown) =>
      new QueryFailedError(
        `HIVE_FILESYSTEM_ERROR: ${what}: ${error instanceof Error ? error.name : 'S3 failed'}`,
      );
    return {
      async list(bucket, prefix) {
        const objects: ListedObject[] = [];
        let token: string | undefined;
        do {
          const page = await client()
            .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
            .catch((error: unknown) => {
              throw failed(`cannot list s3://${bucket}/${prefix}`, error);
            });
          for (const o of page.Contents ?? []) {
            if (o.Key !== undefined) objects.push({ key: o.Key, etag: o.ETag ?? '', size: o.Size ?? 0 });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
        return objects;
      },
      async get(bucket, key) {
        const object = await client()
          .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
          .catch((error: unknown) => {
            throw failed(`cannot read s3://${bucket}/${key}`, error);
          });
        return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
      },
    };
  }

  private log(line: string): void {
    if (this.runtime.options.log) this.runtime.options.log(line);
    else process.stderr.write(`${line}\n`);
  }
}

/** Whether a query stopped running while the engine ran it (StopQueryExecution cancelled it). */
function stopped(execution: QueryExecution): boolean {
  return execution.state !== 'RUNNING';
}

/** The results could not be written to the output location. */
class ResultWriteError extends Error {
  public override readonly name = 'ResultWriteError';
}
